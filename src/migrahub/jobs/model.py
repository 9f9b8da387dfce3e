"""A background job as people see it, and the rules the queue follows: how long a failed attempt waits before the
next (doubling backoff), how many attempts a job gets, and how long a worker may stay silent before its job is
given to another worker (the lease). Pure: no database, no clock of its own."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

JOB_STATUSES = ("queued", "retrying", "running", "cancelling", "succeeded", "failed", "cancelled")


class JobError(Exception):
    """A request about jobs that cannot be done (unknown kind, bad parameter, unknown job, finished job); the
    message names the job or the field and why."""


class JobNotFound(JobError):
    """No job has this id."""


class WorkerLost(Exception):
    """The worker running a job stopped (killed, machine lost) on the job's last attempt."""


class JobCancelled(Exception):
    """Raised inside a running job when someone cancelled it; the job stops at its next check."""


@dataclass(frozen=True)
class Policy:
    """Retries and the lease. A failed attempt ``n`` (1-based) waits ``backoff(n)`` seconds before the next; a worker
    writes a heartbeat every ``heartbeat`` seconds, and a running job whose worker has not written one for ``lease``
    seconds (or whose worker process on this machine is gone) is queued again."""

    max_attempts: int = 5
    backoff_base: float = 30.0
    backoff_cap: float = 3600.0
    lease: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise JobError(f"max_attempts: {self.max_attempts} is below 1")
        if self.backoff_base < 0 or self.backoff_cap < self.backoff_base:
            raise JobError(f"backoff: base {self.backoff_base} s and cap {self.backoff_cap} s must be 0 ≤ base ≤ cap")
        if self.lease <= 0:
            raise JobError(f"lease: {self.lease} s must be more than 0")

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1, 2, …): base, 2 × base, 4 × base … up to the cap."""
        return min(self.backoff_cap, self.backoff_base * 2 ** max(0, attempt - 1))

    @property
    def heartbeat(self) -> float:
        return max(0.2, self.lease / 4)


def job_status(queue_status: str, *, cancelled: bool, cancel_requested: bool, attempts: int) -> str:
    """What people read from the queue's own status (READY, RUNNING, SUCCESSFUL, FAILED): a job queued again after a
    failed attempt is "retrying", a failure that is a cancellation is "cancelled", a running job asked to stop is
    "cancelling"."""
    if queue_status == "READY":
        return "retrying" if attempts else "queued"
    if queue_status == "RUNNING":
        return "cancelling" if cancel_requested else "running"
    if queue_status == "SUCCESSFUL":
        return "succeeded"
    if queue_status == "FAILED":
        return "cancelled" if cancelled else "failed"
    raise JobError(f"queue status {queue_status!r} is not one of READY, RUNNING, SUCCESSFUL, FAILED")


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    label: str
    status: str
    submitted_by: str
    attempts: int
    max_attempts: int
    enqueued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    next_attempt_at: datetime | None  # a queued or retrying job's earliest start
    done: int = 0
    total: int | None = None
    note: str = ""
    params: dict = field(default_factory=dict)
    result: object = None
    errors: tuple[dict, ...] = ()  # each failed attempt: attempt, at (ISO time), error
    worker: str | None = None
    retry_of: str | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("succeeded", "failed", "cancelled")

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in ("enqueued_at", "started_at", "finished_at", "next_attempt_at"):
            data[key] = data[key].isoformat() if data[key] else None
        data["errors"] = list(self.errors)
        data["finished"] = self.finished
        return data
