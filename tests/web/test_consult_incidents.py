"""Incident reporting through the web: anonymous form, nothing identifying stored, flood limit (429, nothing
stored), moderators' review, aggregates on the page, in CSV and in the API; the consult API."""

from __future__ import annotations

import json

from webhelpers import sql

REPORT = {"kind": "discrimination_housing", "target_group": "refugees", "city": "Utrecht", "country": "NL",
          "date": "2026-05", "description": "The landlord Pieter de Vries refused us; call him on 06-12345678."}


def test_anonymous_report_review_and_aggregates(client, login, hub, monkeypatch):
    from migrahub.consult.incidents import FloodGate
    from migrahub.web.consult import incidents as views

    monkeypatch.setattr(views, "GATE", FloodGate(per_client=2, overall=100, window=600))
    before = sql(hub, "SELECT count(*) FROM consult_incidents")[0][0]
    assert client.get("/incidents/report").status_code == 200
    assert client.post("/incidents/report", REPORT).status_code == 200
    assert client.post("/incidents/report", REPORT | {"date": "2026-05-03"}).status_code == 200
    flooded = client.post("/incidents/report", REPORT)
    assert flooded.status_code == 429 and b"Nothing was stored" in flooded.content
    bad = client.post("/incidents/report", REPORT | {"kind": "gossip", "date": "soon"})
    assert bad.status_code in (400, 429)
    rows = sql(hub, "SELECT * FROM consult_incidents ORDER BY id")[before:]
    assert len(rows) == 2
    stored = " ".join(str(v) for r in rows for v in tuple(r))
    assert "Pieter de Vries" not in stored and "06-12345678" not in stored and "127.0.0.1" not in stored
    assert login("reader").get("/incidents/review").status_code == 403
    moderator = login("curator")
    assert rows[0]["id"] and b"Review incident reports" in moderator.get("/incidents/review").content
    moderator.post("/incidents/review", {"incident": rows[0]["id"], "decision": "accepted"})
    moderator.post("/incidents/review", {"incident": rows[1]["id"], "decision": "rejected"})
    page = client.get("/incidents/").content.decode()
    assert "Utrecht" in page and "Discrimination in housing" in page and "Pieter" not in page
    assert "NL,Utrecht,discrimination_housing,2026-05,1" in client.get("/incidents.csv").content.decode()
    api = json.loads(client.get("/api/incidents").content)
    assert any(r["city"] == "Utrecht" and r["count"] >= 1 for r in api["rows"])
    assert "description" not in json.dumps(api)


def test_api_submission_and_moderation(login, token, client):
    from django.test import Client

    organiser = login("curator")
    made = organiser.post("/consult/new", {"title": "API consultation", "consent_text": ""})
    slug = made["Location"].rstrip("/").split("/")[-2]
    organiser.post(f"/consult/{slug}/manage", {"action": "question", "kind": "text", "prompt": "What works?"})
    organiser.post(f"/consult/{slug}/manage", {"action": "phase", "phase": "open"})
    info = json.loads(client.get(f"/api/consult/consultations/{slug}").content)
    qid = info["questions"][0]["id"]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token('reader')}")
    refused = client.post(f"/api/consult/consultations/{slug}/submissions", json.dumps({"fields": {}}),
                          content_type="application/json")
    assert refused.status_code == 401
    bad = api.post(f"/api/consult/consultations/{slug}/submissions",
                   json.dumps({"fields": {"submitter_type": "martian"}}), content_type="application/json")
    assert bad.status_code == 400 and "submitter_type" in bad.json()["detail"]
    sent = api.post(f"/api/consult/consultations/{slug}/submissions",
                    json.dumps({"fields": {"submitter_type": "city", "organisation": "City of Ghent",
                                           f"q{qid}": "Our welcome desk works."}}), content_type="application/json")
    assert sent.status_code == 200 and sent.json()["status"] == "published"
    sid = sent.json()["id"]
    assert api.post(f"/api/consult/submissions/{sid}/moderation", json.dumps({"action": "hide"}),
                    content_type="application/json").status_code == 403
    moderator = Client(HTTP_AUTHORIZATION=f"Bearer {token('curator')}")
    assert moderator.post(f"/api/consult/submissions/{sid}/moderation", json.dumps({"action": "hide"}),
                          content_type="application/json").json()["status"] == "hidden"
    listed = client.get(f"/api/consult/consultations/{slug}/submissions").json()
    assert listed["submissions"] == []


def test_a_private_hub_keeps_consultations_for_signed_in_readers(client, login):
    from django.test import override_settings

    organiser = login("curator")
    made = organiser.post("/consult/new", {"title": "Private hub consultation", "consent_text": ""})
    slug = made["Location"].rstrip("/").split("/")[-2]
    organiser.post(f"/consult/{slug}/manage", {"action": "question", "kind": "text", "prompt": "What works?"})
    organiser.post(f"/consult/{slug}/manage", {"action": "phase", "phase": "open"})
    with override_settings(MIGRAHUB_ANONYMOUS_READ=False):
        for path in ("/consult/", f"/consult/{slug}/", f"/consult/{slug}/submissions", "/incidents/",
                     "/incidents.csv", f"/consult/{slug}/submissions.json"):
            response = client.get(path)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], path
        assert client.get(f"/api/consult/consultations/{slug}/submissions").status_code == 401
        assert login("reader").get(f"/consult/{slug}/submissions").status_code == 200
        assert login("reader").get(f"/consult/{slug}/answer").status_code == 200
