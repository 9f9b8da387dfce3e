"""The queue's behaviour through the jobs service and the worker, on a real hub database: retries with a doubling
backoff, errors no retry can cure, cancellation (queued and running), retry of a finished job, and the sweep that
gives a dead worker's job to the next worker. Each test runs its script in a child process (see jobkit)."""

from __future__ import annotations

from datetime import datetime

from jobkit import child_env, django_run

FLAKY = """
from pathlib import Path
from migrahub.jobs.worker import HubWorker
from migrahub.services.jobs import KINDS, Kind

counter = Path(sys.argv[1] + "-attempts")

def flaky(ctx, p):
    n = (int(counter.read_text()) if counter.exists() else 0) + 1
    counter.write_text(str(n))
    if n <= p["fail"]:
        raise ConnectionError(f"feed server down (attempt {n})")
    return {"attempt": n}

KINDS["flaky"] = Kind("flaky", "fails its first attempts", lambda p, trusted: dict(p), flaky, lambda p: "flaky job")

def work():
    t0 = time.time()
    HubWorker(policy=jobs.policy(), batch=True, interval=0.05).run()
    return t0, time.time()
"""


def _ts(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def test_a_failed_attempt_is_retried_after_a_doubling_backoff(tmp_path):
    script = FLAKY + """
job = jobs.submit("flaky", {"fail": 2}, "tester", max_attempts=3)
for _ in range(3):
    t0, t1 = work()
    again_now = work()  # the backoff has not passed: nothing to run
    out({"t0": t0, "t1": t1, "job": jobs.get(job.id).as_dict()})
    j = jobs.get(job.id)
    if j.next_attempt_at:
        time.sleep(max(0, j.next_attempt_at.timestamp() - time.time()) + 0.05)
"""
    runs = django_run(tmp_path / "hub.sqlite3", script, env=child_env(MIGRAHUB_JOBS_BACKOFF="0.6"))
    first, second, third = (r["job"] for r in runs)
    assert first["status"] == "retrying" and first["attempts"] == 1
    assert first["errors"][0]["error"] == "ConnectionError: feed server down (attempt 1)"
    wait1 = _ts(first["next_attempt_at"]) - runs[0]["t0"]
    assert 0.6 <= wait1 <= runs[0]["t1"] - runs[0]["t0"] + 0.6
    assert second["status"] == "retrying" and second["attempts"] == 2 and len(second["errors"]) == 2
    wait2 = _ts(second["next_attempt_at"]) - runs[1]["t0"]
    assert 1.2 <= wait2 <= runs[1]["t1"] - runs[1]["t0"] + 1.2  # doubled
    assert third["status"] == "succeeded" and third["attempts"] == 3 and third["result"] == {"attempt": 3}
    assert [e["attempt"] for e in third["errors"]] == [1, 2]  # the failed attempts stay visible


def test_a_job_fails_when_its_attempts_are_spent_or_its_error_is_permanent(tmp_path):
    script = FLAKY + """
job = jobs.submit("flaky", {"fail": 9}, "tester", max_attempts=2)
work()
time.sleep(0.1)
work()
out(jobs.get(job.id).as_dict())
bad = jobs.submit("suggest", {"codebook": "no-such-codebook"}, "tester", max_attempts=3)
work()
out(jobs.get(bad.id).as_dict())
"""
    spent, permanent = django_run(tmp_path / "hub.sqlite3", script, env=child_env(MIGRAHUB_JOBS_BACKOFF="0"))
    assert spent["status"] == "failed" and spent["attempts"] == 2 and len(spent["errors"]) == 2
    assert permanent["status"] == "failed" and permanent["attempts"] == 1  # another attempt cannot cure it
    assert "no-such-codebook" in permanent["errors"][0]["error"]


def test_bad_submissions_are_refused_naming_the_field(tmp_path):
    script = """
for kind, params, trusted in [("nope", {}, True), ("ingest", {"targets": []}, True),
                              ("ingest", {"targets": ["/etc/passwd"]}, False),
                              ("ingest", {"targets": [sys.argv[1]], "local": True}, False),
                              ("ingest", {"targets": ["/no/such/folder"]}, True),
                              ("suggest", {"codebook": "x", "threshold": 2}, True),
                              ("qdpx-export", {"codebook": "x", "out": "/tmp/x.qdpx"}, False),
                              ("watch", {"extra": 1}, True)]:
    try:
        jobs.submit(kind, params, "tester", trusted=trusted)
        out("accepted")
    except JobError as exc:
        out(str(exc))
try:
    jobs.get("0b5f0000-0000-4000-8000-000000000000")
except JobNotFound as exc:
    out(str(exc))
out(len(jobs.listing()))
"""
    messages = django_run(tmp_path / "hub.sqlite3", script)
    assert messages[0].startswith("kind: 'nope' is not one of ingest")
    assert messages[1].startswith("ingest: targets must be a list")
    assert messages[2] == "ingest: /etc/passwd: the web and the API ingest URLs and uploaded files only"
    assert messages[3].startswith("ingest: local: only the command line")
    assert messages[4] == "ingest: /no/such/folder: no such file or folder"
    assert messages[5] == "suggest: threshold must be a number from 0 to 1"
    assert messages[6].startswith("qdpx-export: out: only the command line")
    assert messages[7].startswith("watch: unknown parameter 'extra'")
    assert messages[8] == "job 0b5f0000-0000-4000-8000-000000000000: no such job"
    assert messages[9] == 0  # nothing refused was queued


def test_cancel_a_queued_and_a_running_job_then_retry(tmp_path):
    script = FLAKY + """
import threading

def slow(ctx, p):
    i = 0
    while True:
        i += 1
        ctx.progress(i, None, f"step {i}")
        time.sleep(0.02)

KINDS["slow"] = Kind("slow", "runs until cancelled", lambda p, trusted: dict(p), slow, lambda p: "slow job")
queued = jobs.submit("slow", {}, "tester")
out(jobs.cancel(queued.id, "boss").as_dict())
work()  # a cancelled job never runs
out(jobs.get(queued.id).as_dict())
running = jobs.submit("slow", {"n": 1}, "tester")
worker = threading.Thread(target=lambda: HubWorker(policy=jobs.policy(), batch=True).run_one(running.id))
worker.start()
while jobs.get(running.id).status != "running":
    time.sleep(0.05)
time.sleep(1.2)
out(jobs.cancel(running.id, "boss").as_dict())
worker.join(30)
out(jobs.get(running.id).as_dict())
for act in (jobs.cancel, jobs.retry):
    try:
        act(running.id if act is jobs.cancel else jobs.submit("slow", {}, "t").id, "boss")
    except JobError as exc:
        out(str(exc))
again = jobs.retry(running.id, "boss")
out(again.as_dict())
"""
    (cancelled_queued, after_worker, cancelling, cancelled_running, no_cancel, no_retry,
     again) = django_run(tmp_path / "hub.sqlite3", script)
    assert cancelled_queued["status"] == "cancelled" and cancelled_queued["attempts"] == 0
    assert after_worker["status"] == "cancelled" and after_worker["started_at"] is None
    assert cancelling["status"] == "cancelling"
    assert cancelled_running["status"] == "cancelled" and cancelled_running["done"] >= 2
    assert cancelled_running["note"] == "cancelled during attempt 1"
    assert no_cancel.endswith("already finished (cancelled); nothing to cancel")
    assert no_retry.endswith("queued; only failed or cancelled jobs can be retried")
    assert again["status"] == "queued" and again["retry_of"] == cancelled_running["id"]
    assert again["params"] == {"n": 1} and again["id"] != cancelled_running["id"]


def test_the_job_of_a_silent_or_dead_worker_goes_back_to_the_queue(tmp_path):
    script = FLAKY + """
import subprocess
from datetime import timedelta
from django.utils import timezone
from migrahub.store import jobs as store
from migrahub.web.jobs.models import JobWorker

job = jobs.submit("flaky", {"fail": 0}, "tester", max_attempts=2)
store.beat("ghost@elsewhere", "elsewhere", 4242, timezone.now())
store.claim(job.id, "ghost@elsewhere")
me = HubWorker(policy=jobs.policy())
out(me.beat_and_sweep())  # its heartbeat is fresh: still its job
JobWorker.objects.filter(worker_id="ghost@elsewhere").update(
    heartbeat_at=timezone.now() - timedelta(seconds=31))
out(me.beat_and_sweep())  # silent for longer than the lease
out(jobs.get(job.id).as_dict())
gone = subprocess.Popen(["true"])
gone.wait()
store.beat("ghost2@here", me.host, gone.pid, timezone.now())
store.claim(job.id, "ghost2@here")
out(me.beat_and_sweep())  # a process of this machine that is gone: at once, and its last attempt
out(jobs.get(job.id).as_dict())
out([w["worker_id"] for w in jobs.workers()])
"""
    fresh, swept, requeued, swept2, lost, alive = django_run(tmp_path / "hub.sqlite3", script,
                                                            env=child_env(MIGRAHUB_JOBS_LEASE="30"))
    assert fresh == []
    assert swept == [[requeued["id"], "requeued"]]
    assert requeued["status"] == "retrying" and requeued["attempts"] == 1
    assert requeued["note"] == "worker ghost@elsewhere stopped during attempt 1; queued again"
    assert swept2 == [[lost["id"], "failed"]]
    assert lost["status"] == "failed" and lost["errors"][-1]["error"] == "worker ghost2@here stopped during attempt 2"
    assert len(alive) == 1 and "ghost" not in alive[0]  # only the sweeping worker is alive
