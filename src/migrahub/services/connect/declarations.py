"""Declarations, charters and pledges as initiatives with their signatory cities and dates: found where the
hub's documents state them (an initiative named as a declaration, a passage saying a city signed it) and curated."""

from __future__ import annotations

import re
import sqlite3

from migrahub.connect.declarations import is_declaration, signings
from migrahub.services.connect.places import country_name
from migrahub.store import connect as store
from migrahub.store.database import transaction

KINDS = ("declaration", "charter", "pledge")


class DeclarationError(ValueError):
    """A declaration or signatory that cannot be stored; the message names the field."""


def sync_extracted(conn: sqlite3.Connection, actor: str = "connect/declarations@1") -> int:
    """Make a declaration of every initiative named as one, with the cities its passages say signed it. Returns
    how many signatories were new. Writes (and logs) only what is new, so any door may call it often."""
    found = 0
    with transaction(conn):
        for initiative in store.declaration_initiatives(conn):
            if not is_declaration(initiative["name"]):
                continue
            kind = next((k for k in KINDS if k in initiative["name"].lower()), "declaration")
            did = store.save_declaration(conn, {"title": initiative["name"], "kind": kind,
                                                "initiative_id": initiative["id"]}, actor)
            for passage in store.initiative_passages(conn, initiative["id"]):
                for s in signings(passage["id"], passage["text"], passage["cities"]):
                    found += store.add_signatory(conn, did, s.city_id, str(s.year) if s.year else None,
                                                 s.passage_id, actor)
    return found


def create(conn: sqlite3.Connection, fields: dict, actor: str) -> int:
    title = str(fields.get("title") or "").strip()
    if not title:
        raise DeclarationError("title: a declaration needs a title")
    kind = str(fields.get("kind") or "declaration")
    if kind not in KINDS:
        raise DeclarationError(f"kind: choose among {', '.join(KINDS)}")
    adopted = str(fields.get("adopted_on") or "").strip() or None
    if adopted and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", adopted):
        raise DeclarationError("adopted_on: a date as YYYY, YYYY-MM or YYYY-MM-DD")
    with transaction(conn):
        return store.save_declaration(conn, {"title": title[:300], "kind": kind, "adopted_on": adopted,
                                             "summary": str(fields.get("summary") or "")[:5000],
                                             "url": str(fields.get("url") or "")[:2000]}, actor)


def add_signatory(conn: sqlite3.Connection, declaration_id: int, city: str, signed_on: str | None,
                  actor: str) -> int:
    if store.declaration(conn, declaration_id) is None:
        raise DeclarationError(f"declaration: no declaration {declaration_id}")
    found = store.city_by_name(conn, city)
    if found is None:
        raise DeclarationError(f"city: no city named {city!r} in the hub")
    if signed_on and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", signed_on):
        raise DeclarationError("signed_on: a date as YYYY, YYYY-MM or YYYY-MM-DD")
    with transaction(conn):
        store.add_signatory(conn, declaration_id, found["id"], signed_on or None, None, actor)
    return found["id"]


def listing(conn: sqlite3.Connection) -> list[dict]:
    return store.declarations(conn)


def view(conn: sqlite3.Connection, declaration_id: int) -> dict | None:
    found = store.declaration(conn, declaration_id)
    if found:
        for s in found["signatories"]:
            s["country"] = country_name(s["data"].get("country"))
    return found


def signed_by(conn: sqlite3.Connection, city_id: int) -> list[dict]:
    return store.signed_by(conn, city_id)
