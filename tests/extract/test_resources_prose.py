"""Resources cited in prose (EN/FR/ES/DE) on invented texts: named reports and tools, quoted titles after a
publication noun, released titles, videos, publication pages, letters and blog listings."""

from __future__ import annotations

import pytest

from migrahub.extract import extract

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


def titles(text):
    return [r.title for r in extract(text, doc="t.txt").resources]


@pytest.mark.parametrize(
    "text,title",
    [
        ("As the 4th Harbour Welcome Report shows, ports are key to reception.", "4th Harbour Welcome Report"),
        (
            "The Port Inclusion Toolkit, developed by the Harbour Cities Network, helps officials plan reception.",
            "Port Inclusion Toolkit",
        ),
        (
            "La ville a publié le guide « Accueillir dans les ports » pour les agents municipaux.",
            "Accueillir dans les ports",
        ),
        (
            "La federación presentó el informe “Puertos que acogen: balance de diez años” en Sevilla.",
            "Puertos que acogen: balance de diez años",
        ),
        (
            "Der Städtebund hat die Broschüre „Ankommen im Hafen – Hinweise für Kommunen“ vorgestellt.",
            "Ankommen im Hafen – Hinweise für Kommunen",
        ),
        (
            "The mayor today released Blueprints for Harbour Integration to support other ports.",
            "Blueprints for Harbour Integration",
        ),
        ("Retrouvez la vidéo de l'ouverture ici.", "Vidéo de l'ouverture"),
    ],
)
def test_resource_cited_in_prose(text, title):
    assert title in titles(text)


def test_tool_author_is_kept():
    x = extract("The Port Inclusion Toolkit, developed by the Harbour Cities Network, is free.", doc="t")
    r = next(r for r in x.resources if r.title == "Port Inclusion Toolkit")
    assert r.author_or_org == "Harbour Cities Network"


def test_quoted_sentence_is_not_a_title():
    text = 'The 2021 plan includes this commitment: "We will keep our harbour open to everyone who needs shelter."'
    assert not any(t.startswith("We will") for t in titles(text))


def test_centres_and_plans_named_like_publications_are_not_resources():
    text = "Researchers of the Centre for Harbour Studies drafted the Harbour Inclusion Action Plan in 2020."
    assert titles(text) == []


def test_publication_page_and_letter_page_give_their_headline():
    page = "Ports that welcome: a guide for mayors\n\nPublication Date: 03/05/2022\n\nThis guide is written for mayors."
    letter = "Invitation to the Harbour Mayors Assembly 2023\n\nDear members,\n\nWe invite you to Porto in May."
    assert "Ports that welcome: a guide for mayors" in titles(page)
    assert "Invitation to the Harbour Mayors Assembly 2023" in titles(letter)


def test_posts_of_a_blog_listing():
    text = (
        "Harbour Welcome Blog\n\n"
        "How Porto opened its docks to newcomers\n\n"
        "In this blog, we talk with the port's welcome officer about the first year.\n\n"
        "Read More\n\n"
        "Lessons from Genoa's harbour mentors\n\n"
        "Mentors and newcomers tell us what worked in the first cohort…\n\n"
        "Read More"
    )
    got = titles(text)
    assert "How Porto opened its docks to newcomers" in got
    assert "Lessons from Genoa's harbour mentors" in got


# --- publication noun + title + author + year (extract/resource_cites.py) ------------------------------------------


def resources(text):
    return [(r.title, r.author_or_org, r.year) for r in extract(text, doc="t.txt").resources]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("The toolkit Open Libraries, developed by the Nordic Library Association, helps librarians welcome "
         "newcomers.", ("Open Libraries", "Nordic Library Association", None)),
        ("Según el informe anual de ACCEM de 2020, la demanda de plazas de acogida creció.",
         ("Informe anual de ACCEM 2020", "ACCEM", 2020)),
        ("Le guide « Accueillir à la bibliothèque » publié par Biblio-Accueil en 2022 donne des conseils pratiques.",
         ("Accueillir à la bibliothèque", "Biblio-Accueil", 2022)),
        ("Der Landkreistag Nord hat 2020 den Leitfaden „Ankommen auf dem Land“ veröffentlicht.",
         ("Ankommen auf dem Land", "Landkreistag Nord", 2020)),
        ("A study, titled Small Towns: Newcomers and Neighbours in Rural Wales, was released by the Welsh Rural "
         "Forum in 2019.", ("Small Towns: Newcomers and Neighbours in Rural Wales", None, 2019)),
        ("Die neue Arbeitshilfe des Landesverbands Nord „Wohnen für Geflüchtete“ erschien im März 2023.",
         ("Wohnen für Geflüchtete", "Landesverbands Nord", 2023)),
    ],
)
def test_cited_publication_with_title_author_and_year(text, expected):
    got = resources(text)
    assert [g[0] for g in got] == [expected[0]]
    if expected[1]:
        assert got[0][1] == expected[1]
    assert got[0][2] == expected[2]


def test_quoted_title_in_single_quotes_after_the_noun():
    text = "In 2021 the Harbour Towns Network published the report 'Welcome in small towns', which compares towns."
    assert [(t, y) for t, _, y in resources(text)] == [("Welcome in small towns", 2021)]


def test_a_report_said_is_no_resource():
    assert resources("The report said that arrivals fell sharply in the first half of the year in the region.") == []
