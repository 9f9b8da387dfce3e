"""Reads of the practice library: the hub's place records and the passages that hold a practice's evidence."""

from __future__ import annotations

import json


def places(conn) -> list[dict]:
    """Every place record not merged into another, oldest first: ``id``, ``name`` and ``data`` (the record)."""
    return [{"id": r[0], "name": r[1], "data": json.loads(r[2])} for r in conn.execute(
        "SELECT id, name, data FROM entities WHERE category = 'places' AND merged_into IS NULL ORDER BY id")]


def passage_holding(conn, document_id: int, text: str) -> int | None:
    """The id of a document's first passage whose text contains ``text`` (case and accents as written), or
    ``None``."""
    row = conn.execute("SELECT id FROM passages WHERE document_id = ? AND instr(text, ?) > 0 ORDER BY seq LIMIT 1",
                       (document_id, text)).fetchone()
    return row[0] if row else None
