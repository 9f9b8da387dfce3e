"""The ranking index of the newest passages (SQLite): it must hold exactly the full-text index's passages from its
lowest id up, through ingests, new versions, documents found again and restores, and rank as the whole index does.
The hub here is small, so the index is kept from 80 passages (a real hub: from 200,000)."""

from __future__ import annotations

import pytest

from migrahub.model import Block, Extracted
from migrahub.pipeline.normalize import normalize
from migrahub.sources import SourceResult
from migrahub.store import archive
from migrahub.store import documents as store
from migrahub.store import search as search_module
from migrahub.store.database import connect, transaction
from migrahub.store.search import RECENT, SearchFilters, newest_matches, ranking_index, recent_floor, search

pytestmark = pytest.mark.sqlite_only("the ranking index of the newest passages is SQLite's: PostgreSQL's ts_rank "
                                     "reads no term weights from the whole index")

WORDS = ("harbour", "shelter", "council", "mentor", "xsrc1", "xsrc2", "xlangen", "winter")


def _paragraph(doc: int, j: int) -> str:
    words = [f"Paragraph {j} of report {doc} on the council's work"]
    if (doc + j) % 3 == 0:
        words.append("with the harbour shelter")
    if j % 4 == 0:
        words.append("and a mentor mentor programme" if doc % 2 else "and a mentor")
    if doc < 2:
        words.append("in winter")  # only in the oldest reports: below the ranking index
    return " ".join(words) + "."


def _document(doc: int, source: str, version: int = 0):
    locator = f"{source}/report{doc}.md"
    blocks = tuple(Block("paragraph", _paragraph(doc, j) + (" Revised." if version else "")) for j in range(10))
    return normalize(Extracted(locator=locator, source=locator, source_kind="file", content_type="text/markdown",
                               blocks=blocks, language_hint="en", published="2024-03-01"))


def _save(conn, doc: int, source: str = "src-1", version: int = 0):
    sid = store.upsert_source(conn, SourceResult(source=source, kind="file", status="ok"))
    return store.save_document(conn, _document(doc, source, version), sid)


def _assert_recent_is_the_newest_of_the_index(conn) -> int:
    floor = recent_floor(conn)
    assert floor is not None
    indexed = {row[0] for row in conn.execute("SELECT id FROM passages_fts_docsize WHERE id >= ?", (floor,))}
    assert {row[0] for row in conn.execute(f"SELECT id FROM {RECENT}_docsize")} == indexed
    for word in WORDS:
        in_index = {row[0] for row in conn.execute(
            "SELECT rowid FROM passages_fts WHERE passages_fts MATCH ? AND rowid >= ?", (word, floor))}
        assert {row[0] for row in conn.execute(f"SELECT rowid FROM {RECENT} WHERE {RECENT} MATCH ?",
                                               (word,))} == in_index, word
    return floor


@pytest.fixture
def hub(tmp_path, monkeypatch):
    monkeypatch.setattr(search_module, "RECENT_PASSAGES", 40)
    monkeypatch.setattr(search_module, "RECENT_FROM", 80)
    conn = connect(tmp_path / "hub.sqlite3")
    yield conn
    conn.close()


def test_the_index_is_kept_once_the_hub_is_large_and_follows_its_growth(hub):
    floors = []
    for doc in range(20):
        _save(hub, doc)
        floor = recent_floor(hub)
        if doc < 8:  # up to 80 passages
            assert floor is None
            assert ranking_index(hub, [80, 79]) == "passages_fts"
        else:
            floors.append(_assert_recent_is_the_newest_of_the_index(hub))
    top = hub.execute("SELECT max(id) FROM passages").fetchone()[0]
    assert floors[0] == 51 and floors == sorted(floors) and top - floors[-1] <= 80
    assert top - floors[-1] >= 40


def test_a_new_version_and_a_document_found_again_leave_both_indexes_alike(hub):
    for doc in range(14):
        _save(hub, doc)
    floor = _assert_recent_is_the_newest_of_the_index(hub)
    newest = hub.execute("SELECT max(document_id) FROM passages").fetchone()[0]
    outcome, revised = _save(hub, 13, version=1)  # the newest report, in the ranking index, has a new version
    assert outcome == "version"
    assert hub.execute("SELECT superseded FROM documents WHERE id = ?", (newest,)).fetchone()[0] == 1
    _assert_recent_is_the_newest_of_the_index(hub)
    outcome, again = store.save_document(hub, _document(12, "src-2"), store.upsert_source(
        hub, SourceResult(source="src-2", kind="file", status="ok")))  # found again through a second source
    assert outcome == "linked"
    assert recent_floor(hub) == floor
    _assert_recent_is_the_newest_of_the_index(hub)
    assert {h.document_id for h in search(hub, "harbour", SearchFilters(source="src-2", limit=50))} == {again}
    assert revised != newest


def test_single_words_rank_in_the_same_order_with_weights_from_the_newest_passages(hub, monkeypatch):
    monkeypatch.setattr(search_module, "RANK_WINDOW", 6)  # the newest 6 matches are ranked: they lie in the index
    for doc in range(16):
        _save(hub, doc)
    _assert_recent_is_the_newest_of_the_index(hub)
    queries = ("mentor", "harbour", "council", "mentor harbour")
    for query in queries:
        window = [row[0] for row in newest_matches(hub, query, SearchFilters(), 6)]
        assert ranking_index(hub, window) == RECENT
    ranked = {query: [search(hub, query, SearchFilters(limit=6))] for query in queries}
    monkeypatch.setattr(search_module, "ranking_index", lambda conn, window: "passages_fts")
    for query in queries:
        ranked[query].append(search(hub, query, SearchFilters(limit=6)))
    for query in queries[:3]:  # one word: its weight scales every score alike (the average length, about)
        recent, everywhere = ranked[query]
        assert len(recent) == 6
        assert [h.passage_id for h in recent] == [h.passage_id for h in everywhere]
        ratios = [a.score / b.score for a, b in zip(recent, everywhere, strict=True)]
        assert max(ratios) / min(ratios) < 1.01
    recent, everywhere = ranked["mentor harbour"]
    assert {h.passage_id for h in recent} == {h.passage_id for h in everywhere}


def test_a_window_reaching_below_the_index_is_ranked_on_the_whole_index(hub):
    for doc in range(16):
        _save(hub, doc)
    floor = _assert_recent_is_the_newest_of_the_index(hub)
    hits = search(hub, "winter", SearchFilters(limit=100))  # only in the two oldest reports
    assert len(hits) == 20 and all(hit.passage_id < floor for hit in hits)
    assert ranking_index(hub, [floor + 5, floor - 1]) == "passages_fts"
    assert ranking_index(hub, [floor + 5, floor]) == RECENT


def test_a_restored_hub_rebuilds_it_from_its_passages(hub):
    for doc in range(14):
        _save(hub, doc)
    floor = _assert_recent_is_the_newest_of_the_index(hub)
    with transaction(hub):  # as a restore leaves a hub: passages written, both indexes empty
        for index in ("passages_fts", RECENT):
            hub.execute(f"INSERT INTO {index}({index}) VALUES ('delete-all')")
        assert recent_floor(hub) is None
        archive.rebuild_derived(hub)
    assert _assert_recent_is_the_newest_of_the_index(hub) == floor
    assert len(search(hub, "harbour", SearchFilters(limit=100))) == 47


def test_the_newest_matches_of_a_prefix_are_read_in_the_index_of_the_newest_when_it_has_enough(hub, monkeypatch):
    for doc in range(16):
        _save(hub, doc)
    floor = _assert_recent_is_the_newest_of_the_index(hub)
    filters = (SearchFilters(), SearchFilters(language="en"), SearchFilters(source="src-1"))
    found = {(query, f, limit): newest_matches(hub, query, f, limit)
             for query in ("ment*", "harb*", "wint*") for f in filters for limit in (5, 40, 200)}
    assert found[("ment*", SearchFilters(), 5)][-1][0] >= floor  # read in the index of the newest
    assert found[("ment*", SearchFilters(), 200)][-1][0] < floor  # more than it holds: read in the whole index
    monkeypatch.setattr(search_module, "recent_floor", lambda conn: None)
    for (query, f, limit), rows in found.items():
        assert rows == newest_matches(hub, query, f, limit), (query, f, limit)


def test_a_search_reads_one_state_of_the_hub_while_an_ingest_rebuilds_the_index(hub, monkeypatch, tmp_path):
    monkeypatch.setattr(search_module, "RANK_WINDOW", 6)
    for doc in range(14):
        _save(hub, doc)
    floor = _assert_recent_is_the_newest_of_the_index(hub)
    window = [row[0] for row in newest_matches(hub, "mentor", SearchFilters(), 7)]
    assert window[-2] >= floor  # the window of 6 lies in the ranking index
    writer = connect(tmp_path / "hub.sqlite3")
    choose = search_module.ranking_index

    def ingest_between(conn, ranked_window):  # another process's ingest commits a rebuild between two statements
        index = choose(conn, ranked_window)
        for doc in range(14, 20):
            _save(writer, doc)
        return index

    monkeypatch.setattr(search_module, "ranking_index", ingest_between)
    hits = search(hub, "mentor", SearchFilters(limit=6))
    assert [h.passage_id for h in hits] != [] and {h.passage_id for h in hits} == set(window[:6])
    assert recent_floor(writer) > window[-2]  # the rebuild left the window's oldest passages out
    assert not hub.in_transaction
    writer.close()
