"""The command-line door: submit, list, run with `migrahub worker` (one and two processes), show, run inline, and
clear errors for what cannot be done."""

from __future__ import annotations

import pytest
from jobkit import cli, cli_json, write_docs


@pytest.mark.slow
def test_submit_list_work_show_and_run_again_inline(tmp_path):
    db = tmp_path / "hub.sqlite3"
    write_docs(tmp_path / "a", 3, tag="alpha")
    write_docs(tmp_path / "b", 4, tag="beta")
    first = cli_json(db, "jobs", "submit", "ingest", str(tmp_path / "a"), "--no-extract")
    second = cli_json(db, "jobs", "submit", "ingest", str(tmp_path / "b"), "--no-extract", "--attempts", "2")
    assert first["status"] == second["status"] == "queued" and second["max_attempts"] == 2
    done = cli(db, "worker", "--concurrency", "2", "--batch", "--interval", "0.1")
    assert "2 worker processes" in done.stderr
    listed = cli_json(db, "jobs", "list")
    assert [j["id"] for j in listed] == [second["id"], first["id"]]  # newest first
    assert [j["status"] for j in listed] == ["succeeded", "succeeded"]
    assert [j["result"]["added"] for j in listed] == [4, 3]

    again = cli_json(db, "jobs", "submit", "ingest", str(tmp_path / "a"), "--no-extract", "--inline")
    assert again["status"] == "succeeded" and again["result"]["added"] == 0 and again["result"]["unchanged"] == 3

    refused = cli(db, "jobs", "cancel", first["id"], check=False)
    assert refused.returncode == 2
    assert refused.stderr.strip() == f"migrahub: job {first['id']}: already finished (succeeded); nothing to cancel"
    table = cli(db, "jobs", "list").stdout.splitlines()
    assert table[0].split("\t") == ["id", "status", "kind", "what", "attempts", "progress", "submitted"]
    assert len(table) == 4
