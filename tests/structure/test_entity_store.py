"""Records resolved across documents in the hub: one record per real organisation, mentions linked to passages."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from migrahub.services import entities
from migrahub.services.ingest import ingest
from migrahub.store.database import connect

DOCS = {
    "a.txt": "Cities and IOM met in Ghent to discuss reception.\n\nThe meeting was hosted by the city council.",
    "b.md": "# Réunion à Lyon\n\nL'OIM a présenté son programme d'accueil aux villes françaises et belges.",
    "c.txt": "The International Organization for Migration published a guide for local governments in 2021.",
}


@pytest.fixture
def hub(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    db = tmp_path / "hub.sqlite3"
    summary = ingest([str(folder)], db)
    assert summary.ok and summary.added == 3
    return db


def iom(db):
    rows = [r for r in entities.list_entities(db, "organisation")
            if r["record"].get("acronym") == "IOM" or r["name"] == "International Organization for Migration"]
    assert len(rows) == 1, rows
    return rows[0]


def test_iom_oim_and_the_full_name_resolve_to_one_record_with_three_mentions(hub):
    row = iom(hub)
    assert row["mentions"] == 3 and row["documents"] == 3
    mentions = entities.entity_mentions(hub, row["id"])
    assert sorted(m["surface"] for m in mentions) == ["IOM", "International Organization for Migration", "OIM"]
    conn = connect(hub)
    for m in mentions:  # offsets are code points into the stored text, and each mention sits in its passage
        text = conn.execute("SELECT text FROM documents WHERE id = ?", (m["document_id"],)).fetchone()[0]
        assert text[m["start"]:m["end"]] == m["surface"]
        p = conn.execute('SELECT start, "end" FROM passages WHERE id = ?', (m["passage_id"],)).fetchone()
        assert p[0] <= m["start"] and m["end"] <= p[1]


def test_places_are_linked_and_listed(hub):
    names = {r["name"]: r for r in entities.list_entities(hub, "place")}
    assert "Ghent" in names and names["Ghent"]["record"]["country"] == "BE"
    assert names["Ghent"]["record"]["geonames_id"] == 2797656  # GeoNames' Gent
    assert "Lyon" in names


def test_merge_is_kept_for_later_documents_and_logged(hub, tmp_path):
    places = {r["name"]: r["id"] for r in entities.list_entities(hub, "place")}
    entities.merge_entities(hub, places["Lyon"], places["Ghent"], actor="curator-ana")
    later = tmp_path / "later.txt"
    later.write_text("A second meeting took place in Lyon in 2022 with mayors from the region.", encoding="utf-8")
    ingest([str(later)], hub)
    rows = {r["name"]: r for r in entities.list_entities(hub, "place")}
    assert "Lyon" not in rows and rows["Ghent"]["mentions"] == 3
    conn = connect(hub)
    action = conn.execute("SELECT actor, verb, payload FROM actions WHERE verb = 'entity.merge'").fetchone()
    assert action[0] == "curator-ana" and json.loads(action[2]) == {"into": places["Ghent"]}


def test_split_moves_mentions_to_a_new_record(hub):
    row = iom(hub)
    new_id = entities.split_entity(hub, row["id"], ["OIM"], "Organisation internationale (split)", "curator-ana")
    assert entities.entity_mentions(hub, new_id)[0]["surface"] == "OIM"
    assert iom(hub)["mentions"] == 2


def test_merge_errors_are_clear(hub):
    places = entities.list_entities(hub, "place")
    orgs = entities.list_entities(hub, "organisation")
    with pytest.raises(ValueError, match="cannot merge a places record into a organisations"):
        entities.merge_entities(hub, places[0]["id"], orgs[0]["id"], "x")
    with pytest.raises(ValueError, match="no entity with id 999999"):
        entities.merge_entities(hub, 999999, orgs[0]["id"], "x")
    entities.merge_entities(hub, places[1]["id"], places[0]["id"], "x")
    with pytest.raises(ValueError, match=f"entity {places[1]['id']} was already merged into {places[0]['id']}"):
        entities.merge_entities(hub, places[1]["id"], places[2]["id"], "x")


def test_split_and_edit_errors_name_the_field(hub):
    row = iom(hub)
    with pytest.raises(ValueError, match="^surfaces: give at least one surface"):
        entities.split_entity(hub, row["id"], ["", "  "], "New", "x")
    with pytest.raises(ValueError, match="^name: the new record needs a name"):
        entities.split_entity(hub, row["id"], ["OIM"], " ", "x")
    with pytest.raises(ValueError, match="^fields.key: the key is the extractor's"):
        entities.edit_entity(hub, row["id"], "x", fields={"key": "other"})
    with pytest.raises(ValueError, match="^fields.name: set the name with `name`"):
        entities.edit_entity(hub, row["id"], "x", fields={"name": "other"})
    assert iom(hub)["mentions"] == row["mentions"]  # nothing moved


def test_cli_extract_prints_one_schema_object_per_file(tmp_path):
    doc = tmp_path / "note.txt"
    doc.write_text(DOCS["c.txt"], encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "migrahub", "extract", "--json", str(doc)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert record["doc"] == "note.txt"
    assert set(record) == {"doc", "places", "organisations", "initiatives", "events", "practices", "people",
                           "resources"}
    assert any(o.get("acronym") == "IOM" or o["name"] == "International Organization for Migration"
               for o in record["organisations"])


def test_search_filters_by_mentioned_entity_and_country(hub):
    from migrahub.store.search import SearchFilters, search

    places = {r["name"]: r["id"] for r in entities.list_entities(hub, "place")}
    conn = connect(hub)
    everywhere = {h.document_id for h in search(conn, "city OR villes OR programme OR guide")}
    in_ghent = {h.document_id for h in search(conn, "city OR villes OR programme OR guide",
                                               SearchFilters(mentioning=(places["Ghent"],)))}
    in_france = {h.document_id for h in search(conn, "city OR villes OR programme OR guide",
                                                SearchFilters(country="fr"))}
    assert len(everywhere) >= 2 and in_ghent and in_ghent < everywhere
    assert in_france and in_france.isdisjoint(in_ghent)


def test_record_counts_leave_out_older_versions_and_match_a_plain_count(tmp_path):
    """Counted from indexes (every document less the older versions): equal to counting current documents row by
    row, and a record mentioned only in a replaced version drops out."""
    from migrahub.services import entity_pages

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Ghent and Antwerp opened welcome desks. Ghent also hosted IOM.", encoding="utf-8")
    (folder / "b.txt").write_text("Ghent and Lyon exchanged staff on housing for newcomers.", encoding="utf-8")
    db = tmp_path / "hub.sqlite3"
    assert ingest([str(folder)], db).added == 2
    (folder / "a.txt").write_text("Ghent opened a welcome desk for newcomers.", encoding="utf-8")
    assert ingest([str(folder)], db).versions == 1
    conn = connect(db)
    plain = {row[0]: (row[1], row[2]) for row in conn.execute(
        "SELECT m.entity_id, count(DISTINCT m.document_id), count(*) FROM mentions m JOIN documents d "
        "ON d.id = m.document_id WHERE d.superseded = 0 GROUP BY m.entity_id")}
    counts = entity_pages.mention_counts(conn)
    assert counts == plain
    names = {row[0]: row[1] for row in conn.execute("SELECT id, name FROM entities")}
    by_name = {names[eid]: value for eid, value in counts.items()}
    assert by_name["Ghent"][0] == 2 and "Antwerp" not in by_name
    total, page = entity_pages.browse(conn, category="places", limit=10)
    assert [r["name"] for r in page][:1] == ["Ghent"] and page[0]["documents"] == 2
    assert next(r for r in page if r["name"] == "Antwerp")["documents"] == 0
    conn.close()


def test_an_organisation_merges_into_an_initiative_and_later_documents_follow(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "icc.txt").write_text("The Intercultural Cities programme (ICC) helps cities review their policies. "
                                    "The Council of Europe runs it with member cities.", encoding="utf-8")
    db = tmp_path / "hub.sqlite3"
    assert ingest([str(folder)], db).added == 1
    initiative = next(r for r in entities.list_entities(db, "initiative") if "Intercultural Cities" in r["name"])
    org = next(r for r in entities.list_entities(db, "organisation") if r["name"] == "Council of Europe")
    entities.merge_entities(db, org["id"], initiative["id"], actor="curator-ana")
    later = tmp_path / "later.txt"
    later.write_text("In 2023 the Council of Europe published a review of migrant inclusion in Bergamo.",
                     encoding="utf-8")
    ingest([str(later)], db)
    assert "Council of Europe" not in {r["name"] for r in entities.list_entities(db, "organisation")}
    after = next(r for r in entities.list_entities(db, "initiative") if r["id"] == initiative["id"])
    assert after["mentions"] == initiative["mentions"] + 2 and after["name"] == initiative["name"]
    assert after["record"] == initiative["record"]  # the organisation's fields did not overwrite the initiative's
    conn = connect(db)
    payload = json.loads(conn.execute("SELECT payload FROM actions WHERE verb = 'entity.merge'").fetchone()[0])
    assert payload == {"into": initiative["id"], "from_category": "organisations", "into_category": "initiatives"}
