"""Entity facet names are cached per web process; a curator's edit made in another process (here: another
connection) must show on the next request, not after a restart."""

from migrahub.services import documents as docs
from migrahub.services.entities import edit_entity, merge_entities
from migrahub.services.ingest import ingest
from migrahub.store.database import connect

IOM = "International Organization for Migration"
UNHCR = "Office of the United Nations High Commissioner for Refugees"


def test_edits_and_merges_elsewhere_refresh_the_cached_facet_names(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.md").write_text("# Reception\n\nThe International Organization for Migration (IOM) and UNHCR "
                                 "opened a reception centre in Ghent with the city council.\n", encoding="utf-8")
    (folder / "b.md").write_text("# Housing\n\nUNHCR and IOM reviewed housing for refugees in Ghent and "
                                 "Antwerp.\n", encoding="utf-8")
    db = tmp_path / "hub.sqlite3"
    assert ingest([str(folder)], db).ok
    conn = connect(db)
    query = docs.Query(q="Ghent")
    ids = [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY id")]

    def organisations():
        return {name: (eid, n) for eid, name, n in docs.entity_facets(conn, query, ids)["organisations"]}

    before = organisations()
    assert {IOM, UNHCR} <= set(before), before
    iom, unhcr = before[IOM][0], before[UNHCR][0]

    edit_entity(db, unhcr, "curator", name="UN Refugee Agency (UNHCR)")  # its own connection, as another process
    assert organisations()["UN Refugee Agency (UNHCR)"] == (unhcr, 2)
    assert UNHCR not in organisations()

    merge_entities(db, iom, unhcr, "curator")
    assert organisations() == {"UN Refugee Agency (UNHCR)": (unhcr, 2)}
    conn.close()


def test_entity_facets_count_documents_once_per_record_and_per_country(tmp_path):
    """Two documents mention Ghent (one of them twice) and Antwerp: Belgium counts two documents, not four mentions."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.md").write_text("# Ghent\n\nGhent opened a welcome desk. In Ghent the city council and Antwerp "
                                 "shared their plans.\n", encoding="utf-8")
    (folder / "b.md").write_text("# Ghent again\n\nThe council of Ghent reviewed housing for refugees.\n",
                                 encoding="utf-8")
    db = tmp_path / "hub.sqlite3"
    assert ingest([str(folder)], db).ok
    conn = connect(db)
    ids = [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY id")]
    counted = docs.entity_facets(conn, docs.Query(q="Ghent"), ids)
    places = {name: n for _, name, n in counted["places"]}
    assert places["Ghent"] == 2 and places["Antwerp"] == 1
    assert dict((code, n) for code, _, n in counted["countries"])["BE"] == 2
    assert counted["documents"] == 2
    conn.close()
