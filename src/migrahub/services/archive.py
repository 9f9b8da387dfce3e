"""Moving and keeping a hub: dump it to a portable archive, restore an archive into an empty hub, copy a hub from
one database to another (SQLite file or PostgreSQL URL), every table counted and checksummed on both sides.

The archive is one ZIP file (docs/backups.md): ``manifest.json`` and one JSON Lines member per table,
``tables/<table>.jsonl``, each line one row as a JSON object. ZIP rather than tar because every system opens it
without extra tools, its members are compressed one by one (a reader streams one table without inflating the
others) and its central directory lets the manifest be read first; a truncated file loses that directory and is
refused at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from migrahub import __version__
from migrahub.store import archive as store
from migrahub.store import database
from migrahub.store.archive import ArchiveError, Digest
from migrahub.store.database import StoreError, backend, now

FORMAT = "migrahub-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


def _is_file(db: str | os.PathLike) -> bool:
    """Whether a hub is a SQLite file (rather than a database server's URL)."""
    return not database.is_url(database.locate(db))


def _open_existing(db: str | os.PathLike):
    """Open a hub that must exist (a missing one is not created)."""
    database.connect(db, readonly=True).close()  # raises StoreError naming the hub when there is none
    return database.connect(db)


def _member(table: str) -> str:
    return f"tables/{table}.jsonl"


# ------------------------------------------------------------------------------ dump

def dump(db: str | os.PathLike, file: str | os.PathLike, *, overwrite: bool = False) -> dict:
    """Write the hub ``db`` to the archive ``file`` (one consistent snapshot of every table but the derived ones);
    return the manifest. The file appears only once complete (written beside it, then renamed)."""
    file = Path(file)
    if file.exists() and not overwrite:
        raise ArchiveError(f"{file}: already exists (pass --overwrite to replace it)")
    if not file.parent.is_dir():
        raise ArchiveError(f"{file}: folder {file.parent} does not exist")
    conn = _open_existing(db)
    partial = file.with_name(file.name + ".partial")
    try:
        with store.snapshot(conn), zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            entries = [_dump_table(conn, zf, table) for table in store.tables(conn)]
            manifest = {
                "format": FORMAT, "format_version": FORMAT_VERSION, "created_at": now(),
                "migrahub_version": __version__, "source_backend": backend(conn),
                "schema": {"store": store.schema_version(conn), "web": store.web_schema(conn)},
                "derived": [f"{prefix}*" for prefix in store.DERIVED_PREFIXES], "tables": entries,
            }
            zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
        os.replace(partial, file)
    finally:
        conn.close()
        partial.unlink(missing_ok=True)
    return manifest


def _dump_table(conn, zf: zipfile.ZipFile, table: store.Table) -> dict:
    rows = Digest()
    with zf.open(_member(table.name), "w", force_zip64=True) as out:
        for row in store.rows(conn, table):
            line = store.canonical(table.columns, row)
            rows.add(line)
            out.write(line)
    # the member holds the canonical lines themselves, so its bytes and its rows have the same SHA-256
    return {"name": table.name, "member": _member(table.name), "columns": list(table.columns), "key": list(table.key),
            "rows": rows.rows, "rows_sha256": rows.hexdigest(), "member_sha256": rows.hexdigest()}


# ------------------------------------------------------------------------------ verify

def verify(file: str | os.PathLike) -> dict:
    """Check a whole archive without writing anything: the manifest, every member's checksum, every table's row
    count and checksum, and that this MigraHub knows its schema. Returns the manifest; raises
    :class:`ArchiveError` naming the member or table and the reason."""
    with _open_zip(file) as zf:
        manifest = _manifest(file, zf)
        for entry in manifest["tables"]:
            rows = Digest()
            member = hashlib.sha256()
            for raw, values in _read_member(file, zf, entry):
                member.update(raw)
                rows.add(store.canonical(entry["columns"], values))
            _check_table(file, entry, rows, member.hexdigest())
    return manifest


def _open_zip(file: str | os.PathLike) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(file)
    except FileNotFoundError:
        raise ArchiveError(f"{file}: no such file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(f"{file}: not a MigraHub archive, or truncated ({exc})") from None


_ENTRY_FIELDS = {"name": str, "member": str, "columns": list, "key": list, "rows": int, "rows_sha256": str,
                 "member_sha256": str}


def _manifest(file, zf: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except KeyError:
        raise ArchiveError(f"{file}: no {MANIFEST} (not a MigraHub archive)") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
        raise ArchiveError(f"{file}: member {MANIFEST}: damaged ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"{file}: {MANIFEST}: format is not {FORMAT!r}")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveError(f"{file}: {MANIFEST}: format_version {manifest.get('format_version')!r} is not one this "
                           f"MigraHub reads ({FORMAT_VERSION})")
    tables = manifest.get("tables")
    if not isinstance(tables, list) or not tables:
        raise ArchiveError(f"{file}: {MANIFEST}: tables: a list of tables is needed")
    for i, entry in enumerate(tables):
        for field, kind in _ENTRY_FIELDS.items():
            if not isinstance(entry, dict) or not isinstance(entry.get(field), kind):
                raise ArchiveError(f"{file}: {MANIFEST}: tables[{i}].{field}: missing or not a {kind.__name__}")
    listed = {entry["member"] for entry in tables} | {MANIFEST}
    extra = sorted(set(zf.namelist()) - listed)
    if extra:
        raise ArchiveError(f"{file}: member {extra[0]}: not listed in {MANIFEST}")
    _check_schema(file, manifest.get("schema"))
    return manifest


def _check_schema(file, schema) -> None:
    if not isinstance(schema, dict) or not isinstance(schema.get("store"), list):
        raise ArchiveError(f"{file}: {MANIFEST}: schema.store: the hub's migrations are missing")
    known = store.known_migrations()
    newer = [name for name in schema["store"] if name not in known]
    if newer:
        raise ArchiveError(f"{file}: written by a newer MigraHub (schema migration {', '.join(newer)} unknown to "
                           f"this one, {__version__}): restore it with that version or a later one")
    older = [name for name in store.portable_version(known) if name not in schema["store"]]
    if older:
        raise ArchiveError(f"{file}: written by an older MigraHub (without schema migration {', '.join(older)}): "
                           "restore it with that version, open the hub once with this one (it upgrades it), and "
                           "dump it again")


def _read_member(file, zf: zipfile.ZipFile, entry: dict) -> Iterator[tuple[bytes, tuple]]:
    """Each line of a table's member as (raw bytes, decoded values in the manifest's column order)."""
    name, columns = entry["member"], entry["columns"]
    expected = set(columns)
    try:
        with zf.open(name) as member:
            for number, raw in enumerate(member, 1):
                try:
                    row = json.loads(raw)
                    if not isinstance(row, dict) or set(row) != expected:
                        raise ArchiveError(f"its fields are not the table's columns {columns}")
                    values = tuple(store.decode(row[c]) for c in columns)
                except (ValueError, TypeError) as exc:
                    raise ArchiveError(f"{file}: member {name}, line {number}: {exc}") from None
                yield raw, values
    except KeyError:
        raise ArchiveError(f"{file}: member {name}: listed in {MANIFEST} but missing") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise ArchiveError(f"{file}: member {name}: damaged or truncated ({exc})") from None


def _check_table(file, entry: dict, rows: Digest, member_sha: str) -> None:
    table, name = entry["name"], entry["member"]
    if member_sha != entry["member_sha256"]:
        raise ArchiveError(f"{file}: member {name}: checksum differs from the manifest (changed or damaged)")
    if rows.rows != entry["rows"]:
        raise ArchiveError(f"{file}: table {table}: the manifest counts {entry['rows']} rows, member {name} holds "
                           f"{rows.rows}")
    if rows.hexdigest() != entry["rows_sha256"]:
        raise ArchiveError(f"{file}: table {table}: the rows' checksum differs from the manifest")


# ------------------------------------------------------------------------------ restore and copy

def restore(file: str | os.PathLike, db: str | os.PathLike) -> dict:
    """Restore the archive ``file`` into the empty hub ``db`` (created if it does not exist): the whole archive is
    checked first, then every table is written in one transaction and compared with the manifest before it
    commits. Returns ``{"tables": [{name, rows, sha256}]}``: what the hub now holds."""
    manifest = verify(file)
    entries = {entry["name"]: entry for entry in manifest["tables"]}
    created = _new_files(db)
    try:
        conn = _prepare(db, web=bool(manifest["schema"].get("web")))
        try:
            _same_schema(conn, manifest["schema"], f"{file}")
            targets = _targets(conn, {name: e["columns"] for name, e in entries.items()}, f"{file}")
            with _open_zip(file) as zf:
                plan = [(table, tuple(entries[table.name]["columns"]),
                         (values for _raw, values in _read_member(file, zf, entries[table.name])))
                        for table in targets]
                held = store.write(conn, plan, lambda: {n: (e["rows"], e["rows_sha256"]) for n, e in entries.items()})
        finally:
            conn.close()
    except Exception:
        _remove(created)
        raise
    return {"tables": [{"name": name, "rows": rows, "sha256": sha} for name, (rows, sha) in held.items()]}


def copy(src: str | os.PathLike, dest: str | os.PathLike) -> dict:
    """Copy the hub ``src`` into the empty hub ``dest`` (created if it does not exist), table by table in one
    transaction, and compare every table's count and checksum on both sides before it commits. Returns
    ``{"tables": [{name, source_rows, source_sha256, dest_rows, dest_sha256}]}``; raises :class:`ArchiveError`
    when anything differs (nothing is then kept)."""
    if database.locate(src) == database.locate(dest):
        raise ArchiveError(f"{dest}: the source and the destination are the same database")
    source = _open_existing(src)
    created = _new_files(dest)
    try:
        with store.snapshot(source):
            tables = {t.name: t for t in store.tables(source)}
            schema = {"store": store.schema_version(source), "web": store.web_schema(source)}
            conn = _prepare(dest, web=bool(schema["web"]))
            try:
                _same_schema(conn, schema, f"{src}")
                targets = _targets(conn, {name: list(t.columns) for name, t in tables.items()}, f"{src}")
                digests = {name: Digest() for name in tables}
                plan = [(table, tables[table.name].columns,
                         _digested(store.rows(source, tables[table.name]), tables[table.name],
                                   digests[table.name])) for table in targets]
                held = store.write(conn, plan, lambda: {n: (d.rows, d.hexdigest()) for n, d in digests.items()})
            finally:
                conn.close()
    except Exception:
        _remove(created)
        raise
    finally:
        source.close()
    return {"tables": [{"name": name, "source_rows": digests[name].rows, "source_sha256": digests[name].hexdigest(),
                        "dest_rows": rows, "dest_sha256": sha} for name, (rows, sha) in held.items()]}


def _digested(rows: Iterator[tuple], table: store.Table, digest: Digest) -> Iterator[tuple]:
    for row in rows:
        digest.add(store.canonical(table.columns, row))
        yield store.portable(row)


def _prepare(db, *, web: bool):
    """Open (creating and migrating) the destination hub, refuse it unless empty, and give it the web's tables when
    the source has them."""
    try:
        conn = database.connect(db)
    except StoreError as exc:
        raise ArchiveError(str(exc)) from None
    busy = store.not_empty(conn)
    if busy:
        conn.close()
        raise ArchiveError(f"{db}: not an empty hub (table {', '.join(busy[:5])}{' …' if len(busy) > 5 else ''} "
                           "holds rows): restore or copy only into a new or empty hub")
    if web and "django_migrations" not in {t.name for t in store.tables(conn)}:
        conn.close()
        create_web_tables(db)
        conn = database.connect(db)
    return conn


def create_web_tables(db) -> None:
    """Create the web's (Django's) tables in ``db`` with the web's own migrations, in a process of their own (Django
    is configured once per process, for one database)."""
    env = dict(os.environ, MIGRAHUB_DB=str(db if database.is_url(db) else Path(db).resolve()))
    code = "from migrahub.web import server; server.migrate(server.setup())"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise ArchiveError(f"{db}: the web's tables could not be created: {done.stderr.strip()[-500:]}")


def _same_schema(conn, schema: dict, origin: str) -> None:
    theirs, ours = store.portable_version(schema["store"]), store.portable_version(store.schema_version(conn))
    if theirs != ours:
        raise ArchiveError(f"{origin}: its schema migrations differ from the destination's "
                           f"({sorted(set(theirs) ^ set(ours))[:5]})")
    web = store.web_schema(conn) if schema.get("web") else []
    if sorted(schema.get("web") or []) != web:
        raise ArchiveError(f"{origin}: its web migrations differ from the destination's "
                           f"({sorted(set(schema.get('web') or []) ^ set(web))[:5]}): use the same MigraHub and Django "
                           "versions on both sides")


def _targets(conn, columns: dict[str, list[str]], origin: str) -> list[store.Table]:
    """The destination's tables for the source's, in the destination's write order; every source table must exist
    there with the same columns."""
    dest = {t.name: t for t in store.tables(conn)}
    for name, cols in columns.items():
        if name not in dest:
            raise ArchiveError(f"{origin}: table {name}: no such table in the destination")
        if set(cols) != set(dest[name].columns):
            raise ArchiveError(f"{origin}: table {name}: columns {sorted(set(cols) ^ set(dest[name].columns))} "
                               "differ from the destination's")
    return [table for name, table in dest.items() if name in columns]


# the files of a SQLite hub: the database, its write-ahead log, and the web's signing key kept beside it
_HUB_FILE_SUFFIXES = ("", "-wal", "-shm", "-secret-key")


def _new_files(db) -> list[Path]:
    """The files of a SQLite hub that do not exist yet (a restore or copy that fails removes what it created);
    none for a hub on a database server, or when the hub file exists."""
    if not _is_file(db) or Path(db).exists():
        return []
    return [path for path in (Path(f"{db}{suffix}") for suffix in _HUB_FILE_SUFFIXES) if not path.exists()]


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
