"""How the store's statements run on PostgreSQL (``store/postgres.py``): parameters bound by the server and sent
untyped, a statement run again prepared (planned once), the search's own statements planned for each query."""

from __future__ import annotations

import pytest

from migrahub.model import Block, Extracted
from migrahub.pipeline.normalize import normalize
from migrahub.sources import SourceResult
from migrahub.store import documents as store
from migrahub.store import postgres
from migrahub.store import search as search_module
from migrahub.store.database import connect, has_table
from migrahub.store.search import SearchFilters, newest_matches

pytestmark = pytest.mark.postgresql_only("prepared statements and server-side parameters are PostgreSQL's; SQLite "
                                         "keeps its own statement cache")

PREPARED = "SELECT statement FROM pg_prepared_statements"


@pytest.fixture
def hub(tmp_path):
    conn = connect(tmp_path / "hub.sqlite3")
    for n in range(3):
        locator = f"notes/{n}.md"
        sid = store.upsert_source(conn, SourceResult(source=locator, kind="file", status="ok"))
        d = normalize(Extracted(locator=locator, source=locator, source_kind="file", content_type="text/markdown",
                                blocks=(Block("paragraph", f"The city council welcomes newcomers, note {n}."),),
                                language_hint="en", published="2024-05-01"))
        store.save_document(conn, d, sid)
    search_module.index_pending(conn)
    yield conn
    conn.close()


def _prepared(conn) -> list[str]:
    return [" ".join(row[0].split()) for row in conn.raw.execute(PREPARED).fetchall()]


def test_a_statement_run_again_is_prepared_once(hub):
    sql = "SELECT title FROM documents WHERE id = ? AND language = ?"
    for _ in range(postgres.PREPARE_AFTER + 2):
        assert hub.execute(sql, (1, "en")).fetchone() is not None
    mine = [s for s in _prepared(hub) if "FROM documents WHERE id = $1 AND language = $2" in s]
    assert len(mine) == 1


def test_the_searchs_own_statements_are_planned_for_each_query(hub):
    for _ in range(postgres.PREPARE_AFTER + 2):
        assert newest_matches(hub, "council", SearchFilters(), 10)
    assert not [s for s in _prepared(hub) if "passages_fts" in s]


@pytest.mark.parametrize(("value", "expected"), [(None, 3), (1, 1), ("2", 1), ("en", 0)])
def test_an_untyped_parameter_is_tested_for_null_and_compared_as_sqlite_would(hub, value, expected):
    sql = "SELECT count(*) FROM documents WHERE ? IS NULL OR CAST(id AS TEXT) = ?"
    for _ in range(postgres.PREPARE_AFTER + 1):  # the same answers once prepared
        assert hub.execute(sql, (value, None if value is None else str(value))).fetchone()[0] == expected


def test_a_string_compares_with_an_integer_column(hub):
    for _ in range(postgres.PREPARE_AFTER + 1):
        assert hub.execute("SELECT count(*) FROM documents WHERE id = ?", ("2",)).fetchone()[0] == 1


def test_a_table_found_is_remembered_and_a_missing_one_asked_again(hub):
    assert not has_table(hub, "notes_of_the_curators")
    hub.execute("CREATE TABLE notes_of_the_curators (id INTEGER PRIMARY KEY)")
    assert has_table(hub, "notes_of_the_curators")
    assert "notes_of_the_curators" in hub.tables_found
    assert has_table(hub, "documents")


def test_nothing_is_prepared_when_the_setting_is_off(hub, monkeypatch):
    monkeypatch.setenv("MIGRAHUB_DB_PREPARED", "off")
    conn = postgres.Connection(hub.url)
    try:
        for _ in range(postgres.PREPARE_AFTER + 2):
            assert conn.execute("SELECT title FROM documents WHERE id = ?", (1,)).fetchone() is not None
        assert _prepared(conn) == []
    finally:
        conn.close()
