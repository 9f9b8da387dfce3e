"""Organisations and initiatives: job titles, web words, acronyms named without their expansion."""

from __future__ import annotations

import pytest

from migrahub.extract import extract

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


def recs(text: str, language: str = "en") -> tuple[set[str], set[str]]:
    x = extract(text, doc="t.txt", language=language)
    return {o.name for o in x.organisations}, {i.name for i in x.initiatives}


def test_job_titles_are_neither_organisations_nor_initiatives():
    orgs, inits = recs("Write to Maria Lopez, Programme Officer, or to the Project Manager of the network.")
    assert not {"Programme Officer", "Project Manager"} & (orgs | inits)


def test_annex_headings_and_menu_words_are_not_names():
    orgs, inits = recs("Annex B. Resources cited\n\nRead More\n\nAbout the Mayor’s Office of Immigrant Affairs")
    assert "Annex B. Resources cited" not in orgs | inits
    assert "Mayor’s Office of Immigrant Affairs" in orgs


def test_a_sentence_without_its_full_stop_does_not_lengthen_a_name():
    orgs, _ = recs("The Council of Sanctuary This year the Council of Sanctuary met again.")
    assert "Council of Sanctuary This" not in orgs


def test_bare_acronyms_named_twice_are_organisations_generic_ones_are_not():
    orgs, _ = recs("ANVITA met the mayors. Later ANVITA wrote to NGOs and CSOs about COVID and the SDG targets.", "fr")
    assert "ANVITA" in orgs and not {"NGOs", "CSOs", "COVID", "SDG"} & orgs


def test_german_prose_is_not_an_organisation():
    orgs, _ = recs("Wir wollen die Menschen in die Gesellschaft integrieren.", "de")
    assert not any("Gesellschaft" in o for o in orgs)


def test_an_enumeration_closes_a_name_and_a_trailing_place_leaves_it():
    x = extract(
        "The Global Mayoral Forum on Human Mobility, Migration and Development met. The Mayors Declaration on "
        "Migration in Marrakesh was signed. The Programa Migraciudades trains officials.",
        doc="t.txt",
        language="en",
    )
    surfaces = {s for i in x.initiatives for s in i.surface}
    assert "Global Mayoral Forum on Human Mobility, Migration and Development" in surfaces
    assert "Mayors Declaration on Migration" in surfaces and "Marrakesh" in {p.name for p in x.places}
    assert "Migraciudades" in surfaces


def test_german_initiatives_named_in_quotes_after_their_noun():
    text = "Das Bündnis „Städte Sicherer Häfen“ traf sich. Die bundesweite Initiative „Sichere Häfen“ wächst."
    _, inits = recs(text, "de")
    assert {"Städte Sicherer Häfen", "Sichere Häfen"} <= inits
