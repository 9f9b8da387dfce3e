"""Writes made by people through the web hub (metadata curation, the action log entries of web and CLI doors).

Every write is one transaction that also appends who did it to the append-only ``actions`` table.
"""

from __future__ import annotations

import sqlite3

from migrahub.store.database import transaction
from migrahub.store.documents import log_action

EDITABLE = ("title", "published", "language", "author", "summary")


def record(conn: sqlite3.Connection, actor: str, verb: str, object_type: str | None = None,
           object_id: str | int | None = None, payload: dict | None = None) -> int:
    """Append one entry to the action log in its own transaction; return its id."""
    with transaction(conn):
        return log_action(conn, actor, verb, object_type, None if object_id is None else str(object_id), payload)


def update_document(conn: sqlite3.Connection, document_id: int, actor: str, changes: dict) -> dict:
    """Change curated metadata fields of one document (only :data:`EDITABLE` ones) and log who changed what.

    Returns ``{field: [old, new]}`` for the fields that actually changed; raises ``KeyError`` for an unknown
    document and ``ValueError`` for a field that cannot be edited.
    """
    bad = sorted(set(changes) - set(EDITABLE))
    if bad:
        raise ValueError(f"cannot edit {', '.join(bad)}; editable fields: {', '.join(EDITABLE)}")
    with transaction(conn):
        row = conn.execute(f"SELECT {', '.join(EDITABLE)} FROM documents WHERE id = ?", (document_id,)).fetchone()
        if row is None:
            raise KeyError(f"no document {document_id}")
        diff = {k: [row[k], v] for k, v in changes.items() if row[k] != v}
        if diff:
            if "language" in diff and diff["language"][1]:
                diff["language"][1] = str(diff["language"][1]).lower()
            sets = ", ".join(f"{k} = ?" for k in diff)
            conn.execute(f"UPDATE documents SET {sets} WHERE id = ?", [v[1] for v in diff.values()] + [document_id])
            log_action(conn, actor, "document.edit", "document", str(document_id), {"changes": diff})
        return diff
