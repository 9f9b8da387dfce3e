"""Opening the hub's SQLite file and migrating its schema.

The store is one SQLite file (``./migrahub.sqlite3`` by default; ``--db PATH`` or ``MIGRAHUB_DB`` override) in WAL
mode, so readers (the web hub, searches) keep working while an ingest writes. Migrations are the numbered ``.sql``
files beside this module, applied in order, each in its own transaction, and recorded in ``schema_migrations``.
Other areas of the hub add their own numbered files here.

Opening a hub is also where two rules hold for every door (CLI, web, jobs):

- a hub that records a migration this version does not know was written by a newer version: it is refused before
  anything is written to it (:class:`StoreError` naming the file and the migration);
- what an ingest committed but had not indexed yet (it indexes in batches; a run killed with SIGKILL leaves the
  rest waiting) is indexed when the hub is next opened for writing, so every committed document is searchable.
"""

from __future__ import annotations

import functools
import os
import sqlite3
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from migrahub import config

DEFAULT_DB = "migrahub.sqlite3"


class StoreError(Exception):
    """The hub's database cannot be opened or migrated; the message says which file and why."""


def is_url(target) -> bool:
    """Whether a hub is named by a PostgreSQL URL (``postgresql://user@host:port/name``) rather than a file."""
    return str(target).startswith(("postgresql://", "postgres://"))


def locate(target: str | os.PathLike | None = None) -> str:
    """The hub a ``--db`` value or ``MIGRAHUB_DB`` names, as one string: a PostgreSQL URL as it is, a file as its
    absolute path (the default ``./migrahub.sqlite3`` when nothing is given). Caches of open connections key on it."""
    target = target or config.get("MIGRAHUB_DB") or DEFAULT_DB
    return str(target) if is_url(target) else str(Path(target).resolve())


def default_db_path() -> Path | str:
    """The hub named by ``MIGRAHUB_DB`` (a file path or a PostgreSQL URL), else ``./migrahub.sqlite3``."""
    target = config.get("MIGRAHUB_DB") or DEFAULT_DB
    return target if is_url(target) else Path(target)


def backend(conn) -> str:
    """Which database engine a connection talks to: ``"sqlite"`` or ``"postgresql"``. Store modules branch on it
    only where the SQL of the two must differ."""
    return "sqlite" if isinstance(conn, sqlite3.Connection) else "postgresql"


def now() -> str:
    """The current UTC time as ISO 8601 with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@functools.cache
def _migrations(engine: str = "sqlite") -> tuple[tuple[str, str], ...]:
    """The migrations one engine applies, in order. ``NNN_name.sql`` is for both (written in SQLite's dialect and
    translated for PostgreSQL); ``NNN_name_sqlite.sql`` and ``NNN_name_postgresql.sql`` hold what only one has
    (SQLite's FTS5 index; PostgreSQL's text-search columns)."""
    folder = resources.files("migrahub.store") / "migrations"
    other = "_postgresql.sql" if engine == "sqlite" else "_sqlite.sql"
    return tuple(sorted((entry.name, entry.read_text(encoding="utf-8")) for entry in folder.iterdir()
                        if entry.name.endswith(".sql") and not entry.name.endswith(other)))


def known_migrations() -> set[str]:
    """Every migration this version of MigraHub knows, for either engine."""
    return {name for engine in ("sqlite", "postgresql") for name, _sql in _migrations(engine)}


MMAP_BYTES = 1 << 30  # bytes of the database file read through mmap (address space, not memory)


def connect(path: str | os.PathLike | None = None, *, readonly: bool = False):
    """Open (creating and migrating if needed) the hub database and return a connection.

    ``path`` is a file (SQLite) or a ``postgresql://`` URL (PostgreSQL); both connections take the same SQL (see
    :mod:`migrahub.store.postgres`). Connections use autocommit mode: callers open transactions explicitly with
    :func:`transaction`, so one document is one transaction.
    """
    target = path or default_db_path()
    if is_url(target):
        return _connect_postgresql(str(target), readonly=readonly)
    return _connect_sqlite(Path(target), readonly=readonly)


def _connect_postgresql(url: str, *, readonly: bool):
    from migrahub.store import postgres

    shown = postgres.redacted(url)
    try:
        conn = postgres.Connection(url, readonly=readonly)
    except sqlite3.Error as exc:
        raise StoreError(f"{shown}: cannot connect to the hub's database: {exc}") from exc
    steps = [lambda: postgres.ensure_schema(conn), lambda: refuse_newer(conn, shown)]
    if not readonly:
        steps += [lambda: migrate(conn), lambda: catch_up(conn)]
    return _initialised(conn, shown, steps)


def _initialised(conn, shown, steps):
    """Run the steps that make a new connection a hub's; on any failure close it and say which hub and why."""
    try:
        for step in steps:
            step()
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"{shown}: not a MigraHub database or damaged: {exc}") from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _connect_sqlite(db_path: Path, *, readonly: bool) -> sqlite3.Connection:
    if readonly:
        if not db_path.exists():
            raise StoreError(f"{db_path}: no hub database here (run `migrahub ingest` first or pass --db)")
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                               check_same_thread=False)
    else:
        if db_path.parent and not db_path.parent.exists():
            raise StoreError(f"{db_path}: folder {db_path.parent} does not exist")
        try:
            conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False, timeout=30)
        except sqlite3.Error as exc:
            raise StoreError(f"{db_path}: cannot open database: {exc}") from exc
    conn.row_factory = sqlite3.Row
    steps = [lambda: refuse_newer(conn, db_path)]  # before the first statement that could write
    steps += [lambda pragma=pragma: conn.execute(pragma) for pragma in (
        "PRAGMA foreign_keys = ON", "PRAGMA busy_timeout = 30000",
        # read through a memory map shared by every process (no read() per page) and keep up to 64 MiB of pages
        f"PRAGMA mmap_size = {MMAP_BYTES}", "PRAGMA cache_size = -65536")]
    if not readonly:
        steps += [lambda: conn.execute("PRAGMA journal_mode = WAL"),
                  lambda: conn.execute("PRAGMA synchronous = NORMAL"), lambda: migrate(conn), lambda: catch_up(conn)]
    return _initialised(conn, db_path, steps)


def locator(conn) -> str:
    """The hub a connection is open on, as :func:`locate` names it (for opening more connections to it)."""
    if backend(conn) == "postgresql":
        return conn.url
    return conn.execute("PRAGMA database_list").fetchone()[2]


def secret(conn, name: str, make) -> str:
    """The hub's secret ``name``, made by ``make()`` and kept the first time it is asked for (every process, on
    every machine, reads the same one)."""
    with transaction(conn):
        conn.execute("INSERT INTO hub_secrets(name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", (name, make()))
        return conn.execute("SELECT value FROM hub_secrets WHERE name = ?", (name,)).fetchone()[0]


def ping(conn) -> dict:
    """Whether the hub's database answers, and which engine it is (for health checks)."""
    try:
        conn.execute("SELECT 1").fetchone()
    except sqlite3.Error as exc:
        return {"backend": backend(conn), "ok": False, "error": str(exc)}
    return {"backend": backend(conn), "ok": True}


def has_table(conn, name: str) -> bool:
    """Whether the hub has a table (or view) of this name. On PostgreSQL a table found is remembered by the
    connection (a migration only ever adds tables, or rebuilds one under its name): the web asks on every page."""
    if backend(conn) == "sqlite":
        return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None
    if name not in conn.tables_found:
        if not conn.execute("SELECT to_regclass(?) IS NOT NULL", (name,)).fetchone()[0]:
            return False
        conn.tables_found.add(name)
    return True


def refuse_newer(conn: sqlite3.Connection, db_path: str | os.PathLike) -> None:
    """Raise :class:`StoreError` when the hub records migrations this version does not have: a newer version wrote
    it, and this one could misread or damage what it does not know. Reads only."""
    if not has_table(conn, "schema_migrations"):
        return
    known = known_migrations()
    unknown = sorted(row[0] for row in conn.execute("SELECT name FROM schema_migrations") if row[0] not in known)
    if unknown:
        raise StoreError(f"{db_path}: written by a newer version of MigraHub (unknown migration "
                         f"{', '.join(unknown)}); open it with that version or a later one (this one leaves the hub "
                         "untouched)")


def catch_up(conn: sqlite3.Connection) -> int:
    """Index the passages an ingest committed after the full-text index's mark (``fts_through``) and did not index:
    those of a run killed before its next batch, or of a run still going. Costs two lookups when nothing waits;
    returns how many passages were indexed. A long-lived connection (the web hub's) may call it again at any time."""
    from migrahub.store.search import index_pending

    mark = conn.execute("SELECT value FROM hub_state WHERE key = 'fts_through'").fetchone()
    if mark is None:  # the schema of an area's own test, stopped before the mark's migration
        return 0
    last = conn.execute("SELECT max(id) FROM passages").fetchone()[0] or 0
    return index_pending(conn) if last > mark[0] else 0


def tuples(conn: sqlite3.Connection, sql: str, params=()) -> list[tuple]:
    """Every row of a query as a plain tuple: for the read paths that go through thousands of rows, where building
    a ``sqlite3.Row`` for each costs more than the query."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute(sql, params).fetchall()


def hub_counter(conn: sqlite3.Connection, key: str) -> int:
    """One counter of ``hub_state``: ``entities`` (moved by every change to an entity record), ``minhash`` (the stage
    version of the stored signatures), ``bands_through`` and ``fts_through`` (the ingest marks)."""
    return conn.execute("SELECT value FROM hub_state WHERE key = ?", (key,)).fetchone()[0]


def hub_state(conn: sqlite3.Connection) -> str:
    """The hub's counters (``hub_state``) as one string: it changes whenever an ingest indexes new passages or writes
    near-duplicate bands and whenever an entity record changes, from any process. Caches of computed views key on
    it to see every change at once."""
    return ",".join(f"{key}={value}" for key, value in conn.execute("SELECT key, value FROM hub_state ORDER BY key"))


def migrate(conn) -> list[str]:
    """Apply the migrations this database has not seen yet; return their names.

    On SQLite each migration is one transaction. On PostgreSQL, whose schema changes are transactional too, every
    pending migration is applied in one transaction (a new hub is created at once), each sent as one script."""
    engine = backend(conn)
    if not has_table(conn, "schema_migrations"):
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
    pending = [(name, sql) for name, sql in _migrations(engine) if name not in done]
    if not pending:
        return []
    if engine == "postgresql":
        return _migrate_postgresql(conn, pending)
    applied = []
    for name, sql in pending:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("SELECT 1 FROM schema_migrations WHERE name = ?", (name,)).fetchone():
                conn.execute("COMMIT")  # another process applied it while this one waited for the write lock
                continue
            # executescript would commit on its own; run the statements one by one inside our transaction.
            for statement in split_statements(sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)", (name, now()))
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied


def _migrate_postgresql(conn, pending: list[tuple[str, str]]) -> list[str]:
    applied = []
    with transaction(conn):  # holds the hub's write lock: another process migrating waits, then finds them done
        done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
        for name, sql in pending:
            if name in done:
                continue
            conn.raw.execute(";\n".join(_postgresql_statements(name, sql)))
            conn.execute("INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)", (name, now()))
            applied.append(name)
    return applied


@functools.cache
def _postgresql_statements(name: str, sql: str) -> tuple[str, ...]:
    """A migration's statements in PostgreSQL (files ending ``_postgresql.sql`` are written in it already).
    Translations are kept in the user's cache folder, keyed by the migration's text and sqlglot's version, so a
    new process creating a hub does not translate them again."""
    import hashlib
    import json

    import sqlglot

    from migrahub.store import dialect

    if name.endswith("_postgresql.sql"):
        return tuple(dialect.split_postgresql(sql))
    key = hashlib.sha256(f"{sqlglot.__version__}\0{dialect.VERSION}\0{sql}".encode()).hexdigest()[:32]
    cached = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "migrahub" / f"pg-{key}.json"
    try:
        return tuple(json.loads(cached.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass
    statements = tuple(dialect.migration(sql))
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(statements), encoding="utf-8")
        partial.replace(cached)
    except OSError:  # a read-only home: translate in every process
        pass
    return statements


def split_statements(sql: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (BEGIN … END;) whole."""
    statements, buf = [], []
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    for line in lines:
        buf.append(line)
        candidate = "\n".join(buf).strip()
        if candidate.endswith(";") and sqlite3.complete_statement(candidate):
            statements.append(candidate)
            buf = []
    tail = "\n".join(buf).strip()
    if tail:
        statements.append(tail)
    return statements


class snapshot:
    """``with snapshot(conn):`` — the statements inside read one state of the hub (SQLite: a deferred read
    transaction, which takes no write lock; WAL lets writers go on). Inside a transaction already open, or on
    PostgreSQL, it does nothing."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.outer = False

    def __enter__(self) -> sqlite3.Connection:
        if backend(self.conn) == "sqlite" and not self.conn.in_transaction:
            self.conn.execute("BEGIN DEFERRED")
            self.outer = True
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.outer:
            self.conn.execute("COMMIT")


class transaction:
    """``with transaction(conn):`` — BEGIN IMMEDIATE … COMMIT, ROLLBACK on any error.

    Inside a transaction already open, it joins it: the outermost block commits or rolls back the whole.
    """

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.outer = False

    def __enter__(self) -> sqlite3.Connection:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
            self.outer = True
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.outer:
            self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
