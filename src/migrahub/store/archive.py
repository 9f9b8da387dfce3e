"""A hub's tables read and written whole: for its portable archive (``migrahub db dump`` / ``restore``) and for
copying it to another database (``migrahub db copy``).

Every table of the hub's database is listed here, the store's and the web's (Django's accounts, tokens, sessions),
except the derived ones: the full-text index, rebuilt from the passages after a restore. Rows are read in primary-key
order and each value is given one canonical encoding (JSON: integers, floats, text, null; bytes as base64), so two
databases holding the same rows give the same SHA-256 per table whatever their engine.

What differs by engine is kept in a few places, each behind ``backend(conn)``: the catalogue (:func:`_table_names`,
:func:`_catalogue`: ``sqlite_master`` and pragmas on SQLite, ``pg_catalog`` of the hub's schema on PostgreSQL), the
order of text keys, the read snapshot, and on PostgreSQL the server-side cursor that streams a table, ``COPY`` for
writing it, the values its column types want (:func:`_converter`) and the identity sequences moved past the ids written
(:func:`move_sequences`). The rest is portable SQL with ``?`` placeholders.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from migrahub.store import database
from migrahub.store.database import backend, transaction

# Tables rebuilt from the others, never dumped nor copied: the full-text index (SQLite FTS5 and its shadow tables).
DERIVED_PREFIXES = ("passages_fts",)
# The engine's own bookkeeping, never a hub's data.
INTERNAL_PREFIXES = ("sqlite_", "pg_")
# The schema's version (the store migrations applied): each database keeps its own (a migration may exist for one
# engine only); the archive's manifest records the source's, and it is compared, never copied.
SCHEMA_TABLES = frozenset({"schema_migrations"})
ENGINE_SUFFIXES = ("_sqlite.sql", "_postgresql.sql")
# Tables whose rows the schema's own setup writes (migration names and marks, Django's content types, permissions
# and the hub's role groups, the web's signing key on PostgreSQL): an empty hub may hold them; a restore or copy
# replaces them with the source's rows.
SEED_TABLES = frozenset({"schema_migrations", "hub_state", "hub_secrets", "django_migrations", "django_content_type",
                         "auth_permission", "auth_group", "auth_group_permissions"})
BATCH = 1000  # rows per executemany


class ArchiveError(ValueError):
    """A hub cannot be dumped, restored or copied as asked; the message names the table or member and the reason."""


@dataclass(frozen=True)
class Table:
    """One table as the archive sees it: its columns (stored ones, in the table's order), the columns that order its
    rows (the primary key; every column when it has none), the tables its foreign keys point to, and the engine's
    declared type of each column."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    parents: tuple[str, ...] = ()
    types: tuple[str, ...] = ()


# ------------------------------------------------------------------------------ the engine-specific catalogue

def _table_names(conn) -> list[str]:
    """The names of the database's own tables (on SQLite, virtual tables' shadow tables included)."""
    if backend(conn) == "sqlite":
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
    else:
        rows = conn.native("SELECT relname::text FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
                           "AND relkind IN ('r', 'p') ORDER BY relname").fetchall()
    return [row[0] for row in rows]


def _catalogue(conn, names: list[str]) -> dict[str, tuple[list[str], list[str], list[str], set[str]]]:
    """For each named table: its stored columns, their declared types (lower case), its primary-key columns (in key
    order) and the tables its foreign keys point to."""
    if backend(conn) == "sqlite":
        return {name: _sqlite_table(conn, name) for name in names}
    found = {name: ([], [], [], set()) for name in names}
    # SQLite's implicit rowid is no column; its stand-in on PostgreSQL (an identity column ``rowid``) is left out too
    for table, column, kind in conn.native(
            "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, NULL) FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = current_schema()::regnamespace "
            "AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' "
            "AND NOT (a.attname = 'rowid' AND a.attidentity <> '') ORDER BY c.relname, a.attnum").fetchall():
        if table in found:
            found[table][0].append(column)
            found[table][1].append(kind.lower())
    for table, column in conn.native(
            "SELECT c.relname::text, a.attname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey) WHERE i.indisprimary "
            "AND c.relnamespace = current_schema()::regnamespace "
            "ORDER BY c.relname, array_position(i.indkey::int2[], a.attnum)").fetchall():
        if table in found:
            found[table][2].append(column)
    for table, parent in conn.native(
            "SELECT DISTINCT c.relname::text, p.relname::text FROM pg_constraint k JOIN pg_class c ON c.oid = "
            "k.conrelid JOIN pg_class p ON p.oid = k.confrelid WHERE k.contype = 'f' "
            "AND c.relnamespace = current_schema()::regnamespace").fetchall():
        if table in found and parent != table:
            found[table][3].add(parent)
    return found


def _sqlite_table(conn, name: str) -> tuple[list[str], list[str], list[str], set[str]]:
    rows = conn.execute("SELECT name, type, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid", (name,)).fetchall()
    stored = [row for row in rows if row[3] == 0]  # hidden: columns of a virtual table, generated columns
    key = [row[0] for row in sorted((r for r in stored if r[2]), key=lambda r: r[2])]
    parents = {row[0] for row in conn.execute('SELECT "table" FROM pragma_foreign_key_list(?)', (name,))} - {name}
    return [row[0] for row in stored], [(row[1] or "").lower() for row in stored], key, parents


def _order_by(conn, table: Table) -> str:
    """ORDER BY the table's key, the same order on both engines: text by code point (SQLite's BINARY, PostgreSQL's
    "C" collation), NULL first."""
    if backend(conn) == "sqlite":
        return ", ".join(_quote(column) for column in table.key)
    types = dict(zip(table.columns, table.types, strict=True))
    return ", ".join(_quote(column) + (' COLLATE "C"' if types.get(column) in ("text", "character varying",
                                                                              "character") else "") + " NULLS FIRST"
                     for column in table.key)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def is_derived(name: str) -> bool:
    """Whether a table is never dumped nor copied: rebuilt from others, the engine's own, or the schema version."""
    return name.startswith(DERIVED_PREFIXES) or name.startswith(INTERNAL_PREFIXES) or name in SCHEMA_TABLES


def tables(conn) -> list[Table]:
    """The hub's tables to dump or copy, parents before the tables that point to them (then by name)."""
    names = [name for name in _table_names(conn) if not is_derived(name)]
    found = {name: Table(name, tuple(columns), tuple(key or columns), tuple(sorted(parents)), tuple(types))
             for name, (columns, types, key, parents) in _catalogue(conn, names).items()}
    return [found[name] for name in _parents_first({name: set(t.parents) & found.keys() for name, t in found.items()})]


def _parents_first(graph: dict[str, set[str]]) -> list[str]:
    """Names with every parent before its children, alphabetical where free; a cycle is broken at its first name."""
    done: list[str] = []
    waiting = {name: set(parents) for name, parents in graph.items()}
    while waiting:
        ready = sorted(name for name, parents in waiting.items() if not parents) or [sorted(waiting)[0]]
        for name in ready:
            del waiting[name]
            done.append(name)
        for parents in waiting.values():
            parents.difference_update(ready)
    return done


# ------------------------------------------------------------------------------ values and checksums

def encode(value):
    """A database value as JSON, losslessly: bytes as ``{"$b64": …}``, infinite floats as ``{"$float": "inf"}``.
    Values only PostgreSQL returns are written as SQLite holds them (booleans as 0/1, times as ISO text in UTC)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    raise ArchiveError(f"a value of type {type(value).__name__} cannot be written to the archive")


def decode(value):
    """The database value of an encoded one (the inverse of :func:`encode`)."""
    if isinstance(value, dict):
        if set(value) == {"$b64"}:
            return base64.b64decode(value["$b64"], validate=True)
        if set(value) == {"$float"} and value["$float"] in ("inf", "-inf", "nan"):
            return float(value["$float"])
        raise ArchiveError(f"unknown encoded value {json.dumps(value)[:80]}")
    if isinstance(value, list):
        raise ArchiveError("a list is not a column value")
    return value


_PLAIN = (type(None), str, int, float, bytes)


def portable(row: tuple) -> tuple:
    """A row read from one engine as values any engine takes (what a dump then restore would give)."""
    if all(type(v) in _PLAIN for v in row):
        return row
    return tuple(v if type(v) in _PLAIN else decode(encode(v)) for v in row)


def canonical(columns: Iterable[str], values: Iterable) -> bytes:
    """One row's canonical line: a JSON object with sorted keys, no spaces, UTF-8, ending in a newline."""
    return (_CANONICAL.encode(dict(zip(columns, map(encode, values), strict=True))) + "\n").encode("utf-8")


_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


class Digest:
    """The row count and SHA-256 of a table's canonical lines, fed in key order."""

    def __init__(self) -> None:
        self.rows = 0
        self.sha = hashlib.sha256()

    def add(self, line: bytes) -> None:
        self.rows += 1
        self.sha.update(line)

    def hexdigest(self) -> str:
        return self.sha.hexdigest()


# ------------------------------------------------------------------------------ reading

def rows(conn, table: Table) -> Iterator[tuple]:
    """Every row of a table in key order, values as the database returns them."""
    sql = (f"SELECT {', '.join(_quote(c) for c in table.columns)} FROM {_quote(table.name)} "
           f"ORDER BY {_order_by(conn, table)}")
    if backend(conn) == "sqlite" or not conn.in_transaction:
        cursor = conn.execute(sql) if backend(conn) == "sqlite" else conn.native(sql)
        while batch := cursor.fetchmany(BATCH):
            yield from (tuple(row) for row in batch)
        return
    # inside a transaction (a dump, a copy), a server-side cursor: a large table streams instead of arriving whole
    with conn.raw.cursor(name=f"archive_{table.name}") as cursor:
        cursor.execute(sql)
        while batch := cursor.fetchmany(BATCH):
            yield from (tuple(row) for row in batch)


def digest(conn, table: Table) -> tuple[int, str]:
    """A table's row count and the SHA-256 of its canonical lines in key order."""
    d = Digest()
    for row in rows(conn, table):
        d.add(canonical(table.columns, row))
    return d.rows, d.hexdigest()


def digests(conn, names: Iterable[str] | None = None) -> dict[str, tuple[int, str]]:
    """Row count and checksum of every table (or of the named ones) of the hub."""
    wanted = set(names) if names is not None else None
    return {t.name: digest(conn, t) for t in tables(conn) if wanted is None or t.name in wanted}


class snapshot:
    """``with snapshot(conn):`` — every read inside sees the database as it was at the first one (a read
    transaction), so a dump or copy made while the hub is in use is consistent."""

    def __init__(self, conn):
        self.conn = conn

    def __enter__(self):
        if backend(self.conn) == "sqlite":
            self.conn.execute("BEGIN")
        else:
            self.conn.native("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        self.conn.execute("ROLLBACK")


def schema_version(conn) -> list[str]:
    """The names of the store migrations the hub has applied, in order."""
    return [row[0] for row in conn.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()]


def known_migrations() -> set[str]:
    """The names of the store migrations this version of MigraHub has, for either engine."""
    return database.known_migrations()


def portable_version(names) -> list[str]:
    """A schema version without the migrations only one engine has: equal on two hubs of one MigraHub version,
    whatever their engines."""
    return sorted(name for name in names if not name.endswith(ENGINE_SUFFIXES))


def web_schema(conn) -> list[str]:
    """The web's (Django's) applied migrations as ``app/name``, or [] when the hub has no web tables."""
    if "django_migrations" not in _table_names(conn):
        return []
    return [f"{row[0]}/{row[1]}" for row in
            conn.execute("SELECT app, name FROM django_migrations ORDER BY app, name").fetchall()]


# ------------------------------------------------------------------------------ writing

def not_empty(conn) -> list[str]:
    """The tables holding rows that are not the schema's own setup: a hub is empty when this is []."""
    return [t.name for t in tables(conn) if t.name not in SEED_TABLES
            and conn.execute(f"SELECT 1 FROM {_quote(t.name)} LIMIT 1").fetchone()]


def begin_restore(conn, names: Iterable[str]) -> None:
    """Inside the caller's transaction: clear the seed rows of the tables about to be written (children first) and,
    on SQLite, check foreign keys at commit rather than row by row."""
    if backend(conn) == "sqlite":
        conn.execute("PRAGMA defer_foreign_keys = ON")
    wanted = set(names)
    for table in reversed(tables(conn)):
        if table.name in SEED_TABLES and table.name in wanted:
            conn.execute(f"DELETE FROM {_quote(table.name)}")


def insert(conn, table: Table, columns: tuple[str, ...], values: Iterable[tuple]) -> int:
    """Insert rows (decoded values, in ``columns`` order) into a table; return how many. Inside the caller's
    transaction; append-only tables take them too (their triggers refuse updates and deletes only)."""
    sql = (f"INSERT INTO {_quote(table.name)} ({', '.join(_quote(c) for c in columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    convert = _converter(conn, table, columns)
    if backend(conn) == "postgresql":
        return _copy_in(conn, table, columns, (convert(row) for row in values) if convert else values)
    n, batch = 0, []
    try:
        for row in values:
            batch.append(convert(row) if convert else row)
            if len(batch) >= BATCH:
                conn.executemany(sql, batch)
                n, batch = n + len(batch), []
        if batch:
            conn.executemany(sql, batch)
            n += len(batch)
    except sqlite3.Error as exc:  # the PostgreSQL connection raises the same classes
        raise ArchiveError(f"table {table.name}: the database refused one of rows {n + 1}-{n + len(batch)}: {exc}"
                           ) from exc
    return n


def _copy_in(conn, table: Table, columns: tuple[str, ...], values: Iterable[tuple]) -> int:
    """PostgreSQL's COPY: rows streamed into a table many times faster than one INSERT each."""
    n = 0
    statement = f"COPY {_quote(table.name)} ({', '.join(_quote(c) for c in columns)}) FROM STDIN"
    try:
        with conn.raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in values:
                copy.write_row(row)
                n += 1
    except Exception as exc:  # psycopg's errors: the table and the reason, the transaction rolls back
        if isinstance(exc, ArchiveError):
            raise
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ArchiveError(f"table {table.name}: the database refused one of rows 1-{n + 1}: {message}") from exc
    return n


def _converter(conn, table: Table, columns: tuple[str, ...]):
    """On PostgreSQL, the values whose canonical form is not what the column takes: 0/1 for a boolean column (the
    web's), a time in UTC without its offset for a time-zone-aware column."""
    if backend(conn) == "sqlite":
        return None
    types = dict(zip(table.columns, table.types, strict=True))
    flags = [i for i, column in enumerate(columns) if types.get(column) == "boolean"]
    times = [i for i, column in enumerate(columns) if types.get(column) == "timestamp with time zone"]
    if not flags and not times:
        return None

    def convert(row: tuple) -> tuple:
        out = list(row)
        for i in flags:
            out[i] = None if out[i] is None else ("t" if out[i] else "f")
        for i in times:
            if isinstance(out[i], str) and not out[i].endswith(("Z", "+00:00")):
                out[i] += "+00:00"
        return tuple(out)

    return convert


def rebuild_derived(conn) -> int:
    """Rebuild the full-text index from the restored passages (inside the caller's transaction): every passage
    waits for it again (mark back to 0), then the store indexes what waits. Returns the passages indexed."""
    from migrahub.store.search import index_pending

    names = set(_table_names(conn))
    if "hub_state" not in names or "passages" not in names:
        return 0
    conn.execute("UPDATE hub_state SET value = 0 WHERE key = 'fts_through'")
    return index_pending(conn)


def move_sequences(conn, written: Iterable[Table]) -> None:
    """On PostgreSQL, move each identity sequence past the largest id written (SQLite follows on its own)."""
    if backend(conn) != "postgresql":
        return
    for table in written:
        types = dict(zip(table.columns, table.types, strict=True))
        if len(table.key) != 1 or types.get(table.key[0]) not in ("bigint", "integer", "smallint"):
            continue
        column = table.key[0]
        sequence = conn.native("SELECT pg_get_serial_sequence(%s, %s)", (_quote(table.name), column)).fetchone()[0]
        if sequence:
            conn.native(f"SELECT setval(%s, max({_quote(column)})) FROM {_quote(table.name)} "
                        f"HAVING max({_quote(column)}) IS NOT NULL", (sequence,))


def write(conn, plan: list[tuple[Table, tuple[str, ...], Iterable[tuple]]], expected) -> dict[str, tuple[int, str]]:
    """Write every table of ``plan`` (table, columns, decoded rows) in one transaction: seed rows replaced, derived
    tables rebuilt, sequences moved. Before it commits, the count and checksum of every table written is compared
    with ``expected()`` (``{table: (rows, sha256)}``, called once the rows are written); any difference, like any
    error, rolls back the whole: nothing is half-written. Returns what the database now holds per table."""
    with transaction(conn):
        begin_restore(conn, [t.name for t, _c, _r in plan])
        for table, columns, values in plan:
            insert(conn, table, columns, values)
        rebuild_derived(conn)
        move_sequences(conn, [t for t, _c, _r in plan])
        held = {table.name: digest(conn, table) for table, _c, _r in plan}
        wanted = expected()
        differ = [f"{name}: {wanted.get(name, (0, '-'))[0]} rows {wanted.get(name, (0, '-'))[1][:12]} expected, "
                  f"{got[0]} rows {got[1][:12]} written" for name, got in held.items() if wanted.get(name) != got]
        if differ:
            raise ArchiveError("the written tables differ from their source, nothing was kept: " + "; ".join(differ))
    return held
