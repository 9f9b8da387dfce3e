"""The hub on PostgreSQL: a connection with the part of the ``sqlite3`` API the store uses.

The store writes its SQL once, in SQLite's dialect (the migrations and every query). On PostgreSQL each statement is
translated by :mod:`migrahub.store.dialect` (sqlglot, plus the few rewrites sqlglot leaves to us) and cached, so the
services, the CLI and the web never know which database runs. What this module adds is what a DB-API connection of
psycopg lacks to stand in for ``sqlite3.Connection``:

- ``execute``/``executemany`` with ``?`` placeholders, returning a cursor whose rows are read by position or by
  column name (:class:`Row`, like ``sqlite3.Row``), and ``lastrowid`` (the last identity value of the session);
- autocommit with explicit ``BEGIN``/``COMMIT``/``ROLLBACK`` (``BEGIN IMMEDIATE`` takes the hub's write lock, an
  advisory lock, so writers queue as they do on SQLite) and ``in_transaction``;
- ``PRAGMA`` statements are accepted and do nothing; ``total_changes`` counts the rows written;
- errors are raised as the ``sqlite3`` exception classes the store already handles (``IntegrityError``,
  ``OperationalError``…), with PostgreSQL's message.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence

import psycopg
import psycopg.sql
from psycopg.types.numeric import IntDumper

from migrahub import config
from migrahub.store import dialect

PREPARE_AFTER = 2  # runs of one statement text on a connection before it is prepared (psycopg's prepare_threshold)
WRITE_LOCK = 0x4D486B  # with the schema: the advisory lock a writing transaction holds (one writer per hub)
_SKIPPED = re.compile(r"^\s*(PRAGMA|ANALYZE|VACUUM|REINDEX)\b", re.IGNORECASE)
_BEGIN = re.compile(r"^\s*BEGIN(\s+(IMMEDIATE|EXCLUSIVE|DEFERRED))?\s*(TRANSACTION)?\s*;?\s*$", re.IGNORECASE)


class Row(tuple):
    """A row readable by position and by column name, like ``sqlite3.Row`` (``dict(row)`` works)."""

    _names: tuple[str, ...] = ()

    def __new__(cls, values: Sequence, names: tuple[str, ...]):
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key):
        if isinstance(key, str):
            try:
                return tuple.__getitem__(self, self._names.index(key))
            except ValueError:
                raise IndexError(f"No item with that key: {key!r}") from None
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


class _BoolAsInt(IntDumper):
    """Booleans are stored as 0/1 integers, as on SQLite."""

    def dump(self, obj):
        return b"1" if obj else b"0"


def _error(exc: psycopg.Error) -> sqlite3.Error:
    """The ``sqlite3`` exception class the store handles for a psycopg error (message kept)."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, psycopg.errors.RaiseException):
        return sqlite3.IntegrityError(message)
    for pg, lite in ((psycopg.IntegrityError, sqlite3.IntegrityError),
                     (psycopg.OperationalError, sqlite3.OperationalError),  # lock waits and cancels among them
                     (psycopg.ProgrammingError, sqlite3.OperationalError),
                     (psycopg.DataError, sqlite3.OperationalError)):
        if isinstance(exc, pg):
            return lite(message)
    return sqlite3.DatabaseError(message)


class Cursor:
    """A cursor over one statement's result, with the ``sqlite3.Cursor`` methods the store uses."""

    def __init__(self, conn: Connection):
        self.connection = conn
        self.row_factory = conn.row_factory
        self._cursor = conn.raw.cursor()
        self._names: tuple[str, ...] = ()
        self.rowcount = -1
        self._inserted = False

    def execute(self, sql: str, params: Sequence | dict = (), *, native: bool = False) -> Cursor:
        self._inserted = False
        statement = (sql, dialect.values(params)) if native else self.connection.prepare(sql, params)
        if statement is None:
            self._names, self.rowcount = (), -1
            return self
        text, values = statement
        try:
            # the search's own statements (native) are planned for each query's words: never a generic plan
            self._cursor.execute(text, values, prepare=False if native else None)
        except psycopg.Error as exc:
            raise _error(exc) from exc
        self._after(text)
        return self

    def executemany(self, sql: str, seq: Iterable[Sequence]) -> Cursor:
        self._inserted = False
        rows = list(seq)
        if not rows:
            self.rowcount = 0
            return self
        text, _ = self.connection.prepare(sql, rows[0])
        try:
            self._cursor.executemany(text, [dialect.values(row) for row in rows])
        except psycopg.Error as exc:
            raise _error(exc) from exc
        self._after(text)
        return self

    def _after(self, text: str) -> None:
        description = self._cursor.description
        self._names = tuple(column.name for column in description) if description else ()
        self.rowcount = self._cursor.rowcount
        verb = text.lstrip()[:6].upper()
        if verb in ("INSERT", "UPDATE", "DELETE") and self.rowcount > 0:
            self.connection.total_changes += self.rowcount
        self._inserted = verb == "INSERT"

    @property
    def lastrowid(self) -> int | None:
        """The identity value the last INSERT of this session generated (``None`` when it generated none)."""
        if not self._inserted:
            return None
        return self.connection.last_identity()

    @property
    def description(self):
        return tuple((name, None, None, None, None, None, None) for name in self._names) or None

    def _make(self, values):
        if values is None:
            return None
        if self.row_factory is None:
            return tuple(values)
        return Row(values, self._names)

    def fetchone(self):
        if not self._names:
            return None
        return self._make(self._cursor.fetchone())

    def fetchall(self) -> list:
        if not self._names:
            return []
        if self.row_factory is None:
            return self._cursor.fetchall()  # psycopg's rows are plain tuples already
        return [self._make(values) for values in self._cursor.fetchall()]

    def fetchmany(self, size: int = 100) -> list:
        if not self._names:
            return []
        return [self._make(values) for values in self._cursor.fetchmany(size)]

    def __iter__(self) -> Iterator:
        if not self._names:
            return iter(())
        return (self._make(values) for values in self._cursor)

    def close(self) -> None:
        self._cursor.close()


class Connection:
    """A PostgreSQL hub connection that the store uses as it uses a ``sqlite3.Connection``."""

    def __init__(self, url: str, *, readonly: bool = False, connect_timeout: int = 10):
        try:
            # server-side binding: a string is sent untyped (psycopg's default), so it compares with any column type
            # as SQLite's parameters do; a statement run PREPARE_AFTER times is prepared, and planned no more
            prepared = PREPARE_AFTER if config.get("MIGRAHUB_DB_PREPARED") else None  # None: never (a pooler's)
            self.raw = psycopg.connect(url, autocommit=True, connect_timeout=connect_timeout,
                                       prepare_threshold=prepared)
        except psycopg.Error as exc:
            raise sqlite3.OperationalError(str(exc).strip()) from exc
        self.raw.adapters.register_dumper(bool, _BoolAsInt)
        self.url = url
        self.readonly = readonly
        self.row_factory = Row
        self.total_changes = 0
        self.tables_found: set[str] = set()  # names database.has_table found (tables are not dropped)
        self.isolation_level = None
        if readonly:
            self.raw.execute("SET default_transaction_read_only = on")

    # -- the sqlite3.Connection API the store uses

    def cursor(self) -> Cursor:
        return Cursor(self)

    def execute(self, sql: str, params: Sequence | dict = ()) -> Cursor:
        return Cursor(self).execute(sql, params)

    def executemany(self, sql: str, seq: Iterable[Sequence]) -> Cursor:
        return Cursor(self).executemany(sql, seq)

    def native(self, sql: str, params: Sequence | dict = ()) -> Cursor:
        """Run a statement written in PostgreSQL's dialect (``%s`` placeholders), untranslated."""
        return Cursor(self).execute(sql, params, native=True)

    def native_tuples(self, sql: str, params: Sequence | dict = ()) -> list[tuple]:
        """:meth:`native`'s rows as plain tuples (``database.tuples``): for the search's reads of thousands of rows,
        where a :class:`Row` for each costs a few ms."""
        cursor = Cursor(self)
        cursor.row_factory = None
        return cursor.execute(sql, params, native=True).fetchall()

    def executescript(self, script: str) -> None:
        for statement in dialect.split(script):
            self.execute(statement)

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def commit(self) -> None:
        if self.in_transaction:
            self.raw.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.raw.execute("ROLLBACK")

    def close(self) -> None:
        self.raw.close()

    def __del__(self) -> None:  # closed when forgotten, as sqlite3 closes its connections
        raw = getattr(self, "raw", None)
        if raw is not None and not raw.closed:
            raw.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type:
            self.rollback()
        else:
            self.commit()

    # -- translation

    def prepare(self, sql: str, params) -> tuple[str, Sequence | dict] | None:
        """The PostgreSQL text of one statement and its parameters; ``None`` for a statement with nothing to do."""
        if _SKIPPED.match(sql):
            return None
        if _BEGIN.match(sql):
            lock = "IMMEDIATE" in sql.upper() or "EXCLUSIVE" in sql.upper()
            return (f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK}, hashtext(current_schema()))"
                    if lock and not self.readonly
                    else "BEGIN"), None
        return dialect.translate(self, sql), dialect.values(params)

    def last_identity(self) -> int | None:
        try:
            with self.raw.cursor() as cursor:
                cursor.execute("SELECT lastval()")
                return cursor.fetchone()[0]
        except psycopg.errors.ObjectNotInPrerequisiteState:
            return None


def redacted(url: str) -> str:
    """A hub URL fit for messages and logs: its password hidden."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def ensure_schema(conn: Connection) -> None:
    """Create the schema a hub URL names (``?options=-csearch_path=NAME``) when it does not exist yet."""
    if conn.raw.execute("SELECT current_schema()").fetchone()[0] is not None:
        return
    wanted = conn.raw.execute("SHOW search_path").fetchone()[0].split(",")[0].strip().strip('"')
    if conn.readonly or not wanted or wanted.startswith("$"):
        raise sqlite3.OperationalError(f"schema {wanted!r} of the hub does not exist")
    conn.raw.execute(psycopg.sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(psycopg.sql.Identifier(wanted)))
