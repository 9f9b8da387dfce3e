"""Watching every opener of a hub's database, in a test process and in the Python processes it starts.

:func:`watch` wraps the openers and calls ``on_open`` with a description of each opening (see engine_free.py).
A Python process a watched test starts gets ``engine_free_site/`` on its ``PYTHONPATH``: its ``sitecustomize``
calls :func:`watch_child`, which watches the same openers there (and in the processes it starts in turn) and
appends each opening to the file ``MIGRAHUB_TEST_ENGINE_FREE_LOG`` names, for the test process to read.
No pytest here: a child process imports this file alone.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

LOG_ENV = "MIGRAHUB_TEST_ENGINE_FREE_LOG"
SITE = Path(__file__).resolve().parent / "engine_free_site"
_local = threading.local()


def described_process(args, executable=None) -> tuple[str, str] | None:
    """What a process start is, if it may open a hub: ``("migrahub", …)`` for migrahub itself (a door to a hub, on
    the PostgreSQL pass mapped to its schema), ``("python", …)`` for another Python process (an interpreter, a
    script whose first line names Python, or a shell command line running one)."""
    if isinstance(args, (str, bytes, os.PathLike)):
        args = [args]
    argv = [a.decode() if isinstance(a, bytes) else os.fspath(a) for a in args]
    if not argv:
        return None
    shown = " ".join(argv)[:200]
    shell = Path(argv[0]).name in ("sh", "bash", "dash") and argv[1:2] == ["-c"] and len(argv) > 2
    if shell or (len(argv) == 1 and " " in argv[0] and executable is None):  # a shell command line
        line = argv[2] if shell else argv[0]
        if re.search(r"(^|[\s/;&|(])migrahub(\s|$)|-m\s+migrahub\b", line):
            return "migrahub", f"a migrahub process: {shown}"
        return ("python", f"a Python process: {shown}") if "python" in line else None
    program = os.fspath(executable) if executable else argv[0]
    if Path(program).name == "migrahub" or (argv[1:2] == ["-m"] and argv[2:3] and argv[2].startswith("migrahub")):
        return "migrahub", f"a migrahub process: {shown}"
    if Path(program).name.startswith("python") or _python_script(program):
        return "python", f"a Python process: {shown}"
    return None


def _python_script(program: str) -> bool:
    """Whether a program is Python: the interpreter running the tests, or a script whose ``#!`` line names Python."""
    found = program if os.sep in program else shutil.which(program)
    if not found or not os.path.isfile(found):
        return False
    if Path(found).resolve() == Path(sys.executable).resolve():
        return True
    try:
        with open(found, "rb") as head:
            first = head.readline(200)
    except OSError:
        return False
    return first.startswith(b"#!") and b"python" in first


def watch(on_open, child_log, *, store: bool = True) -> list[tuple[object, str, object]]:
    """Wrap the openers; return what :func:`restore` puts back. ``child_log()`` names the file a Python child
    process reports its openings to (its start is then watched there, not an opening), or None (its start is
    an opening: nothing would watch it)."""
    originals: list[tuple[object, str, object]] = []

    def wrap(owner, name, describe, *, method=False):
        original = owner.__dict__[name].__func__ if method else getattr(owner, name)
        originals.append((owner, name, owner.__dict__[name] if method else original))
        watched = _watched(original, describe, on_open)
        setattr(owner, name, classmethod(watched) if method else watched)

    if store:
        try:
            from migrahub.store import database
        except ImportError:  # a Python process without MigraHub: what it opens is seen below
            database = None
        for name in ("connect", "_connect_sqlite", "_connect_postgresql") if database else ():
            wrap(database, name, lambda path=None, *a, _n=name, **k: f"migrahub.store.database.{_n}({path!r})")
    wrap(sqlite3, "connect", lambda database=None, *a, **k: f"sqlite3.connect({database!r})")
    wrap(sqlite3.dbapi2, "connect", lambda database=None, *a, **k: f"sqlite3.connect({database!r})")
    try:
        import psycopg
    except ImportError:  # the PostgreSQL driver is optional on a SQLite-only install
        psycopg = None
    if psycopg is not None:
        wrap(psycopg, "connect", lambda *a, **k: "psycopg.connect(…)")
        wrap(psycopg.Connection, "connect", lambda cls, *a, **k: "psycopg.Connection.connect(…)", method=True)
    start = subprocess.Popen.__init__

    @functools.wraps(start)
    def popen_init(popen, args, *a, **k):
        __tracebackhide__ = True
        kind_what = described_process(args, k.get("executable"))
        log = child_log() if kind_what and kind_what[0] == "python" else None
        if log:
            k["env"] = child_env(k.get("env"), log)
        elif kind_what:
            on_open(kind_what[1])
        return start(popen, args, *a, **k)

    originals.append((subprocess.Popen, "__init__", start))
    subprocess.Popen.__init__ = popen_init
    return originals


def restore(originals) -> None:
    for owner, name, original in reversed(originals):
        setattr(owner, name, original)


def child_env(env, log: str) -> dict[str, str]:
    """The environment of a watched Python child: its own, with this folder's ``sitecustomize`` first."""
    env = dict(os.environ if env is None else env)
    env[LOG_ENV] = log
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SITE), env.get("PYTHONPATH")]))
    return env


def _watched(original, describe, on_open):
    @functools.wraps(original)
    def watched(*args, **kwargs):
        __tracebackhide__ = True
        if getattr(_local, "inside", False):  # an opener the outer one calls: one opening, told once
            return original(*args, **kwargs)
        on_open(describe(*args, **kwargs))
        _local.inside = True
        try:
            return original(*args, **kwargs)
        finally:
            _local.inside = False

    return watched


def watch_child() -> None:
    """In a Python process a watched test started: report every opening to the test's log file."""
    log = os.environ.get(LOG_ENV)
    if not log:
        return
    def on_open(what: str) -> None:
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{what} (in process {os.getpid()}: {' '.join(sys.argv)[:120]})\n")

    watch(on_open, lambda: log, store=False)
