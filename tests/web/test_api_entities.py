"""REST API for entity records (list, read, edit, merge, split) and codebook uploads, by role.

These tests run the API against their own small hubs (ingested through the real pipeline from three invented
documents) by pointing ``MIGRAHUB_DB`` at them, so their edits and merges touch nothing the shared hub's tests read;
accounts and tokens stay in the shared hub's Django tables."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from webhelpers import build_hub, sql

NORTHMOOR = "Northmoor Refugee Welcome Association"
COUNCIL = "Kestrel Valley Migrant Council"
AKVM = "Association of Kestrel Valley Municipalities"
DOCS = {
    "a.md": f"# Reception desks\n\nThe {NORTHMOOR} and the {COUNCIL} opened reception desks in Ghent and Antwerp "
            "in 2021.\n",
    "b.md": f"# Housing review\n\nThe {NORTHMOOR} reviewed housing for refugees in Ghent with the city council.\n",
    "c.md": f"# Language courses\n\nThe {AKVM} (AKVM) runs language courses in Tampere. AKVM members share "
            "teachers.\n",
}
CODEBOOK = """\
name: Test reception codebook
version: "0.2"
language: en
codes:
  - id: RECEPTION
    name: Reception
    description: How newcomers are received.
    children:
      - id: RECEPTION.DESK
        name: Reception desks
        description: A desk or office where newcomers get first advice.
      - id: RECEPTION.HOUSING
        name: Housing
        description: Finding and reviewing housing for newcomers.
"""


def _ids(db: Path) -> dict[str, int]:
    return {r["name"]: r["id"] for r in sql(db, "SELECT id, name FROM entities WHERE merged_into IS NULL")}


@pytest.fixture(scope="module")
def read_db(hub, tmp_path_factory):
    """A small hub that only the read tests use (never written to)."""
    return build_hub(tmp_path_factory.mktemp("entities-read"), DOCS, "entities.sqlite3")


@pytest.fixture()
def reading(read_db):
    with override_settings(MIGRAHUB_DB=read_db):
        yield read_db


@pytest.fixture()
def fresh(hub, tmp_path):
    """A fresh small hub for one test that writes."""
    db = build_hub(tmp_path, DOCS, "entities.sqlite3")
    with override_settings(MIGRAHUB_DB=db):
        yield db


def _auth(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# reading ----------------------------------------------------------------------------------------------------------

def test_schema_lists_the_entity_and_codebook_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"get"} <= set(paths["/api/entities"]) and {"get", "patch"} <= set(paths["/api/entities/{entity_id}"])
    assert "post" in paths["/api/entities/{entity_id}/merge"] and "post" in paths["/api/entities/{entity_id}/split"]
    assert {"get", "post"} <= set(paths["/api/codebooks"])


def test_entity_list_filters_by_type_name_and_country(client, reading):
    orgs = client.get("/api/entities", {"type": "organisation"}).json()
    assert orgs["count"] == 3 and {i["type"] for i in orgs["items"]} == {"organisations"}
    first = orgs["items"][0]
    assert (first["name"], first["documents"], first["mentions"]) == (NORTHMOOR, 2, 2)
    assert first["record"]["kind"] == "ngo" and set(first) == {"id", "type", "name", "mentions", "documents", "record"}
    assert client.get("/api/entities", {"type": "organisations"}).json() == orgs  # plural or singular
    kestrel = client.get("/api/entities", {"q": "KESTREL valley"}).json()
    assert sorted(i["name"] for i in kestrel["items"]) == [AKVM, COUNCIL] and kestrel["count"] == 2
    finland = client.get("/api/entities", {"country": "fi"}).json()
    assert [(i["name"], i["type"], i["record"]["country"]) for i in finland["items"]] == [("Tampere", "places", "FI")]
    places_be = client.get("/api/entities", {"type": "place", "country": "BE"}).json()
    assert [i["name"] for i in places_be["items"]] == ["Ghent", "Antwerp"]  # most documents first


def test_entity_list_pages_in_a_stable_order(client, reading):
    everything = client.get("/api/entities", {"limit": 100}).json()
    # three places, three organisations, and the two practices the prose describes (desks, courses)
    assert everything["count"] == 8 == len(everything["items"])
    assert sum(i["type"] == "practices" for i in everything["items"]) == 2
    seen = []
    for offset in (0, 3, 6):
        page = client.get("/api/entities", {"limit": 3, "offset": offset}).json()
        assert (page["limit"], page["offset"], page["count"]) == (3, offset, 8)
        seen += [i["id"] for i in page["items"]]
    assert seen == [i["id"] for i in everything["items"]]


def test_entity_list_refuses_bad_filters_by_name(client, reading):
    r = client.get("/api/entities", {"type": "planets"})
    assert r.status_code == 400 and r.json()["detail"].startswith("type: unknown entity type 'planets'")
    assert client.get("/api/entities", {"limit": 1000}).status_code == 422
    assert client.get("/api/entities", {"offset": -1}).status_code == 422


def test_entity_detail_has_documents_passages_and_related_records(client, reading):
    ids = _ids(reading)
    data = client.get(f"/api/entities/{ids[NORTHMOOR]}").json()
    assert (data["name"], data["type"], data["document_count"], data["merged_into"]) == (
        NORTHMOOR, "organisations", 2, None)
    assert {d["title"] for d in data["documents"]} == {"Reception desks", "Housing review"}
    for doc in data["documents"]:
        passage = doc["passages"][0]
        assert [passage["text"][s:e] for s, e in passage["spans"]] == [NORTHMOOR]
    related = {r["name"]: r["shared"] for r in data["related"]}
    assert related["Ghent"] == 2 and related[COUNCIL] == 1 and AKVM not in related
    one = client.get(f"/api/entities/{ids[NORTHMOOR]}", {"limit": 1}).json()
    other = client.get(f"/api/entities/{ids[NORTHMOOR]}", {"limit": 1, "offset": 1}).json()
    assert len(one["documents"]) == len(other["documents"]) == 1 and one["document_count"] == 2
    assert one["documents"][0]["id"] != other["documents"][0]["id"]


def test_entity_detail_404_names_the_record(client, reading):
    r = client.get("/api/entities/999999")
    assert r.status_code == 404 and r.json()["detail"] == "no entity 999999"


# writing: roles ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["reader", "coder"])
def test_readers_and_coders_cannot_edit_merge_split_or_load_codebooks(client, token, fresh, role):
    ids, headers = _ids(fresh), _auth(token(role))
    target = ids[NORTHMOOR]
    calls = [
        client.patch(f"/api/entities/{target}", {"name": "Hacked"}, content_type="application/json", **headers),
        client.post(f"/api/entities/{ids[COUNCIL]}/merge", {"into": target}, content_type="application/json",
                    **headers),
        client.post(f"/api/entities/{ids[AKVM]}/split", {"surfaces": ["AKVM"], "name": "X"},
                    content_type="application/json", **headers),
        client.post("/api/codebooks", {"file": SimpleUploadedFile("cb.yaml", CODEBOOK.encode())}, **headers),
    ]
    for r in calls:
        assert r.status_code == 403, r.content
        assert r.json()["detail"] == f"your role ({role}) does not allow this"
    assert _ids(fresh) == ids  # nothing renamed, merged or split
    assert not sql(fresh, "SELECT 1 FROM actions WHERE verb LIKE 'entity.%' OR verb = 'codebook.load'")
    assert not sql(fresh, "SELECT 1 FROM codebooks")


def test_anonymous_writes_need_sign_in(client, fresh):
    r = client.patch(f"/api/entities/{_ids(fresh)[NORTHMOOR]}", {"name": "Hacked"}, content_type="application/json")
    assert r.status_code == 401
    assert client.post("/api/codebooks", {"file": SimpleUploadedFile("cb.yaml", CODEBOOK.encode())}).status_code == 401


# writing: curators ------------------------------------------------------------------------------------------------

def _last_action(db: Path, verb: str) -> sqlite3.Row:
    rows = sql(db, "SELECT actor, object_id, payload, at FROM actions WHERE verb = ? ORDER BY id DESC", (verb,))
    assert rows, f"no {verb} action logged"
    return rows[0]


def test_curator_edits_a_record_and_it_is_logged(client, token, fresh):
    eid = _ids(fresh)[NORTHMOOR]
    r = client.patch(f"/api/entities/{eid}", {"name": "Northmoor Welcome Association", "fields": {
        "country": "GB", "acronym": "NWA", "kind": None}}, content_type="application/json", **_auth(token("curator")))
    assert r.status_code == 200, r.content
    out = r.json()
    assert (out["id"], out["name"], out["curated"]) == (eid, "Northmoor Welcome Association", True)
    assert out["record"]["country"] == "GB" and out["record"]["acronym"] == "NWA" and "kind" not in out["record"]
    row = sql(fresh, "SELECT name, curated, data FROM entities WHERE id = ?", (eid,))[0]
    assert row["name"] == "Northmoor Welcome Association" and row["curated"] == 1
    assert json.loads(row["data"])["country"] == "GB"
    action = _last_action(fresh, "entity.edit")
    assert (action["actor"], action["object_id"]) == ("curator1", str(eid)) and action["at"]
    assert json.loads(action["payload"])["name"] == "Northmoor Welcome Association"
    listed = client.get("/api/entities", {"country": "GB"}).json()["items"]
    assert [i["id"] for i in listed] == [eid]


def test_edit_errors_are_clear(client, token, fresh):
    eid, headers = _ids(fresh)[NORTHMOOR], _auth(token("curator"))

    def patch(target, body):
        return client.patch(f"/api/entities/{target}", body, content_type="application/json", **headers)

    r = patch(eid, {"fields": {"name": "Other"}})
    assert r.status_code == 400 and r.json()["detail"].startswith("fields.name:")
    r = patch(eid, {})
    assert r.status_code == 400 and r.json()["detail"] == "give `name`, `fields` or both"
    r = patch(eid, {"name": "   "})
    assert r.status_code == 400 and r.json()["detail"] == "name: must not be empty"
    assert patch(999999, {"name": "X"}).status_code == 404
    assert patch(eid, {"name": ""}).status_code == 422  # schema: at least one character
    assert sql(fresh, "SELECT name, curated FROM entities WHERE id = ?", (eid,))[0]["curated"] == 0


def test_curator_merges_records_and_the_merged_one_points_to_its_target(client, token, fresh):
    ids, headers = _ids(fresh), _auth(token("curator"))
    r = client.post(f"/api/entities/{ids[COUNCIL]}/merge", {"into": ids[AKVM]}, content_type="application/json",
                    **headers)
    assert r.status_code == 200, r.content
    assert r.json()["merged_into"] == ids[AKVM] and r.json()["into"]["name"] == AKVM
    action = _last_action(fresh, "entity.merge")
    assert (action["actor"], action["object_id"], json.loads(action["payload"])) == (
        "curator1", str(ids[COUNCIL]), {"into": ids[AKVM]})
    merged = client.get(f"/api/entities/{ids[COUNCIL]}").json()
    assert merged["merged_into"] == ids[AKVM] and merged["documents"] == []
    assert merged["detail"] == f"merged into {ids[AKVM]}: read /api/entities/{ids[AKVM]}"
    target = client.get(f"/api/entities/{ids[AKVM]}").json()
    assert target["document_count"] == 2  # the council's document now mentions the association's record
    assert COUNCIL not in {i["name"] for i in client.get("/api/entities", {"type": "organisation"}).json()["items"]}
    again = client.post(f"/api/entities/{ids[COUNCIL]}/merge", {"into": ids[NORTHMOOR]},
                        content_type="application/json", **headers)
    assert again.status_code == 400 and again.json()["detail"] == \
        f"entity {ids[COUNCIL]} was already merged into {ids[AKVM]}"


def test_merge_refuses_another_category_or_a_missing_target(client, token, fresh):
    ids, headers = _ids(fresh), _auth(token("curator"))
    r = client.post(f"/api/entities/{ids['Ghent']}/merge", {"into": ids[NORTHMOOR]},
                    content_type="application/json", **headers)
    assert r.status_code == 400
    assert r.json()["detail"] == "cannot merge a places record into a organisations record"
    r = client.post(f"/api/entities/{ids[COUNCIL]}/merge", {"into": 999999}, content_type="application/json",
                    **headers)
    assert r.status_code == 400 and r.json()["detail"] == "no entity with id 999999"
    assert client.post("/api/entities/999999/merge", {"into": ids[COUNCIL]}, content_type="application/json",
                       **headers).status_code == 404
    assert not sql(fresh, "SELECT 1 FROM entities WHERE merged_into IS NOT NULL")
    assert not sql(fresh, "SELECT 1 FROM actions WHERE verb = 'entity.merge'")


def test_curator_splits_mentions_off_into_a_new_record(client, token, fresh):
    ids, headers = _ids(fresh), _auth(token("curator"))
    r = client.post(f"/api/entities/{ids[AKVM]}/split", {"surfaces": ["AKVM"], "name": "AKVM (acronym)"},
                    content_type="application/json", **headers)
    assert r.status_code == 200, r.content
    new = r.json()
    assert (new["name"], new["type"], new["split_from"]) == ("AKVM (acronym)", "organisations", ids[AKVM])
    surfaces = [row["surface"] for row in sql(fresh, "SELECT surface FROM mentions WHERE entity_id = ?",
                                                (new["id"],))]
    assert surfaces and set(surfaces) == {"AKVM"}
    assert "AKVM" not in {row["surface"] for row in sql(fresh, "SELECT surface FROM mentions WHERE entity_id = ?",
                                                          (ids[AKVM],))}
    action = _last_action(fresh, "entity.split")
    assert action["actor"] == "curator1" and json.loads(action["payload"])["new"] == new["id"]
    r = client.post(f"/api/entities/{ids[AKVM]}/split", {"surfaces": ["Nowhere"], "name": "X"},
                    content_type="application/json", **headers)
    assert r.status_code == 400 and "no mention with the surface(s) Nowhere" in r.json()["detail"]
    assert client.post(f"/api/entities/{ids[AKVM]}/split", {"surfaces": [], "name": "X"},
                       content_type="application/json", **headers).status_code == 422


# codebooks --------------------------------------------------------------------------------------------------------

def test_curator_loads_a_yaml_codebook_and_it_is_listed_and_logged(client, token, fresh):
    raw = token("curator")
    r = client.post("/api/codebooks", {"file": SimpleUploadedFile("reception.yaml", CODEBOOK.encode()),
                                       "name": "Reception (test)"}, **_auth(raw))
    assert r.status_code == 200, r.content
    assert r.json() == {"codebook": "Reception (test)", "codes": 3, "leaves": 2, "warnings": []}
    books = {b["name"]: b for b in client.get("/api/codebooks").json()}
    assert [c["id"] for c in books["Reception (test)"]["codes"]] == ["RECEPTION", "RECEPTION.DESK",
                                                                     "RECEPTION.HOUSING"]
    assert books["Reception (test)"]["version"] == "0.2"
    action = _last_action(fresh, "codebook.load")
    assert (action["actor"], action["object_id"]) == ("curator1", "Reception (test)")
    assert json.loads(action["payload"])["file"] == "reception.yaml"
    # without a name it keeps its own; a .qdc (REFI-QDA) export of it loads too
    assert client.post("/api/codebooks", {"file": SimpleUploadedFile("cb.yml", CODEBOOK.encode())},
                       **_auth(raw)).json()["codebook"] == "Test reception codebook"
    from migrahub.coding.codebook import parse_yaml, to_qdc

    qdc = to_qdc(parse_yaml(CODEBOOK.encode()))
    r = client.post("/api/codebooks", {"file": SimpleUploadedFile("exported.qdc", qdc), "name": "From QDC"},
                    **_auth(raw))
    assert r.status_code == 200 and r.json()["codes"] == 3
    assert {"Reception (test)", "Test reception codebook", "From QDC"} <= {
        b["name"] for b in client.get("/api/codebooks").json()}


@pytest.mark.parametrize("filename, content, reason", [
    ("broken.yaml", b"name: x\ncodes: [\n", "broken.yaml: not readable as UTF-8 YAML"),
    ("empty.yaml", b"name: x\ncodes: []\n", "empty.yaml: field 'codes' must be a non-empty list"),
    ("nameless.yaml", b"codes:\n  - id: A\n    name: ''\n",
     "nameless.yaml: codes[0].name (code 'A') must be a non-empty string"),
    ("latin1.yaml", "name: Caf\u00e9\ncodes: []\n".encode("latin-1"), "latin1.yaml: not readable as UTF-8 YAML"),
    ("codes.txt", CODEBOOK.encode(), "codes.txt: unknown codebook format '.txt'"),
    ("bad.qdc", b"<CodeBook><Codes>", "bad.qdc: not well-formed XML"),
])
def test_bad_codebook_files_are_refused_naming_the_file(client, token, fresh, filename, content, reason):
    r = client.post("/api/codebooks", {"file": SimpleUploadedFile(filename, content)}, **_auth(token("curator")))
    assert r.status_code == 400
    assert r.json()["detail"].startswith(f"file: {reason}"), r.json()["detail"]
    assert not sql(fresh, "SELECT 1 FROM codebooks") and not sql(fresh, "SELECT 1 FROM actions WHERE verb = "
                                                                           "'codebook.load'")
