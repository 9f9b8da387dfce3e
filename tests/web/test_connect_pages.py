"""The connect pages and API on the shared web test hub: a city officer (reader) submits a practice, a curator
publishes it, it shows under its theme and on its city's page; the research library imports and exports; peer
requests list matches with evidence and relay messages; no expert's or contact's address shows without consent, for
any role, on any page or API answer."""

from __future__ import annotations

import json
import os

import pytest
from django.core import mail
from django.test import override_settings
from webhelpers import sql

CODEBOOK = """name: Connect test themes
version: "1"
language: en
codes:
  - id: CT
    name: Connect test
    description: Themes of the connect tests.
    children:
      - id: CT.IDCARD
        name: Municipal identity cards
        description: A city issues an identity document to its residents.
      - id: CT.HOUSING
        name: Housing
        description: Homes for newcomers.
"""
CARD_DOC = ("# Bologna opens its city card to every resident\n\n"
            "Bologna's municipal council approved a municipal identity card for all residents of Bologna, including "
            "undocumented residents who cannot obtain a national identity document. The registry office issues it.\n")
SECRET = "coder.expert.secret@example.org"
CONTACT = "registry.secret@bologna.example.org"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(scope="module")
def connected(hub, tmp_path_factory):
    from migrahub.services import coding
    from migrahub.services.ingest import ingest

    folder = tmp_path_factory.mktemp("connect-web")
    book = folder / "themes.yaml"
    book.write_text(CODEBOOK, encoding="utf-8")
    coding.load_codebook_file(hub.db, book)
    docs = folder / "docs"
    docs.mkdir()
    (docs / "bologna-card.md").write_text(CARD_DOC, encoding="utf-8")
    assert ingest([str(docs)], hub.db).added == 1
    bologna = sql(hub, "SELECT id FROM entities WHERE category = 'places' AND name = 'Bologna'")[0][0]
    return {"bologna": bologna}


def _practice_form(**extra):
    return {"title": "Bologna city card for all residents", "city": "Bologna", "policy_areas": ["CT.IDCARD"],
            "legal_status": ["undocumented"], "target_groups": ["everyone"], "evaluation": "innovative",
            "licence": "CC-BY-4.0", "goals": "A municipal identity card every resident can get.", "submit": "1",
            **extra}


def test_pages_render_for_everyone(client, connected):
    for path in ("/library/practices", "/library/resources", "/cities", "/declarations", "/peers/experts",
                 f"/cities/{connected['bologna']}/peers"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"<script>" not in response.content and b" style=" not in response.content, path
    assert client.get("/library/practices/new").status_code == 302  # sign in first
    assert client.get("/peers/requests").status_code == 302


def test_officer_submits_curator_publishes_under_its_theme_and_city(login, client, connected):
    officer, curator = login("reader"), login("curator")
    response = officer.post("/library/practices/new", _practice_form())
    assert response.status_code == 302
    rid = int(response["Location"].rstrip("/").split("/")[-1])
    page = officer.get(f"/library/practices/{rid}").content.decode()
    assert "Submitted" in page and "Italy" in page
    assert client.get(f"/library/practices/{rid}").status_code == 404  # not public before it is published
    officer.post(f"/library/practices/{rid}/act", {"action": "publish"})  # not the officer's to do
    assert "Submitted" in officer.get(f"/library/practices/{rid}").content.decode()
    assert rid in [r[0] for r in sql(os.environ["MIGRAHUB_DB"], "SELECT id FROM practice_records WHERE state = "
                                                                "'submitted'")]
    review = curator.get("/library/practices/review").content.decode()
    assert "Bologna city card for all residents" in review
    curator.post(f"/library/practices/{rid}/act", {"action": "publish", "note": "Thank you"})
    themed = client.get("/library/practices", {"theme": "CT.IDCARD"}).content.decode()
    assert "Bologna city card for all residents" in themed and "Municipal identity cards" in themed
    assert "Bologna city card" not in client.get("/library/practices", {"theme": "CT.HOUSING"}).content.decode()
    assert "Bologna city card for all residents" in client.get(f"/cities/{connected['bologna']}/peers").content \
        .decode()
    country = client.get("/library/practices", {"country": "IT"}).content.decode()
    assert "Italy" in country and ">IT<" not in country


def test_structured_edit_form_shows_source_passages(login, connected):
    curator = login("curator")
    entity = sql(os.environ["MIGRAHUB_DB"],
                 "SELECT id FROM entities WHERE category = 'practices' AND name LIKE '%Bologna%'")[0][0]
    response = curator.post(f"/library/practices/promote/{entity}")
    assert response.status_code == 302 and response["Location"].endswith("/edit")
    form = curator.get(response["Location"]).content.decode()
    assert 'id="sources-title"' in form and "Bologna opens its city card" in form
    assert '<label for="f-title">' in form


def test_bad_submission_names_the_field(login, connected):
    response = login("reader").post("/library/practices/new", _practice_form(title="", period_start="20x0"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "title: a practice needs a title" in body and "is not a year" in body


def test_research_library_import_and_export(login, client, connected):
    ris = ("TY  - RPRT\nTI  - City cards across Europe\nAU  - Okafor, Ada\nPY  - 2022\nKW  - place:Bologna\n"
           "KW  - theme:identity\nER  - \n")
    curator = login("curator")
    upload = curator.post("/library/resources/import", {"file": _file("cards.ris", ris)}, follow=True)
    assert "1 references read, 1 added" in upload.content.decode()
    assert login("reader").post("/library/resources/import", {"file": _file("x.ris", ris)}).status_code == 403
    listed = client.get("/library/resources", {"q": "city cards"}).content.decode()
    assert "City cards across Europe" in listed and "Places: Bologna" in listed
    bib = client.get("/library/resources/export.bibtex", {"q": "city cards"})
    assert bib.status_code == 200 and "place:Bologna" in bib.content.decode()
    items = json.loads(client.get("/library/resources/export.csl-json", {"q": "city cards"}).content)
    assert items[0]["title"] == "City cards across Europe"
    bad = curator.post("/library/resources/import", {"file": _file("bad.bib", "@book{x, title={Open")}, follow=True)
    assert "bad.bib" in bad.content.decode() and "nothing was imported" in bad.content.decode()


def test_curator_adds_a_reference_by_hand(login, client, connected):
    curator = login("curator")
    done = curator.post("/library/resources/add", {"title": "Sanctuary towns handbook", "type": "book",
                                                   "authors": "Ferreira, Inês\nEurocities", "year": "2020",
                                                   "places": "Bologna; Zurich", "themes": "sanctuary",
                                                   "doi": "10.5555/sanct.2020"}, follow=True)
    page = done.content.decode()
    assert "Added to the library: Sanctuary towns handbook" in page and "Places: Bologna, Zurich" in page
    ris = client.get("/library/resources/export.ris", {"q": "sanctuary towns"}).content.decode()
    assert "AU  - Ferreira, Inês" in ris and "AU  - Eurocities" in ris and "KW  - place:Zurich" in ris
    bad = curator.post("/library/resources/add", {"title": "X", "year": "20x0"}, follow=True).content.decode()
    assert "year: &#x27;20x0&#x27; is not a year (nothing was added)" in bad
    assert login("reader").post("/library/resources/add", {"title": "Y"}).status_code == 403


def _file(name: str, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode("utf-8"))


def test_peer_request_matches_with_evidence_and_relays_mail(login, connected):
    from migrahub.services.connect import peers
    from migrahub.store.database import connect

    conn = connect(os.environ["MIGRAHUB_DB"])
    peers.add_contact(conn, connected["bologna"], "Registry office", CONTACT, False, "curator1")
    conn.close()
    officer = login("reader")
    response = officer.post("/peers/requests", {"challenge": "set up a municipal identity card open to "
                                                              "undocumented residents", "country": "DE"})
    assert response.status_code == 302
    page = officer.get(response["Location"]).content.decode()
    assert f'1. <a href="/cities/{connected["bologna"]}/peers">Bologna</a>' in page
    assert "municipal identity card for all residents of Bologna" in page and CONTACT not in page
    with override_settings(EMAIL_BACKEND=LOCMEM):
        mail.outbox = []
        sent = officer.post(response["Location"] + "/message", {"to": f"city:{connected['bologna']}",
                                                                "body": "May we visit your registry office?"},
                            follow=True)
        assert "Message relayed by the hub." in sent.content.decode()
        assert mail.outbox[0].to == [CONTACT] and "May we visit" in mail.outbox[0].body
        assert mail.outbox[0].reply_to == []
    assert CONTACT not in sent.content.decode()


@pytest.mark.parametrize("role", [None, "reader", "coder", "curator", "admin"])
def test_no_expert_or_contact_address_without_consent(login, client, token, connected, role):
    expert = login("coder")
    saved = expert.post("/peers/expert", {"display_name": "Coder Expert", "email": SECRET, "active": "1",
                                          "bio": "I set up the municipal identity card for undocumented residents "
                                                 "of my city and advise others on it."})
    assert saved.status_code == 302
    assert SECRET in expert.get("/peers/expert").content.decode()  # the owner sees their own address
    officer = login("reader")
    made = officer.post("/peers/requests", {"challenge": "municipal identity card for undocumented residents"})
    request_path = made["Location"]
    rid = request_path.rstrip("/").split("/")[-1]
    viewer = client if role is None else login(role)
    pages = ["/peers/experts", "/library/practices", f"/cities/{connected['bologna']}/peers", "/cities",
             "/peers/requests", request_path]
    for path in pages:
        body = viewer.get(path).content.decode()
        assert SECRET not in body and CONTACT not in body, (role, path)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token(role)}"} if role else {}
    for path in ("/api/connect/experts", f"/api/connect/peer-requests/{rid}",
                 f"/api/connect/cities/{connected['bologna']}", "/api/connect/practices"):
        body = client.get(path, **headers).content.decode()
        assert SECRET not in body and CONTACT not in body, (role, path)


def test_consent_shows_the_address(login, connected):
    expert = login("coder")
    expert.post("/peers/expert", {"display_name": "Coder Expert", "email": SECRET, "active": "1", "share_contact": "1",
                                  "bio": "I set up the municipal identity card for undocumented residents."})
    assert SECRET in login("reader").get("/peers/experts").content.decode()
    expert.post("/peers/expert", {"display_name": "Coder Expert", "email": SECRET, "active": "1",
                                  "bio": "I set up the municipal identity card for undocumented residents."})
    assert SECRET not in login("reader").get("/peers/experts").content.decode()


def test_api_submit_review_and_request(client, token, connected):
    reader = {"HTTP_AUTHORIZATION": f"Bearer {token('reader')}"}
    curator = {"HTTP_AUTHORIZATION": f"Bearer {token('curator')}"}
    made = client.post("/api/connect/practices", {"title": "API practice", "city": "Bologna", "submit": True},
                       content_type="application/json", **reader)
    assert made.status_code == 200, made.content
    rid = made.json()["id"]
    refused = client.post(f"/api/connect/practices/{rid}/actions", {"action": "publish"},
                          content_type="application/json", **reader)
    assert refused.status_code == 400 and "only a curator" in refused.json()["detail"]
    done = client.post(f"/api/connect/practices/{rid}/actions", {"action": "publish"},
                       content_type="application/json", **curator)
    assert done.json()["state"] == "published"
    listed = client.get("/api/connect/practices", {"q": "API practice"}).json()
    assert listed["items"][0]["country_name"] == "Italy"
    assert client.post("/api/connect/practices", {"title": "x"}, content_type="application/json").status_code == 401
    asked = client.post("/api/connect/peer-requests", {"challenge": "municipal identity card for undocumented "
                                                                    "residents"}, content_type="application/json",
                        **reader)
    assert asked.status_code == 200 and asked.json()["matches"][0]["name"] == "Bologna"
    assert asked.json()["matches"][0]["data"]["evidence"][0]["text"]
    ris = client.get("/api/connect/resources/export", {"format": "ris"})
    assert ris.status_code == 200
