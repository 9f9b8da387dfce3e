"""Places read from the document's context: common words, subdivisions, postal codes of states, demonyms."""

from __future__ import annotations

from migrahub.extract import extract


def places(text: str, language: str = "en") -> dict[str, str | None]:
    return {p.name: p.country for p in extract(text, doc="t.txt", language=language).places}


def test_capitalised_common_words_are_not_towns():
    got = places("The Peer-Learning Event opens the Date: 4 May. Time: 10:00.")
    assert not {"Peer", "Date", "Time"} & set(got)
    assert "Lage" not in places("Die Lage der Geflüchteten bleibt schwierig. Am Ende entscheiden die Städte.", "de")
    assert "Ende" not in places("Am Ende entscheiden die Städte in Deutschland.", "de")


def test_a_common_word_town_after_a_locative_preposition_is_a_town():
    assert places("The workshop took place in Peer, a small town.").get("Peer") == "BE"


def test_valencia_among_spanish_places_is_in_spain():
    got = places("El alcalde de Valencia se reunió en Madrid con los alcaldes de Sevilla y Bilbao.", "es")
    assert got["Valencia"] == "ES"


def test_postal_codes_of_us_states_after_a_town():
    got = places("Mayors of Atlanta, GA and Minneapolis, MN joined officials from Austin, TX.")
    assert {"Georgia", "Minnesota", "Texas"} <= set(got) and got["Atlanta"] == "US"


def test_subdivisions_of_several_countries():
    got = places("Des élus de l'Isère et des Hauts-de-Seine ont rencontré des maires de Minas Gerais.", "fr")
    assert {"Hauts-de-Seine", "Minas Gerais"} <= set(got)


def test_demonyms_are_not_places_and_continents_beat_towns():
    got = places("Turkish and Ecuadorian officials met Asian partners. The Forum in Asia met in the Philippines.")
    assert got.get("Asia", "missing") is None and "Turkey" not in got and "Ecuador" not in got


def test_the_place_of_a_council_counts():
    got = places("Sunderland Council and the Mairie de Grenoble signed the pledge.", "en")
    assert {"Sunderland", "Grenoble"} <= set(got)
