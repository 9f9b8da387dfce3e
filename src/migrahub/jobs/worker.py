"""The worker door: take jobs from the queue and run them (``migrahub worker``).

It is django-tasks-db's worker loop (claim the next ready job with ``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL, an exclusive transaction on SQLite) with what the hub adds around each job:

- a heartbeat thread writes the worker's row every ``policy.heartbeat`` seconds and sweeps the queue: a running job
  whose worker stopped writing for ``policy.lease`` seconds (or whose process on this machine is gone) is queued
  again, so a worker killed with SIGKILL loses its job to the next worker, never the job itself;
- a failed attempt is queued again after the policy's doubling backoff, until the job's attempts are spent;
- a cancellation ends the job as cancelled; SIGTERM lets the running job finish, a second one stops it and queues it
  again at once.

``run_workers(n)`` with n > 1 starts n worker processes and restarts one that dies.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from datetime import timedelta

from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskContext
from django_tasks_db.management.commands.db_worker import Worker

from migrahub.jobs.model import JobCancelled, Policy
from migrahub.store import jobs as store

log = logging.getLogger("migrahub.jobs")
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies
_db_lock = threading.Lock()  # held by the heartbeat thread while it talks to the database, and across each fork


def _in_child() -> None:
    """A process forked by a job (an ingest's readers) is not a worker: it gets the default signal handlers back, so
    that its parent can stop it (``Pool.terminate`` sends SIGTERM), the heartbeat lock free, and (on Linux) it is
    killed when the worker dies, so a worker killed alone leaves no reader waiting for work forever."""
    _db_lock.release()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    _die_with_parent()


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # no prctl here: the readers then end with the worker's process group
        return


def _fork_guard() -> None:
    """An ingest forks reader processes: no fork may happen while the heartbeat thread is inside a database call."""
    os.register_at_fork(before=_db_lock.acquire, after_in_parent=_db_lock.release, after_in_child=_in_child)


_fork_guard()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


class Heart(threading.Thread):
    """Writes the worker's heartbeat and sweeps up the jobs of dead workers, every ``policy.heartbeat`` seconds."""

    def __init__(self, worker: HubWorker):
        super().__init__(name="migrahub-heartbeat", daemon=True)
        self.worker = worker
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(self.worker.policy.heartbeat):
                self.worker.beat_and_sweep()
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=30)


class HubWorker(Worker):
    def __init__(self, *, policy: Policy, interval: float = 1.0, batch: bool = False, max_tasks: int | None = None,
                 worker_id: str | None = None):
        self.host = socket.gethostname()[:200]
        worker_id = worker_id or f"{os.getpid()}-{get_random_string(8)}@{self.host}"[:64]
        super().__init__(queue_names=["*"], interval=interval, batch=batch, backend_name="default",
                         startup_delay=False, max_tasks=max_tasks, worker_id=worker_id, excluded_queue_names=[])
        self.policy = policy
        self.started_at = timezone.now()

    # -- liveness ------------------------------------------------------------------------------------------------

    def beat_and_sweep(self) -> list[tuple[str, str]]:
        with _db_lock:
            try:
                store.beat(self.worker_id, self.host, os.getpid(), self.started_at)
                swept = store.sweep(stale_before=timezone.now() - timedelta(seconds=self.policy.lease),
                                    host=self.host, alive=_alive)
            except DatabaseError as exc:  # a busy or unreachable database: try again at the next beat
                log.warning("heartbeat of %s failed: %s", self.worker_id, exc)
                return []
        for job_id, outcome in swept:
            log.warning("job %s of a stopped worker: %s", job_id, outcome)
        return swept

    def run(self) -> None:
        self.beat_and_sweep()
        heart = Heart(self)
        heart.start()
        try:
            super().run()
        finally:
            heart.stop()
            store.stopped(self.worker_id)

    def run_one(self, job_id: str) -> bool:
        """Claim and run one queued job (the submitting process running it inline); false if it was not queued."""
        self.beat_and_sweep()
        row = store.claim(job_id, self.worker_id)
        if row is None:
            return False
        heart = Heart(self)
        heart.start()
        try:
            self.run_task(row)
        finally:
            heart.stop()
            store.stopped(self.worker_id)
        return True

    # -- one job -------------------------------------------------------------------------------------------------

    def run_task(self, row) -> None:
        from migrahub.services.jobs import retryable

        self.running_task = True
        attempt = len(row.worker_ids or [])
        args = (row.args_kwargs or {}).get("args") or [None]
        kind = args[0]
        try:
            result = row.task_result
            value = row.task.call(TaskContext(task_result=result), *result.args, **result.kwargs)
            settled = store.succeeded(row, value)
        except JobCancelled as exc:
            settled = store.cancelled(row, str(exc))
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}"
            info = store.get(str(row.id))
            if attempt < info.max_attempts and retryable(kind, exc):
                at = timezone.now() + timedelta(seconds=self.policy.backoff(attempt))
                settled = store.retry_later(row, at, message)
            else:
                settled = store.failed(row, f"{type(exc).__module__}.{type(exc).__qualname__}",
                                       "".join(traceback.format_exception(exc)), message)
        except BaseException:  # stopped mid-job (second SIGTERM, Ctrl+C): back to the queue at once
            store.requeue(row, f"worker {self.worker_id} stopped during attempt {attempt}; queued again")
            raise
        finally:
            self.running_task = False
            self._run_tasks += 1
            close_old_connections()
        if not settled:
            log.warning("job %s: this worker's claim was given to another worker (lease of %.0f s passed)",
                        row.id, self.policy.lease)


def run_workers(db: str, concurrency: int, *, policy: Policy, interval: float = 1.0, batch: bool = False,
                max_tasks: int | None = None, announce=print) -> int:
    """Run ``concurrency`` workers until stopped (or, with ``batch``, until the queue is empty); returns an exit
    status. One worker runs in this process; more run as child processes, each restarted if it dies."""
    if concurrency == 1:
        worker = HubWorker(policy=policy, interval=interval, batch=batch, max_tasks=max_tasks)
        announce(f"worker {worker.worker_id} on {db} (lease {policy.lease:.0f} s)")
        worker.configure_signals()
        worker.run()
        return 0
    command = [sys.executable, "-m", "migrahub", "--db", db, "worker", "--concurrency", "1",
               "--interval", str(interval)]
    if batch:
        command.append("--batch")
    if max_tasks:
        command += ["--max-jobs", str(max_tasks)]
    return _supervise(command, concurrency, batch, announce)


def _supervise(command: list[str], n: int, batch: bool, announce) -> int:
    """Run ``n`` worker processes; replace one that dies (give up, status 1, if they keep dying: more than 5 per
    process in a minute); forward SIGTERM and SIGINT once. The children have their own process group, so a Ctrl+C on
    the terminal reaches them once, through here (a second one stops their jobs and queues them again)."""
    stopping = False

    def start() -> subprocess.Popen:
        return subprocess.Popen(command, process_group=0)

    children = [start() for _ in range(n)]
    announce(f"{n} worker processes: {', '.join(str(c.pid) for c in children)}")

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop)
    restarts: list[float] = []
    while True:
        time.sleep(0.5)
        for i, child in enumerate(children):
            code = child.poll()
            if code is None or stopping or (batch and code == 0):
                continue
            restarts = [t for t in restarts if t > time.monotonic() - 60] + [time.monotonic()]
            if len(restarts) > 5 * n:
                announce(f"worker processes keep ending (last status {code}): stopping")
                stop(signal.SIGTERM, None)
                break
            announce(f"worker process {child.pid} ended with status {code}: starting another")
            children[i] = start()  # a worker that died (killed, crashed) is replaced
        if all(c.poll() is not None for c in children):
            return 1 if len(restarts) > 5 * n else 0
