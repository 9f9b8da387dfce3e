"""Reads and writes of the curators' work: a document's curated metadata, the records that may be duplicates and
the titles of what an ingest added."""

from __future__ import annotations

from migrahub.store.database import tuples

# the document columns read and written here
METADATA = ("title", "published", "language", "author", "summary", "url", "doc_type")


def _columns(fields) -> list[str]:
    unknown = sorted(set(fields) - set(METADATA))
    if unknown:
        raise ValueError(f"not a document metadata field: {', '.join(unknown)}")
    return list(fields)


def document_fields(conn, document_id: int, fields: tuple[str, ...]) -> dict | None:
    """``{field: value}`` of a document's metadata ``fields`` (of :data:`METADATA`), or ``None`` when there is no
    such document."""
    row = conn.execute(f"SELECT {', '.join(_columns(fields))} FROM documents WHERE id = ?", (document_id,)).fetchone()
    return None if row is None else {k: row[k] for k in fields}


def set_document_fields(conn, document_id: int, values: dict) -> None:
    """Set metadata fields of a document (``{field: new value}``, fields of :data:`METADATA`); the caller logs
    who changed them, in the same transaction."""
    sets = ", ".join(f"{k} = ?" for k in _columns(values))
    conn.execute(f"UPDATE documents SET {sets} WHERE id = ?", [*values.values(), document_id])


def current_records(conn) -> list[tuple[int, str, str, str | None]]:
    """``(id, category, name, data as JSON text)`` of every record not merged into another."""
    return tuples(conn, "SELECT id, category, name, data FROM entities WHERE merged_into IS NULL")


def shared_mentions(conn) -> list[tuple[int, int, int]]:
    """``(record a, record b, mentions)`` for each pair of records (a < b) mentioned at the very same place of a
    passage (the same words read as two records), with how many times."""
    return tuples(conn, "SELECT a.entity_id, b.entity_id, count(*) FROM mentions a JOIN mentions b "
                        "ON b.passage_id = a.passage_id AND b.start = a.start AND b.\"end\" = a.\"end\" "
                        "AND b.entity_id > a.entity_id GROUP BY a.entity_id, b.entity_id")


def document_titles(conn, document_ids: list[int]) -> dict[int, str | None]:
    """``{document id: title}`` of the given documents (those that exist)."""
    if not document_ids:
        return {}
    return dict(tuples(conn, f"SELECT id, title FROM documents WHERE id IN ({','.join('?' * len(document_ids))})",
                       document_ids))
