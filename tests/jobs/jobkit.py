"""Helpers of the job tests. Django is configured once per process and the web tests own this process's
configuration, so everything that needs Django here runs in a child process: the real command line
(``python -m migrahub``) or a short script run by :func:`django_run` with Django set up for the test's hub."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

MIGRAHUB = [sys.executable, "-m", "migrahub"]
MARK = "@@result "
PASSWORD = "a-long-test-password-9"


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MIGRAHUB_DB", "DJANGO_SETTINGS_MODULE")}
    env.update({"MIGRAHUB_EXTRACT_MODELS": "0", "MIGRAHUB_SECRET_KEY": "test-only-secret-key-0123456789-abcdefgh",
                "MIGRAHUB_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost", "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def cli(db, *args: str, env: dict | None = None, check: bool = True, timeout: float = 120):
    done = subprocess.run([*MIGRAHUB, "--db", str(db), *args], capture_output=True, text=True,
                          env=env or child_env(), timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"migrahub {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def cli_json(db, *args: str, **kwargs):
    return json.loads(cli(db, *args, "--json", **kwargs).stdout)


PRELUDE = """
import json, sys, time
from migrahub.web import server
server.migrate(server.setup(sys.argv[1]))
from migrahub.services import jobs
from migrahub.jobs import JobError, JobNotFound
def out(value):
    print({mark!r} + json.dumps(value, default=str))
"""


def django_run(db, script: str, *, env: dict | None = None, timeout: float = 120):
    """Run ``script`` with Django set up for the hub ``db`` (``jobs`` is the service module, ``out(value)`` returns a
    value); returns the values given to ``out`` in order."""
    code = PRELUDE.format(mark=MARK) + textwrap.dedent(script)
    done = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True,
                          env=env or child_env(), timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"script failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return [json.loads(line[len(MARK):]) for line in done.stdout.splitlines() if line.startswith(MARK)]


def write_docs(folder: Path, n: int, *, tag: str = "doc") -> list[Path]:
    """``n`` small HTML notes, each with its own words (so no two are near-duplicates of each other)."""
    import random

    words = ("city housing integration newcomers language course council office support employment school "
             "health network practice programme local welcome mentoring volunteers translation rights").split()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        rng = random.Random(f"{tag}-{i}")
        body = " ".join(rng.choice(words) for _ in range(60))
        path = folder / f"{tag}-{i:05d}.html"
        path.write_text(f"<html><head><title>{tag} note {i}</title></head><body><h1>{tag} note {i}</h1>"
                        f"<p>Note {i} of the {tag} series, marker {tag}{i}z. {body}</p></body></html>",
                        encoding="utf-8")
        paths.append(path)
    return paths
