"""Search: BM25 ranking, snippets with highlights, phrases, boolean queries and filters."""

from __future__ import annotations

import pytest

from migrahub.model import Block, Extracted
from migrahub.pipeline.normalize import normalize
from migrahub.sources import SourceResult
from migrahub.store import documents as store
from migrahub.store.database import connect
from migrahub.store.search import QueryError, SearchFilters, fts_query, search

DOCS = [
    ("a.md", "en", "2019-06-25", [
        "The municipal ID card lets every resident of the city open a library account, whatever their status.",
        "A city card scheme was proposed by the working group: one card for transport, libraries and clinics."]),
    ("b.md", "fr", "2021-03-02", ["La carte de ville (city card) permet aux habitants d'accéder aux services "
                                  "municipaux, à Genève comme à Zürich."]),
    ("c.md", "es", "2017-11-10", ["Las ciudades de la red acordaron un plan de acogida para personas refugiadas."]),
]


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    c = connect(tmp_path_factory.mktemp("hub") / "hub.sqlite3")
    for locator, lang, date, paras in DOCS:
        sid = store.upsert_source(c, SourceResult(source=locator, kind="file", status="ok"))
        d = normalize(Extracted(locator=locator, source=locator, source_kind="file", content_type="text/markdown",
                                blocks=tuple(Block("paragraph", p) for p in paras), language_hint=lang,
                                published=date))
        store.save_document(c, d, sid)
    yield c
    c.close()


def test_phrase_ranks_exact_phrase_first_with_highlights(conn):
    hits = search(conn, '"city card"')
    assert hits and "city card" in hits[0].snippet.lower()
    start, end = hits[0].highlights[0]
    assert hits[0].snippet[start:end].lower() == "city card"
    assert {h.document_id for h in hits} == {1, 2}


def test_boolean_and_not_and_or(conn):
    assert {h.document_id for h in search(conn, "card NOT library")} == {2}
    assert {h.document_id for h in search(conn, "refugiadas OR Genève")} == {2, 3}
    assert search(conn, "card AND acogida") == []


def test_diacritics_and_punctuation_are_safe(conn):
    assert search(conn, "zurich")[0].document_id == 2
    assert search(conn, "city-card")  # hyphen is not FTS5 syntax for the user
    assert search(conn, "Zürich's")


def test_filters(conn):
    assert {h.document_id for h in search(conn, "card", SearchFilters(language="fr"))} == {2}
    assert {h.document_id for h in search(conn, "card", SearchFilters(since="2020"))} == {2}
    assert {h.document_id for h in search(conn, "card", SearchFilters(until="2019-12"))} == {1}
    assert {h.document_id for h in search(conn, "card", SearchFilters(source="a.md"))} == {1}
    assert search(conn, "card", SearchFilters(doc_type="pdf")) == []
    assert len(search(conn, "card", SearchFilters(limit=1))) == 1


def test_offsets_of_hits_point_into_the_document(conn):
    hit = search(conn, "acogida")[0]
    text = conn.execute("SELECT text FROM documents WHERE id = ?", (hit.document_id,)).fetchone()[0]
    assert "acogida" in text[hit.start:hit.end]


@pytest.mark.parametrize("bad", ["", "   ", "AND", "card OR", "(card", "card)", "NOT card"])
def test_bad_queries_get_a_clear_error(bad):
    with pytest.raises(QueryError):
        fts_query(bad)
