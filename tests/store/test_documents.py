"""Storing documents: identical content once, versions kept, near-duplicates grouped, the action log append-only."""

from __future__ import annotations

import sqlite3

import pytest

from migrahub.model import Block, Extracted
from migrahub.pipeline.normalize import normalize
from migrahub.sources import SourceResult
from migrahub.store import database
from migrahub.store import documents as store
from migrahub.store.database import connect

STORY = ("Mayors from Lisbon, Ghent and Zürich met in Athens for a two-day workshop on city-to-city cooperation "
         "in the reception of newcomers, sharing practices on housing, language courses and access to services "
         "for people regardless of their residence status.")


def doc(locator, text, url=None, title="Workshop"):
    return normalize(Extracted(locator=locator, source="feed.xml", source_kind="feed", content_type="text/html",
                               blocks=(Block("paragraph", text),), title=title, url=url))


@pytest.fixture
def conn(tmp_path):
    c = connect(tmp_path / "hub.sqlite3")
    yield c
    c.close()


def source(conn, locator="feed.xml"):
    return store.upsert_source(conn, SourceResult(source=locator, kind="feed", status="ok"))


def count(conn, table):
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def bands_through(conn):
    return conn.execute("SELECT value FROM hub_state WHERE key = 'bands_through'").fetchone()[0]


def test_same_content_twice_is_unchanged(conn):
    sid = source(conn)
    assert store.save_document(conn, doc("feed.xml#1", STORY), sid)[0] == "added"
    assert store.save_document(conn, doc("feed.xml#1", STORY), sid)[0] == "unchanged"
    assert count(conn, "documents") == 1 and count(conn, "document_links") == 1


def test_identical_content_from_two_sources_is_stored_once_and_linked_to_both(conn):
    a, b = source(conn, "a.xml"), source(conn, "b.xml")
    _, id1 = store.save_document(conn, doc("a.xml#x", STORY), a)
    outcome, id2 = store.save_document(conn, doc("b.xml#y", STORY), b)
    assert outcome == "linked" and id1 == id2
    assert count(conn, "documents") == 1
    assert {r[0] for r in conn.execute("SELECT locator FROM document_links")} == {"a.xml#x", "b.xml#y"}


def test_changed_content_is_a_new_version_and_the_old_text_is_kept(conn):
    sid = source(conn)
    _, old = store.save_document(conn, doc("report.md", STORY), sid)
    outcome, new = store.save_document(conn, doc("report.md", STORY + " A follow-up is planned for 2020."), sid)
    assert outcome == "version" and new != old
    rows = {r["id"]: r for r in conn.execute("SELECT id, text, superseded, supersedes_id FROM documents")}
    assert rows[old]["text"] == STORY and rows[old]["superseded"] == 1
    assert rows[new]["supersedes_id"] == old and rows[new]["superseded"] == 0
    # the old passages are kept, only the current ones are searchable as current
    assert conn.execute("SELECT count(*) FROM passages WHERE document_id = ?", (old,)).fetchone()[0] == 1


def test_near_duplicate_with_another_header_joins_the_same_story(conn):
    sid = source(conn)
    _, first = store.save_document(conn, doc("a.html", STORY), sid)
    _, second = store.save_document(conn, doc("b.html", "Republished by Cities Today. " + STORY), sid)
    _, other = store.save_document(conn, doc("c.html", "The regional parliament of Bavaria debated a new law on "
                                              "integration courses, school places and the recognition of "
                                              "foreign diplomas for refugees arriving in 2016."), sid)
    story = {r["id"]: r["story_id"] for r in conn.execute("SELECT id, story_id FROM documents")}
    assert story[first] is None and story[second] == first and story[other] is None


def test_same_url_in_two_feeds_is_one_story(conn):
    a, b = source(conn, "a.xml"), source(conn, "b.xml")
    _, first = store.save_document(conn, doc("a.xml#1", STORY, url="https://example.org/news/1"), a)
    _, second = store.save_document(conn, doc("b.xml#9", "Short teaser of the workshop only, with far fewer "
                                              "words than the full article but the same link to the story.",
                                              url="https://example.org/news/1"), b)
    assert conn.execute("SELECT story_id FROM documents WHERE id = ?", (second,)).fetchone()[0] == first


def test_action_log_is_append_only(conn):
    store.log_action(conn, "ana", "coding.add", "passage", "1", {"code": "GOV.NET"})
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE actions SET actor = 'eve'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM actions")


def test_reopening_applies_no_migration_twice(tmp_path):
    path = tmp_path / "hub.sqlite3"
    connect(path).close()
    c = connect(path)
    names = [r[0] for r in c.execute("SELECT name FROM schema_migrations ORDER BY name")]
    search = "002_search_sqlite.sql" if database.backend(c) == "sqlite" else "002_search_postgresql.sql"
    assert names[:2] == ["001_core.sql", search] and len(names) == len(set(names))
    assert names == [name for name, _sql in database._migrations(database.backend(c))]


@pytest.mark.sqlite_only("the journal mode of a SQLite file")
def test_a_sqlite_hub_is_in_wal_mode(tmp_path):
    assert connect(tmp_path / "hub.sqlite3").execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.sqlite_only("a file that is not a SQLite database")
def test_a_file_that_is_not_a_database_gets_a_clear_error(tmp_path):
    from migrahub.store.database import StoreError

    bad = tmp_path / "notes.sqlite3"
    bad.write_bytes(b"this is a text file, not SQLite\n" * 100)
    with pytest.raises(StoreError, match="notes.sqlite3"):
        connect(bad)


def test_old_versions_leave_the_search_index(conn):
    from migrahub.store.search import search

    sid = source(conn)
    store.save_document(conn, doc("report.md", STORY + " The pilot ran in Porto."), sid)
    store.save_document(conn, doc("report.md", STORY + " The pilot ran in Braga."), sid)
    assert search(conn, "Porto") == []
    assert len(search(conn, "Braga")) == 1
    # going back to the first content makes it current and searchable again, without storing it twice
    outcome, _ = store.save_document(conn, doc("report.md", STORY + " The pilot ran in Porto."), sid)
    assert outcome == "version" and len(search(conn, "Porto")) == 1 and search(conn, "Braga") == []
    assert count(conn, "documents") == 2
    # the browse count (every document less the older versions, from indexes) counts the current one only
    from migrahub.services.documents import Query, count_matches

    assert count_matches(conn, Query()) == (0, 1)
    assert conn.execute("SELECT count(*) FROM documents WHERE superseded = 0").fetchone()[0] == 1


def test_near_duplicates_found_while_their_bands_wait_in_the_queue(conn):
    """Ingest queues bands and writes them in batches: a document still meets a near-duplicate stored earlier in the
    same batch, and the queue empties into document_bands on flush."""
    sid = source(conn)
    pending = store.PendingBands()
    _, first = store.save_document(conn, doc("a.html", STORY), sid, index=False, pending=pending)
    assert count(conn, "document_bands") == 0 and bands_through(conn) < first
    _, second = store.save_document(conn, doc("b.html", "Republished by Cities Today. " + STORY), sid,
                                    index=False, pending=pending)
    assert conn.execute("SELECT story_id FROM documents WHERE id = ?", (second,)).fetchone()[0] == first
    assert store.flush_bands(conn, pending) == 2
    assert count(conn, "document_bands") == 32 and bands_through(conn) == second
    _, third = store.save_document(conn, doc("c.html", "Shared by the network. " + STORY), sid,
                                   index=False, pending=pending)
    assert conn.execute("SELECT story_id FROM documents WHERE id = ?", (third,)).fetchone()[0] == first


def test_a_queue_left_by_an_interrupted_ingest_is_written_by_the_next_save(conn):
    sid = source(conn)
    _, first = store.save_document(conn, doc("a.html", STORY), sid, index=False, pending=store.PendingBands())
    # the run stops here: its in-memory bands are gone, the document is committed after the mark
    _, second = store.save_document(conn, doc("b.html", "Republished by Cities Today. " + STORY), sid)
    assert bands_through(conn) == first and count(conn, "document_bands") == 32  # the second wrote its own
    assert conn.execute("SELECT story_id FROM documents WHERE id = ?", (second,)).fetchone()[0] == first


def test_signatures_of_an_older_minhash_stage_are_recomputed_from_the_stored_text(conn):
    """A hub written by minhash/1 holds signatures the running stage cannot be compared with: before the next
    comparison they are recomputed from each document's text, their bands rebuilt, their provenance restamped."""
    sid = source(conn)
    _, first = store.save_document(conn, doc("a.html", STORY), sid)
    short_id = store.save_document(conn, doc("s.html", "Too short to compare."), sid)[1]
    # what an older hub looks like: other signatures, their bands, minhash/1 in the provenance
    old = bytes(range(256)) * 2
    conn.execute("UPDATE documents SET fingerprint = ?, provenance = replace(provenance, 'minhash/2', 'minhash/1') "
                 "WHERE id = ?", (old, first))
    conn.execute("DELETE FROM document_bands")
    conn.executemany("INSERT INTO document_bands(band, hash, document_id) VALUES (?, ?, ?)",
                     [(i, h, first) for i, h in enumerate(store.band_hashes(old))])
    conn.execute("UPDATE hub_state SET value = 1 WHERE key = 'minhash'")

    _, second = store.save_document(conn, doc("b.html", "Republished by Cities Today. " + STORY), sid)

    assert conn.execute("SELECT story_id FROM documents WHERE id = ?", (second,)).fetchone()[0] == first
    text, fingerprint, provenance = conn.execute("SELECT text, fingerprint, provenance FROM documents WHERE id = ?",
                                                 (first,)).fetchone()
    assert fingerprint == store.minhash(text) and "minhash/2" in provenance and "minhash/1" not in provenance
    assert conn.execute("SELECT fingerprint FROM documents WHERE id = ?", (short_id,)).fetchone()[0] == b""
    assert count(conn, "document_bands") == 32 and bands_through(conn) == short_id  # the second wrote its own
    assert conn.execute("SELECT value FROM hub_state WHERE key = 'minhash'").fetchone()[0] == 2
    assert store.refresh_fingerprints(conn) == 0


@pytest.mark.sqlite_only("a SQLite hub written before migration 009; no PostgreSQL hub is that old")
def test_a_hub_from_before_the_bands_mark_keeps_its_queue_and_gets_current_signatures(tmp_path, monkeypatch):
    """Migration 009 on a hub whose last ingest was killed with bands queued: the queued documents come after the
    new mark, and the next write recomputes every minhash/1 signature and writes all bands."""
    from migrahub.store import database

    path = tmp_path / "hub.sqlite3"
    every = database._migrations
    monkeypatch.setattr(database, "_migrations", lambda engine="sqlite": [m for m in every(engine) if m[0] < "009"])
    old = connect(path)
    texts = [STORY, "Republished by Cities Today. " + STORY, "Shared by the network. " + STORY]
    for i, text in enumerate(texts, 1):
        old.execute("INSERT INTO documents(id, content_hash, text, content_type, source_kind, doc_type, fingerprint, "
                    "provenance, created_at) VALUES (?, ?, ?, 'text/plain', 'file', 'txt', ?, ?, 'then')",
                    (i, f"h{i}", text, bytes([i]) * 512, '["normalize/1", "minhash/1"]'))
    old.execute("INSERT INTO band_queue(document_id) VALUES (2), (3)")
    old.close()
    monkeypatch.setattr(database, "_migrations", every)

    conn = connect(path)
    assert bands_through(conn) == 1
    assert conn.execute("SELECT value FROM hub_state WHERE key = 'minhash'").fetchone()[0] == 1
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'band_queue'").fetchone() is None
    assert store.flush_bands(conn) == 3
    assert bands_through(conn) == 3 and count(conn, "document_bands") == 48
    rows = conn.execute("SELECT text, fingerprint, provenance FROM documents").fetchall()
    assert all(fp == store.minhash(text) and "minhash/2" in prov for text, fp, prov in rows)
    _, fourth = store.save_document(conn, doc("d.html", "Posted again. " + STORY), source(conn))
    assert conn.execute("SELECT story_id FROM documents WHERE id = ?", (fourth,)).fetchone()[0] == 1
    conn.close()


def fts_consistent(conn):
    """FTS5's own check of its index structure (raises when it is damaged; a 'delete' of a row the index never held
    damages it). The check against the content table does not apply: replaced versions are left out on purpose."""
    if database.backend(conn) == "sqlite":
        conn.execute("INSERT INTO passages_fts(passages_fts) VALUES ('integrity-check')")
        return True
    # PostgreSQL: the index holds passages of current documents only, each once
    stale = conn.execute("SELECT count(*) FROM passages_fts f JOIN passages p ON p.id = f.id JOIN documents d "
                         "ON d.id = p.document_id WHERE d.superseded = 1").fetchone()[0]
    return stale == 0


def test_passages_wait_after_the_index_mark_and_a_version_replaced_before_indexing_never_reaches_it(conn):
    """Ingest stores passages flagged for the index but after the ``fts_through`` mark; a version replaced before
    the batch is indexed must not be deleted from an index it never entered, nor be indexed later."""
    from migrahub.store.search import index_pending, search

    sid = source(conn)
    store.save_document(conn, doc("report.md", STORY + " The pilot ran in Porto."), sid, index=False)
    assert search(conn, "Porto") == []  # waiting
    store.save_document(conn, doc("report.md", STORY + " The pilot ran in Braga."), sid, index=False)
    assert fts_consistent(conn)
    assert index_pending(conn) == 1  # the current version's one passage; the replaced one is left out
    assert search(conn, "Porto") == [] and len(search(conn, "Braga")) == 1 and fts_consistent(conn)
    assert index_pending(conn) == 0
    # back to the first content: it is indexed again, the second leaves the index
    store.save_document(conn, doc("report.md", STORY + " The pilot ran in Porto."), sid, index=False)
    assert index_pending(conn) == 1
    assert len(search(conn, "Porto")) == 1 and search(conn, "Braga") == [] and fts_consistent(conn)
