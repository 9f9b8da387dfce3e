"""Unit tests of the initiative, event and practice rules on invented sentences (EN/FR/ES/DE)."""

from __future__ import annotations

import pytest

from migrahub.extract import extract

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


def inits(text):
    return extract(text, doc="t.txt").initiatives


def init_keys(text):
    out = set()
    for i in inits(text):
        out.update(s for s in (i.name, i.acronym, *i.surface) if s)
    return out


# --- initiatives -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,name",
    [
        ('In Lisbon the project "Open Kitchens" brings neighbours together.', "Open Kitchens"),
        ("À Nantes, le projet « Cuisines Ouvertes » réunit les voisins.", "Cuisines Ouvertes"),
        ('En Sevilla, el proyecto "Cocinas Abiertas" reúne a los vecinos.', "Cocinas Abiertas"),
        ("In Bremen bringt das Projekt „Offene Küchen“ Nachbarn zusammen.", "Offene Küchen"),
        ("The 'Open Kitchens' campaign started last spring.", "Open Kitchens"),
    ],
)
def test_quoted_title_next_to_an_initiative_noun(text, name):
    assert name in init_keys(text)


@pytest.mark.parametrize(
    "text,name",
    [
        ("Our partners joined a research project called HARBOURLINK to study arrivals.", "HARBOURLINK"),
        ("La asociación participa en un proyecto llamado PUENTES para jóvenes.", "PUENTES"),
        ("Der Verein beteiligt sich an einem Projekt namens BRÜCKEN für junge Menschen.", "BRÜCKEN"),
        ("The city has launched the initiative Open Harbour Doors in 2020.", "Open Harbour Doors"),
    ],
)
def test_name_after_initiative_noun(text, name):
    assert name in init_keys(text)


def test_code_name_before_lowercase_noun_keeps_bare_and_full_surfaces():
    keys = init_keys("The HARBOURLINK project trains volunteers. Later the VoteNow campaign reached 3,000 voters.")
    assert {"HARBOURLINK", "HARBOURLINK project", "VoteNow"} <= keys


def test_code_name_with_one_modifier_before_the_noun():
    assert "TRIDENT Net online platform" in init_keys("Ideas were shared on the TRIDENT Net online platform in May.")


@pytest.mark.parametrize(
    "text,name",
    [
        ("Cross-Harbour is a comprehensive database of research on arrivals.", "Cross-Harbour"),
        ("Open Doors Europe, a network of welcoming towns, met in Ghent.", "Open Doors Europe"),
        ("Portes Ouvertes est un réseau de villes accueillantes.", "Portes Ouvertes"),
        ("Puertas Abiertas es una plataforma de ciudades de acogida.", "Puertas Abiertas"),
        ("Offene Türen ist ein Netzwerk, das Städte verbindet.", "Offene Türen"),
        (
            "The growth of Harbour Connect — which is a diaspora investment platform — surprised many.",
            "Harbour Connect",
        ),
    ],
)
def test_name_defined_as_an_initiative(text, name):
    assert name in init_keys(text)


def test_appositive_after_a_preposition_is_not_a_definition():
    text = "The federation developed, in collaboration with Northbridge Aid, a new awareness-raising tool for schools."
    assert "Northbridge Aid" not in init_keys(text)


def test_bold_name_with_initiative_noun():
    text = "In 2018, the NGO kept contributing to the **European network of harbour mediators**, which informs cities."
    assert "European network of harbour mediators" in init_keys(text)


def test_organisation_acronym_before_noun_is_not_a_new_initiative():
    text = "The Harbour Cities Alliance (HCA) met in Porto. The HCA project helps newcomers."
    assert "HCA project" not in init_keys(text)


def test_initiative_details_lead_funders_period_participants():
    text = (
        "The Harbour Welcome Programme (HWP) is led by the Harbour Cities Alliance and funded by the "
        "Northbridge Foundation from 2016 to 2018. The HWP member cities are Porto, Ghent and Malmö."
    )
    hwp = next(i for i in inits(text) if i.acronym == "HWP")
    assert hwp.lead and "Harbour Cities Alliance" in hwp.lead[0]
    assert hwp.funders and "Northbridge Foundation" in hwp.funders[0]
    assert hwp.period == "2016-2018"
    assert {"Porto", "Ghent"} <= set(hwp.participants)


def test_possessive_owner_dropped_as_extra_surface():
    text = "Press release on Porto's Welcoming Harbour Ordinance, adopted by the council."
    i = next(i for i in inits(text) if "Ordinance" in i.name)
    assert "Welcoming Harbour Ordinance" in i.surface


def test_day_named_with_a_year_is_an_event_not_an_initiative():
    x = extract("To mark World Harbour Day 2019, the alliance published a note.", doc="t.txt")
    assert not any("Harbour Day" in i.name for i in x.initiatives)
    assert any(e.title == "World Harbour Day 2019" and e.date_start == "2019" for e in x.events)


def test_feed_timestamp_number_does_not_make_a_name():
    x = extract("Fri, 16 Aug 2019 09:22:23 +0200 Project News: a workshop for mayors.", doc="t.txt")
    assert not any(i.name == "Project News" for i in x.initiatives)


# --- events ------------------------------------------------------------------------------------------------------


def events(text):
    return extract(text, doc="t.txt").events


def test_feed_timestamp_is_not_an_event_date():
    evs = events("Tue, 16 Jul 2019 15:32:30 +0200 Project News: the alliance supports Portugal with advice.")
    assert not any(e.date_start == "2019-07-16" for e in evs)


@pytest.mark.parametrize(
    "text",
    [
        "The Harbour Cities Alliance organised a roundtable discussion among port authorities and NGOs.",
        "La Fédération des Ports a organisé un atelier sur l'accueil des nouveaux arrivants.",
        "La Red de Puertos organizó un taller sobre la acogida de recién llegados.",
        "Der Hafenverband veranstaltete einen Workshop zur Aufnahme von Neuankömmlingen.",
    ],
)
def test_event_stated_with_its_organiser_needs_no_date_or_place(text):
    evs = events(text)
    assert len(evs) == 1
    assert evs[0].date_start is None


@pytest.mark.parametrize(
    "text,place",
    [
        ("This workshop in Lyon will discuss housing for newcomers.", "Lyon"),
        ("Le séminaire à Lyon portera sur le logement.", "Lyon"),
        ("El seminario en Sevilla tratará la vivienda.", "Seville"),
        ("Die Konferenz in Köln widmet sich dem Wohnen.", "Cologne"),
    ],
)
def test_placed_event_without_a_verb(text, place):
    evs = events(text)
    assert [e.place for e in evs] == [place]


def test_workplace_workshop_near_a_city_is_not_an_event():
    assert events("He worked in a textiles workshop near Izmir for a few months.") == ()


def test_region_is_the_place_when_no_city_is_named():
    evs = events("The first consultation took place in New York on 19 July 2019 with 40 participants.")
    assert evs[0].place == "New York"
    assert evs[0].date_start == "2019-07-19"


def test_apostrophes_are_not_quotes_in_titles():
    evs = events("The mayors attended President Obama's Leaders' Summit on Refugees on 20 September 2016.")
    assert evs and "Summit on Refugees" in evs[0].title
    assert "“" not in evs[0].title


def test_event_mentioned_twice_is_one_record():
    text = (
        "The Harbour Summer School 2019 took place in Porto.\n\n"
        "From 30 June to 6 July 2019, the alliance organised the Harbour Summer School in Porto."
    )
    evs = events(text)
    assert len(evs) == 1
    assert evs[0].date_start == "2019-06-30"


def test_forum_edition_with_a_year_is_an_event():
    text = "The Global Harbour Forum (GHF) brings states together. Two recommendations from GHF 2015 concern cities."
    assert any(e.title == "GHF 2015" and e.date_start == "2015" for e in events(text))


# --- practices ---------------------------------------------------------------------------------------------------


ANNEX = (
    "### Annex 1: Further resources\n\n"
    "### 1. Housing\n\n"
    "### **Harbour Aid Centre (HAC)**\n\n"
    'See < <a href="http://www.example.org/">http://www.example.org/</a> for an example of a housing fair '
    "organised with local landlords in Porto\n\n"
    "### **Northbridge Aid**\n\n"
    'See <a href="http://www.example.net/">http://www.example.net/</a> for various examples of their work with '
    "landlords.\n\n"
    "### Harbour Cities Alliance (HCA)\n\n"
    '"Welcoming ports", Porto, 2016, available at: <a href="http://hca.example/x.pdf">http://hca.example/x.pdf</a>\n\n'
    "Campaign to build person-to-person connections between newcomers and dock workers.\n\n"
    '"Ciudades de acogida", Sevilla, 2017, disponible en: <a href="http://c.example/">http://c.example/</a>\n\n'
    "Esta caravana es un viaje solidario de diez días hasta Grecia organizado por varias iniciativas.\n"
)


def test_annotated_resource_list_entries_that_describe_an_example():
    ps = extract(ANNEX, doc="t.txt").practices
    ev = [p.evidence for p in ps]
    assert any(e.startswith("for an example of a housing fair") for e in ev)
    assert any(e.startswith("Campaign to build person-to-person") for e in ev)
    assert any(e.startswith("Esta caravana es un viaje") for e in ev)
    assert not any("various examples" in e for e in ev)


def test_long_paragraph_where_a_cso_launched_a_named_initiative_is_a_practice():
    text = (
        "As newcomers face growing hostility, cities need allies. "
        * 3
        + "For these reasons, the Northbridge Refugee Council worked with partners to launch the Harbour "
        "Welcome Programme, which pairs newcomers with volunteers in twelve towns and trains them in "
        "organising, communication and alliance building over a full year of meetings and visits."
    )
    ps = extract(text, doc="t.txt").practices
    assert len(ps) == 1 and "Harbour Welcome Programme" in ps[0].title


def test_paragraph_defining_an_initiative_is_not_a_practice():
    text = (
        "Created in 2007, the Harbour Forum on Migration (HFM) is a state-led process that launched "
        "dialogues among governments. " + "It gathers governments and experts every year to discuss policy. " * 5
    )
    assert extract(text, doc="t.txt").practices == ()


def test_new_initiative_mentions_point_at_their_surface():
    text = "Later the VoteNow campaign reached voters. Ideas were shared on the TRIDENT Net online platform."
    x = extract(text, doc="t.txt")
    ms = [m for m in x.mentions if m.category == "initiatives"]
    assert ms
    for m in ms:
        assert text[m.start : m.end] == m.surface
