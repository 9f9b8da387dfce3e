"""Places read from the document's context: common words, subdivisions, postal codes of states, demonyms."""

from __future__ import annotations

import pytest

from migrahub.extract import extract

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


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


def test_names_written_with_other_accents_are_found():
    got = places("Se sumaron Huelva y Cádiz; la delegación viajó a Río de Janéiro.", "es")
    assert got.get("Cadiz") == "ES" and got.get("Rio de Janeiro") == "BR"


def test_german_genitive_and_adjective_of_a_town_and_its_full_name():
    got = places("Potsdams Oberbürgermeister lobte die Marburger Erklärung. Rottenburg am Neckar trat bei.", "de")
    assert {"Potsdam", "Marburg", "Rottenburg am Neckar"} <= set(got)
    assert not places("Auf dieser Basis arbeiten die Städte weiter.", "de")


def test_us_counties_subdivisions_with_ampersand_and_historic_regions():
    got = places("Salt Lake County and Brighton & Hove joined towns across New England.")
    assert {"Salt Lake County", "Brighton and Hove", "New England"} <= set(got)
    assert not {"Salt Lake City", "England", "Brighton"} & set(got)


def test_a_small_namesake_does_not_take_a_capital_from_a_neighbouring_country():
    got = places("Alcaldes de Medellín, Quito, Lima y Madrid firmaron la declaración.", "es")
    assert got["Madrid"] == "ES"
    assert places("La ciudad de México acogió el foro.", "es").get("Mexico City") == "MX"


def test_a_capitalised_article_opening_a_sentence_is_no_town():
    got = places("Un colloque a réuni les maires de Lyon et de Nantes. Un atelier suivra en mai.", "fr")
    assert set(got) == {"Lyon", "Nantes"}
    assert not places("Un nuevo servicio abrió sus puertas. Un grupo de vecinos lo celebró.", "es")


def test_towns_of_one_name_read_in_the_documents_language_and_context():
    assert places("El ayuntamiento de Valencia abrió una oficina de acogida para familias.", "es") == {
        "Valencia": "ES"
    }
    assert places("La alcaldesa de Valencia visitó Caracas y otras ciudades de Venezuela.", "es")["Valencia"] == "VE"


def test_a_translated_country_name_that_is_a_foreign_towns_name():
    assert places("La ciudad de Granada abrió un centro de acogida para personas refugiadas.", "es") == {
        "Granada": "ES"
    }
    assert places("Delegates from Grenada and Jamaica met in Kingston, Jamaica.").get("Grenada") == "GD"
    got = places("Los delegados de Grenada y Jamaica llegaron a Granada el lunes.", "es")
    assert got == {"Grenada": "GD", "Jamaica": "JM"}  # the country named in Spanish, its English name given too


def test_a_city_named_like_its_region_is_the_city():
    got = x_places("El alcalde de Murcia inauguró un servicio de empleo; la Región de Murcia lo financia.", "es")
    assert ("Murcia", "city", "ES") in got and ("Murcia", "region", "ES") in got
    assert x_places("Murcia abrió un centro de acogida.", "es") == {("Murcia", "city", "ES")}


def x_places(text: str, language: str = "en") -> set[tuple[str, str, str | None]]:
    return {(p.name, p.type, p.country) for p in extract(text, doc="t.txt", language=language).places}
