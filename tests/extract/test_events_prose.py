"""Events read from prose (EN/FR/ES/DE) on invented texts: real titles, decisions, agendas, datelines, days without a
year."""

from __future__ import annotations

import pytest

from migrahub.extract import extract
from migrahub.extract.dates import find_dates, find_yearless

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


def events(text):
    return extract(text, doc="t.txt").events


@pytest.mark.parametrize(
    "text,start",
    [
        ("Posted 08.11.2016 by the press office.", "2016-11-08"),
        ("The motion was tabled in Lyon on 4/12/2015.", "2015-12-04"),
        ("Filed on 12/25/2019 in Porto.", "2019-12-25"),
    ],
)
def test_numeric_dates_day_first_unless_impossible(text, start):
    assert [h.date_start for h in find_dates(text)] == [start]


def test_days_without_a_year_are_found_apart():
    text = "Le 21 octobre, le réseau s'est réuni. Jeudi 1er mars: ateliers. Del 19 al 21 de abril. On June 26 and 27."
    got = [(h.date_start, h.date_end) for h in find_yearless(text, find_dates(text))]
    assert got == [("--10-21", None), ("--03-01", None), ("--04-19", "--04-21"), ("--06-26", "--06-27")]


@pytest.mark.parametrize(
    "text,title_words",
    [
        (
            "Last week the Harbour Cities Network hosted the 3rd Global Harbour Forum on Urban Inclusion in Porto.",
            "3rd Global Harbour Forum on Urban Inclusion",
        ),
        (
            "Le 3 mai 2022 avait lieu à Lyon le colloque intitulé « Les ports face à l'accueil des exilés ».",
            "Les ports face à l'accueil des exilés",
        ),
        (
            "El Foro Mundial sobre Ciudades Portuarias tiene lugar en Sevilla del 4 al 6 de mayo de 2022.",
            "Foro Mundial sobre Ciudades Portuarias",
        ),
        (
            "Am 5. Mai 2021 tagte in Köln die Fachkonferenz der Hafenstädte von Bund und Ländern.",
            "Fachkonferenz der Hafenstädte von Bund und Ländern",
        ),
    ],
)
def test_titles_are_names_not_sentence_openings(text, title_words):
    evs = events(text)
    assert len(evs) == 1
    assert title_words in evs[0].title
    assert not evs[0].title.startswith(
        ("Last week", "Le 3 mai", "El Foro Mundial sobre Ciudades Portuarias tiene", "Am 5.")
    )


def test_generic_title_is_the_noun_phrase_with_place_apart():
    evs = events("On 2 March 2021, Mayor Ana Lopes held a press conference in Porto about the new shelter.")
    assert [(e.title, e.place, e.date_start) for e in evs] == [("Press conference", "Porto", "2021-03-02")]


def test_press_release_dateline_is_not_the_event_place_or_date():
    text = (
        "Lisbon, March 3, 2022 – Mayors from 30 cities gathered in Porto for the Harbour Inclusion Summit "
        "on 1-2 March 2022."
    )
    ev = events(text)[0]
    assert (ev.place, ev.date_start, ev.date_end) == ("Porto", "2022-03-01", "2022-03-02")
    assert ev.participants_count is None or ev.participants_count == 30


def test_council_passing_a_motion_is_a_meeting_of_that_council():
    text = "Harbourton Council. Last night the council passed a motion to become a town of welcome."
    evs = events(text)
    assert any(e.title == "Harbourton Council meeting" and e.place == "Harbourton" for e in evs)


def test_approval_by_a_board_without_a_date_is_no_event():
    text = "The programme was approved by the Management Committee of the Harbour Region and runs until 2025."
    assert not any("meeting" in e.title for e in events(text))


def test_agenda_lines_are_events_each():
    text = (
        "Agenda\n\n"
        "Harbour Mayors Assembly, Porto, 12-14 September 2022\n\n"
        "Regional consultation on reception, Lyon, 3-4 October 2022\n\n"
        "Preparatory meeting - Zero draft, from February to July 2023, Geneva"
    )
    got = {(e.title, e.place, e.date_start) for e in events(text)}
    assert ("Harbour Mayors Assembly", "Porto", "2022-09-12") in got
    assert ("Regional consultation on reception", "Lyon", "2022-10-03") in got
    assert ("Preparatory meeting - Zero draft", "Geneva", "2023-02") in got


def test_day_without_year_takes_the_year_stated_before():
    text = (
        "En septembre 2021, les maires ont signé une lettre commune. Le 21 octobre, le Réseau des Villes Portuaires "
        "s'est réuni à Marseille pour discuter de l'accueil."
    )
    evs = events(text)
    assert any(e.place == "Marseille" and e.date_start == "2021-10-21" for e in evs)


def test_the_event_took_place_refers_to_the_headline():
    text = (
        "Porto certifies twelve harbour towns for their welcome desks\n\n"
        "The twelve towns received their certificates from the national agency. The event took place at the "
        "agency's headquarters."
    )
    evs = events(text)
    assert [e.title for e in evs] == ["Porto certifies twelve harbour towns for their welcome desks"]


def test_german_compound_and_ordinal_day():
    evs = events("Das erste Arbeitstreffen des Bündnisses fand am 1. Oktober 2019 in Tübingen statt.")
    assert [(e.title, e.date_start, e.place) for e in evs] == [
        ("Erste Arbeitstreffen des Bündnisses", "2019-10-01", "Tübingen")
    ]


def test_launch_of_an_app_is_not_an_event():
    assert events("The app launched in 2019 gives newcomers information on services in Portugal.") == ()


# --- titles read as noun phrases (extract/phrases.py, extract/event_titles.py) ------------------------------------


@pytest.mark.parametrize(
    "text,title,place,date",
    [
        (
            "The Harbour Towns Network held a seminar on language support for newcomers on 4 May 2022 in Bergen.",
            "Seminar on language support for newcomers",
            "Bergen",
            "2022-05-04",
        ),
        (
            "In June 2021 the city of Aarhus hosted a summit on the inclusion of refugee women in the labour market.",
            "Summit on the inclusion of refugee women in the labour market",
            "Århus",
            "2021-06",
        ),
        (
            "La Diputación de Huesca organizó el 9 de abril de 2022 una jornada sobre acogida en el medio rural.",
            "Jornada sobre acogida en el medio rural",
            None,
            "2022-04-09",
        ),
        (
            "Une conférence sur l'accès au logement des réfugiés se tiendra le 12 mai 2023 à Rennes.",
            "Conférence sur l'accès au logement des réfugiés",
            "Rennes",
            "2023-05-12",
        ),
        (
            "Am 3. März 2022 fand in Kassel die zweite Regionalkonferenz der Integrationsräte statt.",
            "Zweite Regionalkonferenz der Integrationsräte",
            "Kassel",
            "2022-03-03",
        ),
    ],
)
def test_title_is_the_noun_phrase_up_to_the_date_place_or_verb(text, title, place, date):
    assert [(e.title, e.date_start) for e in events(text)] == [(title, date)]
    if place is not None:
        assert events(text)[0].place == place


def test_named_event_after_a_date_is_titled_without_the_date_and_is_not_its_own_organiser():
    text = "Delegates from 20 towns met in Tampere in May 2019 for the 2nd Nordic Forum on Migrant Inclusion."
    (ev,) = events(text)
    assert (ev.title, ev.place, ev.date_start) == ("2nd Nordic Forum on Migrant Inclusion", "Tampere", "2019-05")
    assert not any("Forum" in o for o in ev.organisers)


def test_a_named_day_is_an_event():
    evs = events("Join us on 20 June 2023 in Malmö for the Nordic Libraries Day, a free event for librarians.")
    assert [(e.title, e.place, e.date_start, e.organisers) for e in evs] == [
        ("Nordic Libraries Day", "Malmö", "2023-06-20", ())
    ]


def test_announcement_with_labelled_fields():
    text = (
        "Webinar: Inclusive libraries for newcomers\n\nDate: 14 March 2024\n\n"
        "Organised by the Harbour Towns Network."
    )
    assert [(e.title, e.date_start) for e in events(text)] == [
        ("Webinar: Inclusive libraries for newcomers", "2024-03-14")
    ]


def test_an_owned_meeting_names_the_body_that_holds_it():
    text = "Der Stadtrat der Stadt Kassel hat in seiner Sitzung am 9. Mai 2021 beschlossen, mehr Menschen aufzunehmen."
    assert any(e.title == "Sitzung – Stadtrat der Stadt Kassel" and e.date_start == "2021-05-09" for e in events(text))


@pytest.mark.parametrize(
    "sentence,head,lang,phrase_text",
    [
        ("They organised a housing forum on 3 May in Bergen.", "forum", "en", "housing forum"),
        ("Mayors met for the 3rd Global Harbour Forum on Urban Inclusion, Safety and Trade.", "Forum", "en",
         "3rd Global Harbour Forum on Urban Inclusion, Safety and Trade"),
        ("la mairie propose des cours de français gratuits aux parents d'élèves, en lien avec les écoles", "cours",
         "fr", "cours de français gratuits aux parents d'élèves"),
        ("un encuentro sobre vivienda para personas refugiadas, con la participación de 80 entidades", "encuentro",
         "es", "encuentro sobre vivienda para personas refugiadas"),
        ("Die Stadt hat ein Beratungszentrum für Geflüchtete eingerichtet.", "Beratungszentrum", "de",
         "Beratungszentrum für Geflüchtete"),
    ],
)
def test_noun_phrase_chunker(sentence, head, lang, phrase_text):
    from migrahub.extract.phrases import phrase

    i = sentence.index(head)
    a, b = phrase(sentence, (i, i + len(head)), lang)
    assert sentence[a:b] == phrase_text


@pytest.mark.parametrize(
    "text,lang",
    [
        ("The city and the network of towns held a forum for the region.", "en"),
        ("La ville et le réseau des communes ont organisé un forum pour la région.", "fr"),
        ("La ciudad y la red de municipios organizaron un foro para la región.", "es"),
        ("Die Stadt und das Netzwerk der Kommunen haben ein Forum für die Region veranstaltet.", "de"),
    ],
)
def test_language_is_guessed_from_function_words(text, lang):
    from migrahub.extract.phrases import guess_language

    assert guess_language(text) == lang
