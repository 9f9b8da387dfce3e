"""The curated practice library: structured records, review workflow with versions and comments, promotion of an
extracted practice, and the published library's filters (country names, not codes)."""

from __future__ import annotations

import pytest

from migrahub.connect.practice import PracticeError, parse
from migrahub.services.connect import practices
from migrahub.store.database import connect

CARD = {"title": "City ID card for all residents", "city": "Bologna", "organisations": "Registry office; Caritas",
        "period_start": "2019", "target_groups": ["everyone"], "legal_status": ["undocumented", "all-residents"],
        "goals": "Give every resident a document the city's services accept.", "evaluation": "innovative",
        "responsible_office": "Registry office", "licence": "CC-BY-4.0"}


@pytest.fixture()
def conn(hub_copy):
    c = connect(hub_copy)
    yield c
    c.close()


def test_parse_names_every_wrong_field():
    with pytest.raises(PracticeError) as err:
        parse({"title": "", "period_start": "20x9", "period_end": "2001", "evaluation": "great",
               "legal_status": ["aliens"], "country": "Narnia"})
    assert set(err.value.errors) == {"title", "period_start", "evaluation", "legal_status", "country"}
    with pytest.raises(PracticeError, match="period_end: the period ends before it starts"):
        parse({"title": "x", "period_start": "2020", "period_end": "2018"})


def test_submit_review_publish_with_versions_and_comments(conn):
    rid = practices.create(conn, CARD, "officer", submit=True)
    shown = practices.view(conn, rid, "officer", curator=False)["practice"]
    assert shown.state == "submitted" and shown.record.country == "IT" and shown.country_name == "Italy"
    assert shown.city_id is not None  # linked to the hub's place record of Bologna
    assert practices.library(conn)["practices"] == []  # not published yet
    with pytest.raises(PracticeError, match="only a curator may publish"):
        practices.act(conn, rid, "publish", "officer", curator=False)
    with pytest.raises(PracticeError, match="edited by curators"):
        practices.update(conn, rid, {**CARD, "title": "Changed"}, "officer", curator=False)
    with pytest.raises(PracticeError, match="no practice record"):
        practices.view(conn, rid, "someone-else", curator=False)
    practices.act(conn, rid, "return", "curator1", curator=True, note="Please add the outcomes.")
    practices.update(conn, rid, {**CARD, "outcomes": "12,000 cards issued in the first year."}, "officer",
                     curator=False)
    practices.act(conn, rid, "submit", "officer", curator=False)
    assert practices.act(conn, rid, "publish", "curator1", curator=True) == "published"
    seen = practices.view(conn, rid, None, curator=False)  # anyone reads a published record
    assert [v["action"] for v in seen["versions"]] == ["create", "submit", "return", "edit", "submit", "publish"]
    assert seen["comments"][0]["text"] == "Please add the outcomes."
    assert seen["versions"][-1]["data"]["outcomes"].startswith("12,000")
    lib = practices.library(conn)
    assert [p.id for p in lib["practices"]] == [rid]
    assert lib["facets"]["country"] == [("IT", "Italy", 1)]
    assert ("undocumented", "Undocumented / irregular residents", 1) in lib["facets"]["group"]


def test_filters(conn):
    ids = {}
    for title, city, evaluation, year, group in (("Card", "Bologna", "innovative", "2019", "undocumented"),
                                                  ("Shared flats", "Utrecht", "evaluated", "2017", "refugees"),
                                                  ("Cafés", "Malmö", "not-evaluated", "2021", "asylum-seekers")):
        rid = practices.create(conn, {"title": title, "city": city, "evaluation": evaluation, "period_start": year,
                                      "legal_status": [group], "goals": f"{title} goals"}, "officer", submit=True)
        practices.act(conn, rid, "publish", "cur", curator=True)
        ids[title] = rid
    titles = lambda **f: [p.record.title for p in practices.library(conn, **f)["practices"]]  # noqa: E731
    assert titles(country="NL") == ["Shared flats"]
    assert titles(evaluation="evaluated") == ["Shared flats"]
    assert titles(group="asylum-seekers") == ["Cafés"]
    assert titles(year=2019) == ["Card"]
    assert titles(q="flats GOALS") == ["Shared flats"]
    lib = practices.library(conn, country="SE")
    assert [name for _, name, _ in lib["facets"]["country"]] == ["Italy", "Netherlands", "Sweden"]
    assert [name for _, name, _ in lib["facets"]["city"]] == ["Malmö"]


def test_promote_an_extracted_practice(conn):
    entity_id = conn.execute("SELECT id FROM entities WHERE category = 'practices' AND name LIKE '%Bologna%'"
                             ).fetchone()[0]
    rid = practices.promote(conn, entity_id, "curator1")
    view = practices.view(conn, rid, "curator1", curator=True)
    record = view["practice"].record
    assert record.extracted_from == entity_id and record.city == "Bologna" and record.country == "IT"
    assert view["sources"][0]["document_title"] == "Bologna opens its city card to every resident"
    assert "city card" in view["sources"][0]["text"]
    card = conn.execute("SELECT id FROM passages WHERE instr(text, 'identity card for all') > 0").fetchone()[0]
    practices.update(conn, rid, {"title": record.title, "city": "Bologna", "source_passages": f"{card}, 1"},
                     "curator1", curator=True)
    sources = practices.view(conn, rid, "curator1", curator=True)["sources"]
    assert [s["passage_id"] for s in sources] == [card, 1] and "undocumented residents" in sources[0]["text"]
    with pytest.raises(PracticeError, match="source_passages: no passage 999999, x"):
        practices.update(conn, rid, {"title": "t", "source_passages": "999999 x"}, "curator1", curator=True)
    assert view["practice"].state == "draft"
