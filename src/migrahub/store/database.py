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

DEFAULT_DB = "migrahub.sqlite3"


class StoreError(Exception):
    """The hub's database cannot be opened or migrated; the message says which file and why."""


def default_db_path() -> Path:
    """The database path from ``MIGRAHUB_DB``, else ``./migrahub.sqlite3``."""
    return Path(os.environ.get("MIGRAHUB_DB") or DEFAULT_DB)


def backend(conn) -> str:
    """Which database engine a connection talks to: ``"sqlite"`` or ``"postgresql"``. Store modules branch on it
    only where the SQL of the two must differ."""
    return "sqlite" if isinstance(conn, sqlite3.Connection) else "postgresql"


def now() -> str:
    """The current UTC time as ISO 8601 with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@functools.cache
def _migrations() -> tuple[tuple[str, str], ...]:
    folder = resources.files("migrahub.store") / "migrations"
    return tuple(sorted((entry.name, entry.read_text(encoding="utf-8")) for entry in folder.iterdir()
                        if entry.name.endswith(".sql")))


MMAP_BYTES = 1 << 30  # bytes of the database file read through mmap (address space, not memory)


def connect(path: str | os.PathLike | None = None, *, readonly: bool = False) -> sqlite3.Connection:
    """Open (creating and migrating if needed) the hub database and return a connection.

    Connections use autocommit mode (``isolation_level=None``): callers open transactions explicitly with
    :func:`transaction`, so one document is one transaction.
    """
    db_path = Path(path) if path else default_db_path()
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
    try:
        refuse_newer(conn, db_path)  # before the first statement that could write
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        # read through a memory map shared by every process (no read() per page) and keep up to 64 MiB of pages
        conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        conn.execute("PRAGMA cache_size = -65536")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn)
            catch_up(conn)
    except StoreError:
        conn.close()
        raise
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"{db_path}: not a MigraHub database or damaged: {exc}") from exc
    return conn


def refuse_newer(conn: sqlite3.Connection, db_path: str | os.PathLike) -> None:
    """Raise :class:`StoreError` when the hub records migrations this version does not have: a newer version wrote
    it, and this one could misread or damage what it does not know. Reads only."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").fetchone():
        return
    known = {name for name, _sql in _migrations()}
    unknown = sorted(row[0] for row in conn.execute("SELECT name FROM schema_migrations") if row[0] not in known)
    if unknown:
        raise StoreError(f"{db_path}: written by a newer version of MigraHub (unknown migration "
                         f"{', '.join(unknown)}); open it with that version or a later one (this one leaves the file "
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


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply the migrations this database has not seen yet; return their names."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
    applied = []
    for name, sql in _migrations():
        if name in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # executescript would commit on its own; run the statements one by one inside our transaction.
            for statement in _split_sql(sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)", (name, now()))
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied


def _split_sql(sql: str) -> list[str]:
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
