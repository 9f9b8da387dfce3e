"""Peer exchange on invented documents: a request ranks first the cities whose documents describe what it asks,
with the passages shown; messages are relayed to the recipients' contacts, never revealing them; outcomes recorded."""

from __future__ import annotations

import pytest

from migrahub.connect.matching import PeerRequest, content_words
from migrahub.services.connect import peers, practices
from migrahub.store import connect as store
from migrahub.store.database import connect

CARD = "set up a municipal identity card open to undocumented residents"


@pytest.fixture()
def conn(hub_copy):
    c = connect(hub_copy)
    yield c
    c.close()


def test_content_words_leave_out_what_says_nothing():
    assert content_words(CARD) == ["municipal", "identity", "card", "open", "undocumented", "residents"]


def test_identity_card_request_ranks_the_card_cities_first_with_their_passages(conn):
    matches = peers.match(conn, peers.parse_request({"challenge": CARD}))
    cities = [m for m in matches if m.target.kind == "city"]
    assert {m.target.name for m in cities[:2]} == {"Bologna", "Zurich"}
    assert cities[0].target.name == "Bologna"
    others = {m.target.name: m.score for m in cities[2:]}
    assert "Malmö" not in others and max(others.values()) < cities[1].score
    bologna = cities[0]
    assert "municipal identity card for all residents of Bologna, including undocumented residents" in \
        bologna.evidence[0].text
    assert bologna.evidence[0].passage_id and bologna.evidence[0].document_id
    assert bologna.evidence[0].source == "Bologna opens its city card to every resident"
    assert any("undocumented" in r for r in bologna.reasons)
    zurich = cities[1]
    assert "People living without papers use it to prove who they are" in " ".join(e.text for e in zurich.evidence)


def test_published_practice_and_expert_count_as_evidence(conn):
    rid = practices.create(conn, {"title": "Shared flats for young refugees and students", "city": "Malmö",
                                  "goals": "Young refugees share flats with students", "evaluation": "evaluated"},
                           "officer", submit=True)
    practices.act(conn, rid, "publish", "cur", curator=True)
    peers.save_expert(conn, "expert1", {"display_name": "Dr. Ada Expert", "email": "ada.secret@example.org",
                                        "bio": "I ran the shared housing programme for young refugees and students "
                                               "in two cities and evaluated it.", "languages": "en, de"})
    matches = peers.match(conn, PeerRequest("shared flats for young refugees and students", languages=("de",)))
    kinds = {(m.target.kind, m.target.name) for m in matches}
    assert ("city", "Malmö") in kinds and ("city", "Utrecht") in kinds and ("expert", "Dr. Ada Expert") in kinds
    malmo = next(m for m in matches if m.target.name == "Malmö")
    assert any(e.kind == "practice" and e.practice_id == rid for e in malmo.evidence)
    expert = next(m for m in matches if m.target.kind == "expert")
    assert "works in de" in expert.reasons


def test_messages_are_relayed_without_showing_addresses(conn):
    peers.save_expert(conn, "expert1", {"display_name": "Ada", "email": "ada.secret@example.org",
                                        "bio": "I set up the municipal identity card for undocumented residents "
                                               "in my city and advise others.", "share_contact": False})
    bologna = conn.execute("SELECT id FROM entities WHERE category = 'places' AND name = 'Bologna'").fetchone()[0]
    peers.add_contact(conn, bologna, "Registry office", "registry.office@bologna.example.org", False, "cur")
    rid = peers.create_request(conn, {"challenge": CARD, "country": "DE", "languages": "de, en"}, "officer")
    view = peers.view_request(conn, rid, "officer", curator=False)
    assert view["country_name"] == "Germany"
    shown = repr(view)
    assert "ada.secret@example.org" not in shown and "registry.office@bologna.example.org" not in shown
    sent = []
    mailer = lambda subject, text, to, reply_to: sent.append((subject, text, to, reply_to)) or 1  # noqa: E731
    expert_id = next(m["target_id"] for m in view["matches"] if m["target_kind"] == "expert")
    result = peers.send_message(conn, rid, "city", bologna, "Could we visit your registry office?", "officer", mailer)
    assert result == {"id": result["id"], "status": "sent", "recipients": 1}
    assert sent[0][2] == ["registry.office@bologna.example.org"] and "Could we visit" in sent[0][1]
    assert sent[0][3] == [] and "did not give their address" in sent[0][1]
    assert "registry.office" not in repr(peers.view_request(conn, rid, "officer", curator=False))
    peers.send_message(conn, rid, "expert", expert_id, "Hello Ada", "officer", mailer, reply_to="off@city.example")
    assert sent[1][2] == ["ada.secret@example.org"] and sent[1][3] == ["off@city.example"]
    assert "Reply to this e-mail to answer officer" in sent[1][1]
    assert all(p["email"] is None for p in peers.public_experts(conn))
    with pytest.raises(peers.PeerError, match="not a match"):
        peers.send_message(conn, rid, "city", 999999, "x", "officer", mailer)
    with pytest.raises(peers.PeerError, match="no peer request"):
        peers.view_request(conn, rid, "someone-else", curator=False)
    zurich = next(m for m in view["matches"] if m["name"] == "Zurich")
    assert peers.send_message(conn, rid, "city", zurich["target_id"], "Hi", "officer", mailer)["status"] == \
        "no-contact"
    broken = lambda *a: (_ for _ in ()).throw(ConnectionRefusedError("no mail server"))  # noqa: E731
    assert peers.send_message(conn, rid, "expert", expert_id, "Again", "officer", broken)["status"] == "failed"
    peers.save_expert(conn, "expert1", {"display_name": "Ada", "email": "ada.secret@example.org",
                                        "bio": "I set up the municipal identity card for undocumented residents.",
                                        "share_contact": True})
    assert "ada.secret@example.org" in repr(peers.view_request(conn, rid, "officer", curator=False))


def test_curators_record_outcomes(conn):
    rid = peers.create_request(conn, {"challenge": CARD, "city": "Ghent"}, "officer")
    view = peers.view_request(conn, rid, "curator1", curator=True)
    top = view["matches"][0]
    peers.record_outcome(conn, rid, top["target_kind"], top["target_id"], "peer-visit", "Two days in Bologna",
                         "2026-03-02", "curator1")
    with pytest.raises(peers.PeerError, match="outcome: choose among"):
        peers.record_outcome(conn, rid, top["target_kind"], top["target_id"], "party", "", None, "curator1")
    outcome = peers.view_request(conn, rid, "curator1", curator=True)["outcomes"][0]
    assert (outcome["kind"], outcome["target_name"]) == ("peer-visit", top["name"])
    link = peers.outcome_links(conn)[0]
    ghent = conn.execute("SELECT id FROM entities WHERE category = 'places' AND name = 'Ghent'").fetchone()[0]
    assert (link["city_id"], link["target_id"]) == (ghent, top["target_id"])
    assert ghent not in [m["target_id"] for m in view["matches"] if m["target_kind"] == "city"]  # not its own peer
    seen = {o["role"]: o["other"] for o in store.outcomes_of(conn, "city", ghent)}
    assert seen == {"requester": top["name"]}
    assert {o["role"]: o["other"] for o in store.outcomes_of(conn, "city", top["target_id"])} == {"peer": "Ghent"}
    with pytest.raises(peers.PeerError, match="city: no city named 'Atlantis'"):
        peers.create_request(conn, {"challenge": CARD, "city": "Atlantis"}, "officer")


def test_bad_requests_name_the_field():
    with pytest.raises(peers.PeerError, match="challenge"):
        peers.parse_request({"challenge": "the and of"})
    with pytest.raises(peers.PeerError, match="country"):
        peers.parse_request({"challenge": CARD, "country": "XX"})
    with pytest.raises(peers.PeerError, match="languages"):
        peers.parse_request({"challenge": CARD, "languages": "english"})


def test_index_strengths_count_as_evidence(conn):
    from pathlib import Path

    from migrahub.services import compare

    examples = Path(compare.__file__).resolve().parents[1] / "compare" / "data" / "examples"
    compare.load_file(conn, examples / "cities_demo.yaml", "curator1")
    compare.import_file(conn, "cities-demo", examples / "cities_demo_answers.csv", "curator1")
    matches = peers.match(conn, PeerRequest("interpreting services and legal aid for newcomers"))
    strengths = [(m.target.name, e.text) for m in matches for e in m.evidence if e.kind == "index"]
    assert strengths, [(m.target.name, m.reasons) for m in matches]
    assert all(name in ("Ghent", "Malmö") for name, _ in strengths)
    assert all("above the mean of" in text and text.startswith("Inclusive cities demo index: ") for _, text in
               strengths)


def test_recorded_exchanges_are_links_of_the_network(conn):
    from migrahub.services.network import build_graph

    rid = peers.create_request(conn, {"challenge": CARD, "city": "Malmö"}, "officer")
    top = peers.view_request(conn, rid, "curator1", curator=True)["matches"][0]
    malmo = conn.execute("SELECT id FROM entities WHERE category = 'places' AND name = 'Malmö'").fetchone()[0]
    before = {(e.source, e.target) for e in build_graph(conn).edges}
    peers.record_outcome(conn, rid, top["target_kind"], top["target_id"], "peer-review", "", "2026-04-01", "curator1")
    edges = {(e.source, e.target): e for e in build_graph(conn).edges}
    pair = tuple(sorted((malmo, top["target_id"])))
    assert pair not in before and "peer-exchange:peer-review" in edges[pair].relations
