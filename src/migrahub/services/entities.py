"""Structure services: extract records from files, list the hub's resolved records, merge and split them."""

from __future__ import annotations

import os
from pathlib import Path

from migrahub.extract import CATEGORIES, extract
from migrahub.model import NormalizedDoc, Rejection
from migrahub.pipeline.normalize import normalize
from migrahub.sources import Limits, collect
from migrahub.store import entities as store
from migrahub.store.database import connect

TYPES = {"place": "places", "organisation": "organisations", "initiative": "initiatives", "event": "events",
         "practice": "practices", "person": "people", "resource": "resources"}


def extract_file(path: str | os.PathLike, limits: Limits = Limits()) -> dict:
    """Extract the records of one file (or every item of a feed, together) in the entity schema.

    The file goes through the same adapters and normaliser as ``migrahub ingest``; ``"doc"`` is the file's base
    name. Raises ``ValueError`` naming the file and the reason when it cannot be read.
    """
    result = collect(str(path), limits)
    if result.status == "failed":
        raise ValueError(f"{path}: {result.error}")
    texts, language = [], None
    for item in result.items:
        doc = item if isinstance(item, Rejection) else normalize(item)
        if isinstance(doc, NormalizedDoc):
            texts.append(doc.text)
            language = language or doc.language
    if not texts:
        reasons = "; ".join(i.reason for i in result.items if isinstance(i, Rejection)) or "no text"
        raise ValueError(f"{path}: {reasons}")
    return extract("\n\n".join(texts), doc=Path(path).name, language=language).to_schema()


def list_entities(db=None, category: str | None = None, limit: int | None = None) -> list[dict]:
    """The hub's resolved records with their mention and document counts (current documents only), most
    mentioned first. ``category`` is one of the schema's categories or its singular (``place``, ``person``…)."""
    category = TYPES.get(category, category) if category else None
    if category and category not in CATEGORIES:
        raise ValueError(f"unknown entity type {category!r}; choose one of {', '.join(TYPES)}")
    conn = connect(db)
    try:
        return [{"id": r["id"], "type": r["category"], "name": r["name"], "mentions": r["mentions"],
                 "documents": r["documents"], "record": r["data"]} for r in store.counted(conn, category, limit)]
    finally:
        conn.close()


def entity_mentions(db, entity_id: int) -> list[dict]:
    """Every mention of a record: document, passage, offsets and surface string."""
    conn = connect(db)
    try:
        return store.mentions_of(conn, entity_id)
    finally:
        conn.close()


def merge_entities(db, source_id: int, target_id: int, actor: str) -> None:
    """Merge record ``source_id`` into ``target_id`` (recorded in the action log, kept for later documents)."""
    conn = connect(db)
    try:
        store.merge(conn, source_id, target_id, actor)
    finally:
        conn.close()


def edit_entity(db, entity_id: int, actor: str, *, name: str | None = None, fields: dict | None = None) -> dict:
    """Rename a record and/or set fields of its data (``None`` removes one); it is then curated. Returns its data."""
    conn = connect(db)
    try:
        return store.edit(conn, entity_id, actor, name=name, fields=fields)
    finally:
        conn.close()


def name_fields(category: str) -> tuple[str, ...]:
    """The fields of a record that :func:`edit_entity` does not take in ``fields``: the name (and a title) and key."""
    return tuple(dict.fromkeys(("name", store.name_field(category), "key")))


def field_changes(category: str, old: dict, new: dict) -> dict:
    """The ``fields`` argument of :func:`edit_entity` that turns record data ``old`` into ``new``: changed or added
    fields with their new value, removed ones as ``None`` (:func:`name_fields` are left out)."""
    skip = name_fields(category)
    changes = {k: v for k, v in new.items() if k not in skip and (k not in old or old[k] != v)}
    changes.update({k: None for k in old if k not in skip and k not in new})
    return changes


def split_entity(db, entity_id: int, surfaces: list[str], name: str, actor: str) -> int:
    """Split the mentions with these surfaces off into a new record; return its id."""
    conn = connect(db)
    try:
        return store.split(conn, entity_id, surfaces, name, actor)
    finally:
        conn.close()
