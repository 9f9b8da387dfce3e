"""Dump, restore and copy a hub: every table equal on both sides (counts and checksums), values exact, the full-text
index rebuilt, and a truncated or tampered archive refused before anything is written."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import zipfile

import numpy as np
import pytest

from migrahub.coding.codebook import parse_yaml
from migrahub.services import archive as service
from migrahub.services.ingest import ingest
from migrahub.store import archive as store
from migrahub.store import codings, vectors
from migrahub.store.archive import ArchiveError
from migrahub.store.database import StoreError, connect
from migrahub.store.search import SearchFilters, search
from tests.backends.postgresql import reachable_server

TEXTS = [
    "The city of Ghent opened a welcome desk for newcomers in 2021, with language courses in Dutch and French.",
    "Mayors of Lisbon and Athens agreed on a shared reception programme for unaccompanied minors.",
    "Zürich's city card gives residents access to services regardless of their residence status: café, musée, ☕.",
    "A report on housing for refugees in Barcelona, with a chapter on the role of neighbourhood associations.",
]
CODEBOOK = b"""name: Reception
codes:
  - id: housing
    name: Housing
  - id: language
    name: Language courses
"""
ODD_VALUES = [  # (text, real, integer, blob): what must come back exactly (no NUL in text: PostgreSQL refuses it)
    ("emoji 🇸🇪 and\nnew lines\tand a tab", float("inf"), 2**63 - 1, bytes(range(256))),
    ("", 0.0, -(2**63), b""),
    (None, None, 0, b"\x00"),
    ("accents: Malmö, São Paulo", 0.1 + 0.2, 1, b"\xff\xfe"),
    ("minus infinity", float("-inf"), -1, b"\x80"),
    ("subnormal", 1e-310, 7, b"\x01\x02"),
]
ODD_READ = ("SELECT w.title, w.last_poll, w.interval_s, v.vector FROM monitor_watches w "
            "JOIN text_vectors v ON v.model = 'odd' AND v.text_hash = CAST(CAST(w.id AS TEXT) AS BLOB) ORDER BY w.id")


def build_hub(tmp_path, monkeypatch, name="hub.sqlite3"):
    """A small hub written through the store: documents, a changed version, entities, codings (their log), vectors,
    and a table of odd values."""
    monkeypatch.setenv("MIGRAHUB_EXTRACT_MODELS", "0")
    folder = tmp_path / f"{name}-docs"
    folder.mkdir()
    for i, text in enumerate(TEXTS):
        (folder / f"{i}.txt").write_text(text + "\n", encoding="utf-8")
    db = tmp_path / name
    ingest([str(folder)], db, workers=1, allow_local_files=True)
    (folder / "0.txt").write_text(TEXTS[0] + " The desk now also helps with housing.\n", encoding="utf-8")
    ingest([str(folder)], db, workers=1, allow_local_files=True)  # a new version of the first document
    conn = connect(db)
    codings.save_codebook(conn, parse_yaml(CODEBOOK))
    doc_id, length = conn.execute("SELECT id, length(text) FROM documents WHERE superseded = 0 ORDER BY id").fetchone()
    codings.record(conn, codebook="Reception", document_id=doc_id, start=0, end=length, coder="autocode/1",
                   coder_kind="machine", action="add", code="housing", confidence=0.731)
    codings.record(conn, codebook="Reception", document_id=doc_id, start=0, end=length, coder="ana", action="accept",
                   code="housing", about="autocode/1")
    ids = [row[0] for row in conn.execute("SELECT id FROM passages ORDER BY id")]
    vectors.write_vectors(conn, "test-model", ids, np.random.default_rng(1).normal(size=(len(ids), 8)))
    for i, (text, real, integer, blob) in enumerate(ODD_VALUES, 1):
        conn.execute("INSERT INTO monitor_watches (id, url, title, interval_s, current_s, next_due, last_poll, "
                     "added_at) VALUES (?, ?, ?, ?, 1, 0.5, ?, 1.0)",
                     (i, f"https://example.org/{i}", text, integer, real))
        conn.execute("INSERT INTO text_vectors (model, text_hash, vector) VALUES ('odd', ?, ?)",
                     (str(i).encode(), blob))
    conn.close()
    return db


@pytest.fixture
def hub(tmp_path, monkeypatch):
    return build_hub(tmp_path, monkeypatch)


def all_digests(db):
    conn = connect(db)
    try:
        return store.digests(conn)
    finally:
        conn.close()


def count(db, table):
    return read(db, f"SELECT count(*) FROM {table}")[0][0]


def read(db, sql):
    conn = connect(db)
    try:
        return [tuple(row) for row in conn.execute(sql).fetchall()]
    finally:
        conn.close()


def nothing_written(db):
    """After a refused restore: no hub file left behind (SQLite), or a hub without a row of data (PostgreSQL, where
    the test's hub path names a schema)."""
    if os.environ.get("MIGRAHUB_TEST_BACKEND") == "postgresql":
        conn = connect(db)
        try:
            return store.not_empty(conn) == []
        finally:
            conn.close()
    return not db.exists()


def rewrite(archive, out, change):
    """Copy an archive, letting ``change(name, data) -> data`` alter each member (a well-formed ZIP again)."""
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info.filename)))
    return out


def rewrite_manifest(archive, out, edit):
    """Copy an archive with its manifest changed by ``edit(manifest)`` (the members left as they are)."""
    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()

    return rewrite(archive, out, change)


def test_dump_then_restore_gives_every_table_equal(hub, tmp_path):
    manifest = service.dump(hub, tmp_path / "hub.zip")
    names = {t["name"] for t in manifest["tables"]}
    assert {"documents", "passages", "actions", "coding_actions", "entities", "mentions", "passage_vectors",
            "hub_state", "monitor_watches", "text_vectors"} <= names
    assert not any(n.startswith("passages_fts") for n in names) and "schema_migrations" not in names
    conn = connect(hub)
    assert manifest["schema"]["store"] == store.schema_version(conn)
    conn.close()
    result = service.restore(tmp_path / "hub.zip", tmp_path / "restored.sqlite3")
    before, after = all_digests(hub), all_digests(tmp_path / "restored.sqlite3")
    assert before == after
    assert {t["name"]: (t["rows"], t["sha256"]) for t in result["tables"]} == before
    for table in ("documents", "coding_actions", "actions", "mentions", "passage_vectors"):
        assert before[table][0] > 0, table  # the append-only logs and the rest were really restored
    assert before["documents"][0] == len(TEXTS) + 1  # the old version is kept


def test_the_restored_hub_searches_like_the_original(hub, tmp_path):
    service.dump(hub, tmp_path / "hub.zip")
    service.restore(tmp_path / "hub.zip", tmp_path / "restored.sqlite3")
    conns = [connect(hub), connect(tmp_path / "restored.sqlite3")]
    for query in ("welcome desk", "housing", "musee", "Lisbon OR Barcelona"):
        hits = [[(h.passage_id, h.snippet) for h in search(conn, query, SearchFilters(limit=10))] for conn in conns]
        assert hits[0] and hits[0] == hits[1], query
    for conn in conns:
        conn.close()
    assert count(tmp_path / "restored.sqlite3", "passages_fts") == count(hub, "passages_fts")


def test_values_come_back_exactly(hub, tmp_path):
    service.dump(hub, tmp_path / "hub.zip")
    service.restore(tmp_path / "hub.zip", tmp_path / "restored.sqlite3")
    got = read(tmp_path / "restored.sqlite3", ODD_READ)
    assert got == ODD_VALUES
    assert [type(v) for row in got for v in row] == [type(v) for row in ODD_VALUES for v in row]
    vectors_read = "SELECT vector FROM passage_vectors ORDER BY passage_id"
    assert read(tmp_path / "restored.sqlite3", vectors_read) == read(hub, vectors_read)


def test_the_archive_is_json_lines_with_a_manifest(hub, tmp_path):
    manifest = service.dump(hub, tmp_path / "hub.zip")
    with zipfile.ZipFile(tmp_path / "hub.zip") as zf:
        assert json.loads(zf.read("manifest.json")) == manifest
        lines = zf.read("tables/monitor_watches.jsonl").decode("utf-8").splitlines()
        blobs = zf.read("tables/text_vectors.jsonl").decode("utf-8").splitlines()
    first = json.loads(lines[0])
    assert first["last_poll"] == {"$float": "inf"} and first["interval_s"] == 2**63 - 1
    assert json.loads(blobs[0])["vector"] == {"$b64": base64.b64encode(bytes(range(256))).decode("ascii")}
    assert json.loads(lines[2])["title"] is None and json.loads(lines[1])["title"] == ""
    table = next(t for t in manifest["tables"] if t["name"] == "text_vectors")
    assert table["rows"] == len(ODD_VALUES) and table["key"] == ["model", "text_hash"]
    assert table["columns"] == ["model", "text_hash", "vector"]


def test_dump_refuses_to_overwrite_and_a_missing_hub(hub, tmp_path):
    (tmp_path / "taken.zip").write_text("keep me")
    with pytest.raises(ArchiveError, match="already exists"):
        service.dump(hub, tmp_path / "taken.zip")
    assert (tmp_path / "taken.zip").read_text() == "keep me"
    with pytest.raises((ArchiveError, StoreError), match="no hub database here|does not exist"):
        service.dump(tmp_path / "nothing.sqlite3", tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


def test_restore_refuses_a_hub_that_is_not_empty_and_leaves_it(hub, tmp_path):
    service.dump(hub, tmp_path / "hub.zip")
    before = all_digests(hub)
    with pytest.raises(ArchiveError, match=r"not an empty hub \(table .*documents"):
        service.restore(tmp_path / "hub.zip", hub)
    assert all_digests(hub) == before


def test_restore_into_an_empty_hub_replaces_its_setup_rows(hub, tmp_path):
    service.dump(hub, tmp_path / "hub.zip")
    connect(tmp_path / "empty.sqlite3").close()  # migrated, nothing in it but the schema's own rows
    service.restore(tmp_path / "hub.zip", tmp_path / "empty.sqlite3")
    assert all_digests(tmp_path / "empty.sqlite3") == all_digests(hub)


def test_a_truncated_archive_is_refused_and_nothing_written(hub, tmp_path):
    service.dump(hub, tmp_path / "hub.zip")
    data = (tmp_path / "hub.zip").read_bytes()
    (tmp_path / "cut.zip").write_bytes(data[: len(data) // 2])
    with pytest.raises(ArchiveError, match="cut.zip: not a MigraHub archive, or truncated"):
        service.restore(tmp_path / "cut.zip", tmp_path / "restored.sqlite3")
    assert nothing_written(tmp_path / "restored.sqlite3")


def test_one_byte_changed_in_a_member_is_refused_and_nothing_written(hub, tmp_path):
    service.dump(hub, tmp_path / "hub.zip")

    def change(name, data):
        return data.replace(b"Ghent", b"Gkent", 1) if name == "tables/documents.jsonl" else data

    rewrite(tmp_path / "hub.zip", tmp_path / "changed.zip", change)
    connect(tmp_path / "empty.sqlite3").close()
    with pytest.raises(ArchiveError, match="member tables/documents.jsonl: checksum differs from the manifest"):
        service.restore(tmp_path / "changed.zip", tmp_path / "empty.sqlite3")
    assert count(tmp_path / "empty.sqlite3", "documents") == 0


def test_a_byte_flipped_in_the_file_is_refused(hub, tmp_path):
    manifest = service.dump(hub, tmp_path / "hub.zip")
    with zipfile.ZipFile(tmp_path / "hub.zip") as zf:
        info = zf.getinfo("tables/passages.jsonl")
    data = bytearray((tmp_path / "hub.zip").read_bytes())
    at = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 2
    data[at] ^= 0x55  # inside the compressed bytes of the passages' member
    (tmp_path / "flipped.zip").write_bytes(bytes(data))
    with pytest.raises(ArchiveError, match="member tables/passages.jsonl: (damaged|checksum differs)"):
        service.restore(tmp_path / "flipped.zip", tmp_path / "restored.sqlite3")
    assert nothing_written(tmp_path / "restored.sqlite3")
    assert any(t["name"] == "passages" and t["rows"] for t in manifest["tables"])


def test_a_changed_manifest_count_is_refused(hub, tmp_path):
    service.dump(hub, tmp_path / "hub.zip")

    def count_one_more(manifest):
        next(t for t in manifest["tables"] if t["name"] == "mentions")["rows"] += 1

    rewrite_manifest(tmp_path / "hub.zip", tmp_path / "counted.zip", count_one_more)
    with pytest.raises(ArchiveError, match=r"table mentions: the manifest counts \d+ rows, member "
                                           r"tables/mentions.jsonl holds \d+"):
        service.restore(tmp_path / "counted.zip", tmp_path / "restored.sqlite3")
    assert nothing_written(tmp_path / "restored.sqlite3")


def test_an_archive_of_a_newer_migrahub_is_refused(hub, tmp_path):
    service.dump(hub, tmp_path / "hub.zip")
    rewrite_manifest(tmp_path / "hub.zip", tmp_path / "newer.zip",
                     lambda manifest: manifest["schema"]["store"].append("999_from_the_future.sql"))
    with pytest.raises(ArchiveError, match="written by a newer MigraHub .*999_from_the_future.sql"):
        service.verify(tmp_path / "newer.zip")


def test_an_archive_from_before_the_source_tokens_is_refused(hub, tmp_path):
    """Its passages' filter tokens would not name their sources: a source filter would miss them."""
    service.dump(hub, tmp_path / "hub.zip")

    def before_the_tokens(manifest):
        manifest["schema"]["store"] = [n for n in manifest["schema"]["store"]
                                       if not n.startswith("062_search_source_tokens")]

    rewrite_manifest(tmp_path / "hub.zip", tmp_path / "older.zip", before_the_tokens)
    with pytest.raises(ArchiveError, match="written by an older MigraHub .*062_search_source_tokens.sql"):
        service.restore(tmp_path / "older.zip", tmp_path / "restored.sqlite3")
    assert nothing_written(tmp_path / "restored.sqlite3")


def test_a_row_the_database_refuses_rolls_the_whole_restore_back(hub, tmp_path):
    """An archive consistent with its own manifest whose rows break a constraint (a passage twice): the write fails
    in its transaction and the empty hub stays empty."""
    manifest = service.dump(hub, tmp_path / "hub.zip")
    entry = next(t for t in manifest["tables"] if t["name"] == "passages")

    def change(name, data):
        if name == "tables/passages.jsonl":
            return data + data.splitlines(keepends=True)[-1]
        if name == "manifest.json":
            doubled = json.loads(data)
            with zipfile.ZipFile(tmp_path / "hub.zip") as zf:
                member = zf.read(entry["member"])
            member += member.splitlines(keepends=True)[-1]
            table = next(t for t in doubled["tables"] if t["name"] == "passages")
            table["rows"] += 1
            table["rows_sha256"] = table["member_sha256"] = hashlib.sha256(member).hexdigest()
            return json.dumps(doubled).encode()
        return data

    rewrite(tmp_path / "hub.zip", tmp_path / "twice.zip", change)
    service.verify(tmp_path / "twice.zip")  # the archive itself checks out
    connect(tmp_path / "empty.sqlite3").close()
    with pytest.raises(ArchiveError, match="(?i)table passages: the database refused one of rows .*unique"):
        service.restore(tmp_path / "twice.zip", tmp_path / "empty.sqlite3")
    assert count(tmp_path / "empty.sqlite3", "documents") == 0
    assert count(tmp_path / "empty.sqlite3", "passages") == 0
    with pytest.raises(ArchiveError, match="(?i)table passages: .*unique"):
        service.restore(tmp_path / "twice.zip", tmp_path / "new.sqlite3")
    assert nothing_written(tmp_path / "new.sqlite3")  # the hub the restore created is removed again
    assert not (tmp_path / "new.sqlite3-wal").exists()


def test_copy_gives_equal_counts_and_checksums_on_both_sides(hub, tmp_path):
    result = service.copy(hub, tmp_path / "copy.sqlite3")
    for table in result["tables"]:
        assert (table["source_rows"], table["source_sha256"]) == (table["dest_rows"], table["dest_sha256"])
    assert all_digests(tmp_path / "copy.sqlite3") == all_digests(hub)
    assert count(tmp_path / "copy.sqlite3", "passages_fts") == count(hub, "passages_fts")


def test_copy_refuses_a_hub_that_is_not_empty_and_the_same_file(hub, tmp_path, monkeypatch):
    other = build_hub(tmp_path, monkeypatch, "other.sqlite3")
    before = all_digests(other)
    with pytest.raises(ArchiveError, match="not an empty hub"):
        service.copy(hub, other)
    assert all_digests(other) == before
    with pytest.raises(ArchiveError, match="the same database"):
        service.copy(hub, hub)


def test_the_web_tables_travel_with_the_hub(hub, tmp_path):
    """Accounts and tokens (Django's tables in the same file) are dumped and restored; the destination gets the
    web's tables from the web's own migrations."""
    service.create_web_tables(hub)
    conn = connect(hub)
    conn.execute("INSERT INTO auth_user (password, last_login, is_superuser, username, last_name, email, is_staff, "
                 "is_active, date_joined, first_name) VALUES ('pbkdf2_sha256$x', NULL, TRUE, 'ana', 'Lima', "
                 "'ana@example.org', TRUE, TRUE, '2026-12-07 08:10:39.123456', 'Ana')")
    conn.execute("INSERT INTO web_apitoken (name, key_hash, prefix, created, last_used, user_id) VALUES "
                 "('laptop', ?, 'mh_abc', '2026-12-07 08:11:00', NULL, 1)", ("ab" * 32,))
    conn.close()
    manifest = service.dump(hub, tmp_path / "hub.zip")
    assert manifest["schema"]["web"] and {"auth_user", "web_apitoken", "django_session"} <= {
        t["name"] for t in manifest["tables"]}
    service.restore(tmp_path / "hub.zip", tmp_path / "restored.sqlite3")
    assert all_digests(tmp_path / "restored.sqlite3") == all_digests(hub)
    assert read(tmp_path / "restored.sqlite3", "SELECT username FROM auth_user") == [("ana",)]


@pytest.fixture
def postgresql_hub():
    """A hub URL on the PostgreSQL server the test script starts (a schema of its own, dropped afterwards)."""
    import uuid

    import psycopg

    server = reachable_server()
    schema = "archive_" + uuid.uuid4().hex[:12]
    yield f"{server}?options=-csearch_path%3D{schema}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_copy_sqlite_to_postgresql_and_back_keeps_every_table(hub, tmp_path, postgresql_hub):
    there = service.copy(hub, postgresql_hub)
    assert all((t["source_rows"], t["source_sha256"]) == (t["dest_rows"], t["dest_sha256"]) for t in there["tables"])
    service.copy(postgresql_hub, tmp_path / "back.sqlite3")
    original = all_digests(hub)
    assert all_digests(postgresql_hub) == original
    assert all_digests(tmp_path / "back.sqlite3") == original
    assert read(tmp_path / "back.sqlite3", ODD_READ) == ODD_VALUES
    service.dump(postgresql_hub, tmp_path / "pg.zip")
    service.restore(tmp_path / "pg.zip", tmp_path / "from-pg.sqlite3")
    assert all_digests(tmp_path / "from-pg.sqlite3") == original
    conn = connect(postgresql_hub)
    try:
        assert [h.document_id for h in search(conn, "welcome desk", SearchFilters(limit=5))]
        new_id = conn.execute("INSERT INTO sources (locator, kind, status, item_count) VALUES ('new.xml', 'feed', "
                              "'ok', 0) RETURNING id").fetchone()[0]
        assert new_id > max(r[0] for r in conn.execute("SELECT id FROM sources WHERE locator != 'new.xml'"))
    finally:
        conn.close()
