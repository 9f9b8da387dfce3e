"""Helpers shared by the web tests (constants, SQL peeks, the inert-HTML check)."""

from __future__ import annotations

import sqlite3
from html.parser import HTMLParser
from pathlib import Path

from tests.backends.postgresql import open_hub

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEMO = REPO / "demo"
PASSWORD = "correct-horse-battery-42"
ROLES = ("reader", "coder", "curator", "admin")


def corpus_targets() -> list[str]:
    targets = [str(FIXTURES / "corpus"), str(FIXTURES / "xss")]
    if (DEMO / "xss").is_dir():
        targets.append(str(DEMO / "xss"))
    return targets


def sql(hub, query: str, params=()) -> list[sqlite3.Row]:
    """Rows of ``query`` on the test hub (its fixture object) or on a hub database file."""
    conn = open_hub(getattr(hub, "db", hub))
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def build_hub(folder: Path, documents: dict[str, str], name: str = "hub.sqlite3") -> Path:
    """A small hub of its own in ``folder``: the invented ``documents`` (file name → text) ingested."""
    from migrahub.services.ingest import ingest

    docs = folder / "docs"
    docs.mkdir()
    for file_name, text in documents.items():
        (docs / file_name).write_text(text, encoding="utf-8")
    db = folder / name
    assert ingest([str(docs)], db).added == len(documents)
    return db


def copy_hub(source: Path, target: Path) -> Path:
    """A copy of a built hub for one test (SQLite's backup, consistent even in WAL mode; on PostgreSQL a copy of
    its schema)."""
    from tests.backends.postgresql import copy_hub as copy

    copy(source, target)
    return target


def doc_id(hub, title_part: str) -> int:
    rows = sql(hub, "SELECT id FROM documents WHERE instr(title, ?) > 0 AND superseded = 0 ORDER BY id", (title_part,))
    assert rows, f"no document titled like {title_part!r}"
    return rows[0]["id"]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def assert_inert(html: str) -> None:
    """No markup that could run script: only our own external scripts, no event-handler attributes, no
    ``javascript:`` URLs, no iframes/objects/embeds, no inline <svg>/<img> from source text (the hub's own
    server-rendered charts are ``<svg data-chart="hub">``; their labels are escaped text)."""
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        names = {k.lower(): (v or "") for k, v in attrs}
        if tag == "script":
            assert names.get("src", "").startswith("/static/web/"), f"unexpected script tag {attrs}"
        if tag == "svg" and names.get("data-chart") == "hub" and names.get("role") in ("img", "group"):
            continue
        assert tag not in ("iframe", "object", "embed", "svg", "img", "frame", "base"), f"injected <{tag}> {attrs}"
        for name, value in names.items():
            assert not name.startswith("on"), f"event handler attribute on <{tag}>: {attrs}"
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                assert not value.strip().lower().startswith(("javascript:", "data:text/html", "vbscript:")), \
                    f"script URL in <{tag} {name}>: {value}"
