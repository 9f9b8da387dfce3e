"""A worker killed with SIGKILL in the middle of a 2,000-file ingest job: the next worker runs the job again, and
the hub ends with every document exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from jobkit import MIGRAHUB, child_env, cli_json, write_docs

from migrahub.store.database import connect

FILES = 2000


def _count(db, sql: str) -> int:
    conn = connect(db, readonly=True)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def _processes_of(db) -> list[int]:
    """Processes started for this hub (a worker and the reader processes its ingest forked share its command line)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    if str(db).encode() in fh.read():
                        found.append(int(entry))
            except OSError:  # ended meanwhile
                continue
    return found


def _worker(db, log, env):
    # in its own process group, so that the test can clean up whatever it leaves
    return subprocess.Popen([*MIGRAHUB, "--db", str(db), "worker", "--interval", "0.2"], env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _wait(predicate, timeout: float, what: str, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the worker ended (status {proc.returncode}) before {what}")
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_a_worker_killed_mid_ingest_loses_nothing_and_the_job_completes(tmp_path):
    db = tmp_path / "hub.sqlite3"
    files = write_docs(tmp_path / "corpus", FILES, tag="bulk")
    env = child_env(MIGRAHUB_JOBS_LEASE="5")
    job = cli_json(db, "jobs", "submit", "ingest", str(tmp_path / "corpus"), "--no-extract", "--workers", "2",
                   env=env)
    assert job["status"] == "queued"
    documents = "SELECT count(*) FROM documents"

    with open(tmp_path / "worker1.log", "wb") as log:
        first = _worker(db, log, env)
        try:
            _wait(lambda: _count(db, documents) >= 300, 90, "300 documents", first)
            assert len(_processes_of(db)) > 1  # the worker and its ingest's reader processes
            os.kill(first.pid, signal.SIGKILL)  # the worker alone
            first.wait()
            _wait(lambda: not _processes_of(db), 10, "the reader processes to end with their worker")
        finally:
            if first.poll() is None:
                os.kill(first.pid, signal.SIGKILL)
            try:
                os.killpg(first.pid, signal.SIGKILL)
            except ProcessLookupError:  # nothing left
                pass
    at_kill = _count(db, documents)
    assert 300 <= at_kill < FILES, f"the kill must land mid-job ({at_kill} of {FILES} stored)"
    assert _count(db, "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'") == 1

    with open(tmp_path / "worker2.log", "wb") as log:
        second = _worker(db, log, env)
        try:
            _wait(lambda: _count(db, "SELECT count(*) FROM django_tasks_database_dbtaskresult "
                                     "WHERE status IN ('SUCCESSFUL', 'FAILED')") == 1, 120, "the job to finish",
                  second)
        finally:
            second.send_signal(signal.SIGTERM)  # a worker stops cleanly between jobs
            assert second.wait(timeout=30) == 0

    done = cli_json(db, "jobs", "show", job["id"], env=env)
    assert done["status"] == "succeeded", done
    assert done["attempts"] == 2  # the killed attempt and the one that finished
    result = done["result"]
    assert result["failed_count"] == 0 and result["items"] == FILES
    assert result["unchanged"] >= at_kill  # what the killed worker committed was kept, not stored again
    assert result["added"] + result["unchanged"] == FILES
    assert _count(db, documents) == FILES
    assert _count(db, "SELECT count(DISTINCT content_hash) FROM documents") == FILES
    assert _count(db, "SELECT count(*) FROM document_links") == FILES
    assert _count(db, "SELECT count(DISTINCT locator) FROM document_links") == FILES
    assert _count(db, "SELECT count(*) FROM documents d WHERE NOT EXISTS "
                      "(SELECT 1 FROM passages p WHERE p.document_id = d.id)") == 0
    conn = connect(db, readonly=True)
    try:
        locators = {row[0] for row in conn.execute("SELECT locator FROM document_links")}
    finally:
        conn.close()
    assert len(locators) == FILES and all(any(loc.endswith(p.name) for loc in (str(p),)) for p in files)
    assert {os.path.basename(loc) for loc in locators} == {p.name for p in files}
