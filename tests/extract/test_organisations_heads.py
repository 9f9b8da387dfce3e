"""Bodies and programmes named without a registry entry, read from the vocabulary of data/name_heads.yaml
(invented sentences in French, Spanish, German and English)."""

from __future__ import annotations

import pytest

from migrahub.extract import extract
from migrahub.extract.registry import use_shipped

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


@pytest.fixture(autouse=True)
def _no_registry():
    use_shipped(False)
    yield
    use_shipped(True)


def names(text: str, language: str) -> tuple[set[str], set[str]]:
    x = extract(text, doc="t.txt", language=language)
    return {o.name for o in x.organisations}, {i.name for i in x.initiatives}


def test_french_bodies_written_in_sentence_case():
    orgs, inits = names(
        "À Rouen, la Maison des familles accueille les nouveaux arrivants. Le Centre communal d'action sociale "
        "finance le dispositif Parcours Avenir avec le Secours populaire.",
        "fr",
    )
    assert {"Maison des familles", "Centre communal d'action sociale", "Secours populaire"} <= orgs
    assert "Parcours Avenir" in inits


def test_a_generic_committee_in_sentence_case_is_no_body():
    orgs, _ = names("Le Comité de pilotage se réunit en mai; la Maison accueille aussi des ateliers.", "fr")
    assert not orgs


def test_spanish_municipal_departments():
    orgs, _ = names(
        "La Concejalía de Igualdad y la Consejería de Bienestar Social abrieron en Málaga el Servicio de Atención "
        "al Inmigrante.",
        "es",
    )
    assert {"Concejalía de Igualdad", "Consejería de Bienestar Social", "Servicio de Atención al Inmigrante"} <= orgs


def test_german_compound_bodies_and_names_joined_by_im_am():
    orgs, inits = names(
        "Der Ausländerbeirat und der Seniorenrat der Stadt Kassel begrüßen das Projekt Wohnen im Viertel. "
        "Das Jugendamt unterstützt die Initiative Lernen am Ort. Das Ehrenamt bleibt wichtig.",
        "de",
    )
    assert {"Ausländerbeirat", "Seniorenrat", "Stadt Kassel", "Jugendamt"} <= orgs and "Ehrenamt" not in orgs
    assert {"Wohnen im Viertel", "Lernen am Ort"} <= inits
    _, inits = names("Die Stadt startet das Projekt Neue Wege im Rahmen des Landesprogramms.", "de")
    assert inits == {"Neue Wege"}


def test_a_leading_enumeration_opens_a_committees_name():
    orgs, _ = names("That the Tourism, Equalities, Communities & Culture Committee instructs officers.", "en")
    assert orgs == {"Tourism, Equalities, Communities & Culture Committee"}


def test_services_and_generic_councils():
    orgs, _ = names("The Newcomer Legal Service met the Full Council. That Full Council agreed.", "en")
    assert orgs == {"Newcomer Legal Service"}


def test_an_invitation_heading_is_not_part_of_the_name():
    _, inits = names("Invitation to the Harbour Cities Exchange Programme, held online.", "en")
    assert inits == {"Harbour Cities Exchange Programme"}


def test_a_school_is_a_body_and_a_summer_school_a_programme():
    orgs, inits = names(
        "The Riverside School of Languages and Crafts hosts the Harbour Cities Summer School every July.", "en"
    )
    assert "Riverside School of Languages and Crafts" in orgs and "Harbour Cities Summer School" in inits


def test_a_capitalised_article_after_and_opens_another_name():
    orgs, _ = names("We thank the Northfield Mayors Group and The Hague Municipality for their support.", "en")
    assert {"Northfield Mayors Group", "The Hague Municipality"} <= orgs


def test_spanish_names_joined_by_entre():
    orgs, _ = names("La Alianza de Cooperación entre Ciudades Costeras organizó la mesa en Cádiz.", "es")
    assert "Alianza de Cooperación entre Ciudades Costeras" in orgs


def test_an_app_called_and_a_capitalised_programme_before_its_quoted_title():
    _, inits = names(
        "The city network has developed an app called Harbour Welcome. The Programme “Northside Grows Together” "
        "was launched with local schools.",
        "en",
    )
    assert {"Harbour Welcome", "Northside Grows Together"} <= inits


def test_a_german_head_in_the_genitive_before_its_quoted_title():
    _, inits = names("Das dritte Treffen des Bündnisses „Offene Städte am Fluss“ fand in Kassel statt.", "de")
    assert "Offene Städte am Fluss" in inits


def test_a_year_at_a_sentences_end_is_not_part_of_the_name():
    _, inits = names("Governments met during the Harbour Dialogue on Labour Mobility in 2013.", "en")
    assert inits == {"Harbour Dialogue on Labour Mobility"}


def test_german_newspapers_named_by_a_town_or_a_region():
    x = extract("Die Kasseler Rundschau und das Stadtblatt Nordhessen berichteten über das Fest.", doc="t.txt",
                language="de")
    assert {(o.name, o.kind) for o in x.organisations} == {("Kasseler Rundschau", "media"),
                                                           ("Stadtblatt Nordhessen", "media")}
