"""Punctuation inside words: a hyphenated word, a host name, an e-mail address or a decimal is searched by the words
in it, alone or in a phrase, on both backends (SQLite's tokenizer splits them into those words; PostgreSQL's parser
gives them a token of their own as well, one position more, unless the text is read with punctuation as a space)."""

from __future__ import annotations

import pytest

from migrahub.model import Block, Extracted
from migrahub.pipeline.normalize import normalize
from migrahub.sources import SourceResult
from migrahub.store import documents as store
from migrahub.store.database import connect
from migrahub.store.search import search

DOCS = [
    ("shop.md", "en", ["The city opened a one-stop shop for newcomers in 2019, run with migrant-led organisations.",
                       "Its staff speak twelve languages."]),
    ("guide.md", "en", ["Details are at www.welcoming-city.org/guide or from info@welcoming.example; the grant "
                        "grew 3.5 percent."]),
    ("guichet.md", "fr", ["La ville a ouvert un guichet unique – l'accueil des nouveaux arrivants – avec des "
                          "associations de quartier."]),
]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    c = connect(tmp_path_factory.mktemp("hub") / "hub.sqlite3")
    ids = {}
    for locator, lang, paras in DOCS:
        sid = store.upsert_source(c, SourceResult(source=locator, kind="file", status="ok"))
        d = normalize(Extracted(locator=locator, source=locator, source_kind="file", content_type="text/markdown",
                                blocks=tuple(Block("paragraph", p) for p in paras), language_hint=lang))
        ids[locator] = store.save_document(c, d, sid)[1]
    yield c, ids
    c.close()


def hub_rows_text(conn, passage_id: int) -> str:
    return conn.execute("SELECT text FROM passages WHERE id = ?", (passage_id,)).fetchone()[0]


@pytest.mark.parametrize(("query", "locator"), [
    ('"a one-stop shop"', "shop.md"),  # a word before the hyphenated word
    ('"opened a one-stop shop for newcomers"', "shop.md"),
    ('"with migrant-led organisations"', "shop.md"),
    ("one-stop", "shop.md"), ("stop shop", "shop.md"), ('"migrant led"', "shop.md"),
    ('"at www.welcoming-city.org/guide or"', "guide.md"), ("welcoming city guide", "guide.md"),
    ('"info@welcoming.example"', "guide.md"), ('"welcoming example"', "guide.md"),
    ('"grew 3.5 percent"', "guide.md"),
    ('"guichet unique l\'accueil"', "guichet.md"),  # a dash between words, an elided article
])
def test_words_joined_by_punctuation_are_found_alone_and_in_phrases(hub, query, locator):
    conn, ids = hub
    hits = search(conn, query)
    assert [h.document_id for h in hits] == [ids[locator]]
    assert hits[0].highlights  # the snippet marks what matched, in the passage's own text
    text = hub_rows_text(conn, hits[0].passage_id)
    assert hits[0].snippet.strip("…") in text


@pytest.mark.postgresql_only("the migration that reads the words of an existing PostgreSQL hub again")
def test_a_hub_indexed_with_punctuated_tokens_is_indexed_again_when_it_is_opened(tmp_path):
    path = tmp_path / "hub.sqlite3"
    c = connect(path)
    sid = store.upsert_source(c, SourceResult(source="shop.md", kind="file", status="ok"))
    doc = normalize(Extracted(locator="shop.md", source="shop.md", source_kind="file", content_type="text/markdown",
                              blocks=(Block("paragraph", DOCS[0][2][0]),), language_hint="en"))
    store.save_document(c, doc, sid)
    with c:  # the words as the parser read the raw text before: "one-stop" a token of its own
        c.native("UPDATE passages_fts f SET words = to_tsvector(f.config, mh_fold(p.text)) || "
                 "mh_search_tokens(string_to_array(p.facets, ' '), p.id) FROM passages p WHERE p.id = f.id")
        c.native("DROP FUNCTION mh_words(text)")
        c.native("DROP FUNCTION mh_spaced(text)")
        c.native("DELETE FROM schema_migrations WHERE name = '065_search_words_postgresql.sql'")
    assert search(c, '"opened a one-stop shop"') == []
    c.close()
    c = connect(path)
    try:
        assert len(search(c, '"opened a one-stop shop"')) == 1
        assert c.execute("SELECT count(*) FROM passages_fts_lexemes WHERE lexeme = 'one-stop'").fetchone()[0] == 0
    finally:
        c.close()
