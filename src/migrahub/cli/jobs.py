"""Background job commands: ``migrahub worker`` runs the queue; ``migrahub jobs …`` submits, lists, shows, cancels
and retries jobs (see docs/jobs.md)."""

from __future__ import annotations

import getpass
import sys
import time

import click

from migrahub.cli import main
from migrahub.cli.output import fail, print_json, print_table


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in this environment
        return "cli"


def _setup(db: str):
    """Point Django at the hub and migrate it; return the jobs service (it needs Django)."""
    from migrahub.store.database import StoreError
    from migrahub.web import server

    try:
        server.migrate(server.setup(db))
    except StoreError as exc:
        fail(str(exc))
    from migrahub.services import jobs

    return jobs


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _progress(job) -> str:
    if job.total:
        return f"{job.done}/{job.total}"
    return str(job.done) if job.done else ""


def _show(job, as_json: bool) -> None:
    if as_json:
        print_json(job.as_dict())
        return
    click.echo(f"job {job.id}: {job.status} ({job.kind}) — {job.label}")
    click.echo(f"  submitted by {job.submitted_by} at {_when(job.enqueued_at)}; attempt {job.attempts} of "
               f"{job.max_attempts}" + (f"; next attempt at {_when(job.next_attempt_at)}" if job.next_attempt_at
                                        else ""))
    if job.started_at:
        click.echo(f"  last started {_when(job.started_at)} by {job.worker}"
                   + (f", finished {_when(job.finished_at)}" if job.finished_at else ""))
    if _progress(job) or job.note:
        click.echo(f"  progress {_progress(job)} {job.note}".rstrip())
    for err in job.errors:
        click.echo(f"  attempt {err['attempt']} failed at {err['at']}: {err['error']}")
    if job.status == "succeeded":
        print_json(job.result)


def _errors():
    from migrahub.jobs import JobError
    from migrahub.store.database import StoreError

    return (JobError, StoreError)


@main.command()
@click.option("--concurrency", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (each runs one job at a time).")
@click.option("--batch", is_flag=True, help="Run the jobs that are ready, then exit (for cron and tests).")
@click.option("--interval", type=click.FloatRange(0.05, 60), default=1.0, show_default=True,
              help="Seconds between two looks at an empty queue.")
@click.option("--max-jobs", type=click.IntRange(1),
              help="Each process exits after this many jobs (with --concurrency above 1 it is then replaced).")
@click.pass_obj
def worker(obj, concurrency, batch, interval, max_jobs):
    """Run background jobs from the hub's queue (shared by every web process and machine of the hub) until stopped.

    SIGTERM or Ctrl+C lets the running job finish; a second one stops it and queues it again. A worker killed
    outright loses nothing: its job is queued again when its heartbeat stops (MIGRAHUB_JOBS_LEASE seconds).
    """
    jobs = _setup(obj["db"])
    from migrahub.jobs.worker import run_workers

    try:
        sys.exit(run_workers(jobs.hub_db(), concurrency, policy=jobs.policy(), interval=interval, batch=batch,
                             max_tasks=max_jobs, announce=lambda m: click.echo(m, err=True)))
    except _errors() as exc:
        fail(str(exc))


@main.group()
def jobs():
    """Background jobs: submit, list, show, cancel, retry."""


@jobs.command("list")
@click.option("--status", type=click.Choice(["queued", "running", "succeeded", "failed", "cancelled", "active"]))
@click.option("--kind")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def jobs_list(obj, status, kind, limit, as_json):
    """Jobs, newest first."""
    service = _setup(obj["db"])
    try:
        rows = service.listing(status=status, kind=kind, limit=limit)
    except _errors() as exc:
        fail(str(exc))
    if as_json:
        print_json([j.as_dict() for j in rows])
        return
    print_table(["id", "status", "kind", "what", "attempts", "progress", "submitted"],
                [[j.id, j.status, j.kind, j.label, f"{j.attempts}/{j.max_attempts}", _progress(j),
                  f"{_when(j.enqueued_at)} by {j.submitted_by}"] for j in rows])


@jobs.command("show")
@click.argument("job_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def jobs_show(obj, job_id, as_json):
    """A job's status, progress, each failed attempt and its result."""
    service = _setup(obj["db"])
    try:
        _show(service.get(job_id), as_json)
    except _errors() as exc:
        fail(str(exc))


@jobs.command("cancel")
@click.argument("job_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def jobs_cancel(obj, job_id, as_json):
    """Cancel a queued job, or ask a running one to stop (it stops at its next check, within seconds)."""
    service = _setup(obj["db"])
    try:
        _show(service.cancel(job_id, _actor()), as_json)
    except _errors() as exc:
        fail(str(exc))


@jobs.command("retry")
@click.argument("job_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def jobs_retry(obj, job_id, as_json):
    """Queue a failed or cancelled job again (a new job with the same parameters)."""
    service = _setup(obj["db"])
    try:
        _show(service.retry(job_id, _actor()), as_json)
    except _errors() as exc:
        fail(str(exc))


@jobs.command("workers")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def jobs_workers(obj, as_json):
    """The workers alive now (on every machine of the hub)."""
    service = _setup(obj["db"])
    rows = service.workers()
    if as_json:
        print_json(rows)
        return
    print_table(["worker", "host", "pid", "started", "last heartbeat"],
                [[w["worker_id"], w["host"], str(w["pid"]), _when(w["started_at"]), _when(w["heartbeat_at"])]
                 for w in rows])


@jobs.group("submit")
def submit():
    """Queue a job (a worker runs it: `migrahub worker`, or --inline here)."""


def _submit_options(f):
    f = click.option("--json", "as_json", is_flag=True)(f)
    f = click.option("--wait", is_flag=True,
                     help="Wait until a worker has finished it (exit 1 unless it succeeded).")(f)
    f = click.option("--inline", is_flag=True, help="Run it now in this process (no worker needed).")(f)
    f = click.option("--attempts", type=click.IntRange(1, 100), help="Attempts before it fails "
                     "(default MIGRAHUB_JOBS_ATTEMPTS, 5).")(f)
    return click.pass_obj(f)


def _queue(obj, kind: str, params: dict, attempts, inline: bool, wait: bool, as_json: bool) -> None:
    service = _setup(obj["db"])
    try:
        job = service.submit(kind, params, _actor(), trusted=True, max_attempts=attempts)
        if inline:
            job = service.run_inline(job.id)
        elif wait:
            shown = ""
            while not job.finished:
                time.sleep(0.5)
                job = service.get(job.id)
                line = f"{job.status} {_progress(job)} {job.note[-60:]}"
                if line != shown and not as_json:
                    click.echo(line, err=True)
                    shown = line
    except _errors() as exc:
        fail(str(exc))
    _show(job, as_json)
    if (inline or wait) and job.status != "succeeded":
        sys.exit(1)


@submit.command("ingest")
@click.argument("targets", nargs=-1, required=True)
@click.option("--no-extract", is_flag=True, help="Store documents without extracting entities.")
@click.option("--workers", type=click.IntRange(1, 64), help="Reader processes of the ingest (default: one per CPU).")
@_submit_options
def submit_ingest(obj, targets, no_extract, workers, attempts, inline, wait, as_json):
    """Ingest files, folders, feeds, OPML lists and web pages in the background (like `migrahub ingest`)."""
    _queue(obj, "ingest", {"targets": list(targets), "extract": not no_extract, "workers": workers, "local": True},
           attempts, inline, wait, as_json)


@submit.command("watch")
@click.option("--no-extract", is_flag=True, help="Store items without extracting entities.")
@_submit_options
def submit_watch(obj, no_extract, attempts, inline, wait, as_json):
    """One pass of the feed scheduler (what `migrahub watch run --once` does)."""
    _queue(obj, "watch", {"extract": not no_extract}, attempts, inline, wait, as_json)


@submit.command("suggest")
@click.option("--codebook", required=True)
@click.option("--threshold", type=click.FloatRange(0, 1))
@_submit_options
def submit_suggest(obj, codebook, threshold, attempts, inline, wait, as_json):
    """Retrain the auto-coder and store its suggestions (what `migrahub suggest` does)."""
    _queue(obj, "suggest", {"codebook": codebook, "threshold": threshold}, attempts, inline, wait, as_json)


@submit.command("qdpx-export")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--codebook", required=True)
@click.option("--document", "documents", type=int, multiple=True, help="Only these documents (repeatable).")
@_submit_options
def submit_qdpx(obj, out, codebook, documents, attempts, inline, wait, as_json):
    """Export coded documents as a REFI-QDA project to OUT (what `migrahub qdpx export` does)."""
    _queue(obj, "qdpx-export", {"codebook": codebook, "documents": list(documents), "out": out}, attempts, inline,
           wait, as_json)


@submit.command("consult-report")
@click.argument("consultation")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["md", "html", "pdf", "docx"]), default="md", show_default=True)
@click.option("--codebook")
@_submit_options
def submit_report(obj, consultation, out, fmt, codebook, attempts, inline, wait, as_json):
    """Draft a consultation's report and write it to OUT (what `migrahub consult report --out` does)."""
    params = {"consultation": consultation, "format": fmt, "out": out}
    if codebook:
        params["codebook"] = codebook
    _queue(obj, "consult-report", params, attempts, inline, wait, as_json)
