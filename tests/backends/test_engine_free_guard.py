"""The engine_free mark: a marked test that opens a hub fails on the SQLite pass, naming itself and what it opened
(an error at set-up when a fixture it uses opened one);
the PostgreSQL pass deselects marked tests. Each check runs pytest with the suite's own conftest on a small test
file written here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.backends.postgresql import reachable_server

REPO = Path(__file__).resolve().parents[2]

TESTS = '''
import sqlite3
import subprocess
import sys

import pytest

from migrahub.store import database
from migrahub.store.database import connect


@pytest.fixture(scope="session")
def built_hub(tmp_path_factory):
    path = tmp_path_factory.mktemp("hub") / "hub.sqlite3"
    database.connect(path).close()
    return path


def test_unmarked_may_open(built_hub):
    assert built_hub.exists()


@pytest.mark.engine_free
def test_opens_nothing():
    assert sorted("ba") == ["a", "b"]


@pytest.mark.engine_free
def test_connects(tmp_path):
    connect(tmp_path / "hub.sqlite3").close()


@pytest.mark.engine_free
def test_swallows_the_error(tmp_path):
    try:
        database.connect(tmp_path / "hub.sqlite3").close()
    except Exception:
        pass


@pytest.mark.engine_free
def test_raw_sqlite(tmp_path):
    sqlite3.connect(tmp_path / "other.sqlite3").close()


@pytest.mark.engine_free
def test_fixture_set_up_before(built_hub):
    assert built_hub.exists()


@pytest.mark.engine_free
def test_starts_python_opening_nothing():
    subprocess.run([sys.executable, "-c", "import json; json.dumps([1])"], check=True)


@pytest.mark.engine_free
def test_starts_python_opening_a_file(tmp_path):
    code = "import sqlite3, sys; sqlite3.connect(sys.argv[1]).close()"
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "child.sqlite3")], check=True)


@pytest.mark.engine_free
def test_grandchild_with_its_own_environment(tmp_path):
    code = ("import subprocess, sys; subprocess.run([sys.executable, '-c', 'import sqlite3, sys; "
            "sqlite3.connect(sys.argv[1])', sys.argv[1]], env={}, check=True)")
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "grandchild.sqlite3")], check=True)


@pytest.mark.engine_free
def test_starts_migrahub():
    subprocess.run([sys.executable, "-m", "migrahub", "--help"], capture_output=True, check=False)
'''

FAILING = {
    "test_connects": "migrahub.store.database.connect(",
    "test_swallows_the_error": "migrahub.store.database.connect(",
    "test_raw_sqlite": "sqlite3.connect(",
    "test_fixture_set_up_before": "in fixture 'built_hub', set up for test_guarded.py::test_unmarked_may_open",
    "test_starts_python_opening_a_file": "child.sqlite3') (in process",
    "test_grandchild_with_its_own_environment": "grandchild.sqlite3') (in process",
    "test_starts_migrahub": "a migrahub process: ",
}


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "conftest.py").write_text("from tests.conftest import *  # noqa: F403 (the suite's own hooks)\n",
                                          encoding="utf-8")
    (tmp_path / "test_guarded.py").write_text(TESTS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("MIGRAHUB_TEST_BACKEND", "MIGRAHUB_TEST_DATABASE")}
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-W", "error", "-q", "-rA",
                           "--rootdir", str(tmp_path), *args, "test_guarded.py"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_marked_tests_that_open_a_hub_fail_naming_themselves_and_the_opening(tmp_path):
    run = _run(tmp_path, "--backend", "sqlite")
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert "6 failed, 3 passed, 1 error in" in out, out
    assert "PASSED test_guarded.py::test_unmarked_may_open" in out
    assert "PASSED test_guarded.py::test_opens_nothing" in out
    assert "PASSED test_guarded.py::test_starts_python_opening_nothing" in out
    for name, opened in FAILING.items():
        said = [line for line in out.splitlines() if f"test_guarded.py::{name} is marked engine_free" in line]
        assert said, f"{name}: no failure naming it\n{out}"
        assert opened in "\n".join(out.split(f"test_guarded.py::{name} is marked engine_free", 1)[1].splitlines()[:3])


def test_the_report_lists_modules_without_failing(tmp_path):
    (tmp_path / "test_free.py").write_text("def test_sorts():\n    assert sorted('ba') == ['a', 'b']\n",
                                           encoding="utf-8")
    run = _run(tmp_path, "--backend", "sqlite", "--engine-free-report", "test_free.py")
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert "11 passed in" in out
    assert "8/10  opened  opens a hub  test_guarded.py" in out, out
    assert "0/1   opened  CANDIDATE    test_free.py" in out, out


def test_the_postgresql_pass_deselects_marked_tests(tmp_path):
    reachable_server()
    run = _run(tmp_path, "--backend", "postgresql", "--collect-only")
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert "1/10 tests collected (9 deselected)" in out, out
