"""Compare pages and API on the shared web hub: a curator loads an index and answers, the pages render (ranking,
profile with chart and table, side by side, indicator, questionnaire, downloads), readers cannot write, the API
serves scores and refuses bad answers with the reason."""

from __future__ import annotations

import json
from importlib import resources

import pytest

EXAMPLES = resources.files("migrahub.compare") / "data" / "examples"


@pytest.fixture()
def loaded(login):
    c = login("curator")
    with (EXAMPLES / "cities_demo.yaml").open("rb") as d, (EXAMPLES / "cities_demo_answers.csv").open("rb") as a:
        r = c.post("/compare/load", {"definition": d, "answers": a})
    assert r.status_code == 302 and r["Location"].endswith("/compare/cities-demo/")
    return c


def test_index_pages_render(loaded, client):
    page = client.get("/compare/cities-demo/").content.decode()
    assert "Inclusive cities demo index" in page and "Ghent" in page and "How robust are the ranks?" in page
    profile = client.get("/compare/cities-demo/units/GHENT/").content.decode()
    assert "<svg" in profile and "Scores by area" in profile and "1st of 4" in profile
    assert "Change on the common core" in profile
    side = client.get("/compare/cities-demo/compare?units=GHENT&units=LEUVEN&edition=2022").content.decode()
    assert "87.5" in side and "25.0" in side
    ind = client.get("/compare/cities-demo/indicators/COMM2").content.decode()
    assert "Distribution" in ind and "<meter" in ind
    q = client.get("/compare/cities-demo/units/GHENT/answers?edition=2025").content.decode()
    assert "Legal aid for newcomers" in q and "Save answers" not in q  # readers see the questionnaire only
    assert client.get("/compare/cities-demo/units/NOWHERE/").status_code == 404
    w = client.get("/compare/cities-demo/units/LEUVEN/?whatif=COMM1&answer=yes").content.decode()
    assert "43.8 → <strong>50.0</strong>" in w  # communication (100 + 0)/2 instead of (50 + 0)/2, weight .25
    w = client.get("/compare/cities-demo/units/LEUVEN/?whatif=COMM1&answer=often").content.decode()
    assert "not an option of COMM1" in w


def test_downloads(loaded, client):
    r = client.get("/compare/cities-demo/export.csv?edition=2025")
    assert r.status_code == 200 and r.content.startswith(b"uCode,uName,Rank")
    assert client.get("/compare/cities-demo/export.xlsx").content[:2] == b"PK"
    assert json.loads(client.get("/compare/cities-demo/export.json").content)["ranks"]["GHENT"] == 1
    assert client.get("/compare/cities-demo/export.imeta").content.startswith(b"iCode,iName,Level")


def test_readers_cannot_write(loaded, login):
    reader = login("reader")
    assert reader.post("/compare/cities-demo/units/GHENT/answers", {"answer-SERV1": "no"}).status_code == 403
    with (EXAMPLES / "cities_demo.yaml").open("rb") as d:
        assert reader.post("/compare/load", {"definition": d}).status_code == 403


def test_questionnaire_post_and_bad_answer(loaded):
    r = loaded.post("/compare/cities-demo/units/LEUVEN/answers", {"edition": "2025", "answer-COMM1": "maybe"})
    assert r.status_code == 302
    page = loaded.get(r["Location"]).content.decode()
    assert "answer &#x27;maybe&#x27; is not an option of COMM1" in page
    r = loaded.post("/compare/cities-demo/units/LEUVEN/answers", {"edition": "2025", "answer-COMM1": "yes",
                                                                   "source-COMM1": "council minutes"})
    assert r.status_code == 302 and "/units/LEUVEN/" in r["Location"]
    assert "council minutes" in loaded.get(r["Location"]).content.decode()


def test_api_scores_profile_and_answers(loaded, client, token):
    scores = client.get("/api/compare/indices/cities-demo/scores").json()
    assert scores["ranks"]["GHENT"] == 1 and scores["scores"]["GHENT"]["OVERALL"] == pytest.approx(93.75)
    w = client.get("/api/compare/indices/cities-demo/units/LEUVEN/whatif?change=COMM1=yes").json()
    assert w["after"]["scores"]["OVERALL"] == pytest.approx(50.0)
    prof = client.get("/api/compare/indices/cities-demo/units/GHENT").json()
    assert prof["ranks"][0]["text"] == "1st of 4"
    raw = token("curator")
    bad = client.post("/api/compare/indices/cities-demo/units/GHENT/answers", json.dumps(
        {"edition": "2025", "answers": {"SERV2": {"answer": "perhaps"}}}), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert bad.status_code == 400 and "not an option of SERV2" in bad.json()["detail"]
    ok = client.post("/api/compare/indices/cities-demo/units/GHENT/answers", json.dumps(
        {"edition": "2025", "answers": {"SERV2": {"answer": "partly", "comment": "api"}}}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert ok.status_code == 200 and ok.json()["answers"] == 1


def test_bad_uploads_are_refused_with_the_reason(loaded):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("weights.yaml", b"code: cities-demo\nstructure:\n  - code: T\n    children:\n"
                                             b"      - {code: a, weight: 0.5}\n      - {code: b, weight: 0.2}\n")
    r = loaded.post("/compare/load", {"definition": bad})
    page = loaded.get(r["Location"]).content.decode()
    assert "weights.yaml: structure[0].children[0].weight: the weights of the children of &#x27;T&#x27; sum to 0.7" \
        in page
    broken = SimpleUploadedFile("answers.xlsx", b"PK\x03\x04 not a workbook")
    r = loaded.post("/compare/load", {"answers": broken, "index": "cities-demo"})
    assert "answers.xlsx: not a readable XLSX workbook" in loaded.get(r["Location"]).content.decode()
    # the index is still the one loaded before, with its answers
    assert "93.8" in loaded.get("/compare/cities-demo/units/GHENT/").content.decode()
