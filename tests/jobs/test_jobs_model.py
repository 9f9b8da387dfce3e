"""The job model's rules: doubling backoff up to a cap, the lease, and the statuses people read."""

from __future__ import annotations

import pytest

from migrahub.jobs import JobError, Policy, job_status

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


def test_backoff_doubles_from_the_base_up_to_the_cap():
    p = Policy(backoff_base=30, backoff_cap=200)
    assert [p.backoff(n) for n in (1, 2, 3, 4, 5)] == [30, 60, 120, 200, 200]
    assert Policy(backoff_base=0).backoff(3) == 0


def test_heartbeat_is_a_quarter_of_the_lease():
    assert Policy(lease=60).heartbeat == 15
    assert Policy(lease=0.4).heartbeat == 0.2  # never busier than five beats a second


@pytest.mark.parametrize("kwargs, field", [({"max_attempts": 0}, "max_attempts"), ({"lease": 0}, "lease"),
                                           ({"backoff_base": 10, "backoff_cap": 5}, "backoff")])
def test_a_bad_policy_is_refused_naming_the_field(kwargs, field):
    with pytest.raises(JobError, match=field):
        Policy(**kwargs)


def test_statuses_read_from_the_queue():
    assert job_status("READY", cancelled=False, cancel_requested=False, attempts=0) == "queued"
    assert job_status("READY", cancelled=False, cancel_requested=False, attempts=2) == "retrying"
    assert job_status("RUNNING", cancelled=False, cancel_requested=False, attempts=1) == "running"
    assert job_status("RUNNING", cancelled=False, cancel_requested=True, attempts=1) == "cancelling"
    assert job_status("SUCCESSFUL", cancelled=False, cancel_requested=False, attempts=1) == "succeeded"
    assert job_status("FAILED", cancelled=False, cancel_requested=False, attempts=5) == "failed"
    assert job_status("FAILED", cancelled=True, cancel_requested=False, attempts=0) == "cancelled"
    with pytest.raises(JobError, match="PAUSED"):
        job_status("PAUSED", cancelled=False, cancel_requested=False, attempts=0)
