"""The events calendar (/events) and GET /api/events show a curator's work: an edited event's title and dates win
over each document's copy (the documents' passages stay linked), and two records merged into one are one event.
The tests run against their own small hub (three invented documents, ingested through the real pipeline) by
pointing ``MIGRAHUB_DB`` at a fresh copy of it, so their edits and merges touch nothing other tests read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import override_settings
from webhelpers import build_hub, copy_hub, sql

DOCS = {
    "a.md": "# Ghent reception workshop\n\nThe Kestrel Valley Migrant Council held a workshop on reception of "
            "newcomers on 25-26 June 2019 in Ghent.\n",
    "b.md": "# Housing forum\n\nThe Northmoor Refugee Welcome Association organised a housing forum on 3 March 2021 "
            "in Antwerp.\n",
    "c.md": "# Newcomer reception in Ghent\n\nThe Northmoor Refugee Welcome Association joined the reception "
            "workshop on 25-26 June 2019 in Ghent, where cities compared their welcome desks.\n",
}
WORKSHOP_A = "Workshop on reception of newcomers"  # the events' own titles, as the extractor reads them
WORKSHOP_C = "Reception workshop"
FORUM = "Housing forum"
EDITED = "Workshop on the reception of newcomers"


@pytest.fixture(scope="module")
def built(hub, tmp_path_factory):
    return build_hub(tmp_path_factory.mktemp("events-curated"), DOCS, "events.sqlite3")


@pytest.fixture()
def fresh(built, tmp_path):
    """A copy of the small hub for one test, with the ids of its documents and event records."""
    db = copy_hub(built, tmp_path / "events.sqlite3")
    events = {r["name"]: r["id"] for r in sql(db, "SELECT id, name FROM entities WHERE category = 'events'")}
    documents = {r["title"]: r["id"] for r in sql(db, "SELECT id, title FROM documents")}
    with override_settings(MIGRAHUB_DB=db):
        yield {"db": db, "a": events[WORKSHOP_A], "c": events[WORKSHOP_C], "forum": events[FORUM],
               "doc_a": documents["Ghent reception workshop"], "doc_b": documents["Housing forum"],
               "doc_c": documents["Newcomer reception in Ghent"]}


def _passage(db: Path, pid: int) -> str:
    return sql(db, "SELECT text FROM passages WHERE id = ?", (pid,))[0]["text"]


def _listed(client) -> list[dict]:
    return client.get("/api/events").json()["items"]


def test_each_documents_event_is_its_own_record_before_curation(client, fresh):
    # events resolve by what they state, not by their number within a document: the Ghent workshop of one document
    # and the Antwerp forum of another are two records, not one
    assert len({fresh["a"], fresh["c"], fresh["forum"]}) == 3
    items = _listed(client)
    assert [(e["entity_id"], e["title"], e["date_start"], e["date_end"]) for e in items] == [
        (fresh["c"], WORKSHOP_C, "2019-06-25", "2019-06-26"), (fresh["a"], WORKSHOP_A, "2019-06-25", "2019-06-26"),
        (fresh["forum"], FORUM, "2021-03-03", None)]  # by date, then title
    for e in items:
        assert [s["document_id"] for s in e["sources"]] == [e["document_id"]] and e["passage_id"]


def test_a_curators_edit_of_an_event_shows_in_the_calendar_and_the_api(client, fresh):
    from migrahub.services.entities import edit_entity

    edit_entity(fresh["db"], fresh["a"], "curator", name=EDITED,
                fields={"date_start": "2019-07-02", "date_end": None})
    items = {e["entity_id"]: e for e in _listed(client)}
    edited = items[fresh["a"]]
    assert (edited["title"], edited["date_start"], edited["date_end"], edited["year"], edited["month"]) == (
        EDITED, "2019-07-02", None, 2019, 7)  # the date the curator removed stays removed
    assert (edited["place"], edited["organisers"]) == ("Ghent", ["Kestrel Valley Migrant Council"])
    assert edited["document_id"] == fresh["doc_a"]
    assert "workshop on reception of newcomers" in _passage(fresh["db"], edited["passage_id"])  # evidence stays
    # the other documents' events are untouched
    assert (items[fresh["c"]]["title"], items[fresh["c"]]["date_start"]) == (WORKSHOP_C, "2019-06-25")
    assert (items[fresh["forum"]]["title"], items[fresh["forum"]]["date_start"]) == (FORUM, "2021-03-03")
    assert [e["title"] for e in client.get("/api/events", {"year": 2019}).json()["items"]] == [
        WORKSHOP_C, EDITED]  # June before July

    html = client.get("/events").content.decode()
    assert WORKSHOP_A not in html and f"2019-06-25 – 2019-06-26: {EDITED}" not in html
    july = re.search(r'<h3 id="m-2019-07">July 2019</h3>(.*?)</section>', html, re.S)
    assert july, "the edited workshop moved to July 2019"
    assert re.search(rf'href="/documents/{fresh["doc_a"]}#p-{edited["passage_id"]}">{EDITED}</a>',
                     july.group(1))
    assert "<time>2019-07-02</time>" in july.group(1)
    assert f"<title>2019-07-02: {EDITED} (Ghent)</title>" in html  # the timeline's dot
    assert WORKSHOP_C in re.search(r'<h3 id="m-2019-06">June 2019</h3>(.*?)</section>', html, re.S).group(1)


def test_merged_event_records_are_listed_once_with_both_documents(client, fresh):
    from migrahub.services.entities import edit_entity, merge_entities

    merge_entities(fresh["db"], fresh["c"], fresh["a"], "curator")
    items = _listed(client)
    assert [e["entity_id"] for e in items] == [fresh["a"], fresh["forum"]]  # the merged record is not listed
    workshop = items[0]
    assert (workshop["title"], workshop["date_start"]) == (WORKSHOP_A, "2019-06-25")  # the target's record
    sources = {s["document_id"]: s for s in workshop["sources"]}
    assert set(sources) == {fresh["doc_a"], fresh["doc_c"]}
    assert "joined the reception workshop" in _passage(fresh["db"], sources[fresh["doc_c"]]["passage_id"])
    assert "held a workshop on reception" in _passage(fresh["db"], sources[fresh["doc_a"]]["passage_id"])

    edit_entity(fresh["db"], fresh["a"], "curator", name=EDITED)
    r = client.get("/api/events", {"year": 2019}).json()
    assert r["count"] == 1 and r["items"][0]["title"] == EDITED
    assert {s["document_id"] for s in r["items"][0]["sources"]} == {fresh["doc_a"], fresh["doc_c"]}
    html = client.get("/events", {"year": "2019"}).content.decode()
    assert '<p role="status" class="summary">1 event.</p>' in html
    assert html.count(f">{EDITED}</a>") == 1 and WORKSHOP_C not in html
    for doc in ("doc_a", "doc_c"):  # the one event links to both documents' passages
        pid = sources[fresh[doc]]["passage_id"]
        assert f'href="/documents/{fresh[doc]}#p-{pid}"' in html
    assert html.count(f"<title>2019-06-25 – 2019-06-26: {EDITED} (Ghent)</title>") == 1
