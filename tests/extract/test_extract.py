"""Unit tests of the extraction stages on invented sentences (EN/FR/ES/DE)."""

from __future__ import annotations

import pytest

from migrahub.extract import extract
from migrahub.extract.acronyms import find_pairs
from migrahub.extract.dates import find_dates
from migrahub.extract.resolve import resolution_key, resolve

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


def names(recs):
    return {r.name for r in recs}


@pytest.mark.parametrize(
    "text,start,end",
    [
        ("The workshop takes place on 25-26 June 2019 in Vienna.", "2019-06-25", "2019-06-26"),
        ("The forum will be held on 29-30th September, 2016.", "2016-09-29", "2016-09-30"),
        ("Four workshops will take place between July and October 2019.", "2019-07", "2019-10"),
        ("From 30 June to 6 July 2019, the school met.", "2019-06-30", "2019-07-06"),
        ("La réunion aura lieu du 25 au 26 juin 2019 à Lyon.", "2019-06-25", "2019-06-26"),
        ("Le séminaire s'est tenu le 3 décembre 2018.", "2018-12-03", None),
        ("El taller se celebró del 4 al 5 de marzo de 2020 en Bogotá.", "2020-03-04", "2020-03-05"),
        ("La cumbre tendrá lugar en noviembre de 2021.", "2021-11", None),
        ("Die Tagung fand am 12. Dezember 2019 in Köln statt.", "2019-12-12", None),
        ("Der Workshop findet vom 25.–26. Juni 2019 statt.", "2019-06-25", "2019-06-26"),
    ],
)
def test_dates_in_four_languages(text, start, end):
    hits = find_dates(text)
    assert hits, text
    assert (hits[0].date_start, hits[0].date_end) == (start, end)
    assert text[hits[0].start : hits[0].end].strip()


def test_may_as_a_verb_is_not_a_month():
    assert [h.date_start for h in find_dates("Cities may 2019 budgets differ")] == ["2019"]


def test_acronym_pairs_both_directions_and_french():
    text = (
        "The International Centre for Migration Policy Development (ICMPD) met the Organisation internationale "
        "pour les migrations (OIM). Later ABCD (Alliance of Bold City Developers) joined."
    )
    pairs = {p.acronym: p.expansion for p in find_pairs(text)}
    assert pairs["ICMPD"] == "International Centre for Migration Policy Development"
    assert pairs["OIM"] == "Organisation internationale pour les migrations"
    assert pairs["ABCD"] == "Alliance of Bold City Developers"
    for p in find_pairs(text):
        assert text[p.acr_start : p.acr_end] == p.acronym
        assert text[p.exp_start : p.exp_end] == p.expansion


def test_acronym_pair_of_unknown_organisation_links_later_bare_acronym():
    text = "The Network of Harbour Cities Against Exclusion (NOHCAE) met in Genoa. Later NOHCAE published a report."
    x = extract(text, doc="t.txt")
    org = next(o for o in x.organisations + x.initiatives if o.acronym == "NOHCAE")
    assert set(org.surface) == {"Network of Harbour Cities Against Exclusion", "NOHCAE"}
    assert sum(1 for m in x.mentions if m.key == org.key) == 3


def test_kingston_in_a_jamaica_paragraph():
    x = extract("This workshop in Kingston, Jamaica, will discuss remittances and rural development.", doc="t")
    k = next(p for p in x.places if p.name == "Kingston")
    assert k.country == "JM" and k.type == "city"


def test_kingston_without_context_is_the_most_populous():
    x = extract("The delegation travelled to Kingston last spring.", doc="t")
    assert next(p for p in x.places if p.name == "Kingston").country == "JM"


def test_kingston_in_canada_context():
    x = extract("Ontario cities such as Kingston and Toronto in Canada run newcomer centres.", doc="t")
    assert next(p for p in x.places if p.name == "Kingston").country == "CA"


def test_exonyms_give_canonical_english_names():
    x = extract("Meetings were held in Gent and in Zürich, then in Marrakech and Bogotá.", doc="t")
    by_surface = {s: p for p in x.places for s in p.surface}
    assert by_surface["Gent"].name == "Ghent" and by_surface["Gent"].country == "BE"
    assert by_surface["Zürich"].name == "Zurich" and by_surface["Zürich"].country == "CH"
    assert by_surface["Marrakech"].name == "Marrakesh" and by_surface["Marrakech"].country == "MA"
    assert by_surface["Bogotá"].country == "CO"


def test_zurich_and_zuerich_are_one_place():
    x = extract("Zurich and Zürich are the same city in Switzerland.", doc="t")
    z = [p for p in x.places if p.name == "Zurich"]
    assert len(z) == 1 and set(z[0].surface) == {"Zurich", "Zürich"}


def test_demonyms_are_not_places():
    x = extract("The Ecuadorian and Turkish delegations met German, French and Spanish officials.", doc="t")
    assert x.places == ()


def test_place_inside_university_name_is_not_a_place_but_government_body_is():
    x = extract("Researchers of the University of Lyon met the Government of Ecuador.", doc="t")
    assert "Lyon" not in names(x.places)
    assert "Ecuador" in names(x.places)
    assert {"University of Lyon", "Government of Ecuador"} <= names(x.organisations)


def test_places_in_french_spanish_german():
    fr = extract("Les villes de Bruxelles et de Genève accueillent des réfugiés d'Allemagne.", doc="fr", language="fr")
    assert {"Brussels", "Geneva", "Germany"} <= names(fr.places)
    es = extract("Las ciudades de Sevilla y Valencia colaboran con Marruecos.", doc="es", language="es")
    assert {"Seville", "Valencia", "Morocco"} <= names(es.places)
    de = extract("Die Städte München und Wien arbeiten mit der Türkei zusammen.", doc="de", language="de")
    assert {"Munich", "Vienna", "Turkey"} <= names(de.places)


def test_registry_aliases_in_other_languages():
    x = extract("El ACNUR y la OIM colaboran con la Comisión Europea.", doc="es", language="es")
    assert {
        "Office of the United Nations High Commissioner for Refugees",
        "International Organization for Migration",
        "European Commission",
    } <= names(x.organisations)


def test_people_with_titles_roles_and_lists():
    text = (
        "As Mr. Arno Keller, Head of Programme at the Alpine Migration Office, said, cities matter. "
        "The meeting was chaired by Lucia Ferrante, Mayor of Bergamo.\n"
        "Petra Lindqvist\tPolicy Analyst\n"
    )
    x = extract(text, doc="t")
    got = {p.name: p for p in x.people}
    assert {"Arno Keller", "Lucia Ferrante", "Petra Lindqvist"} <= set(got)
    assert got["Petra Lindqvist"].role == "Policy Analyst"
    assert "Keller" not in names(x.places)


def test_offsets_are_code_points_into_non_ascii_text():
    text = (
        "Ñandú · 🌍 La Organización Internacional para las Migraciones (OIM) y el ACNUR trabajan en Zürich, "
        "Gent y Bogotá con la Sra. Ana Pérez Güell desde el 3 de marzo de 2020."
    )
    x = extract(text, doc="t", language="es")
    assert x.mentions
    for m in x.mentions:
        assert text[m.start : m.end] == m.surface, m
    cats = {m.category for m in x.mentions}
    assert {"places", "organisations", "people"} <= cats


def test_cross_document_iom_oim_full_name_resolve_to_one_key():
    docs = [
        extract("IOM opened a new office.", doc="a.txt"),
        extract("L'OIM a ouvert un bureau à Dakar.", doc="b.txt", language="fr"),
        extract("The International Organization for Migration published a report.", doc="c.txt"),
    ]
    orgs = [o for x in docs for o in x.organisations]
    assert {resolution_key(o) for o in orgs} == {"registry:iom"}
    ents = [e for e in resolve(docs) if e.category == "organisations"]
    assert len(ents) == 1
    assert {d for d, _ in ents[0].members} == {"a.txt", "b.txt", "c.txt"}
    assert {"IOM", "OIM", "International Organization for Migration"} <= set(ents[0].surfaces)


def test_cross_document_unknown_organisation_links_by_acronym():
    docs = [
        extract("The Harbour Cities Refugee Network (HCRN) met in Genoa.", doc="a"),
        extract("HCRN (Harbour Cities Refugee Network) published guidance.", doc="b"),
    ]
    ents = [e for e in resolve(docs) if e.acronym == "HCRN"]
    assert len(ents) == 1 and len(ents[0].members) == 2


def test_events_and_practices():
    text = (
        "The Mediterranean City-to-City Migration project held its workshop on 25-26 June 2019 in Sfax, Tunisia, "
        "with 60 participants.\n\n"
        "EXAMPLE OF A WELCOME PRACTICE: The city of Lisbon runs a one-stop shop for newcomers that brings "
        "together housing, health and language services."
    )
    x = extract(text, doc="t")
    ev = x.events[0]
    assert (ev.date_start, ev.date_end, ev.place, ev.country, ev.participants_count) == (
        "2019-06-25",
        "2019-06-26",
        "Sfax",
        "TN",
        60,
    )
    assert x.practices and "WELCOME PRACTICE" in x.practices[0].title.upper()


def test_resources_quoted_citation_with_url():
    text = (
        'Urban Refugee Watch, 2015, "Welcoming cities: a comparative review of local reception", '
        "available at: https://example.org/welcoming.pdf"
    )
    x = extract(text, doc="t")
    r = x.resources[0]
    assert r.title.startswith("Welcoming cities") and r.year == 2015 and r.url == "https://example.org/welcoming.pdf"


def test_to_schema_shape():
    x = extract("ICMPD met in Vienna.", doc="d.txt")
    s = x.to_schema()
    assert s["doc"] == "d.txt"
    assert set(s) == {"doc", "places", "organisations", "initiatives", "events", "practices", "people", "resources"}
    assert s["places"][0] == {"name": "Vienna", "type": "city", "country": "AT", "surface": ["Vienna"]}
    assert "extract/places@1" in x.provenance


def test_user_registry_file(tmp_path, monkeypatch):
    reg = tmp_path / "mine.yaml"
    reg.write_text(
        "entries:\n- {id: xcn, type: organisation, name: Example City Network, acronym: XCN, "
        "aliases: [Réseau des villes exemplaires], kind: city_network, country: FR, website: null}\n"
    )
    x = extract("Le Réseau des villes exemplaires se réunit.", doc="t", registry_paths=(reg,))
    assert "Example City Network" in names(x.organisations)
    monkeypatch.setenv("MIGRAHUB_REGISTRY", str(reg))
    y = extract("XCN met today.", doc="t")
    assert "Example City Network" in names(y.organisations)


def test_bad_registry_file_names_file_and_field(tmp_path):
    from migrahub.extract.registry import RegistryError, load_registry

    bad = tmp_path / "bad.yaml"
    bad.write_text("entries:\n- {id: x, type: organisation, name: X, kind: spaceship}\n")
    with pytest.raises(RegistryError, match=r"bad.yaml.*kind"):
        load_registry((bad,))
