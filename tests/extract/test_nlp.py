"""The statistical layer: spaCy's small pipelines load offline, and people are found in French and Spanish prose."""

from __future__ import annotations

import time

import pytest

from migrahub.extract import extract, nlp

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


def people(text: str, language: str) -> set[str]:
    return {p.name for p in extract(text, doc="t.txt", language=language).people}


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_models_load_offline_and_find_entities(language):
    t0 = time.perf_counter()
    assert nlp.available(language)
    assert time.perf_counter() - t0 < 60
    text = "Yesterday Maria Gonzalez met the mayor."
    ents = nlp.entities(text, [(0, len(text))], language)
    assert all(text[e.start : e.end] == e.text for e in ents)


def test_no_model_for_german_and_models_can_be_turned_off(monkeypatch):
    assert not nlp.available("de")
    monkeypatch.setenv("MIGRAHUB_EXTRACT_MODELS", "0")
    nlp.model.cache_clear()
    try:
        assert not nlp.available("en")
        assert nlp.entities("Maria Gonzalez", [(0, 14)], "en") == []
    finally:
        monkeypatch.delenv("MIGRAHUB_EXTRACT_MODELS")
        nlp.model.cache_clear()


def test_people_in_french_and_spanish_prose_without_titles():
    fr = people("La rencontre a réuni Élodie Marchand et Karim Benali autour du projet d'accueil.", "fr")
    assert {"Élodie Marchand", "Karim Benali"} <= fr
    es = people("En la reunión participaron Lucía Fernández y Andrés Villalobos, que presentaron el plan.", "es")
    assert {"Lucía Fernández", "Andrés Villalobos"} <= es


def test_titles_and_possessives_are_not_part_of_names():
    got = people("Senator Ratna Omidvar welcomed the plan. Critics recalled Donald Trump’s decree.", "en")
    assert "Ratna Omidvar" in got and "Senator Ratna Omidvar" not in got
    assert not any(n.endswith(("’s", "'s")) for n in got)


def test_capitalised_common_words_are_not_people():
    got = people("Las Ciudades Refugio y los Gobiernos Locales firmaron. Good Ideas come from General Motors.", "es")
    assert not {"Ciudades Refugio", "Gobiernos Locales", "Good Ideas", "General Motors"} & got


def test_long_spans_are_read_in_pieces_cut_at_spaces():
    text = "Ana Weber met the mayor of Ghent. " * 200
    got = nlp.pieces(text, 0, len(text), size=100)
    assert got[0][0] == 0 and got[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(got, got[1:], strict=False))  # contiguous, nothing lost
    assert all(e - s <= 100 for s, e in got) and all(text[e - 1] == " " for _, e in got[:-1])
    assert nlp.pieces("x" * 250, 0, 250, size=100) == [(0, 100), (100, 200), (200, 250)]
