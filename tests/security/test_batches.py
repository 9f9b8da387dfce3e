"""Robust batches: a bad file name, an unreadable folder, a crash half-way and a hub from a newer version each get a
clear per-item error or a refusal to open — never a traceback, a silent skip or documents lost to search."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from migrahub.services import hub
from migrahub.services.ingest import ingest
from migrahub.store.database import StoreError, connect
from tests.backends.postgresql import hub_digest, hub_name, hub_rows, open_hub

MIGRAHUB = [sys.executable, "-m", "migrahub"]
REPO = Path(__file__).resolve().parents[2]


def run(db: Path, *args: str, prefix: list[str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*(prefix or MIGRAHUB), "--db", str(db), *args], capture_output=True, text=True,
                          timeout=timeout)


def write(folder: Path, name: str | bytes, text: str) -> None:
    path = os.path.join(os.fsencode(folder), name if isinstance(name, bytes) else os.fsencode(name))
    with open(path, "wb") as fh:
        fh.write(text.encode("utf-8"))


# -- file names that are not UTF-8 ---------------------------------------------------------------------------------

@pytest.fixture()
def latin1_names(tmp_path) -> Path:
    """A folder whose second file and one subfolder are named in Latin-1 (bytes that are not valid UTF-8)."""
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "a-first.txt", "Ghent opened a welcome desk for newcomers in the city hall.")
    write(folder, b"caf\xe9-notes.txt", "Lisbon extended its winter shelter programme.")
    os.mkdir(os.path.join(os.fsencode(folder), b"r\xe9sum\xe9s"))
    with open(os.path.join(os.fsencode(folder), b"r\xe9sum\xe9s", b"inside.txt"), "wb") as fh:
        fh.write(b"Athens trains cultural mediators.")
    write(folder, "z-last.txt", "Utrecht funds language cafes run by volunteers.")
    return folder


def test_a_file_name_that_is_not_utf8_fails_alone_and_the_batch_goes_on(latin1_names, tmp_path):
    db = tmp_path / "hub.sqlite3"
    for _ in range(2):  # and every re-run gets as far
        summary = ingest([str(latin1_names)], db, workers=1, extract_entities=False)
        failures = {Path(f["locator"]).name: f["reason"] for f in summary.failed}
        assert failures == {"caf\\xe9-notes.txt": "file name is not valid UTF-8: rename the file to ingest it",
                            "r\\xe9sum\\xe9s": "folder name is not valid UTF-8: rename the folder to ingest its files"}
    assert hub.search("welcome desk", db) and hub.search("language cafes", db)
    stored = [row["locator"] for row in hub.failures(db)]
    assert str(latin1_names / "caf\\xe9-notes.txt") in stored


def test_the_cli_lists_the_bad_name_and_exits_1(latin1_names, tmp_path):
    db = tmp_path / "hub.sqlite3"
    proc = run(db, "ingest", "--json", str(latin1_names))
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "caf\\xe9-notes.txt: file name is not valid UTF-8" in proc.stderr
    assert json.loads(proc.stdout)["added"] == 2


def test_a_bad_name_in_a_batch_big_enough_for_worker_processes(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(40):
        write(folder, f"{i:02d}.txt", f"Report number {i} on reception of newcomers in city {i}.")
    write(folder, b"\xff\xfe-odd.txt", "odd")
    summary = ingest([str(folder)], tmp_path / "hub.sqlite3", workers=2, extract_entities=False)
    assert summary.added == 40 and [Path(f["locator"]).name for f in summary.failed] == ["\\xff\\xfe-odd.txt"]


def test_folders_nested_deeper_than_pythons_recursion_limit(tmp_path):
    deep = tmp_path / "top"
    path = os.fsencode(deep)
    os.mkdir(path)
    for _ in range(sys.getrecursionlimit() + 100):  # os.makedirs itself recurses
        path = os.path.join(path, b"d")
        os.mkdir(path)
    with open(os.path.join(path, b"bottom.txt"), "wb") as fh:
        fh.write(b"Porto runs a mentoring scheme for newly arrived families.")
    write(deep, "top.txt", "Leipzig opened a welcome centre.")
    try:
        summary = ingest([str(deep)], tmp_path / "hub.sqlite3", workers=1, extract_entities=False)
        assert summary.added == 2 and summary.failed == []
    finally:  # shutil.rmtree (pytest's clean-up of old temporary folders) recurses as deep as the tree
        os.remove(os.path.join(path, b"bottom.txt"))
        while path != os.fsencode(deep):
            os.rmdir(path)
            path = os.path.dirname(path)


# -- unreadable folders --------------------------------------------------------------------------------------------

# The tests run as root, whom file modes do not stop: the ingest runs in a process that has given up the two
# capabilities that let root read any folder (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so the kernel checks the modes
# as it does for everyone else. A process that is not root has them already not.
DROP_DAC = r"""
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
class Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]
class Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]
header, data = Header(0x20080522, 0), (Data * 2)()
if libc.capget(ctypes.byref(header), data) != 0:
    sys.exit("capget failed")
drop = ~((1 << 1) | (1 << 2))  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
data[0].effective &= drop
data[0].permitted &= drop
data[0].inheritable &= drop
if libc.capset(ctypes.byref(header), data) != 0:
    sys.exit("capset failed: errno %d" % ctypes.get_errno())
probe = os.environ["PROBE"]
try:
    os.listdir(probe)
except PermissionError:
    pass
else:
    sys.exit("the probe folder is still readable: the test cannot show an unreadable folder")
sys.argv[0] = "migrahub"
from migrahub.cli import main
main()
"""


@pytest.fixture()
def locked(tmp_path):
    folder = tmp_path / "in"
    (folder / "open").mkdir(parents=True)
    (folder / "locked").mkdir()
    (folder / "open" / "seen.txt").write_text("Malmo opened a drop-in centre for young newcomers.")
    (folder / "locked" / "hidden.txt").write_text("Text behind a folder nobody may read.")
    (folder / "locked").chmod(0)
    try:
        yield folder
    finally:
        (folder / "locked").chmod(0o755)


def cli_without_dac(db: Path, probe: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PROBE": str(probe)}
    return subprocess.run([sys.executable, "-c", DROP_DAC, "--db", str(db), *args], capture_output=True, text=True,
                          timeout=300, env=env)


def test_an_unreadable_subfolder_is_a_recorded_failure(locked, tmp_path):
    db = tmp_path / "hub.sqlite3"
    proc = cli_without_dac(db, locked / "locked", "ingest", "--json", str(locked))
    assert proc.returncode == 1, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["added"] == 1
    assert summary["failed"] == [{"locator": str(locked / "locked"), "stage": "source/folder",
                                  "reason": "cannot read folder: permission denied"}]
    assert f"failed: {locked / 'locked'}: cannot read folder: permission denied" in proc.stderr


def test_an_unreadable_folder_given_as_target_is_a_recorded_failure(locked, tmp_path):
    db = tmp_path / "hub.sqlite3"
    proc = cli_without_dac(db, locked / "locked", "ingest", "--json", str(locked / "locked"))
    assert proc.returncode == 1, proc.stderr
    assert [f["reason"] for f in json.loads(proc.stdout)["failed"]] == ["cannot read folder: permission denied"]
    assert [f["locator"] for f in hub.failures(db)] == [str(locked / "locked")]


# -- a crash half-way ----------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_documents_committed_before_a_kill_are_searchable_without_another_run(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    sys.path.insert(0, str(REPO / "bench"))
    from corpus import write_corpus

    write_corpus(folder, 600, "txt", size=20000)
    db = tmp_path / "hub.sqlite3"
    proc = subprocess.Popen([*MIGRAHUB, "--db", str(db), "ingest", "--quiet", "--no-extract", str(folder)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
        try:
            stored = hub_rows(db, "SELECT count(*) FROM documents", timeout=1)[0][0]
        except sqlite3.Error:
            continue
        if stored >= 50:
            break
    assert proc.poll() is None, "ingest finished before it could be killed; make the corpus bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    conn = open_hub(db)
    kept = conn.execute("SELECT id FROM documents ORDER BY id").fetchall()
    phrases = {}
    for (doc_id,) in kept:
        text = conn.execute("SELECT text FROM passages WHERE document_id = ? AND kind = 'paragraph' ORDER BY seq",
                            (doc_id,)).fetchone()[0]
        phrases[doc_id] = " ".join(text.split()[:8]).strip(".,;:")
    conn.close()
    assert 50 <= len(kept) < 600
    # the first search after the crash (a new connection, as every door opens one) finds every committed document
    for doc_id in (kept[0][0], kept[len(kept) // 2][0], kept[-1][0]):
        hits = json.loads(run(db, "search", f'"{phrases[doc_id]}"', "--json", "--limit", "50").stdout)
        assert doc_id in {h["document_id"] for h in hits}
    waiting = hub_rows(db, "SELECT count(*) FROM passages WHERE id > (SELECT value FROM hub_state "
                           "WHERE key = 'fts_through')")[0][0]
    assert waiting == 0


# -- a hub written by a newer version ------------------------------------------------------------------------------

@pytest.fixture()
def newer_hub(tmp_path) -> Path:
    db = tmp_path / "future.sqlite3"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "doc.txt").write_text("Zaragoza opened a housing office for refugees.")
    ingest([str(tmp_path / "in")], db, workers=1, extract_entities=False)
    conn = open_hub(db)
    conn.execute("INSERT INTO schema_migrations(name, applied_at) VALUES ('031_future_feature.sql', '2031-01-01')")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return db


NEWER = "written by a newer version of MigraHub (unknown migration 031_future_feature.sql)"


def test_a_hub_from_a_newer_version_is_refused_by_every_command_and_never_written(newer_hub, tmp_path):
    before = hub_digest(newer_hub)
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "new.txt").write_text("Bilbao trains housing mediators.")
    for args in (["ingest", str(tmp_path / "more")], ["search", "housing"], ["stats"], ["sources"],
                 ["entities"]):
        proc = run(newer_hub, *args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert f"migrahub: {hub_name(newer_hub)}: {NEWER}" in proc.stderr, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
    assert hub_digest(newer_hub) == before


def test_the_library_refuses_a_newer_hub_for_writing_and_reading(newer_hub):
    before = hub_digest(newer_hub)
    for readonly in (False, True):
        with pytest.raises(StoreError, match=re.escape(hub_name(newer_hub)) + ": written by a newer version "
                           ".*031_future_feature"):
            connect(newer_hub, readonly=readonly)
    assert hub_digest(newer_hub) == before


def test_the_web_hub_refuses_to_serve_a_newer_hub(newer_hub):
    import socket

    before = hub_digest(newer_hub)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "MIGRAHUB_SECRET_KEY": "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"}
    proc = subprocess.Popen([*MIGRAHUB, "--db", str(newer_hub), "serve", "--port", str(port), "--workers", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        _, stderr = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("migrahub serve started on a hub written by a newer version")
    assert proc.returncode == 2
    assert NEWER in stderr
    assert "Traceback" not in stderr
    assert hub_digest(newer_hub) == before
