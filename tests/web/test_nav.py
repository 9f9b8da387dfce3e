"""The main navigation (``views.context.MENU``, rendered by ``{% main_nav %}``): what each visitor sees, and which
item the page marks as the current one."""

from __future__ import annotations

import re

import pytest

PUBLIC = ["Home", "Search", "Latest feed items", "Stories", "Places & actors", "Practices", "Events", "Network",
          "Cities", "Research library", "Indices", "Consultations", "Incident reports", "Sources", "Statistics"]


def _nav(html: str) -> list[tuple[str, str, bool]]:
    nav = html[html.index('<nav aria-label="Main"'):]
    nav = nav[:nav.index("</nav>")]
    return [(href, label.replace("&amp;", "&"), bool(current))
            for href, current, label in re.findall(r'<li><a href="([^"]+)"( aria-current="page")?>([^<]+)</a></li>',
                                                   nav)]


def test_an_anonymous_visitor_sees_the_public_items(client):
    items = _nav(client.get("/documents/1").content.decode())
    assert [label for _, label, _ in items] == PUBLIC
    assert not any(current for _, _, current in items)


@pytest.mark.parametrize(("path", "current"), [
    ("/", "Home"), ("/?q=city", "Search"), ("/search", "Search"), ("/entities/places", "Places & actors"),
    ("/practices", "Practices"), ("/events", "Events"), ("/network", "Network"), ("/sources", "Sources"),
    ("/stats", "Statistics"), ("/feed", "Latest feed items"), ("/compare/", "Indices"),
])
def test_the_page_marks_its_item_alone(client, path, current):
    items = _nav(client.get(path).content.decode())
    assert [label for _, label, here in items if here] == [current]


@pytest.mark.parametrize(("role", "shown", "hidden"), [
    ("reader", ["Alerts", "Notifications"], ["Coding", "Ingest", "Duplicates", "Admin"]),
    ("coder", ["Alerts", "Notifications", "Coding"], ["Ingest", "Duplicates", "Admin"]),
    ("curator", ["Alerts", "Notifications", "Coding", "Ingest", "Duplicates"], []),
])
def test_a_signed_in_role_sees_its_items(login, role, shown, hidden):
    labels = [label for _, label, _ in _nav(login(role).get("/").content.decode())]
    assert labels[:len(PUBLIC)] == PUBLIC
    assert set(shown) <= set(labels)
    assert not set(hidden) & set(labels)


def test_the_coding_item_is_current_on_the_coding_pages(login):
    items = _nav(login("coder").get("/code/").content.decode())
    assert [label for _, label, here in items if here] == ["Coding"]
