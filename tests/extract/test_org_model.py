"""Organisations the NER model proposes where the rules stop, kept only when the rules agree (extract/org_model)."""

from __future__ import annotations

import pytest

from migrahub.extract import extract, nlp, org_model
from migrahub.extract.registry import use_shipped

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


@pytest.fixture()
def no_registry():
    use_shipped(False)
    yield
    use_shipped(True)


def orgs(text: str, language: str) -> set[str]:
    x = extract(text, doc="t.txt", language=language)
    return {s for o in x.organisations for s in (o.name, *o.surface)}


def test_acronym_named_once_is_a_body_when_the_model_says_so(no_registry):
    assert nlp.available("en")
    got = orgs("The workshop was opened by officials of UNCTAD and of the city of Porto in March.", "en")
    assert "UNCTAD" in got


def test_generic_abbreviations_state_codes_and_territories_are_not_bodies(no_registry):
    got = orgs("Refugees arrived in Nashua, NH, and in the MDDCVA region; NGO staff met them.", "en")
    assert not {"NH", "MDDCVA", "NGO"} & got


def test_party_and_media_nouns_make_a_body_in_spanish(no_registry):
    got = orgs("La propuesta fue apoyada por el Partido Socialista de Aragón y recogida por la agencia.", "es")
    assert any(s.startswith("Partido Socialista") for s in got)


def test_a_name_without_head_noun_needs_two_readings():
    assert org_model.accept("Welcoming Harbour", "organisation", repeated=True)
    assert not org_model.accept("Welcoming Harbour", "organisation", repeated=False)
    assert not org_model.accept("Comparative Analysis of Housing Law", "organisation", repeated=True)
    assert not org_model.accept("City Networks", "organisation", repeated=True)
    assert not org_model.accept("Steering Group", "organisation", repeated=True)


def test_models_off_keeps_the_rules(monkeypatch, no_registry):
    monkeypatch.setenv("MIGRAHUB_EXTRACT_MODELS", "0")
    nlp.model.cache_clear()
    try:
        got = orgs("The Lisbon Housing Institute (LHI) met UNCTAD. LHI answered.", "en")
        assert "LHI" in got and "UNCTAD" not in got
    finally:
        monkeypatch.delenv("MIGRAHUB_EXTRACT_MODELS")
        nlp.model.cache_clear()


def test_german_bodies_without_a_model():
    text = (
        "Die Stadt Ulm und die Landeshauptstadt Potsdam baten die Bundesregierung um Hilfe. "
        "Auch die Beauftragte der Bundesregierung für Migration, Flüchtlinge und Integration sprach. "
        "Bund und Länder verhandeln weiter."
    )
    got = orgs(text, "de")
    assert {"Stadt Ulm", "Landeshauptstadt Potsdam", "Bundesregierung"} <= got
    assert "Beauftragte der Bundesregierung für Migration, Flüchtlinge und Integration" in got
    assert not any(s.startswith("Bund und") for s in got)
