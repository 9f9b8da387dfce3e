"""The search query parser: ``fts_query`` gives an FTS5 expression that SQLite accepts, or a QueryError with a
message; ``search`` over a small hub gives hits or a QueryError — for any query a user can type."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from fuzz_strategies import NASTY, hostile_text
from fuzz_support import bounded, fuzz, raises_only
from hypothesis import example, given
from hypothesis import strategies as st

from migrahub.model import Block, Extracted
from migrahub.pipeline.normalize import normalize
from migrahub.sources import SourceResult
from migrahub.store import documents as store
from migrahub.store.database import connect
from migrahub.store.search import QueryError, SearchFilters, fts_query, search

TOKENS = ("city", "card", "Zürich's", "l'accueil", "city-card", "réfugiés", "AND", "OR", "NOT", "and", "or", "not",
          "NEAR", "NEAR(a b)", "(", ")", "()", '"', '"city card"', '"', "*", "city*", "ci*ty", "^city", "-city",
          "+city", "text:city", "facets:xlangen", "xlangen", "{text}", ":", "'", "’", "’s", "\x00", "🇸🇪", "中文",
          "e\u0301", "ﬁ", "\u200b", "__", "1.5", "2019-2021", "a" * 500, "AND AND", '""', '" "', "\\", "%", "_")

QUERIES = st.one_of(
    st.lists(st.sampled_from(TOKENS), max_size=12).map(" ".join),
    st.lists(st.sampled_from(TOKENS), max_size=12).map("".join),
    hostile_text(6, 300),
    st.text(max_size=60),
    st.sampled_from(NASTY),
    st.integers(1, 3000).map(lambda n: "(" * n + "city" + ")" * n),
    st.integers(1, 3000).map(lambda n: "city " * n),
    st.integers(1, 3000).map(lambda n: "city OR " * n + "card"),
    st.integers(1, 3000).map(lambda n: '"' * n),
)


@pytest.fixture(scope="module")
def fts():
    """An FTS5 table with the hub's tokenizer and a few rows, to run the translated expressions against."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(text, facets, tokenize='porter unicode61 remove_diacritics 2')")
    conn.executemany("INSERT INTO t(text, facets) VALUES (?, ?)", [
        ("The city card of Zürich", "xlangen xtypefile"), ("Accueil des réfugiés à Genève", "xlangfr xtypefile")])
    yield conn
    conn.close()


@fuzz(weight=1.0)
@given(query=QUERIES)
@example(query="(city) (card)")
@example(query="a () b")
@example(query="(city OR)")
@example(query="(" * 500 + "city" + ")" * 500)
def test_fts_query_gives_valid_fts5(fts, query):
    """What ``fts_query`` returns, FTS5 accepts: punctuation never becomes FTS5 syntax."""
    with bounded("fts_query"):
        match = raises_only(lambda: fts_query(query), QueryError)
        if isinstance(match, QueryError):
            return
        try:
            fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (match,)).fetchall()
        except sqlite3.OperationalError as exc:
            raise AssertionError(f"fts_query({query!r}) gave {match!r}, which FTS5 refuses: {exc}") from None


@pytest.fixture(scope="module")
def hub():
    folder = tempfile.TemporaryDirectory(prefix="migrahub-fuzz-hub-")
    conn = connect(Path(folder.name) / "hub.sqlite3")
    for locator, lang, paras in (
            ("a.md", "en", ["The city card lets every resident open a library account.", "Zürich's city-card."]),
            ("b.md", "fr", ["L'accueil des réfugiés à Genève (city card)."])):
        source = store.upsert_source(conn, SourceResult(source=locator, kind="file", status="ok"))
        doc = normalize(Extracted(locator, locator, "file", "text/markdown", tuple(Block("paragraph", p)
                                                                                   for p in paras),
                                  language_hint=lang, published="2021-03-02"))
        store.save_document(conn, doc, source)
    yield conn
    conn.close()
    folder.cleanup()


FILTERS = st.builds(SearchFilters, language=st.none() | st.sampled_from(["en", "fr", "x'", ""]),
                    doc_type=st.none() | st.sampled_from(["markdown", "pdf", "a b"]),
                    source=st.none() | st.sampled_from(["a.md", "%", "_", "'"]),
                    since=st.none() | st.sampled_from(["2019", "2021-03", "2024-13-45", "x", "0000"]),
                    until=st.none() | st.sampled_from(["2022", "2019-01-01", "9999"]),
                    limit=st.integers(0, 50), offset=st.integers(0, 20))


@fuzz(weight=1.5)
@given(query=QUERIES, filters=FILTERS)
def test_search(hub, query, filters):
    """A search gives hits whose highlights fall inside their snippets, or a QueryError."""
    with bounded("search"):
        hits = raises_only(lambda: search(hub, query, filters), QueryError)
    if isinstance(hits, QueryError):
        return
    for hit in hits:
        assert 0 <= hit.start < hit.end
        for start, end in hit.highlights:
            assert 0 <= start <= end <= len(hit.snippet)
