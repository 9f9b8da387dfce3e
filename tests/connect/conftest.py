"""A small hub of invented documents (written for these tests) about what some cities do, built once per session
through the real ingest pipeline; tests that write work on their own copy."""

from __future__ import annotations

from pathlib import Path

import pytest

DOCUMENTS = {
    "bologna-card.md": (
        "# Bologna opens its city card to every resident\n\n"
        "Bologna's municipal council approved a municipal identity card for all residents of Bologna, including "
        "undocumented residents who cannot obtain a national identity document. The registry office issues the "
        "card, and the city's libraries, schools, health centres and local police accept it as proof of identity.\n\n"
        "The city worked with migrant associations to explain the card to people without papers, and no data about "
        "immigration status is kept on the card or in the register.\n"),
    "valencia-tarjeta.md": (
        "# Valencia crea la tarjeta de vecindad\n\n"
        "El Ayuntamiento de Valencia creó una tarjeta de vecindad municipal para todas las personas empadronadas, "
        "también para las personas en situación administrativa irregular. La tarjeta sirve como documento de "
        "identidad ante los servicios municipales, las bibliotecas y la policía local de Valencia.\n"),
    "zurich-citycard.md": (
        "# A city card for everyone who lives in Zurich\n\n"
        "Zurich introduced a city card that every inhabitant can ask for at the district offices, whatever their "
        "residence permit. People living without papers use it to prove who they are to the municipal police, to "
        "borrow books and to sign up for sports clubs. The card shows no nationality and no residence status.\n"),
    "utrecht-housing.md": (
        "# Utrecht shares housing between young refugees and students\n\n"
        "In Utrecht, the city rents apartments where young refugees live together with local students. The "
        "municipality pays a social worker who supports the residents, and the project was evaluated by the "
        "university in 2019.\n"),
    "ghent-festival.md": (
        "# Ghent celebrates the identity of its neighbourhoods\n\n"
        "Ghent held a summer festival about the identity of its neighbourhoods. Every visitor received a festival "
        "card with a map of the concerts, and residents of all ages joined the parade through Ghent.\n"),
    "malmo-language.md": (
        "# Language cafés in Malmö\n\n"
        "Malmö's libraries run language cafés where newcomers practise Swedish with volunteers every week. The city "
        "of Malmö also trains volunteers to lead the conversations.\n"),
}


@pytest.fixture(scope="session")
def cities_hub(tmp_path_factory) -> Path:
    from migrahub.services.ingest import ingest

    folder = tmp_path_factory.mktemp("connect-hub")
    docs = folder / "docs"
    docs.mkdir()
    for name, text in DOCUMENTS.items():
        (docs / name).write_text(text, encoding="utf-8")
    db = folder / "hub.sqlite3"
    assert ingest([str(docs)], db).added == len(DOCUMENTS)
    return db


@pytest.fixture()
def hub_copy(cities_hub, tmp_path) -> Path:
    from tests.backends.postgresql import copy_hub

    target = tmp_path / "copy.sqlite3"
    copy_hub(cities_hub, target)
    return target
