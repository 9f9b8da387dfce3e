"""The window of newest matches that search ranks, on a hub large enough to span several blocks of passage ids
(PostgreSQL searches them newest block first): it must hold exactly the newest matches, whatever the filters."""

from __future__ import annotations

import re

import pytest

from migrahub.model import Block, Extracted
from migrahub.pipeline.normalize import normalize
from migrahub.sources import SourceResult
from migrahub.store import documents as store
from migrahub.store import search as search_module
from migrahub.store import search_pg
from migrahub.store.database import connect
from migrahub.store.search import SearchFilters, newest_matches, search

DOCUMENTS = 24
PARAGRAPHS = 900  # 21,600 passages: two blocks of 8,192 ids and most of a third
LANGUAGES = ("en", "fr", "de", "es", "it")
SENTENCES = {"en": "the people of the city have their say and the council listens",
             "fr": "les habitants de la ville ont leur mot à dire et le conseil les écoute",
             "de": "die Menschen der Stadt haben etwas zu sagen und der Rat hört ihnen zu",
             "es": "los habitantes de la ciudad tienen algo que decir y el consejo los escucha",
             "it": "gli abitanti della città hanno qualcosa da dire e il consiglio li ascolta"}


def _paragraph(doc: int, j: int) -> str:
    words = [SENTENCES[LANGUAGES[doc % len(LANGUAGES)]], f"alpha item{j} doc{doc}"]
    if j % 7 == 0:
        words.append("beta")
    if doc < 2 and j % 50 == 0:  # only in the oldest documents: the window must reach back to them
        words.append("gamma")
    return " ".join(words) + "."


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    c = connect(tmp_path_factory.mktemp("hub") / "hub.sqlite3")
    for doc in range(DOCUMENTS):
        locator = f"src-{doc % 3}/doc{doc}.md"
        sid = store.upsert_source(c, SourceResult(source=locator, kind="file", status="ok"))
        d = normalize(Extracted(locator=locator, source=locator, source_kind="file", content_type="text/markdown",
                                blocks=tuple(Block("paragraph", _paragraph(doc, j)) for j in range(PARAGRAPHS)),
                                language_hint=LANGUAGES[doc % len(LANGUAGES)], published=f"{2010 + doc % 10}-05-01"))
        store.save_document(c, d, sid)
    rows = c.execute("SELECT p.id, p.document_id, p.text, d.language, d.published FROM passages p "
                     "JOIN documents d ON d.id = p.document_id ORDER BY p.id").fetchall()
    sources = {row[0]: row[1] for row in c.execute(
        "SELECT l.document_id, s.locator FROM document_links l JOIN sources s ON s.id = l.source_id")}
    yield c, [(r[0], r[1], set(re.findall(r"\w+", r[2].lower())), r[3], r[4], sources[r[1]]) for r in rows]
    c.close()


def _expected(passages, word: str, limit: int, language=None, since=None, source=None) -> list[tuple[int, int]]:
    def has(words: set[str]) -> bool:  # a word, or a prefix*
        return any(w.startswith(word[:-1]) for w in words) if word.endswith("*") else word in words

    found = [(pid, doc) for pid, doc, words, lang, published, locator in passages
             if has(words) and (language is None or lang == language)
             and (since is None or published >= since) and (source is None or source in locator)]
    return sorted(found, reverse=True)[:limit]


def test_the_hub_spans_several_blocks_of_passage_ids(hub):
    _conn, passages = hub
    assert passages[-1][0] > 2 * 8192


@pytest.mark.parametrize(("word", "filters"), [
    ("alpha", {}),  # in every passage: the newest block fills the window
    ("beta", {}),  # in one passage in seven
    ("gamma", {}),  # only in the two oldest documents
    ("beta", {"language": "fr"}),
    ("alpha", {"source": "src-1/"}),
    ("beta", {"since": "2017"}),
    ("gamma", {"language": "en"}),
    ("alph*", {}),  # a prefix: its share of the newest passages sizes the first search on PostgreSQL
    ("bet*", {"language": "fr"}),
    ("gamm*", {}),
])
def test_the_window_holds_exactly_the_newest_matches(hub, monkeypatch, word, filters):
    conn, passages = hub
    for share in (0.5, 1.0):  # PostgreSQL: the older blocks as a range of ids, or by their tokens
        monkeypatch.setattr(search_pg, "RANGE_SHARE", share)
        for limit in (2001, 40):
            assert newest_matches(conn, word, SearchFilters(**filters), limit) == _expected(passages, word, limit,
                                                                                             **filters)


def test_filters_inside_the_index_find_nothing_when_nothing_matches(hub):
    conn, _passages = hub
    assert newest_matches(conn, "gamma", SearchFilters(language="de"), 2001) == []
    assert newest_matches(conn, "alpha", SearchFilters(source="no-such-source"), 2001) == []
    assert search(conn, "gamma", SearchFilters(language="de")) == []
    assert newest_matches(conn, "alpha", SearchFilters(mentioning=(999,)), 2001) == []  # no document mentions it


def test_search_ranks_the_window_and_each_hit_matches(hub):
    conn, passages = hub
    words = {pid: ws for pid, _doc, ws, *_ in passages}
    hits = search(conn, "beta", SearchFilters(language="de", limit=15))
    assert len(hits) == 15
    assert all("beta" in words[h.passage_id] and h.language == "de" for h in hits)


@pytest.mark.parametrize(("query", "filters"), [
    ("beta", {}), ("alpha beta", {"language": "fr"}), ("alph*", {}), ("beta", {"since": "2015"}),
    ("listens alpha", {}),  # an exact phrase in every English passage: the phrase test read with the rank
])
def test_ranking_read_with_the_window_is_the_ranking_of_the_window_read_again(hub, query, filters):
    conn, _passages = hub
    f = SearchFilters(limit=30, **filters)
    window = [row[0] for row in newest_matches(conn, query, f, search_module.RANK_WINDOW + 1)]
    hits = search(conn, query, f)
    assert len(hits) == 30
    assert [(h.passage_id, h.score) for h in hits] == [(h.passage_id, h.score) for h in search(conn, query, f,
                                                                                                window=window)]


@pytest.mark.parametrize("query", [
    {"q": "alpha"}, {"q": "beta", "language": "fr"}, {"q": "alpha beta"}, {"q": "alph*", "since": "2016"},
    {"q": "listens alpha", "language": "en"},
])
def test_the_web_ranks_the_window_its_counts_read_as_a_search_reading_its_own_would(hub, query):
    from migrahub.services.documents import Query, result_counts
    from migrahub.services.documents import search as page_search

    conn, _passages = hub
    counts = result_counts(conn, Query(**query))
    assert len(counts.window) > 600  # the words match more passages than a window: a window read under the filters
    hits = page_search(conn, Query(**query), limit=30, counts=counts)
    assert len(hits) == 30
    assert [(h.passage_id, h.score) for h in hits] == [(h.passage_id, h.score)
                                                       for h in page_search(conn, Query(**query), limit=30)]


@pytest.mark.parametrize("query", [{"q": "gamma"}, {"q": "gamma", "language": "fr"}, {"q": "gamma", "since": "2011"},
                                   {"q": "gamma alpha"}])
def test_the_web_ranks_a_few_matches_its_counts_read_as_a_search_reading_its_own_would(hub, query):
    from migrahub.services.documents import Query, result_counts
    from migrahub.services.documents import search as page_search

    conn, _passages = hub
    counts = result_counts(conn, Query(**query))
    assert 0 < len(counts.window) < 100  # the words' own matches, filtered by their documents
    hits = page_search(conn, Query(**query), limit=30, counts=counts)
    assert hits
    assert [(h.passage_id, h.score) for h in hits] == [(h.passage_id, h.score)
                                                       for h in page_search(conn, Query(**query), limit=30)]


@pytest.mark.postgresql_only("PostgreSQL reads the window's ranks with it; SQLite ranks with BM25 afterwards")
@pytest.mark.parametrize(("query", "read"), [({"q": "alpha"}, True), ({"q": "gamma"}, True),
                                             ({"q": "gamma", "since": "2011"}, True),
                                             ({"q": "beta", "language": "fr"}, True),  # a window read in French
                                             ({"q": "gamma", "language": "fr"}, False)])  # the words' window
def test_the_counts_read_the_ranks_of_the_window_with_it_when_they_are_the_search_s(hub, monkeypatch, query, read):
    from migrahub.services.documents import Query, result_counts
    from migrahub.services.documents import search as page_search

    conn, _passages = hub
    counts = result_counts(conn, Query(**query))
    assert (set(counts.window) <= set(counts.scores)) is read
    from migrahub.store import postgres

    statements = []
    execute = postgres.Cursor.execute
    monkeypatch.setattr(postgres.Cursor, "execute", lambda self, sql, *a, **k: (statements.append(sql),
                                                                                execute(self, sql, *a, **k))[1])
    assert page_search(conn, Query(**query), limit=10, counts=counts)
    assert any("ts_rank" in sql for sql in statements) is not read  # ranked again only when not read


# the source filter names 8 sources (of 24): their tokens in the query; or, when it names more than
# MAX_SOURCE_TOKENS, their 8 documents (of 24) as a list of ids, or tested on each match
@pytest.mark.parametrize(("tokens", "most", "share"), [(64, 10_000, 1), (2, 10_000, 1), (2, 3, 8)])
def test_a_source_filter_gives_the_same_window_whichever_way_it_is_tested(hub, monkeypatch, tokens, most, share):
    conn, passages = hub
    monkeypatch.setattr(search_module, "MAX_SOURCE_TOKENS", tokens)
    monkeypatch.setattr(search_module, "MAX_DOCUMENTS", most)
    monkeypatch.setattr(search_module, "SOURCE_SHARE", share)
    assert (search_module.source_tokens(conn, "src-1/") is None) == (tokens == 2)
    assert (search_module.source_documents(conn, "src-1/") is None) == (most == 3)
    for word, limit in (("alpha", 2001), ("beta", 2001), ("gamma", 10)):
        assert newest_matches(conn, word, SearchFilters(source="src-1/"), limit) == _expected(
            passages, word, limit, source="src-1/")


def _item(locator: str, source: str, text: str):
    return normalize(Extracted(locator=locator, source=source, source_kind="feed", content_type="text/html",
                               blocks=(Block("paragraph", text),), language_hint="en", published="2024-03-01"))


def _source_ids(conn, *feeds: str) -> list[int]:
    return [store.upsert_source(conn, SourceResult(source=feed, kind="feed", status="ok")) for feed in feeds]


def test_a_document_found_again_through_another_source_is_found_by_that_source(tmp_path):
    conn = connect(tmp_path / "hub.sqlite3")
    first, second, other = _source_ids(conn, "https://first.example/rss", "https://second.example/rss",
                                       "https://other.example/rss")
    text = "The city council opened a welcome desk for newcomers."
    _outcome, doc = store.save_document(conn, _item("https://first.example/a", "https://first.example/rss", text),
                                        first)
    store.save_document(conn, _item("https://other.example/b", "https://other.example/rss", "A desk of its own."),
                        other)
    assert [h.document_id for h in search(conn, "desk", SearchFilters(source="second.example"))] == []
    outcome, again = store.save_document(
        conn, _item("https://second.example/a", "https://second.example/rss", text), second)
    assert (outcome, again) == ("linked", doc)
    for source in ("second.example", "first.example"):
        hits = search(conn, "desk", SearchFilters(source=source))
        assert [h.document_id for h in hits] == [doc]
        assert set(hits[0].sources) == {"https://first.example/rss", "https://second.example/rss"}
    assert len(search(conn, "desk", SearchFilters())) == 2
    conn.close()


def test_a_hub_from_before_source_tokens_gets_them_when_it_is_opened(tmp_path):
    path = tmp_path / "hub.sqlite3"
    conn = connect(path)
    first, second = _source_ids(conn, "https://first.example/rss", "https://second.example/rss")
    for n, (sid, feed) in enumerate(((first, "https://first.example"), (second, "https://second.example"))):
        store.save_document(conn, _item(f"{feed}/{n}", f"{feed}/rss", f"Item {n} on the welcome desk."), sid)
    # as a hub written before the tokens named sources: the passages' filter tokens without them, indexed so
    for (doc,) in conn.execute("SELECT id FROM documents").fetchall():
        search_module.unindex_document(conn, doc)
    conn.execute("UPDATE passages SET facets = 'xlangen xtypefeeditem xy2024 xm202403'")
    search_module.index_pending(conn)
    conn.execute("DELETE FROM schema_migrations WHERE name LIKE '062_search_source_tokens%'")
    conn.commit()
    conn.close()
    conn = connect(path)  # migrates
    facets = sorted(row[0] for row in conn.execute("SELECT facets FROM passages"))
    assert facets == [f"xlangen xtypefeeditem xy2024 xm202403 xsrc{first}",
                      f"xlangen xtypefeeditem xy2024 xm202403 xsrc{second}"]
    hits = search(conn, "desk", SearchFilters(source="second.example"))
    assert [(h.sources, h.highlights) for h in hits] == [(("https://second.example/rss",), ((22, 26),))]
    assert len(search(conn, "desk", SearchFilters())) == 2
    conn.close()


@pytest.mark.sqlite_only("how FTS5 ranks the window: PostgreSQL ranks it with ts_rank, without a choice to make")
@pytest.mark.parametrize(("word", "filters"), [
    ("beta", {"language": "fr"}), ("alpha", {"source": "src-1/"}), ("beta", {"since": "2017"}),
    ("city alpha", {"language": "en", "since": "2012"}), ("gamma", {"language": "en"}),
])
def test_ranking_a_sparse_window_with_its_filter_tokens_gives_the_same_hits(hub, monkeypatch, word, filters):
    conn, _passages = hub
    monkeypatch.setattr(search_module, "COMMON_POSTINGS", 1_000)  # measure the words' shares in this small hub
    found = {}
    for cost in (0, 10**9):  # never, then always with the filter tokens
        monkeypatch.setattr(search_module, "RANGE_COST", cost)
        found[cost] = [(h.passage_id, round(h.score, 9)) for h in search(conn, word, SearchFilters(**filters,
                                                                                                   limit=30))]
    assert found[0] == found[10**9]
    assert found[0]


DATES = ["2018", "2019", "2019-03", "2019-03-15", "2019-06-30", "2019-12-31", "2020", "2020-06", "2020-06-15",
         "2020-07-01", None]
BOUNDS = [None, "2019", "2019-03", "2019-03-01", "2019-03-16", "2019-12", "2020", "2020-06", "2020-06-15",
          "2020-06-30"]


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    conn = connect(tmp_path_factory.mktemp("dated") / "hub.sqlite3")
    (sid,) = _source_ids(conn, "https://dates.example/rss")
    ids = {}
    for n, published in enumerate(DATES):
        doc = normalize(Extracted(locator=f"https://dates.example/{n}", source="https://dates.example/rss",
                                  source_kind="feed", content_type="text/html",
                                  blocks=(Block("paragraph", f"Welcome desk news number {n}."),), language_hint="en",
                                  published=published))
        ids[store.save_document(conn, doc, sid)[1]] = doc.published
    yield conn, ids
    conn.close()


def test_dates_of_a_year_alone_or_a_month_alone_are_kept_as_they_were_given(dated):
    _conn, ids = dated
    assert sorted(filter(None, ids.values())) == sorted(filter(None, DATES))


@pytest.mark.parametrize("since", BOUNDS)
@pytest.mark.parametrize("until", BOUNDS)
def test_a_date_range_finds_what_comparing_the_dates_finds(dated, since, until):
    conn, ids = dated
    if since and until and since[:len(until)] > until:
        with pytest.raises(search_module.QueryError, match="the date range is empty"):
            search(conn, "desk", SearchFilters(since=since, until=until))
        return
    expected = {doc for doc, published in ids.items()
                if (since is None or (published or "") >= since)
                and (until is None or (published is not None and published[:len(until)] <= until))
                and (published is not None or (since is None and until is None))}
    found = {h.document_id for h in search(conn, "desk", SearchFilters(since=since, until=until, limit=50))}
    assert found == expected


def test_a_range_open_at_one_end_reaches_any_year(dated):
    conn, ids = dated
    assert search_module.date_tokens(None, "1900") == ["xy1900"]
    assert search(conn, "desk", SearchFilters(until="1900")) == []
    assert search_module.date_tokens("2300", None) == ["xy2300"]
    assert search(conn, "desk", SearchFilters(since="2300")) == []


def test_a_range_to_the_edges_of_months_is_said_by_tokens_alone():
    assert search_module.date_tokens("2019-03-01", "2020-06") == [
        *(f"xm2019{m:02d}" for m in range(3, 13)), *(f"xm2020{m:02d}" for m in range(1, 7)), "xm202000"]
    assert search_module.date_tokens("2018", "2020-06-30")[:2] == ["xy2018", "xy2019"]
    edges = SearchFilters(since="2019-03", until="2020-06-30")
    assert search_module.document_conditions(edges, tokenized=True) == ([], [])
    within = SearchFilters(since="2019-03-01", until="2020-06-29")
    assert search_module.document_conditions(within, tokenized=True)[1] == ["2019-03-01", 10, "2020-06-29"]
