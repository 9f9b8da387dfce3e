"""Background jobs: submit, follow, cancel and retry the hub's long work (ingests, feed polling, suggestion
retraining, exports and reports) on the job queue every process and machine of the hub shares.

The queue is django-tasks' database backend (``django-tasks-db``) in the hub's own database; one task,
:data:`run_job`, runs a job of any kind in :data:`KINDS`. Each kind checks its parameters when the job is submitted
(a bad one is refused then, naming the field) and runs a service function of the hub when a worker takes the job.
Kinds are idempotent: an ingest that runs again stores nothing twice (documents are found by content hash).
Importing this module needs Django set up (``migrahub.web.server.setup``): the doors do it.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django_tasks import task

from migrahub import config
from migrahub.jobs.model import Job, JobCancelled, JobError, Policy
from migrahub.store import jobs as store

PROGRESS_SECONDS = 1.0  # at most one progress write and one cancel check a second
FAILED_LISTED = 50  # failures listed in an ingest job's result (all are in the ingest run's record)


def policy() -> Policy:
    """The retry and lease settings (``MIGRAHUB_JOBS_ATTEMPTS``, ``MIGRAHUB_JOBS_BACKOFF``,
    ``MIGRAHUB_JOBS_BACKOFF_MAX``, ``MIGRAHUB_JOBS_LEASE``; see docs/jobs.md)."""
    default = Policy()
    values = {}
    for field, name in (("max_attempts", "MIGRAHUB_JOBS_ATTEMPTS"), ("backoff_base", "MIGRAHUB_JOBS_BACKOFF"),
                        ("backoff_cap", "MIGRAHUB_JOBS_BACKOFF_MAX"), ("lease", "MIGRAHUB_JOBS_LEASE")):
        try:
            value = config.get(name)
        except config.SettingError as exc:
            raise JobError(str(exc)) from None
        values[field] = getattr(default, field) if value is None else value
    try:
        return Policy(**values)
    except JobError as exc:
        raise JobError(f"MIGRAHUB_JOBS_*: {exc}") from None


def hub_db() -> str:
    """The hub database the doors and workers of this process serve."""
    return str(settings.MIGRAHUB_DB)


def exports_dir() -> Path:
    """Where jobs submitted from the web or the API write their files (the command line may name its own)."""
    return Path(settings.MIGRAHUB_UPLOAD_DIR) / "job-exports"


class JobContext:
    """What a running job can do besides its work: report progress and stop when someone cancelled it."""

    def __init__(self, job_id: str, actor: str, attempt: int, clock: Callable[[], float] = time.monotonic):
        self.job_id, self.actor, self.attempt, self._clock = job_id, actor, attempt, clock
        self._last = float("-inf")

    def check(self) -> None:
        """Raise :class:`JobCancelled` if the job was cancelled (asks the queue at most once a second)."""
        now = self._clock()
        if now - self._last >= PROGRESS_SECONDS:
            self._last = now
            if store.cancel_requested(self.job_id):
                raise JobCancelled(f"cancelled during attempt {self.attempt}")

    def progress(self, done: int, total: int | None = None, note: str = "", *, force: bool = False) -> None:
        """Record how far the job is (written at most once a second unless ``force``), then :meth:`check`."""
        now = self._clock()
        if force or now - self._last >= PROGRESS_SECONDS:
            store.progress(self.job_id, done, total, note)
            self._last = float("-inf")
        self.check()


@dataclass(frozen=True)
class Kind:
    name: str
    summary: str
    check: Callable[[dict, bool], dict]  # (params, trusted) → clean params, or JobError naming the field
    run: Callable[[JobContext, dict], object]  # → the job's JSON result
    label: Callable[[dict], str]
    permanent: tuple[type[BaseException], ...] = ()  # errors that another attempt cannot cure: no retry


def _only(params: dict, allowed: set[str], kind: str) -> dict:
    if not isinstance(params, dict):
        raise JobError(f"{kind}: parameters must be an object")
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise JobError(f"{kind}: unknown parameter {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")
    return dict(params)


def _text(params: dict, key: str, kind: str, *, required: bool = True, limit: int = 200) -> str | None:
    value = params.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise JobError(f"{kind}: {key} must be a non-empty text of at most {limit} characters")
    return value.strip()


def _flag(params: dict, key: str, kind: str, default: bool) -> bool:
    value = params.get(key, default)
    if not isinstance(value, bool):
        raise JobError(f"{kind}: {key} must be true or false")
    return value


def _out(params: dict, kind: str, trusted: bool) -> str | None:
    if "out" not in params:
        return None
    if not trusted:
        raise JobError(f"{kind}: out: only the command line may name an output file (the web's go to the hub's "
                       "export folder)")
    return str(Path(_text(params, "out", kind, limit=4000)).resolve())


def _output(ctx: JobContext, params: dict, suffix: str) -> Path:
    path = Path(params["out"]) if params.get("out") else exports_dir() / f"job-{ctx.job_id}{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


# ---- ingest ----------------------------------------------------------------------------------------------------

def _check_ingest(params: dict, trusted: bool) -> dict:
    p = _only(params, {"targets", "extract", "workers", "local"}, "ingest")
    local = _flag(p, "local", "ingest", False)
    if local and not trusted:
        raise JobError("ingest: local: only the command line may let a list name local files")
    targets = p.get("targets")
    if not isinstance(targets, list) or not targets or len(targets) > 10_000 or \
            not all(isinstance(t, str) and t.strip() for t in targets):
        raise JobError("ingest: targets must be a list of 1 to 10,000 files, folders or URLs")
    from migrahub.services.intake import IntakeError, check_url
    from migrahub.sources.collect import is_url

    clean = []
    for target in targets:
        if is_url(target):
            try:
                clean.append(check_url(target))
            except IntakeError as exc:
                raise JobError(f"ingest: {target}: {exc}") from None
        elif trusted:
            path = Path(target).resolve()
            if not path.exists():
                raise JobError(f"ingest: {target}: no such file or folder")
            clean.append(str(path))
        else:
            path = Path(target).resolve()
            if not path.is_relative_to(Path(settings.MIGRAHUB_UPLOAD_DIR).resolve()) or not path.is_file():
                raise JobError(f"ingest: {target}: the web and the API ingest URLs and uploaded files only")
            clean.append(str(path))
    workers = p.get("workers")
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or not 1 <= workers <= 64):
        raise JobError("ingest: workers must be a whole number from 1 to 64")
    return {"targets": clean, "extract": _flag(p, "extract", "ingest", True), "workers": workers, "local": local}


@functools.cache
def _warm(extract: bool) -> None:
    """Load the reading, language and extraction models once per worker process, before an ingest forks its reader
    processes: they inherit them instead of each loading them again for every job (seconds per job)."""
    import tempfile

    from migrahub.extract import extract as run_extract
    from migrahub.services.ingest import read_unit
    from migrahub.sources import Limits

    with tempfile.TemporaryDirectory(prefix="migrahub-warm-") as folder:
        sample = Path(folder) / "warm-up.html"
        sample.write_text("<html><body><h1>Warm-up</h1><p>The city council of Lisbon met the integration office "
                          "of Porto on 3 May 2021.</p></body></html>", encoding="utf-8")
        read_unit((str(sample), Limits(), None, None))
    if extract:
        run_extract("The city council of Lisbon met the integration office of Porto on 3 May 2021.", doc="warm-up",
                    language="en")


def _run_ingest(ctx: JobContext, p: dict) -> dict:
    from migrahub.services import curation
    from migrahub.services.ingest import ingest
    from migrahub.store.database import connect

    ctx.progress(0, None, "starting", force=True)
    _warm(p["extract"])
    conn = connect(hub_db())
    try:
        summary = ingest(p["targets"], conn=conn, workers=p["workers"], extract_entities=p["extract"],
                         allow_local_files=p["local"], progress=lambda done, total, unit: ctx.progress(done, total,
                                                                                                       unit[-200:]))
        data = summary.as_dict()
        curation.record(conn, ctx.actor, "ingest", "run", summary.run_id,
                        {"targets": p["targets"][:20], "job": ctx.job_id,
                         **{k: data[k] for k in ("items", "added", "versions", "linked", "unchanged")},
                         "failed": len(summary.failed)})
    finally:
        conn.close()
    ctx.progress(summary.units, summary.units, "done", force=True)
    return {**data, "failed_count": len(summary.failed), "failed": data["failed"][:FAILED_LISTED]}


def _ingest_label(p: dict) -> str:
    first = p["targets"][0]
    uploads = Path(settings.MIGRAHUB_UPLOAD_DIR).resolve()
    if Path(first).is_absolute() and Path(first).is_relative_to(uploads):  # an upload: its name, not the server's path
        first = f"upload {Path(first).name}"
    more = len(p["targets"]) - 1
    return f"ingest {first}" + (f" and {more} more" if more else "")


# ---- feed polling ----------------------------------------------------------------------------------------------

def _check_watch(params: dict, trusted: bool) -> dict:
    p = _only(params, {"extract"}, "watch")
    return {"extract": _flag(p, "extract", "watch", True)}


def _run_watch(ctx: JobContext, p: dict) -> dict:
    from migrahub.services.monitor import watch
    from migrahub.store.database import connect

    ctx.check()
    conn = connect(hub_db())
    try:
        report = watch.run_once(conn, extract_entities=p["extract"])
    finally:
        conn.close()
    if report.error:  # another pass holds the scheduler's lease: try again later
        raise RuntimeError(f"watch pass skipped: {report.error}")
    return report.as_dict()


# ---- suggestion retraining -------------------------------------------------------------------------------------

def _check_suggest(params: dict, trusted: bool) -> dict:
    p = _only(params, {"codebook", "threshold"}, "suggest")
    threshold = p.get("threshold")
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, int | float)
                                  or not 0 <= threshold <= 1):
        raise JobError("suggest: threshold must be a number from 0 to 1")
    return {"codebook": _text(p, "codebook", "suggest"), "threshold": threshold}


def _run_suggest(ctx: JobContext, p: dict) -> dict:
    from migrahub.services import coding

    ctx.check()
    return coding.suggest(hub_db(), p["codebook"], threshold=p["threshold"])


# ---- exports and reports ---------------------------------------------------------------------------------------

def _check_qdpx(params: dict, trusted: bool) -> dict:
    p = _only(params, {"codebook", "documents", "out"}, "qdpx-export")
    docs = p.get("documents") or []
    if not isinstance(docs, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in docs):
        raise JobError("qdpx-export: documents must be a list of document ids")
    return {"codebook": _text(p, "codebook", "qdpx-export"), "documents": docs,
            **({"out": _out(p, "qdpx-export", trusted)} if "out" in p else {})}


def _run_qdpx(ctx: JobContext, p: dict) -> dict:
    from migrahub.services import coding

    ctx.check()
    out = _output(ctx, p, ".qdpx")
    return {**coding.export_project(hub_db(), p["codebook"], out, p["documents"] or None), "file": str(out)}


REPORT_FORMATS = ("md", "html", "pdf", "docx")


def _check_report(params: dict, trusted: bool) -> dict:
    p = _only(params, {"consultation", "format", "codebook", "out"}, "consult-report")
    fmt = p.get("format", "md")
    if fmt not in REPORT_FORMATS:
        raise JobError(f"consult-report: format must be one of {', '.join(REPORT_FORMATS)}")
    return {"consultation": _text(p, "consultation", "consult-report"), "format": fmt,
            "codebook": _text(p, "codebook", "consult-report", required=False),
            **({"out": _out(p, "consult-report", trusted)} if "out" in p else {})}


def _run_report(ctx: JobContext, p: dict) -> dict:
    from migrahub.services.consult import reports
    from migrahub.store.database import connect

    ctx.check()
    conn = connect(hub_db())
    try:
        reports.generate(conn, p["consultation"], ctx.actor, p["codebook"])
        data, content_type, _ = reports.export(conn, p["consultation"], p["format"], settings.MIGRAHUB_BASE_URL)
    finally:
        conn.close()
    out = _output(ctx, p, f".{p['format']}")
    out.write_bytes(data)
    return {"file": str(out), "bytes": len(data), "content_type": content_type}


def _permanent_errors() -> dict[str, tuple[type[BaseException], ...]]:
    from migrahub.coding.codebook import CodebookError
    from migrahub.consult.model import ConsultError
    from migrahub.services.coding import CodingError

    return {"suggest": (CodebookError, CodingError), "qdpx-export": (CodebookError, CodingError),
            "consult-report": (ConsultError,)}


_PERMANENT = _permanent_errors()
KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("ingest", "Ingest files, folders, feeds, OPML lists and web pages", _check_ingest, _run_ingest,
         _ingest_label),
    Kind("watch", "One pass of the feed scheduler (migrahub watch run --once)", _check_watch, _run_watch,
         lambda p: "poll the watched feeds and pages that are due"),
    Kind("suggest", "Retrain the auto-coder on people's codings and store its suggestions", _check_suggest,
         _run_suggest, lambda p: f"retrain suggestions for codebook {p['codebook']}", _PERMANENT["suggest"]),
    Kind("qdpx-export", "Export coded documents as a REFI-QDA project", _check_qdpx, _run_qdpx,
         lambda p: f"export codebook {p['codebook']} as .qdpx", _PERMANENT["qdpx-export"]),
    Kind("consult-report", "Draft a consultation's synthesis report and write it", _check_report, _run_report,
         lambda p: f"report of consultation {p['consultation']} ({p['format']})", _PERMANENT["consult-report"]),
)}


def kind_of(name: str) -> Kind:
    kind = KINDS.get(name)
    if kind is None:
        raise JobError(f"kind: {name!r} is not one of {', '.join(KINDS)}")
    return kind


def retryable(kind: str, exc: BaseException) -> bool:
    """Whether another attempt may succeed (not a cancellation, not an error the kind declares permanent)."""
    if isinstance(exc, JobCancelled | JobError):
        return False
    k = KINDS.get(kind)
    return k is not None and not isinstance(exc, k.permanent)


@task(takes_context=True)
def run_job(context, kind: str, params: dict):
    """The one task on the queue: run a job of ``kind`` (called by a worker, never directly)."""
    job_id = context.task_result.id
    ctx = JobContext(job_id, store.get(job_id).submitted_by, context.attempt)
    ctx.check()
    result = kind_of(kind).run(ctx, params)
    return json.loads(json.dumps(result, default=str))  # what the queue's JSON column can hold (dates as text)


# ---- what the doors call ---------------------------------------------------------------------------------------

def submit(kind: str, params: dict, actor: str, *, trusted: bool = False, max_attempts: int | None = None,
           retry_of: str | None = None) -> Job:
    """Check ``params`` for ``kind`` and queue the job; ``trusted`` (the command line) may name local files and
    output files. Returns the queued job."""
    k = kind_of(kind)
    clean = k.check(params, trusted)
    attempts = max_attempts if max_attempts is not None else policy().max_attempts
    if not 1 <= attempts <= 100:
        raise JobError(f"attempts: {attempts} is not from 1 to 100")
    with transaction.atomic():
        result = run_job.enqueue(kind, clean)
        store.add(result.id, kind=kind, label=k.label(clean), actor=actor, max_attempts=attempts, retry_of=retry_of)
    return store.get(result.id)


def get(job_id: str) -> Job:
    return store.get(job_id)


def listing(*, status: str | None = None, kind: str | None = None, limit: int = 50, offset: int = 0) -> list[Job]:
    if not 1 <= limit <= 1000 or offset < 0:
        raise JobError("limit must be from 1 to 1000 and offset 0 or more")
    return store.listing(status=status, kind=kind, limit=limit, offset=offset)


def counts() -> dict[str, int]:
    return store.counts()


def cancel(job_id: str, actor: str) -> Job:
    """Cancel a queued job, or ask a running one to stop at its next check; refused for a finished job."""
    store.request_cancel(job_id, actor)
    return store.get(job_id)


def retry(job_id: str, actor: str) -> Job:
    """Queue a failed or cancelled job again, as a new job with the same kind and parameters."""
    old = store.get(job_id)
    if old.status not in ("failed", "cancelled"):
        raise JobError(f"job {job_id}: {old.status}; only failed or cancelled jobs can be retried")
    return submit(old.kind, old.params, actor, trusted=True, max_attempts=old.max_attempts, retry_of=old.id)


def workers() -> list[dict]:
    """The workers alive now (a heartbeat within the lease)."""
    from datetime import timedelta

    from django.utils import timezone

    return store.workers(timezone.now() - timedelta(seconds=policy().lease))


def health() -> dict:
    """The queue for a health check: live workers, jobs per status, and how long the oldest job that could run now
    has waited (seconds; a growing number with no worker means jobs are piling up)."""
    from django.utils import timezone

    oldest = store.oldest_ready()
    return {"workers": len(workers()), "jobs": store.counts(),
            "oldest_waiting_seconds": round((timezone.now() - oldest).total_seconds(), 1) if oldest else None}


def run_inline(job_id: str) -> Job:
    """Run a queued job now, in this process, exactly as a worker would (one attempt; a failure that may be
    retried is queued again with its backoff for a worker)."""
    from migrahub.jobs.worker import HubWorker

    worker = HubWorker(policy=policy(), batch=True)
    worker.run_one(job_id)
    return store.get(job_id)
