"""Practice library, events calendar, network view and exports, entity facets in search, charts, and who may see
them. The documents are ingested through the real pipeline (fixtures/library); their records (practices, events,
an initiative with lead and participants, places, an organisation) are stored with mentions at the real offsets of
the surface strings, so every assertion is about records whose truth we know."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from lxml import etree
from webhelpers import FIXTURES, assert_inert, doc_id

from tests.backends.postgresql import open_hub

GRAPHML = "http://graphml.graphdrawing.org/xmlns"
GEXF = "http://gexf.net/1.3"


def _store(db, category: str, name: str, records: dict[int, dict], surfaces: list[str]) -> int:
    """Store one entity (reusing the one extraction made at ingest under the same name, if any) with the given
    per-document records and a mention at every occurrence of each surface (unless extraction stored some)."""
    conn = open_hub(db)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    with conn:
        data = json.dumps(next(iter(records.values())))
        found = conn.execute("SELECT id FROM entities WHERE category = ? AND name = ? AND merged_into IS NULL",
                             (category, name)).fetchone()
        eid = found[0] if found else conn.execute(
            "INSERT INTO entities(category, name, data, created_at, updated_at) VALUES (?,?,?,?,?)",
            (category, name, data, stamp, stamp)).lastrowid
        conn.execute("UPDATE entities SET data = ? WHERE id = ?", (data, eid))
        for did, record in records.items():
            conn.execute("INSERT OR REPLACE INTO entity_records(entity_id, document_id, data) VALUES (?,?,?)",
                         (eid, did, json.dumps(record)))
            text = conn.execute("SELECT text FROM documents WHERE id = ?", (did,)).fetchone()[0]
            if conn.execute("SELECT 1 FROM mentions WHERE entity_id = ? AND document_id = ?", (eid, did)).fetchone():
                continue
            for surface in surfaces:
                for m in re.finditer(re.escape(surface), text):
                    pid = conn.execute('SELECT id FROM passages WHERE document_id = ? AND start <= ? AND "end" >= ?',
                                       (did, m.start(), m.end())).fetchone()[0]
                    conn.execute('INSERT INTO mentions(entity_id, document_id, passage_id, start, "end", surface, '
                                 "stage) VALUES (?,?,?,?,?,?, 'test')", (eid, did, pid, m.start(), m.end(), surface))
    conn.close()
    return eid


@pytest.fixture(scope="module")
def lib(hub):
    from migrahub.services.ingest import ingest

    ingest([str(FIXTURES / "library")], hub.db)
    v, q = doc_id(hub, "Velmora welcome practices"), doc_id(hub, "Quillport and the Open Doors Compact")
    ids = {"v_doc": v, "q_doc": q}
    place = lambda name: {"name": name, "type": "city", "country": "PT", "surface": [name]}  # noqa: E731
    ids["velmora"] = _store(hub.db, "places", "Velmora", {v: place("Velmora"), q: place("Velmora")}, ["Velmora"])
    ids["quillport"] = _store(hub.db, "places", "Quillport", {q: place("Quillport")}, ["Quillport"])
    ids["lantern"] = _store(hub.db, "organisations", "Lantern Aid Network",
                            {d: {"name": "Lantern Aid Network", "acronym": None, "kind": "ngo", "country": "PT",
                                 "surface": ["Lantern Aid Network"]} for d in (v, q)}, ["Lantern Aid Network"])
    compact = {"name": "Open Doors Compact", "acronym": None, "kind": "network", "lead": ["Lantern Aid Network"],
               "funders": [], "participants": ["Quillport", "Velmora"], "period": None,
               "surface": ["Open Doors Compact"]}
    ids["compact"] = _store(hub.db, "initiatives", "Open Doors Compact", {q: compact, v: {**compact, "lead": [],
                                                                                          "participants": []}},
                            ["Open Doors Compact"])
    ids["school"] = _store(hub.db, "practices", "Velmora night school", {v: {
        "title": "Velmora night school", "places": ["Velmora"], "actors": ["Velmora City Council"],
        "summary": "The city runs a night school for undocumented workers and their children.",
        "evidence": "Velmora City Council runs a night school for undocumented workers"}}, [])
    ids["advice"] = _store(hub.db, "practices", "Legal advice in the library", {q: {
        "title": "Legal advice in the library", "places": ["Quillport"], "actors": [],
        "summary": "Legal advice for refugee women at the city library.",
        "evidence": "Quillport offers legal advice to refugee women"}}, [])
    ids["meeting"] = _store(hub.db, "events", "Open Doors Compact meeting", {v: {
        "title": "Open Doors Compact meeting", "date_start": "2021-03", "date_end": None, "place": "Velmora",
        "country": "PT", "organisers": ["Lantern Aid Network", "Velmora City Council"], "participants_count": None,
        "evidence": "The Open Doors Compact met in Velmora in March 2021"}}, ["The Open Doors Compact met"])
    ids["forum"] = _store(hub.db, "events", "Open Doors Compact annual forum", {q: {
        "title": "Open Doors Compact annual forum", "date_start": "2022", "date_end": None, "place": "Quillport",
        "country": "PT", "organisers": [], "participants_count": 120,
        "evidence": "The Open Doors Compact annual forum took place"}}, ["The Open Doors Compact annual forum"])
    from django.core.cache import cache

    cache.clear()  # the network is cached for a few minutes
    return ids


def _passage_text(hub, pid: int) -> str:
    conn = open_hub(hub.db)
    try:
        return conn.execute("SELECT text FROM passages WHERE id = ?", (pid,)).fetchone()[0]
    finally:
        conn.close()


# practice library -------------------------------------------------------------------------------------------------

def test_practice_library_lists_records_linked_to_their_passages(client, lib, hub):
    r = client.get("/practices")
    assert r.status_code == 200
    html = r.content.decode()
    assert_inert(html)
    assert "Velmora night school" in html and "Legal advice in the library" in html
    link = re.search(rf'href="/documents/{lib["v_doc"]}#p-(\d+)">Velmora night school', html)
    assert link, "the practice links to its passage"
    assert "night school for undocumented workers" in _passage_text(hub, int(link.group(1)))
    assert f'href="/entities/{lib["velmora"]}"' in html  # its place links to the place page


def test_practice_library_filters_country_city_and_target_group(client, lib):
    html = client.get("/practices").content.decode()
    assert re.search(r'href="/practices\?country=PT"[^>]*>.*?PT.*?<span class="count">2<', html, re.S)
    html = client.get("/practices", {"country": "PT"}).content.decode()
    # country chosen: its cities become a facet, each a toggle that keeps the country
    assert f'href="/practices?country=PT&amp;city={lib["quillport"]}"' in html
    html = client.get("/practices", {"country": "PT", "city": lib["quillport"]}).content.decode()
    assert "Legal advice in the library" in html and "Velmora night school" not in html
    html = client.get("/practices", {"group": "undocumented"}).content.decode()
    assert "Velmora night school" in html and "Legal advice in the library" not in html
    html = client.get("/practices", {"group": "women"}).content.decode()
    assert "Legal advice in the library" in html and "Velmora night school" not in html
    assert 'aria-current="true"' in html  # the chosen value is marked; its link removes it


def test_practice_groups_recognise_target_groups():
    from migrahub.services.practices import groups_of

    assert groups_of("Schools for unaccompanied minors and their families") == ["children", "families", "students"]
    assert groups_of("Clinics for people with irregular status") == ["undocumented"]
    assert groups_of("A library") == []


# events ------------------------------------------------------------------------------------------------------------

def test_events_calendar_groups_by_month_and_draws_a_timeline(client, lib):
    r = client.get("/events")
    assert r.status_code == 200
    html = r.content.decode()
    assert_inert(html)
    assert re.search(r"<h3[^>]*>March 2021</h3>.*?Open Doors Compact meeting", html, re.S)
    assert re.search(r"<h3[^>]*>2022 \(month not stated\)</h3>.*?Open Doors Compact annual forum", html, re.S)
    assert "organised by Lantern Aid Network, Velmora City Council" in html and "120 participants" in html
    svg = re.search(r'<svg data-chart="hub".*?</svg>', html, re.S).group(0)
    assert "<title" in svg and "<desc" in svg and "Open Doors Compact meeting" in svg
    html = client.get("/events", {"year": "2021"}).content.decode()
    assert "Open Doors Compact meeting" in html and "annual forum" not in html


def test_partial_dates_parse():
    from migrahub.services.events import parse_date

    assert parse_date("2019-08-??") == (2019, 8)
    assert parse_date("2019") == (2019, None)
    assert parse_date("2019-13") == (2019, None)
    assert parse_date("sometime") == (None, None)


# network -----------------------------------------------------------------------------------------------------------

def _edge(graph_edges, a, b):
    return next((e for e in graph_edges if {e["source"], e["target"]} == {a, b}), None)


def test_network_json_has_co_mention_and_participant_edges_with_passages(client, lib, hub):
    data = client.get("/network.json").json()
    ids = {n["id"] for n in data["nodes"]}
    assert {lib["velmora"], lib["quillport"], lib["lantern"], lib["compact"]} <= ids
    assert lib["school"] not in ids  # practices are not nodes
    co = _edge(data["edges"], lib["velmora"], lib["lantern"])
    assert co and "co-mention" in co["relations"] and co["weight"] == len(co["passages"]) >= 1
    for pid in co["passages"]:
        text = _passage_text(hub, pid)
        assert "Velmora" in text and "Lantern Aid Network" in text
    lead = _edge(data["edges"], lib["compact"], lib["lantern"])
    assert lead and "lead" in lead["relations"]
    part = _edge(data["edges"], lib["compact"], lib["quillport"])
    assert part and "participant" in part["relations"] and part["passages"]
    assert client.get("/network.json", {"min_weight": "1000"}).json()["edges"] == []


def test_graphml_export_parses_and_edges_carry_passage_ids(client, lib):
    r = client.get("/network.graphml")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    root = etree.fromstring(r.content)
    assert root.tag == f"{{{GRAPHML}}}graphml"
    ns = {"g": GRAPHML}
    keys = {k.get("id"): k.get("attr.name") for k in root.findall("g:key", ns)}
    assert {"label", "weight", "passages", "relations"} <= set(keys)
    nodes = {n.get("id"): n for n in root.findall("g:graph/g:node", ns)}
    velmora = nodes[f"n{lib['velmora']}"]
    assert velmora.find("g:data[@key='label']", ns).text == "Velmora"
    edges = root.findall("g:graph/g:edge", ns)
    assert edges and all(e.get("source") in nodes and e.get("target") in nodes for e in edges)
    for e in edges:
        assert re.fullmatch(r"\d+( \d+)*", e.find("g:data[@key='passages']", ns).text or "")
    ends = {frozenset((e.get("source"), e.get("target"))) for e in edges}
    assert frozenset((f"n{lib['velmora']}", f"n{lib['lantern']}")) in ends


def test_gexf_export_parses_with_the_1_3_namespace(client, lib):
    r = client.get("/network.gexf")
    assert r.status_code == 200
    root = etree.fromstring(r.content)
    assert root.tag == f"{{{GEXF}}}gexf" and root.get("version") == "1.3"
    ns = {"x": GEXF}
    graph = root.find("x:graph", ns)
    assert graph.get("defaultedgetype") == "undirected"
    nodes = {n.get("id"): n.get("label") for n in graph.findall("x:nodes/x:node", ns)}
    assert nodes[str(lib["quillport"])] == "Quillport"
    edges = graph.findall("x:edges/x:edge", ns)
    assert edges
    for e in edges:
        assert e.get("source") in nodes and e.get("target") in nodes and float(e.get("weight")) >= 1
        passages = e.find("x:attvalues/x:attvalue[@for='passages']", ns)
        assert passages is not None and re.fullmatch(r"\d+( \d+)*", passages.get("value"))


def test_serialisers_escape_names_and_drop_control_characters():
    from migrahub.services import network

    g = network.Graph([network.Node(1, 'A & <B> "C"\x01', "organisations", "ngo", None, 1),
                       network.Node(2, "Zürich", "places", "city", "CH", 1)],
                      [network.Edge(1, 2, 1, {"co-mention"}, [7])])
    for text in (network.to_graphml(g), network.to_gexf(g)):
        root = etree.fromstring(text.encode())
        assert 'A & <B> "C"' in etree.tostring(root, encoding="unicode", method="xml").replace("&amp;", "&") \
            .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')


def test_network_page_edge_page_and_api(client, lib):
    r = client.get("/network")
    html = r.content.decode()
    assert r.status_code == 200
    assert_inert(html)
    assert '<script src="/static/web/network.js" defer></script>' in html
    assert 'data-src="/network.json"' in html and 'href="/network.gexf"' in html and 'href="/network.graphml"' in html
    a, b = sorted((lib["velmora"], lib["lantern"]))
    assert f'href="/network/links/{a}-{b}"' in html  # the table of links (no JavaScript needed)
    edge = client.get(f"/network/links/{a}-{b}").content.decode()
    assert_inert(edge)
    assert re.search(rf'href="/documents/{lib["v_doc"]}#p-\d+"', edge) and "Lantern Aid Network" in edge
    participant = client.get(f"/network/links/{lib['compact']}-{lib['quillport']}").content.decode()
    assert "participant" in participant or "co-mention" in participant
    assert client.get("/network/links/999998-999999").status_code == 404
    api = client.get("/api/network").json()
    assert _edge(api["edges"], lib["velmora"], lib["lantern"])
    assert etree.fromstring(client.get("/api/network", {"format": "gexf"}).content).tag == f"{{{GEXF}}}gexf"
    assert client.get("/api/practices", {"group": "women"}).json()["count"] >= 1
    assert any(e["title"] == "Open Doors Compact meeting" for e in client.get("/api/events").json()["items"])


def test_network_script_is_a_local_static_file(client):
    from django.contrib.staticfiles import finders

    path = finders.find("web/network.js")
    assert path
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    assert "eval(" not in source and "innerHTML" not in source and "http" not in source.replace(
        "http://www.w3.org/2000/svg", "")


# search facets ------------------------------------------------------------------------------------------------------

def test_search_facets_for_country_city_organisation_initiative(client, lib):
    html = client.get("/", {"q": "Compact"}).content.decode()
    assert re.search(r'href="/\?q=Compact&amp;country=PT"[^>]*>.*?<span class="count">2<', html, re.S)
    assert re.search(rf'href="/\?q=Compact&amp;org={lib["lantern"]}"[^>]*>.*?Lantern Aid Network.*?'
                     r'<span class="count">2<', html, re.S)
    assert f'href="/?q=Compact&amp;initiative={lib["compact"]}"' in html
    html = client.get("/", {"q": "Compact", "country": "PT"}).content.decode()
    assert f'href="/?q=Compact&amp;country=PT&amp;place={lib["quillport"]}"' in html  # cities of the country


def test_entity_facet_filters_results_and_the_url_is_shareable(client, lib):
    html = client.get("/", {"q": "Compact", "place": lib["quillport"]}).content.decode()
    assert "Quillport and the Open Doors Compact" in html and "Velmora welcome practices" not in html
    assert re.search(r'aria-current="true" class="selected"', html)
    assert f'<input type="hidden" name="place" value="{lib["quillport"]}">' in html  # kept by the next search
    browse = client.get("/", {"org": lib["lantern"]}).content.decode()
    assert "Velmora welcome practices" in browse and "Municipal ID cards" not in browse
    assert client.get("/", {"place": "x1"}).status_code == 400
    assert client.get("/", {"country": "Portugal"}).status_code == 400


# entity page: charts and pagination ---------------------------------------------------------------------------------

def test_entity_page_has_accessible_charts_with_table_fallback(client, lib):
    html = client.get(f"/entities/{lib['velmora']}").content.decode()
    assert_inert(html)
    # a chart whose labels link to records is a group (an image cannot hold links: axe's nested-interactive)
    svgs = re.findall(r'<svg data-chart="hub" class="chart" role="(?:img|group)" aria-labelledby="([^"]+)"', html)
    assert svgs
    assert re.search(r"<title id=\"orgs-chart-t\">Organisations most often mentioned with Velmora</title>", html)
    assert re.search(r"<th scope=\"col\">Organisation</th>.*?Lantern Aid Network", html, re.S)  # the table
    assert f'href="/?place={lib["velmora"]}"' in html  # search within its documents


def test_entity_page_paginates_documents(client, lib, hub):
    from migrahub.services import entity_pages
    from migrahub.services.documents import reader

    record = entity_pages.entity(reader(hub.db), lib["lantern"], page=1, per_page=1)
    assert record["document_count"] == 2 and len(record["documents"]) == 1
    second = entity_pages.entity(reader(hub.db), lib["lantern"], page=2, per_page=1)
    assert second["documents"][0]["id"] != record["documents"][0]["id"]
    assert client.get(f"/entities/{lib['lantern']}", {"page": "2"}).status_code == 200


def test_stats_like_chart_labels_are_escaped():
    from migrahub.web import charts

    svg = charts.bars("x", "Top <b>", [("<script>alert(1)</script>", 3, "/entities/1")])
    assert "<script>" not in svg and "&lt;script&gt;" in svg and 'role="group"' in svg


# roles --------------------------------------------------------------------------------------------------------------

NEW_PAGES = ("/practices", "/events", "/network", "/network.json", "/network.graphml", "/network.gexf")


@pytest.mark.parametrize("role", ["reader", "coder", "curator", "admin"])
def test_every_role_can_view_the_new_pages(login, lib, role):
    c = login(role)
    for url in NEW_PAGES:
        assert c.get(url).status_code == 200, url


def test_new_pages_are_read_only_and_follow_the_read_rule(client, login, lib, hub):
    from django.test import override_settings

    curator = login("curator")
    for url in NEW_PAGES:
        assert curator.post(url).status_code in (403, 405), url  # nothing here writes, not even for curators
    with override_settings(MIGRAHUB_ANONYMOUS_READ=False):
        for url in NEW_PAGES:
            r = client.get(url)
            assert r.status_code == 302 and r["Location"].startswith("/accounts/login/"), url
        assert client.get("/api/network").status_code == 401
        assert login("reader").get("/practices").status_code == 200
    assert login("reader").get("/curate/ingest").status_code == 403  # writing stays with curators
    assert login("curator").get("/curate/ingest").status_code == 200


def test_stats_page_charts_top_cities_and_organisations(client, lib):
    from django.core.cache import cache

    cache.clear()
    html = client.get("/stats").content.decode()
    assert_inert(html)
    assert '<svg data-chart="hub" class="chart" role="group" aria-labelledby="top-places-t top-places-d"' in html
    assert re.search(r'<title id="top-orgs-t">Organisations mentioned in the most documents</title>', html)
    assert re.search(rf'<td><a href="/entities/{lib["lantern"]}">Lantern Aid Network</a></td><td>2</td>', html)
