"""The network (/network.json, /network.graphml, GET /api/network and the link pages) shows a curator's work: renamed
records show under their new names and keep the links their documents state, an initiative's curated participants
win over each document's copy, and a record merged into another counts once, as the target, with each document's
passage once. The tests run against their own small hub (three invented documents, ingested through the real
pipeline) by pointing ``MIGRAHUB_DB`` at a fresh copy of it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.test import override_settings
from webhelpers import build_hub, copy_hub, sql

DOCS = {
    "a.md": "# First report\n\nThe Welcoming Cities Programme, led by the Kestrel Valley Migrant Council, has two "
            "member cities, Ghent and Antwerp.\n",
    "b.md": "# Second report\n\nThe Welcoming Cities Programme welcomed new member cities, Ghent and Leuven.\n",
    "c.md": "# Third report\n\nThe Welcome Cities Programme counts two member cities, Ghent and Mechelen.\n",
}
NAMES = {"programme": "Welcoming Cities Programme", "variant": "Welcome Cities Programme",
         "council": "Kestrel Valley Migrant Council", "ghent": "Ghent", "antwerp": "Antwerp", "leuven": "Leuven",
         "mechelen": "Mechelen"}


@pytest.fixture(scope="module")
def built(hub, tmp_path_factory):
    return build_hub(tmp_path_factory.mktemp("network-curated"), DOCS, "network.sqlite3")


@pytest.fixture()
def fresh(built, tmp_path):
    """A copy of the small hub for one test, with the ids of its records, documents and each document's passage."""
    db = copy_hub(built, tmp_path / "network.sqlite3")
    ids = {r["name"]: r["id"] for r in sql(db, "SELECT id, name FROM entities")}
    out = {key: ids[name] for key, name in NAMES.items()}
    for title, key in (("First report", "a"), ("Second report", "b"), ("Third report", "c")):
        doc = sql(db, "SELECT id FROM documents WHERE title = ?", (title,))[0]["id"]
        out[f"doc_{key}"] = doc
        out[f"p_{key}"] = sql(db, "SELECT id FROM passages WHERE document_id = ? AND instr(text, 'Programme') > 0",
                              (doc,))[0]["id"]
    out["db"] = db
    cache.clear()
    with override_settings(MIGRAHUB_DB=db):
        yield out
    cache.clear()


def _graph(client, url="/network.json") -> dict:
    cache.clear()  # the network is cached for a few minutes; the service-level edits do not clear it
    return client.get(url).json()


def _edge(graph: dict, a: int, b: int) -> dict | None:
    return next((e for e in graph["edges"] if {e["source"], e["target"]} == {a, b}), None)


def _labels(graph: dict) -> dict[int, str]:
    return {n["id"]: n["label"] for n in graph["nodes"]}


def test_the_documents_links_before_curation(client, fresh):
    g = _graph(client)
    assert _labels(g)[fresh["programme"]] == NAMES["programme"] and _labels(g)[fresh["variant"]] == NAMES["variant"]
    lead = _edge(g, fresh["programme"], fresh["council"])
    assert set(lead["relations"]) == {"co-mention", "lead"} and lead["passages"] == [fresh["p_a"]]
    ghent = _edge(g, fresh["programme"], fresh["ghent"])
    assert set(ghent["relations"]) == {"co-mention", "participant"}
    assert sorted(ghent["passages"]) == sorted([fresh["p_a"], fresh["p_b"]]) and ghent["weight"] == 2
    assert _edge(g, fresh["variant"], fresh["mechelen"])["passages"] == [fresh["p_c"]]


def test_renamed_records_show_in_the_network_and_keep_their_links(client, fresh):
    from migrahub.services.entities import edit_entity

    edit_entity(fresh["db"], fresh["programme"], "curator", name="Welcoming Cities Exchange")
    edit_entity(fresh["db"], fresh["council"], "curator", name="Kestrel Valley Council for Migrants")
    edit_entity(fresh["db"], fresh["ghent"], "curator", name="Gent")
    for g in (_graph(client), _graph(client, "/api/network")):
        labels = _labels(g)
        assert (labels[fresh["programme"]], labels[fresh["council"]], labels[fresh["ghent"]]) == (
            "Welcoming Cities Exchange", "Kestrel Valley Council for Migrants", "Gent")
        # the documents name the lead and the member city by their old names: the links stay, with their passages
        lead = _edge(g, fresh["programme"], fresh["council"])
        assert set(lead["relations"]) == {"co-mention", "lead"} and lead["passages"] == [fresh["p_a"]]
        ghent = _edge(g, fresh["programme"], fresh["ghent"])
        assert set(ghent["relations"]) == {"co-mention", "participant"}
        assert sorted(ghent["passages"]) == sorted([fresh["p_a"], fresh["p_b"]])
        # a rename alone leaves each document's members as it states them
        antwerp = _edge(g, fresh["programme"], fresh["antwerp"])
        assert set(antwerp["relations"]) == {"co-mention", "participant"} and antwerp["passages"] == [fresh["p_a"]]

    cache.clear()
    r = client.get("/network.graphml")
    assert r.status_code == 200
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    root = ET.fromstring(r.content)
    labels = {n.get("id"): n.find("g:data[@key='label']", ns).text for n in root.findall("g:graph/g:node", ns)}
    assert labels[f"n{fresh['programme']}"] == "Welcoming Cities Exchange"
    assert NAMES["programme"] not in labels.values() and NAMES["council"] not in labels.values()

    detail = client.get(f"/network/links/{fresh['programme']}-{fresh['council']}").content.decode()
    assert "Kestrel Valley Council for Migrants" in detail and "led by the Kestrel Valley Migrant Council" in detail


def test_an_initiatives_curated_members_win_over_each_documents_copy(client, fresh):
    from migrahub.services.entities import edit_entity

    edit_entity(fresh["db"], fresh["programme"], "curator", fields={"participants": ["Ghent", "Antwerp", "Mechelen"]})
    g = _graph(client)
    # the curator dropped Leuven: only the passage that names both links them now
    leuven = _edge(g, fresh["programme"], fresh["leuven"])
    assert leuven["relations"] == ["co-mention"] and leuven["passages"] == [fresh["p_b"]]
    # the members the documents state keep their passages
    assert _edge(g, fresh["programme"], fresh["antwerp"])["passages"] == [fresh["p_a"]]
    assert "participant" in _edge(g, fresh["programme"], fresh["ghent"])["relations"]
    # a member only the curator states is linked, with no passage claimed for it
    mechelen = _edge(g, fresh["programme"], fresh["mechelen"])
    assert mechelen["relations"] == ["participant"] and mechelen["passages"] == [] and mechelen["weight"] == 1


def test_a_merged_initiative_counts_once_as_its_target(client, fresh):
    from migrahub.services import network
    from migrahub.services.entities import merge_entities
    from migrahub.store.database import connect

    merge_entities(fresh["db"], fresh["variant"], fresh["programme"], "curator")
    for g in (_graph(client), _graph(client, "/api/network")):
        assert fresh["variant"] not in _labels(g)
        assert not any(fresh["variant"] in (e["source"], e["target"]) for e in g["edges"])
        ghent = _edge(g, fresh["programme"], fresh["ghent"])
        assert set(ghent["relations"]) == {"co-mention", "participant"}
        assert sorted(ghent["passages"]) == sorted([fresh["p_a"], fresh["p_b"], fresh["p_c"]])
        assert ghent["weight"] == 3  # each document's passage once, however many copies name Ghent
        # the merged record's own members stay linked, by its document's passage
        mechelen = _edge(g, fresh["programme"], fresh["mechelen"])
        assert set(mechelen["relations"]) == {"co-mention", "participant"}
        assert mechelen["passages"] == [fresh["p_c"]] and mechelen["weight"] == 1

    conn = connect(fresh["db"])
    try:
        # the link page of the merged record is the target's, each passage (one per document) listed once
        detail = network.edge_passages(conn, fresh["variant"], fresh["ghent"])
    finally:
        conn.close()
    assert detail["a"]["id"] == fresh["programme"]
    pids = [p["id"] for p in detail["passages"]]
    assert sorted(pids) == sorted([fresh["p_a"], fresh["p_b"], fresh["p_c"]])
    assert sorted(p["document_id"] for p in detail["passages"]) == sorted(
        [fresh["doc_a"], fresh["doc_b"], fresh["doc_c"]])
    r = client.get(f"/network/links/{fresh['programme']}-{fresh['ghent']}")
    assert r.status_code == 200 and r.content.decode().count("counts two member cities, Ghent and Mechelen") == 1
