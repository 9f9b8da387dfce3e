"""Django admin for entity records: who may reach it, editing a record's name and fields (a practice included),
merging duplicates, and the action log. The admin reads the shared hub's ``entities`` table, so these tests ingest
their own documents with invented organisations and a practice that no other test reads."""

from __future__ import annotations

import json
import re

import pytest
from webhelpers import sql

NEWCOMER = "Heathwick Newcomer Association"
NEWCOMERS = "Heathwick Newcomers Association"
COUNCIL = "Brackenford City Council"
TEXT = (f"# Heathwick newcomer classes\n\nThe {NEWCOMER} and the {NEWCOMERS} planned joint classes in 2020.\n\n"
        f"Good practice: the {COUNCIL} runs a night school for undocumented workers and their children since "
        "2019.\n")


@pytest.fixture(scope="module")
def records(hub, tmp_path_factory):
    from migrahub.services.ingest import ingest

    folder = tmp_path_factory.mktemp("admin-entities")
    (folder / "heathwick.md").write_text(TEXT, encoding="utf-8")
    assert ingest([str(folder)], hub.db).added == 1
    found = {r["name"]: r["id"] for r in sql(hub, "SELECT id, name FROM entities WHERE instr(name, 'Heathwick') > 0 "
                                                  "OR instr(name, 'Brackenford') > 0 "
                                                  "OR instr(name, 'night school') > 0")}
    practice = next(eid for name, eid in found.items() if "night school" in name)
    return {"newcomer": found[NEWCOMER], "newcomers": found[NEWCOMERS], "council": found[COUNCIL],
            "practice": practice}


def _entity(hub, eid: int):
    return sql(hub, "SELECT name, data, curated, merged_into FROM entities WHERE id = ?", (eid,))[0]


def _actions(hub, verb: str, eid: int) -> list:
    return sql(hub, "SELECT actor, payload, at FROM actions WHERE verb = ? AND object_id = ? ORDER BY id",
               (verb, str(eid)))


def test_entity_admin_by_role(login, records):
    assert login("reader").get("/admin/web/entity/").status_code == 302  # not staff: to the admin's sign-in
    assert login("coder").get("/admin/web/entity/").status_code == 302
    for role in ("curator", "admin"):
        c = login(role)
        assert c.get("/admin/web/entity/").status_code == 200
        assert c.get(f"/admin/web/entity/{records['council']}/change/").status_code == 200
        assert c.get("/admin/web/entity/add/").status_code == 403  # records come from extraction
        assert c.get(f"/admin/web/entity/{records['council']}/delete/").status_code == 403


def test_changelist_filters_by_category_and_searches_by_name(login, records):
    html = login("admin").get("/admin/web/entity/", {"category": "organisations", "q": "Heathwick"}).content.decode()
    assert NEWCOMER in html and NEWCOMERS in html and COUNCIL not in html
    assert 'value="merge_selected"' in html
    html = login("admin").get("/admin/web/entity/", {"category": "practices", "q": "night school"}).content.decode()
    assert "night school" in html and NEWCOMER not in html


def test_admin_edits_a_practice_through_the_form_and_it_is_logged(login, hub, records, client):
    eid = records["practice"]
    c = login("admin")
    form = c.get(f"/admin/web/entity/{eid}/change/").content.decode()
    shown = json.loads(re.search(r'<textarea name="fields_json"[^>]*>(.*?)</textarea>', form, re.S).group(1)
                       .replace("&quot;", '"').replace("&#x27;", "'").replace("&amp;", "&"))
    assert shown["actors"] == [COUNCIL] and "title" not in shown and "name" not in shown  # the title is the name
    edited = {**shown, "summary": "Free night school for undocumented workers and their children.",
              "places": ["Brackenford"]}
    del edited["evidence"]
    r = c.post(f"/admin/web/entity/{eid}/change/", {"name": "Brackenford night school",
                                                     "fields_json": json.dumps(edited)})
    assert r.status_code == 302, r.content.decode()[:3000]
    row = _entity(hub, eid)
    data = json.loads(row["data"])
    assert (row["name"], row["curated"], data["title"]) == ("Brackenford night school", 1, "Brackenford night school")
    assert data["summary"] == edited["summary"] and data["places"] == ["Brackenford"] and "evidence" not in data
    action = _actions(hub, "entity.edit", eid)[-1]
    payload = json.loads(action["payload"])
    assert action["actor"] == "admin1" and action["at"] and payload["name"] == "Brackenford night school"
    assert payload["fields"] == {"summary": edited["summary"], "places": ["Brackenford"], "evidence": None}
    # the practice library shows the curated title and summary (with the document's own evidence)
    listed = [p for p in client.get("/api/practices", {"limit": 200}).json()["items"] if p["entity_id"] == eid]
    assert [(p["title"], p["summary"]) for p in listed] == [("Brackenford night school", edited["summary"])]
    assert "night school for undocumented workers" in listed[0]["evidence"]


def test_admin_form_refuses_bad_json_and_name_fields(login, hub, records):
    eid = records["council"]
    before = _entity(hub, eid)
    c = login("curator")
    for fields_json, message in (("{not json", "Not valid JSON: Expecting property name enclosed in double quotes "
                                               "(line 1, column 2)."),
                                 ('["a list"]', "Must be a JSON object ({&quot;field&quot;: value, …}), not a list."),
                                 ('{"name": "Other"}', "Remove the field &#x27;name&#x27;: the name is edited in the "
                                                       "Name box."),
                                 ('{"key": "x"}', "Remove the field &#x27;key&#x27;: the key is the extractor&#x27;s."),
                                 ):
        r = c.post(f"/admin/web/entity/{eid}/change/", {"name": COUNCIL, "fields_json": fields_json})
        assert r.status_code == 200 and message in r.content.decode(), fields_json
    r = c.post(f"/admin/web/entity/{eid}/change/", {"name": "  ", "fields_json": "{}"})
    assert r.status_code == 200 and "This field is required." in r.content.decode()  # a blank name
    assert _entity(hub, eid) == before and not _actions(hub, "entity.edit", eid)


def test_merge_action_asks_for_the_target_then_merges_and_logs(login, hub, records):
    keep, drop = records["newcomer"], records["newcomers"]
    c = login("admin")
    page = c.post("/admin/web/entity/", {"action": "merge_selected", "_selected_action": [drop, keep]})
    html = page.content.decode()
    assert page.status_code == 200 and NEWCOMER in html and NEWCOMERS in html
    assert re.search(rf'name="into" value="{min(keep, drop)}"\s+checked', html)  # the first record is the default
    assert _entity(hub, drop)["merged_into"] is None  # nothing merged before the choice is confirmed
    r = c.post("/admin/web/entity/", {"action": "merge_selected", "_selected_action": [drop, keep], "post": "yes",
                                      "into": keep})
    assert r.status_code == 302
    assert _entity(hub, drop)["merged_into"] == keep and _entity(hub, keep)["merged_into"] is None
    action = _actions(hub, "entity.merge", drop)[-1]
    assert action["actor"] == "admin1" and json.loads(action["payload"]) == {"into": keep}
    assert sql(hub, "SELECT count(*) n FROM mentions WHERE entity_id = ?", (drop,))[0]["n"] == 0
    messages = c.get("/admin/web/entity/", {"q": "Heathwick"}).content.decode()
    assert f"Merged 1 record(s) into {NEWCOMER} ({keep})." in messages


def test_merge_action_refuses_mixed_categories(login, hub, records):
    ghent = sql(hub, "SELECT id FROM entities WHERE category = 'places' AND merged_into IS NULL ORDER BY id LIMIT 1")
    council = records["council"]
    c = login("curator")
    r = c.post("/admin/web/entity/", {"action": "merge_selected", "_selected_action": [council, ghent[0]["id"]],
                                      "post": "yes", "into": council}, follow=True)
    assert r.status_code == 200
    assert "Cannot merge records of different categories (organisations, places): select records of one." in \
        r.content.decode()
    assert _entity(hub, ghent[0]["id"])["merged_into"] is None
    assert not _actions(hub, "entity.merge", ghent[0]["id"])
