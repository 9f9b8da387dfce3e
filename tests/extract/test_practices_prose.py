"""Practices read from prose and from practice listings (EN/FR/ES/DE) on invented texts."""

from __future__ import annotations

import pytest

from migrahub.extract import extract

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


def practices(text):
    return extract(text, doc="t.txt").practices


@pytest.mark.parametrize(
    "text,place",
    [
        (
            "Welcome desks\n\nFor instance, Porto’s new Harbour Welcome Centre combines municipal and state services "
            "under one roof, from housing advice to language classes for newcomers.",
            "Porto",
        ),
        (
            "Accueil\n\nDepuis 2019, la ville de Lyon a mis en place un service d'accompagnement des personnes exilées "
            "qui réunit logement, santé et cours de langue dans un même guichet.",
            "Lyon",
        ),
        (
            "Acogida\n\nEl ayuntamiento de Sevilla puso en marcha un programa de acogida para familias refugiadas que "
            "ofrece alojamiento, orientación laboral y clases de español durante un año.",
            "Seville",
        ),
        (
            "Aufnahme\n\nIn Köln hat die Stadt eine Beratungsstelle für Geflüchtete eingerichtet, die Wohnungssuche, "
            "Sprachkurse und Arbeitsvermittlung an einem Ort anbietet.",
            "Cologne",
        ),
    ],
)
def test_a_city_running_a_service_is_one_practice_with_its_place(text, place):
    ps = practices(text)
    assert len(ps) == 1
    assert place in ps[0].places
    assert place in ps[0].title or any(w in ps[0].title.lower() for w in ("centre", "service", "programa", "beratung"))
    assert ps[0].evidence and ps[0].summary


def test_general_talk_about_cities_is_no_practice():
    text = (
        "Across Europe, cities are at the forefront of policy innovation, ensuring that newcomers are welcomed and "
        "can contribute. Cities steer policies for open societies and make their services accessible."
    )
    assert practices(text) == ()


def test_two_paragraphs_about_one_service_are_one_record():
    text = (
        "Porto launched a Harbour Welcome Centre in 2020 that provides housing advice and language classes.\n\n"
        "Porto also runs the centre's helpdesk, which offers legal advice in four languages every weekday."
    )
    assert len(practices(text)) == 1


def test_entries_of_a_practice_listing_are_practices_news_entries_are_not():
    text = (
        "Good practice examples\n\n"
        "Harbour mentoring – pairing newcomers with dock workers\n\n"
        "Portugal Porto 2019\n\n"
        "Purpose: The programme organised by the Porto Dockers Union matches each newcomer with a mentor.\n\n"
        "Read More\n\n"
        "Welcome app for newcomers\n\n"
        "Purpose: The regional network has developed an app with information on local services and offices.\n\n"
        "Read More\n\n"
        "The network celebrates World Harbour Day\n\n"
        "20 June 2021\n\n"
        "The network joins its members in celebrating the day with open doors in every port.\n\n"
        "Read More"
    )
    titles = [p.title for p in practices(text)]
    assert "Harbour mentoring – pairing newcomers with dock workers" in titles
    assert "Welcome app for newcomers" in titles
    assert not any("World Harbour Day" in t for t in titles)


# --- actor + verb + thing, services, passives (extract/practice_prose.py) ----------------------------------------


@pytest.mark.parametrize(
    "text,title",
    [
        ("Malmö launched a welcome card in 2020 so that new residents can borrow books and use swimming pools.",
         "Welcome card – Malmö"),
        ("Since 2019, the City of Leiden has run a programme that matches newcomers with local volunteers.",
         "Programme that matches newcomers with local volunteers – Leiden"),
        ("Die Stadt Kassel hat 2018 eine Anlaufstelle für Neuzugewanderte eingerichtet, die bei Behördengängen hilft.",
         "Anlaufstelle für Neuzugewanderte – Kassel"),
        ("The Newcomer Help Point in Aarhus advises families on schools and housing every weekday.",
         "Newcomer Help Point – Aarhus"),
        ("Depuis 2021, un accompagnement vers l'emploi est proposé par la ville de Nancy aux réfugiés statutaires.",
         "Accompagnement vers l'emploi – Nancy"),
        ("En 2020 el Ayuntamiento de Vigo puso en marcha un servicio de orientación laboral para personas migrantes.",
         "Servicio de orientación laboral para personas migrantes – Vigo"),
    ],
)
def test_practice_in_one_sentence_of_prose(text, title):
    assert [p.title for p in practices(text)] == [title]


def test_debate_of_a_council_is_no_practice():
    assert practices("The city council debated the budget for libraries and parks at length last night.") == ()


def test_ability_to_provide_is_no_practice():
    text = "Our purpose is rooted in our ability to inspire partners to provide evidence-based projects and research."
    assert practices(text) == ()
