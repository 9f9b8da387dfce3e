"""Every read and write of the job queue, through Django's ORM (so the same code runs on SQLite and PostgreSQL).

The queue is django-tasks-db's table (``DBTaskResult``: status READY / RUNNING / SUCCESSFUL / FAILED, arguments,
``run_after``, the workers that claimed it, return value, traceback); the hub's rows beside it are ``JobInfo`` (kind,
label, who submitted it, progress, each failed attempt, cancellation) and ``JobWorker`` (each worker's heartbeat).
Every change of a job's state is a compare-and-set on the queue row (its status and the ``started_at`` of the claim
it belongs to), so a worker that lost its lease can never overwrite what the worker that took the job over wrote.
Importing this module needs Django set up (``migrahub.web.server.setup``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction

from migrahub.jobs.model import Job, JobCancelled, JobError, JobNotFound, WorkerLost, job_status
from migrahub.web.jobs.models import JobInfo, JobWorker

CANCELLED_PATH = f"{JobCancelled.__module__}.{JobCancelled.__qualname__}"
NOTE_CHARS = 500
ERROR_CHARS = 2000


def _uuid(job_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(job_id))
    except ValueError:
        raise JobNotFound(f"job {job_id!r}: not a job id (job ids are UUIDs)") from None


def add(task_id: str, *, kind: str, label: str, actor: str, max_attempts: int, retry_of: str | None = None) -> None:
    """The hub's record of a job just enqueued (in the caller's transaction, with the queue row)."""
    JobInfo.objects.create(task_id=_uuid(task_id), kind=kind, label=label[:NOTE_CHARS], submitted_by=actor[:150],
                           max_attempts=max_attempts, retry_of=_uuid(retry_of) if retry_of else None)


def _job(info: JobInfo) -> Job:
    task = info.task
    attempts = len(task.worker_ids or [])
    run_after = None if task.run_after in (None, get_date_max()) else task.run_after
    kind_params = task.args_kwargs.get("args") or [None, {}]
    return Job(
        id=str(task.id), kind=info.kind, label=info.label,
        status=job_status(task.status, cancelled=info.cancelled, cancel_requested=info.cancel_requested,
                          attempts=attempts),
        submitted_by=info.submitted_by, attempts=attempts, max_attempts=info.max_attempts,
        enqueued_at=task.enqueued_at, started_at=task.started_at, finished_at=task.finished_at,
        next_attempt_at=run_after if task.status == "READY" else None, done=info.done, total=info.total,
        note=info.note, params=kind_params[1] if len(kind_params) > 1 else {}, result=task.return_value,
        errors=tuple(info.errors or ()), worker=(task.worker_ids or [None])[-1],
        retry_of=str(info.retry_of) if info.retry_of else None)


def get(job_id: str) -> Job:
    info = JobInfo.objects.select_related("task").filter(task_id=_uuid(job_id)).first()
    if info is None:
        raise JobNotFound(f"job {job_id}: no such job")
    return _job(info)


_STATUS_FILTERS = {
    "queued": Q(task__status="READY"),
    "running": Q(task__status="RUNNING"),
    "succeeded": Q(task__status="SUCCESSFUL"),
    "failed": Q(task__status="FAILED", cancelled=False),
    "cancelled": Q(task__status="FAILED", cancelled=True),
    "active": Q(task__status__in=("READY", "RUNNING")),
}


def listing(*, status: str | None = None, kind: str | None = None, limit: int = 50, offset: int = 0) -> list[Job]:
    """Jobs newest first; ``status`` is one of queued (retrying included), running, succeeded, failed, cancelled,
    active (queued or running)."""
    rows = JobInfo.objects.select_related("task").order_by("-task__enqueued_at")
    if status:
        if status not in _STATUS_FILTERS:
            raise JobError(f"status: {status!r} is not one of {', '.join(_STATUS_FILTERS)}")
        rows = rows.filter(_STATUS_FILTERS[status])
    if kind:
        rows = rows.filter(kind=kind)
    return [_job(info) for info in rows[offset:offset + limit]]


def counts() -> dict[str, int]:
    """How many jobs are in each state (queued counts the retrying ones)."""
    return {name: JobInfo.objects.filter(q).count() for name, q in _STATUS_FILTERS.items() if name != "active"}


def oldest_ready() -> datetime | None:
    """When the longest-waiting job that could run now was queued (``None``: no job is waiting)."""
    row = DBTaskResult.objects.ready().order_by("enqueued_at").only("enqueued_at").first()
    return row.enqueued_at if row is not None else None


def request_cancel(job_id: str, actor: str) -> str:
    """Cancel a queued job at once ("cancelled"), or ask a running one to stop at its next check ("cancelling")."""
    key = _uuid(job_id)
    now = timezone.now()
    with exclusive_transaction():
        info = JobInfo.objects.select_related("task").filter(task_id=key).first()
        if info is None:
            raise JobNotFound(f"job {job_id}: no such job")
        if DBTaskResult.objects.filter(id=key, status="READY").update(
                status="FAILED", finished_at=now, exception_class_path=CANCELLED_PATH, return_value=None,
                traceback=f"cancelled by {actor} before it ran"):
            JobInfo.objects.filter(task_id=key).update(cancelled=True, note=f"cancelled by {actor}"[:NOTE_CHARS])
            return "cancelled"
        if info.task.status == "RUNNING":
            JobInfo.objects.filter(task_id=key).update(cancel_requested=True,
                                                       note=f"cancel asked by {actor}"[:NOTE_CHARS])
            return "cancelling"
        raise JobError(f"job {job_id}: already finished ({_job(info).status}); nothing to cancel")


def cancel_requested(job_id: str) -> bool:
    return JobInfo.objects.filter(task_id=_uuid(job_id), cancel_requested=True).exists()


def progress(job_id: str, done: int, total: int | None, note: str) -> None:
    JobInfo.objects.filter(task_id=_uuid(job_id)).update(done=done, total=total, note=note[:NOTE_CHARS])


def claim(job_id: str, worker_id: str) -> DBTaskResult | None:
    """Claim one queued job for ``worker_id`` (a job run in the submitting process); ``None`` if it is not queued."""
    with exclusive_transaction():
        row = DBTaskResult.objects.select_for_update().filter(id=_uuid(job_id), status="READY").first()
        if row is not None:
            row.claim(worker_id)
    return row


def _settle(row: DBTaskResult, **fields) -> bool:
    """Compare-and-set: change the job only if it is still the claim ``row`` holds."""
    return bool(DBTaskResult.objects.filter(id=row.id, status="RUNNING", started_at=row.started_at).update(**fields))


def _error(info_id, attempt: int, error: str, **fields) -> None:
    info = JobInfo.objects.get(task_id=info_id)
    errors = [*(info.errors or []), {"attempt": attempt, "at": timezone.now().isoformat(timespec="seconds"),
                                     "error": error[:ERROR_CHARS]}]
    JobInfo.objects.filter(task_id=info_id).update(errors=errors, **fields)


def succeeded(row: DBTaskResult, value) -> bool:
    with transaction.atomic():
        return _settle(row, status="SUCCESSFUL", finished_at=timezone.now(), return_value=value,
                       exception_class_path="", traceback="")


def failed(row: DBTaskResult, error_path: str, trace: str, message: str) -> bool:
    with transaction.atomic():
        if not _settle(row, status="FAILED", finished_at=timezone.now(), return_value=None,
                       exception_class_path=error_path, traceback=trace):
            return False
        _error(row.id, len(row.worker_ids), message, note=message[:NOTE_CHARS])
        return True


def cancelled(row: DBTaskResult, actor_note: str) -> bool:
    with transaction.atomic():
        if not _settle(row, status="FAILED", finished_at=timezone.now(), return_value=None,
                       exception_class_path=CANCELLED_PATH, traceback=actor_note):
            return False
        JobInfo.objects.filter(task_id=row.id).update(cancelled=True, note=actor_note[:NOTE_CHARS])
        return True


def retry_later(row: DBTaskResult, at: datetime, message: str) -> bool:
    """Queue the job again, to start no earlier than ``at``, recording why this attempt failed."""
    with transaction.atomic():
        if not _settle(row, status="READY", run_after=at):
            return False
        _error(row.id, len(row.worker_ids), message, note=f"retry at {at.isoformat(timespec='seconds')}: {message}")
        return True


def requeue(row: DBTaskResult, note: str) -> bool:
    """Put a job its worker is giving up (stopped mid-job) back in the queue, to run again at once."""
    with transaction.atomic():
        if not _settle(row, status="READY", run_after=timezone.now()):
            return False
        JobInfo.objects.filter(task_id=row.id).update(note=note[:NOTE_CHARS])
        return True


def beat(worker_id: str, host: str, pid: int, started_at: datetime) -> None:
    """A worker's heartbeat (creating its row on the first)."""
    now = timezone.now()
    if not JobWorker.objects.filter(worker_id=worker_id).update(heartbeat_at=now, stopped_at=None):
        JobWorker.objects.create(worker_id=worker_id, host=host, pid=pid, started_at=started_at, heartbeat_at=now)


def stopped(worker_id: str) -> None:
    JobWorker.objects.filter(worker_id=worker_id).update(stopped_at=timezone.now())


def workers(since: datetime) -> list[dict]:
    """Workers that wrote a heartbeat after ``since`` and did not stop."""
    return list(JobWorker.objects.filter(heartbeat_at__gte=since, stopped_at__isnull=True)
                .order_by("host", "started_at").values("worker_id", "host", "pid", "started_at", "heartbeat_at"))


def sweep(*, stale_before: datetime, host: str, alive: Callable[[int], bool]) -> list[tuple[str, str]]:
    """Give back the running jobs of dead workers: a worker whose last heartbeat is older than ``stale_before``, that
    stopped, that never wrote one, or whose process on this ``host`` is gone (``alive(pid)`` false). Each job goes
    back to the queue ("requeued"), or fails ("failed") when it has had all its attempts. Returns (job id, outcome)."""
    out = []
    for row in DBTaskResult.objects.filter(status="RUNNING").only("id", "worker_ids", "started_at"):
        worker_id = (row.worker_ids or [None])[-1]
        worker = JobWorker.objects.filter(worker_id=worker_id).first() if worker_id else None
        dead = (worker is None or worker.stopped_at is not None or worker.heartbeat_at < stale_before
                or (worker.host == host and not alive(worker.pid)))
        if not dead:
            continue
        info = JobInfo.objects.filter(task_id=row.id).only("max_attempts").first()
        attempts = len(row.worker_ids or [])
        why = f"worker {worker_id} stopped during attempt {attempts}"
        with exclusive_transaction():
            if info is not None and attempts >= info.max_attempts:
                done = _settle(row, status="FAILED", finished_at=timezone.now(), return_value=None,
                               exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}", traceback=why)
                if done:
                    _error(row.id, attempts, why, note=why)
                outcome = "failed"
            else:
                done = _settle(row, status="READY", run_after=timezone.now())
                if done and info is not None:
                    JobInfo.objects.filter(task_id=row.id).update(note=f"{why}; queued again")
                outcome = "requeued"
            if done and worker is not None and worker.stopped_at is None:
                JobWorker.objects.filter(worker_id=worker.worker_id).update(stopped_at=timezone.now())
        if done:
            out.append((str(row.id), outcome))
    return out
