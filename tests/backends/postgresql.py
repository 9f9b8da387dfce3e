"""The test suite on PostgreSQL: every hub a test names by a file path lives in a schema of one test database.

``MIGRAHUB_TEST_BACKEND=postgresql`` (``bin/test --backend postgresql``) turns it on, for the test process and for
every ``migrahub`` process a test starts (``sitecustomize.py`` beside this file is on their ``PYTHONPATH``).
The server is ``MIGRAHUB_TEST_POSTGRESQL`` (default: the cluster ``bin/postgres`` starts). A path maps to the
schema ``h_<hash of the absolute path>``, so the same path names the same hub in every process of the run.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:54329/postgres"


def server() -> str:
    return os.environ.get("MIGRAHUB_TEST_POSTGRESQL") or DEFAULT_SERVER


def reachable_server() -> str:
    """:func:`server`, for a test that needs it on either run (one comparing the engines, or copying a hub between
    them): in CI, where bin/test starts it, a server that does not answer fails the test; elsewhere the test is
    skipped with the reason."""
    import psycopg
    import pytest

    url = server()
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the PostgreSQL server bin/test starts, at {url}: {exc}")
        pytest.skip(f"needs a PostgreSQL server at {url} (bin/postgres start): {exc}")
    return url


def database_url() -> str:
    """The run's test database (``MIGRAHUB_TEST_DATABASE``, set once by the test session)."""
    base = server().rsplit("/", 1)[0]
    return f"{base}/{os.environ['MIGRAHUB_TEST_DATABASE']}"


def hub_url(target) -> str:
    from migrahub.store.database import default_db_path, is_url

    target = target or default_db_path()
    if is_url(target):
        return str(target)
    key = str(Path(target).resolve())
    schema = "h_" + hashlib.sha1(key.encode()).hexdigest()[:20]
    return f"{database_url()}?options=-csearch_path%3D{schema}"


def hub_name(target) -> str:
    """How the store names a test's hub in its messages: the file's path on a SQLite run, the URL of its schema (no
    password to hide) on a PostgreSQL run."""
    if os.environ.get("MIGRAHUB_TEST_BACKEND") == "postgresql":
        return hub_url(target)
    return str(target)


def install(*, child: bool = False) -> None:
    """Map hub paths to schemas in this process (before anything imports ``connect`` by name). In a ``migrahub``
    process a test started (``child``), the hub's files (uploads, job exports) stay beside the path the test named,
    where a SQLite hub keeps them, rather than in the working folder a PostgreSQL hub defaults to."""
    from migrahub.store import database

    if getattr(database, "_test_backend", None) == "postgresql":
        return
    opened, located = database.connect, database.locate

    def connect(path=None, *, readonly: bool = False):
        return opened(hub_url(path), readonly=readonly)

    def locate(target=None) -> str:
        named = target or database.default_db_path()
        if child and not database.is_url(named):
            os.environ.setdefault("MIGRAHUB_UPLOAD_DIR", f"{Path(named).resolve()}-uploads")
        return located(hub_url(target))

    database.connect, database.locate = connect, locate
    database._test_backend = "postgresql"


def create_database() -> str:
    """Create a fresh test database for this run (one per pytest process) and return its name."""
    import psycopg

    name = f"migrahub_test_{os.getpid()}"
    with psycopg.connect(server(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(server(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def copy_hub(source, target) -> None:
    """Copy the hub a test built at path ``source`` to path ``target`` on this run's backend: SQLite's backup for
    a file (consistent in WAL mode), ``migrahub db copy`` for a hub in a PostgreSQL schema."""
    import sqlite3

    if os.environ.get("MIGRAHUB_TEST_BACKEND") == "postgresql":
        from migrahub.services.archive import copy

        copy(hub_url(source), hub_url(target))
        return
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def open_hub(target, **options):
    """A plain connection to a test's hub for peeking at its rows: ``sqlite3.connect`` on a SQLite run, the store's
    PostgreSQL connection to the hub's schema on a PostgreSQL run (the same SQL reads both)."""
    import sqlite3

    if os.environ.get("MIGRAHUB_TEST_BACKEND") == "postgresql":
        from migrahub.store.database import connect

        return connect(target)
    return sqlite3.connect(target, **options)


def hub_rows(target, sql: str, params=(), **options) -> list:
    """Every row ``sql`` reads from a test's hub, on a connection opened and closed here (a connection left open
    warns when it is collected on PostgreSQL)."""
    conn = open_hub(target, **options)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def integrity_ok(conn) -> bool:
    """Whether a hub's database is whole after a process writing it was killed: SQLite's own check of the file; on
    PostgreSQL (whose transactions the server keeps whole) that every stored document kept its passages."""
    if os.environ.get("MIGRAHUB_TEST_BACKEND") == "postgresql":
        return conn.execute("SELECT count(*) FROM documents d WHERE NOT EXISTS "
                            "(SELECT 1 FROM passages p WHERE p.document_id = d.id)").fetchone()[0] == 0
    return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def hub_env() -> dict[str, str]:
    """This process's environment without the hub's and Django's settings (a child ``migrahub`` process gets its
    own), keeping the test run's backend switch (``MIGRAHUB_TEST_*``)."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("MIGRAHUB_", "DJANGO_")) or k.startswith("MIGRAHUB_TEST_")}


def hub_digest(target) -> str:
    """A fingerprint of everything a test's hub holds, to show that a command wrote nothing: the file's bytes on a
    SQLite run; on a PostgreSQL run every row of every table in the hub's schema, read without the store (which
    refuses some hubs the tests build on purpose, such as one written by a newer version)."""
    import hashlib

    if os.environ.get("MIGRAHUB_TEST_BACKEND") != "postgresql":
        return hashlib.sha256(Path(target).read_bytes()).hexdigest()
    import psycopg
    from psycopg import sql

    url = hub_url(target)
    schema = url.rsplit("%3D", 1)[1]
    digest = hashlib.sha256()
    with psycopg.connect(database_url()) as conn:
        names = [r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                                            "AND table_type = 'BASE TABLE' ORDER BY table_name", (schema,))]
        assert names, f"no hub in schema {schema}"
        for name in names:
            table = sql.Identifier(schema, name)
            rows = conn.execute(sql.SQL("SELECT string_agg(t::text, E'\\n' ORDER BY t::text) FROM {} AS t")
                                .format(table)).fetchone()[0]
            digest.update(f"{name}\n{rows}\n".encode())
    return digest.hexdigest()
