"""PostgreSQL's lexicon of the search index (migration 064, ``store/search_pg.py``: ``_exact_prefixes``): a
``prefix*`` is searched as the OR of the indexed words it stands for, with the same matches as GIN's partial match."""

from __future__ import annotations

import pytest

from migrahub.model import Block, Extracted
from migrahub.pipeline.normalize import normalize
from migrahub.services import archive as service
from migrahub.sources import SourceResult
from migrahub.store import documents as store
from migrahub.store import search as search_module
from migrahub.store import search_pg
from migrahub.store.database import connect
from migrahub.store.search import SearchFilters, newest_matches

pytestmark = pytest.mark.postgresql_only("the lexicon is an index of PostgreSQL's store; SQLite's FTS5 reads a "
                                         "prefix from its own index")

LANGUAGES = ("en", "fr", "de")
SENTENCES = {"en": "The city council plans the integration of newcomers with their neighbours.",
             "fr": "La ville prépare l'accueil et l'intégration des nouveaux arrivants avec leurs voisins.",
             "de": "Die Stadt plant die Integration der Neuankömmlinge mit ihren Nachbarn."}
MISSING = ("SELECT count(*) FROM (SELECT DISTINCT unnest(tsvector_to_array(words)) AS lexeme FROM passages_fts "
           "EXCEPT SELECT lexeme FROM passages_fts_lexemes) missing")


def _save(conn, n: int, text: str, language: str = "en") -> int:
    locator = f"notes/{n}.md"
    sid = store.upsert_source(conn, SourceResult(source=locator, kind="file", status="ok"))
    d = normalize(Extracted(locator=locator, source=locator, source_kind="file", content_type="text/markdown",
                            blocks=tuple(Block("paragraph", p) for p in text.split("\n")), language_hint=language,
                            published="2024-05-01"))
    return store.save_document(conn, d, sid)[1]


@pytest.fixture
def hub(tmp_path):
    conn = connect(tmp_path / "hub.sqlite3")
    for n in range(40):
        language = LANGUAGES[n % 3]
        _save(conn, n, "\n".join(f"{SENTENCES[language]} Note {n}.{j}, item{n * 10 + j}, Zürich, back\\slash{j}."
                                 for j in range(10)), language)
    search_module.index_pending(conn)
    yield conn
    conn.close()


def test_the_lexicon_holds_every_word_of_the_index(hub):
    assert hub.execute(MISSING).fetchone()[0] == 0
    assert hub.execute("SELECT count(*) FROM passages_fts_lexemes WHERE lexeme LIKE 'item%'").fetchone()[0] == 400


@pytest.mark.parametrize(("query", "filters"), [
    ("item1*", {}), ("item2*", {"language": "fr"}), ("integr*", {}), ("zur*", {}), ("l'accueil*", {}),
    ("note 3*", {}), ("item3* OR item12*", {}), ("integr* NOT item1*", {}), ("back\\slash*", {}),
])
def test_a_prefix_finds_the_same_window_as_its_words_or_as_a_partial_match(hub, monkeypatch, query, filters):
    f = SearchFilters(**filters)
    q, params = search_pg.tsquery(search_module.fts_query(query), f.language)
    assert search_pg._exact_prefixes(hub, q, params) is not None  # the words, each under 128 per prefix
    listed = newest_matches(hub, query, f, 150)
    monkeypatch.setattr(search_pg, "MAX_EXPANSION", 0)  # GIN's partial match
    assert search_pg._exact_prefixes(hub, q, params) is None
    assert listed == newest_matches(hub, query, f, 150)
    assert listed


def test_a_prefix_of_more_words_than_listed_is_left_to_the_partial_match(hub):
    q, params = search_pg.tsquery(search_module.fts_query("item*"), None)
    assert search_pg._exact_prefixes(hub, q, params) is None  # 400 words
    assert len(newest_matches(hub, "item*", SearchFilters(), 500)) == 400
    assert newest_matches(hub, "nothingthere*", SearchFilters(), 10) == []


def test_a_new_version_and_a_restore_keep_the_lexicon_whole(hub, tmp_path):
    _save(hub, 3, "A new version on the Zagreb office.")
    search_module.index_pending(hub)
    assert hub.execute(MISSING).fetchone()[0] == 0
    assert len(newest_matches(hub, "zagr*", SearchFilters(), 10)) == 1
    service.dump(tmp_path / "hub.sqlite3", tmp_path / "hub.zip")
    service.restore(tmp_path / "hub.zip", tmp_path / "restored.sqlite3")
    restored = connect(tmp_path / "restored.sqlite3")
    assert restored.execute("SELECT count(*) FROM passages_fts_lexemes").fetchone()[0] > 400
    assert restored.execute(MISSING).fetchone()[0] == 0
    for query in ("zagr*", "item1*", "integr*"):
        assert newest_matches(restored, query, SearchFilters(), 150) == newest_matches(hub, query, SearchFilters(),
                                                                                         150)
    restored.close()


def test_a_hub_from_before_the_lexicon_gets_it_when_it_is_opened(hub, tmp_path):
    hub.execute("DROP TABLE passages_fts_lexemes")
    hub.execute("DELETE FROM schema_migrations WHERE name = '064_search_lexemes_postgresql.sql'")
    hub.commit()
    reader = connect(tmp_path / "hub.sqlite3", readonly=True)  # migrates nothing: the prefix is a partial match
    assert len(newest_matches(reader, "item1*", SearchFilters(), 150)) == 111
    reader.close()
    again = connect(tmp_path / "hub.sqlite3")  # migrates
    assert again.execute("SELECT count(*) FROM passages_fts_lexemes").fetchone()[0] > 400
    assert again.execute(MISSING).fetchone()[0] == 0
    assert len(newest_matches(again, "item1*", SearchFilters(), 150)) == 111  # item1, item10-19, item100-199
    again.close()


def test_indexing_leaves_no_pending_list_for_searches_to_read(hub):
    _save(hub, 41, "A note on the Zagreb office.")  # saved and indexed
    # the pages of GIN's pending list, which the merge after the batch moved into its tree: none left to move
    assert hub.native("SELECT gin_clean_pending_list('passages_fts_words'::regclass)").fetchone()[0] == 0
    assert len(newest_matches(hub, "zagreb", SearchFilters(), 10)) == 1
