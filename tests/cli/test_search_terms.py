"""The CLI and the exports search as the web hub does: a plain query's known terms also find their equivalents
(services/synonyms.py), and ``--literal`` (``literal=1`` on the web) searches only the words typed."""

from __future__ import annotations

import json

from click.testing import CliRunner

from migrahub.cli import main
from migrahub.services import documents
from migrahub.services.ingest import ingest
from migrahub.store.database import connect


def _hub(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "housing.txt").write_text("The United Nations High Commissioner for Refugees opened a housing desk "
                                        "with the city of Leuven.\n", encoding="utf-8")
    (folder / "other.txt").write_text("Ghent trains volunteers for its welcome centre.\n", encoding="utf-8")
    db = tmp_path / "hub.sqlite3"
    assert ingest([str(folder)], db, extract_entities=False).added == 2
    return db


def _search(db, *args):
    done = CliRunner().invoke(main, ["--db", str(db), "search", *args])
    assert done.exit_code == 0, done.output
    return done.output


def test_the_cli_finds_an_acronyms_full_name_and_says_so(tmp_path):
    db = _hub(tmp_path)
    hits = json.loads(_search(db, "UNHCR", "--json"))
    assert len(hits) == 1 and hits[0]["title"].startswith("The United Nations High Commissioner")
    shown = _search(db, "UNHCR")
    assert "Also searched for UNHCR: " in shown and "United Nations High Commissioner for Refugees" in shown
    assert json.loads(_search(db, "UNHCR", "--literal", "--json")) == []
    assert "No passages match." in _search(db, "UNHCR", "--literal")


def test_the_export_rows_search_the_same_way(tmp_path):
    db = _hub(tmp_path)
    conn = connect(db)
    try:
        rows = documents.export_rows(conn, documents.Query(q="UNHCR"))
        assert len(rows) == 1 and rows[0]["title"].startswith("The United Nations High Commissioner")
        assert documents.export_rows(conn, documents.Query(q="UNHCR"), literal=True) == []
        # search syntax says exactly what the user wants: nothing is added
        assert documents.expanded(conn, documents.Query(q='"UNHCR"'))[1].used == ()
    finally:
        conn.close()
