"""City profiles, cities like mine (explained) and declarations with their signatories, on invented documents."""

from __future__ import annotations

import pytest

from migrahub.connect.similarity import CityFacts, compare, population_class
from migrahub.connect.similarity import compare as compare_facts
from migrahub.services.connect import cities, declarations, practices
from migrahub.services.ingest import ingest
from migrahub.store.database import connect, locator


@pytest.fixture()
def conn(hub_copy):
    c = connect(hub_copy)
    yield c
    c.close()


def _city(conn, name):
    return conn.execute("SELECT id FROM entities WHERE category = 'places' AND name = ?", (name,)).fetchone()[0]


def test_population_classes():
    assert population_class(30_000)["key"] == "small"
    assert population_class(390_000)["key"] == "large"
    assert population_class(1_500_000)["key"] == "metropolis"
    assert population_class(None) is None


def test_similarity_is_explained():
    mine = CityFacts(1, "A", "IT", 390_000, frozenset({(9, "Eurocities")}), (("HOUSING", 3), ("ID", 2)))
    other = CityFacts(2, "B", "IT", 250_000, frozenset({(9, "Eurocities")}), (("ID", 5),))
    far = CityFacts(3, "C", "SE", 20_000)
    close = compare(mine, other, {"IT": "Italy"}.get)
    assert close.reasons[0] == "same country (Italy)"
    assert "same size: large city (200,000–1 million) (250,000 inhabitants)" in close.reasons
    assert "shared networks and partners: Eurocities" in close.reasons
    assert "shared themes: ID" in close.reasons
    assert compare(mine, far).score == 0


def test_index_scores_make_cities_alike(conn):
    from pathlib import Path

    from migrahub.services import compare

    examples = Path(compare.__file__).resolve().parents[1] / "compare" / "data" / "examples"
    compare.load_file(conn, examples / "cities_demo.yaml", "curator1")
    compare.import_file(conn, "cities-demo", examples / "cities_demo_answers.csv", "curator1")
    scores = cities.index_scores(conn)
    ghent, malmo = _city(conn, "Ghent"), _city(conn, "Malmö")
    assert scores[ghent] == [("Inclusive cities demo index", 93.75)]
    assert scores[malmo] == [("Inclusive cities demo index", 66.25)]
    reasons = next(s["reasons"] for s in cities.similar(conn, ghent) if s["name"] == "Malmö")
    assert not any(r.startswith("close index scores") for r in reasons)  # 27.5 points apart: not alike there
    alike = compare_facts(CityFacts(1, "A", scores=(("Index", 93.75),)), CityFacts(2, "B", scores=(("Index", 88.0),)))
    assert alike.reasons == ("close index scores: Index (94 and 88)",) and alike.score == 0.2


def test_city_profile_has_practices_peers_and_map(conn):
    bologna = _city(conn, "Bologna")
    rid = practices.create(conn, {"title": "City ID card", "city": "Bologna", "policy_areas": []}, "o", submit=True)
    practices.act(conn, rid, "publish", "c", curator=True)
    profile = cities.profile(conn, bologna)
    assert profile["name"] == "Bologna" and profile["country"] == "Italy"
    assert profile["population"] > 300_000 and profile["population_class"].startswith("large city")
    assert [p.record.title for p in profile["practices"]] == ["City ID card"]
    assert profile["extracted_practices"]
    similar = {s["name"]: s for s in profile["similar"]}
    assert "Valencia" in similar and all(s["reasons"] for s in profile["similar"])
    assert profile["map"]["points"][0]["name"] == "Bologna" and len(profile["map"]["lines"]) == \
        len(profile["map"]["points"]) - 1
    assert cities.profile(conn, conn.execute("SELECT id FROM entities WHERE category = 'practices'").fetchone()[0]) \
        is None


def test_declarations_found_in_documents_and_curated(conn, tmp_path):
    docs = tmp_path / "decl"
    docs.mkdir()
    (docs / "charter.md").write_text(
        "# Cities sign the Welcoming Cities Charter\n\n"
        "In 2021 the mayors of Bologna and Utrecht signed the Welcoming Cities Charter, promising fair access to "
        "services for every resident.\n", encoding="utf-8")
    ingest([str(docs)], locator(conn))
    assert declarations.sync_extracted(conn) >= 2
    logged = conn.execute("SELECT count(*) FROM actions").fetchone()[0]
    assert declarations.sync_extracted(conn) == 0  # nothing new: nothing written, nothing logged
    assert conn.execute("SELECT count(*) FROM actions").fetchone()[0] == logged
    found = [d for d in declarations.listing(conn) if "Charter" in d["title"]]
    assert found and found[0]["kind"] == "charter"
    view = declarations.view(conn, found[0]["id"])
    signed = {s["name"]: s for s in view["signatories"]}
    assert {"Bologna", "Utrecht"} <= set(signed)
    assert signed["Bologna"]["signed_on"] == "2021" and "signed the Welcoming" in signed["Bologna"]["passage"]
    assert signed["Utrecht"]["country"] == "Netherlands"
    did = declarations.create(conn, {"title": "Mayors' pledge on reception", "kind": "pledge",
                                     "adopted_on": "2018-06"}, "curator1")
    declarations.add_signatory(conn, did, "Malmö", "2019", "curator1")
    assert [d["title"] for d in declarations.signed_by(conn, _city(conn, "Malmö"))] == ["Mayors' pledge on reception"]
    with pytest.raises(declarations.DeclarationError, match="city: no city named 'Atlantis'"):
        declarations.add_signatory(conn, did, "Atlantis", None, "curator1")
