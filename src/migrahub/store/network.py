"""Reads behind the hub's network of cities, initiatives and organisations: its nodes, the records merged into
others, the names documents gave the records and the passages where records are mentioned together."""

from __future__ import annotations

import json
from collections.abc import Iterator


def node_records(conn) -> list[dict]:
    """The records that may be nodes (places, initiatives and organisations not merged into another): ``id``,
    ``category``, ``name`` and the record's ``type``, ``kind`` and ``country``."""
    return [dict(r) for r in conn.execute(
        "SELECT id, category, name, json_extract(data, '$.type') AS type, json_extract(data, '$.kind') AS kind, "
        "json_extract(data, '$.country') AS country FROM entities WHERE merged_into IS NULL AND category IN "
        "('places', 'initiatives', 'organisations')")]


def merged_into(conn) -> dict[int, int]:
    """``{record: the record it was merged into}`` for every merged record (one step, not followed)."""
    return {r[0]: r[1] for r in conn.execute("SELECT id, merged_into FROM entities WHERE merged_into IS NOT NULL")}


def stated_names(conn) -> list[tuple[int, str | None]]:
    """``(record, name)``: the name each current document's copy gives a record of the node categories, and the
    name of each record of those categories merged into another (the merged record's own id)."""
    return [(r[0], r[1]) for r in conn.execute(
        """SELECT r.entity_id AS id, json_extract(r.data, '$.name') AS name FROM entity_records r
           JOIN entities e ON e.id = r.entity_id AND e.category IN ('places', 'initiatives', 'organisations')
           JOIN documents d ON d.id = r.document_id AND d.superseded = 0
           UNION SELECT id, name FROM entities WHERE merged_into IS NOT NULL
           AND category IN ('places', 'initiatives', 'organisations')""")]


def initiative_mentions(conn, ids: list[int] | None = None) -> list[tuple[int, int, int]]:
    """``(initiative, document, passage)`` for each passage where an initiative not merged into another is
    mentioned, by passage; ``ids``: only these initiatives."""
    if ids is not None and not ids:
        return []
    chosen = "" if ids is None else f" AND m.entity_id IN ({','.join('?' * len(ids))})"
    return [(r[0], r[1], r[2]) for r in conn.execute(
        f"""SELECT DISTINCT m.entity_id, m.document_id, m.passage_id FROM mentions m
            JOIN entities e ON e.id = m.entity_id AND e.category = 'initiatives' AND e.merged_into IS NULL
            WHERE m.passage_id IS NOT NULL{chosen} ORDER BY m.passage_id""", [int(i) for i in ids or ()])]


def co_mentions(conn) -> Iterator[tuple[int, int, int]]:
    """``(record a, record b, passage)`` with a < b for every two records mentioned in one passage of a current
    document, by passage."""
    return conn.execute(
        """SELECT DISTINCT m1.entity_id AS a, m2.entity_id AS b, m1.passage_id AS p
           FROM mentions m1 JOIN mentions m2 ON m2.passage_id = m1.passage_id AND m2.entity_id > m1.entity_id
           JOIN documents d ON d.id = m1.document_id AND d.superseded = 0
           WHERE m1.passage_id IS NOT NULL ORDER BY m1.passage_id""")


def acronyms(conn) -> list[tuple[int, str]]:
    """``(record, acronym)`` of the organisations and initiatives (not merged into another) that state one."""
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT id, json_extract(data, '$.acronym') AS acronym FROM entities WHERE merged_into IS NULL AND category "
        "IN ('organisations', 'initiatives') AND json_extract(data, '$.acronym') IS NOT NULL")]


def document_entities(conn, document_id: int) -> set[int]:
    """The records a document mentions."""
    return {r[0] for r in conn.execute("SELECT DISTINCT entity_id FROM mentions WHERE document_id = ?",
                                       (document_id,))}


def records(conn, ids: list[int]) -> dict[int, dict]:
    """``{id: {id, category, name}}`` of the records that exist among ``ids``."""
    if not ids:
        return {}
    return {r["id"]: dict(r) for r in conn.execute(
        f"SELECT id, category, name FROM entities WHERE id IN ({','.join('?' * len(ids))})", list(ids))}


def name_and_acronym(conn, entity_id: int) -> tuple[str, str | None]:
    """A record's name and the acronym its record states (``None`` when none)."""
    name, data = conn.execute("SELECT name, data FROM entities WHERE id = ?", (entity_id,)).fetchone()
    record = json.loads(data or "{}")
    return name, record.get("acronym") if isinstance(record, dict) else None


def shared_passages(conn, a: int, b: int, *, limit: int, offset: int) -> list[dict]:
    """The passages of current documents where records ``a`` and ``b`` are both mentioned, newest documents first:
    ``id``, ``document_id``, ``text``, ``title``, ``published``."""
    rows = conn.execute(
        """SELECT DISTINCT p.id, p.document_id, p.text, d.title, d.published, p.seq FROM mentions m1
           JOIN mentions m2 ON m2.passage_id = m1.passage_id AND m2.entity_id = ?
           JOIN passages p ON p.id = m1.passage_id JOIN documents d ON d.id = p.document_id AND d.superseded = 0
           WHERE m1.entity_id = ? ORDER BY d.published DESC, p.document_id, p.seq LIMIT ? OFFSET ?""",
        (b, a, limit, offset)).fetchall()
    return [{k: r[k] for k in ("id", "document_id", "text", "title", "published")} for r in rows]


def passage(conn, passage_id: int) -> dict:
    """One passage with its document's title and date: ``id``, ``document_id``, ``text``, ``title``,
    ``published``."""
    return dict(conn.execute("SELECT p.id, p.document_id, p.text, d.title, d.published FROM passages p "
                             "JOIN documents d ON d.id = p.document_id WHERE p.id = ?", (passage_id,)).fetchone())
