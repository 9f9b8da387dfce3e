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


@pytest.mark.parametrize("bad", ["", "   ", "AND", "card OR", "(card", "card)", "NOT card", "()", "library (NOT card)",
                                 "card OR NOT library", "(OR card)"])
def test_bad_queries_get_a_clear_error(bad):
    with pytest.raises(QueryError):
        fts_query(bad)


@pytest.mark.parametrize(("query", "match"), [
    ("(ferry) (pier)", '"ferry" "pier"'),
    ("ferry () pier", '"ferry" "pier"'),
    ("(ferry OR)", '"ferry"'),
    ("(ferry OR pier) tides", '( "ferry" OR "pier" ) AND "tides"'),
    ("tides (ferry pier) wharf", '"tides" AND ( "ferry" "pier" ) AND "wharf"'),
    ("ferry AND NOT pier", '"ferry" NOT "pier"'),
    ("(" * 600 + "ferry" + ")" * 600, '"ferry"'),
])
def test_groups_are_read_as_users_mean_them(query, match):
    assert fts_query(query) == match


def test_groups_nested_deeper_than_fts5_allows_are_searched(conn):
    deep = "card AND (" * 40 + "library OR clinics" + ")" * 40
    assert {h.document_id for h in search(conn, deep)} == {1}
    assert {h.document_id for h in search(conn, "(card) (Genève)")} == {2}
    assert {h.document_id for h in search(conn, "(card OR) () library")} == {1}


def test_every_word_is_scored_in_a_hub_too_small_for_common_words_to_cost(conn):
    from migrahub.store.search import scored_words

    assert scored_words(conn, fts_query("city card")) == fts_query("city card")


@pytest.mark.sqlite_only("how BM25 in FTS5 leaves very common words out of the score")
def test_in_a_large_hub_very_common_words_leave_the_score_but_every_hit_still_matches_them(conn, monkeypatch):
    """The thresholds scaled down to this four-passage hub: 'card' and 'city' are in three passages of four."""
    from migrahub.store import search as fts

    monkeypatch.setattr(fts, "COMMON_SAMPLE", 4)
    monkeypatch.setattr(fts, "COMMON_SHARE", 0.6)
    monkeypatch.setattr(fts, "COMMON_POSTINGS", 1)
    assert fts.scored_words(conn, fts_query("municipal card")) == '"municipal"'
    assert fts.scored_words(conn, fts_query("card OR acogida")) == fts_query("card OR acogida")  # not plain words
    assert fts.scored_words(conn, fts_query("city card")) is None  # every word that common: newest first
    hits = search(conn, "city card")
    assert {h.document_id for h in hits} == {1, 2}
    assert all("city" in h.snippet.lower() and "card" in h.snippet.lower() for h in hits)
    phrase = [h for h in hits if "city card" in h.snippet.lower()]
    assert hits[:len(phrase)] == phrase and len(phrase) == 2  # exact phrases first, newest first among them
    assert [h.passage_id for h in phrase] == sorted((h.passage_id for h in phrase), reverse=True)
    assert {h.score for h in hits} == {0.0}
    assert [h.document_id for h in search(conn, "municipal card")] == [1]  # scored by "municipal" alone


def test_facets_counted_over_the_known_matches_equal_those_counted_by_searching_again(conn):
    from migrahub.services.documents import Query, facets, result_counts
    from migrahub.store.search import filter_matches, newest_matches

    for query in (Query(q="card", language="fr"), Query(q="card", year_from=2020), Query(q="card", year_to=2019),
                  Query(q="city", doc_type="md", language="en"), Query(q="acogida", language="de"),
                  Query(q="card", source="b.md")):
        words = newest_matches(conn, query.q, SearchFilters(), 100)
        matched = sorted({doc for _, doc in words})
        assert facets(conn, query, matched=matched) == facets(conn, query)
        # the filters tested on the words' matches select what searching with the filters selects
        assert filter_matches(conn, words, query.filters()) == newest_matches(conn, query.q, query.filters(), 100)
        assert result_counts(conn, query).window == tuple(p for p, _ in newest_matches(conn, query.q,
                                                                                        query.filters(), 100))
    counted = result_counts(conn, Query(q="card", language="fr")).facets
    assert dict(counted["language"]) == {"en": 1, "fr": 1}  # the chosen language still shows its alternative


def test_facets_over_documents_equal_the_counts_of_a_browse_and_entity_facets_count_documents(conn):
    from migrahub.services.documents import Query, entity_facets, facets, facets_over

    every = [row[0] for row in conn.execute("SELECT id FROM documents WHERE superseded = 0")]
    assert facets_over(conn, every) == facets(conn, Query())
    assert dict(facets_over(conn, every)["language"]) == {"en": 1, "fr": 1, "es": 1}
    assert facets_over(conn, []) == {facet: [] for facet in facets_over(conn, every)}
    assert entity_facets(conn, Query(), every) == {  # nothing was extracted in this hub: no records to count
        "countries": [], "places": [], "organisations": [], "initiatives": [], "documents": 3}
