"""Reading the hub's resolved records for pages and facets (the tables of ``migrations/003_entities.sql``): records
by category, name and country, the current documents and passages mentioning one, co-mentioned records, and the
mentions of a document. Only current documents count (an older version's mentions are left out)."""

from __future__ import annotations

import json
import sqlite3

from migrahub.store.database import tuples


def record(conn: sqlite3.Connection, entity_id: int) -> dict | None:
    """One record's row: ``{id, category, name, data, merged_into, curated, created_at, updated_at}`` (``data`` as
    stored: JSON text), or ``None``."""
    row = conn.execute("SELECT id, category, name, data, merged_into, curated, created_at, updated_at FROM entities "
                       "WHERE id = ?", (entity_id,)).fetchone()
    return dict(row) if row is not None else None


def categories(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    """``(id, category)`` of every unmerged record."""
    return tuples(conn, "SELECT id, category FROM entities WHERE merged_into IS NULL")


def records(conn: sqlite3.Connection, *, category: str | None = None, name: str = "", country: str | None = None
            ) -> list[tuple[int, str, str]]:
    """``(id, category, name)`` of the unmerged records of a category (or all), whose name holds ``name`` (any case)
    and whose country is ``country`` (ISO code)."""
    where, params = ["merged_into IS NULL"], []
    if category:
        where.append("category = ?")
        params.append(category)
    if name:
        where.append("instr(lower(name), lower(?)) > 0")
        params.append(name)
    if country:
        where.append("json_extract(data, '$.country') = ?")
        params.append(country.upper())
    return tuples(conn, f"SELECT id, category, name FROM entities WHERE {' AND '.join(where)}", params)


def data_of(conn: sqlite3.Connection, entity_ids: list[int]) -> dict[int, dict]:
    """``{id: record data}`` of the given records."""
    if not entity_ids:
        return {}
    return {eid: json.loads(data) for eid, data in tuples(
        conn, f"SELECT id, data FROM entities WHERE id IN ({','.join('?' * len(entity_ids))})", list(entity_ids))}


def current_mention_counts(conn: sqlite3.Connection) -> dict[int, tuple[int, int]]:
    """``{record id: (current documents, mentions in them)}`` of every record mentioned in a current document (a
    merged record's mentions count for the record they moved to)."""
    # every document's counts less the older versions' (few, through a partial index): indexes alone are read
    counts = {eid: (documents, mentions) for eid, documents, mentions in tuples(
        conn, "SELECT entity_id, count(DISTINCT document_id), count(*) FROM mentions GROUP BY entity_id")}
    for eid, documents, mentions in tuples(
            conn, "SELECT m.entity_id, count(DISTINCT m.document_id), count(*) FROM documents d CROSS JOIN mentions m "
                  "WHERE d.superseded = 1 AND m.document_id = d.id GROUP BY m.entity_id"):
        left = (counts[eid][0] - documents, counts[eid][1] - mentions)
        if left[1]:
            counts[eid] = left
        else:
            del counts[eid]
    return counts


def document_count(conn: sqlite3.Connection, entity_id: int) -> int:
    """How many current documents mention the record."""
    return conn.execute(
        "SELECT count(DISTINCT m.document_id) FROM mentions m JOIN documents d ON d.id = m.document_id "
        "WHERE m.entity_id = ? AND d.superseded = 0", (entity_id,)).fetchone()[0]


def documents_mentioning(conn: sqlite3.Connection, entity_id: int, limit: int, offset: int = 0) -> list[int]:
    """A page of the current documents mentioning the record, newest published first (undated last)."""
    return [r[0] for r in conn.execute(
        """SELECT d.id FROM documents d WHERE d.superseded = 0 AND d.id IN
               (SELECT document_id FROM mentions WHERE entity_id = ?)
           ORDER BY d.published IS NULL, d.published DESC, d.id LIMIT ? OFFSET ?""", (entity_id, limit, offset))]


def mentions_in(conn: sqlite3.Connection, entity_id: int, document_ids: list[int]) -> list[dict]:
    """The record's mentions in the given documents, newest document first, in text order: ``{document_id,
    passage_id, start, end, title, published, language, p_start, p_text, seq}`` (the passage's start, text and
    place; ``None`` for a mention outside every passage)."""
    if not document_ids:
        return []
    return [dict(r) for r in conn.execute(
        f"""SELECT m.document_id, m.passage_id, m.start, m."end", d.title, d.published, d.language,
                  p.start AS p_start, p.text AS p_text, p.seq
           FROM mentions m JOIN documents d ON d.id = m.document_id LEFT JOIN passages p ON p.id = m.passage_id
           WHERE m.entity_id = ? AND m.document_id IN ({",".join("?" * len(document_ids))})
           ORDER BY d.published IS NULL, d.published DESC, d.id, p.seq, m.start""", (entity_id, *document_ids))]


def country_place(conn: sqlite3.Connection, country: str) -> dict | None:
    """The country record (``{id, name}``) of an ISO code, or ``None``."""
    hit = conn.execute("SELECT id, name FROM entities WHERE category = 'places' AND merged_into IS NULL AND "
                       "json_extract(data, '$.type') = 'country' AND json_extract(data, '$.country') = ? LIMIT 1",
                       (country,)).fetchone()
    return dict(hit) if hit else None


def country_names(conn: sqlite3.Connection) -> dict[str, str]:
    """``{ISO code: name}`` of the country records of the hub."""
    return {r[0]: r[1] for r in conn.execute(
        "SELECT json_extract(data, '$.country'), name FROM entities WHERE category = 'places' AND merged_into IS NULL "
        "AND json_extract(data, '$.type') = 'country'")}


def related(conn: sqlite3.Connection, entity_id: int, *, basis: int, limit: int, categories: tuple[str, ...] = ()
            ) -> list[dict]:
    """The unmerged records most often mentioned in the same current documents as ``entity_id``, among its
    ``basis`` newest documents: ``[{id, category, name, type, shared}]``, most shared first."""
    cond = f"AND e.category IN ({','.join('?' * len(categories))})" if categories else ""
    return [dict(r) for r in conn.execute(
        f"""WITH docs AS (SELECT d.id FROM documents d WHERE d.superseded = 0 AND d.id IN
                              (SELECT document_id FROM mentions WHERE entity_id = ?)
                          ORDER BY d.published DESC LIMIT ?)
            SELECT e.id, e.category, e.name, json_extract(e.data, '$.type') AS type,
                   count(DISTINCT m2.document_id) AS shared
            FROM docs JOIN mentions m2 ON m2.document_id = docs.id AND m2.entity_id != ?
            JOIN entities e ON e.id = m2.entity_id AND e.merged_into IS NULL {cond}
            GROUP BY e.id ORDER BY shared DESC, e.name LIMIT ?""",
        (entity_id, basis, entity_id, *categories, limit))]


def documents_per_year(conn: sqlite3.Connection, entity_id: int) -> dict[str, int]:
    """``{year: current documents mentioning the record published that year}`` (dates that do not start with a
    four-digit year are left out)."""
    rows = conn.execute(
        """SELECT substr(d.published, 1, 4) AS y, count(*) FROM documents d
           WHERE d.superseded = 0 AND d.id IN (SELECT document_id FROM mentions WHERE entity_id = ?)
             AND d.published IS NOT NULL GROUP BY substr(d.published, 1, 4)""", (entity_id,)).fetchall()
    return {y: n for y, n in rows if len(y) == 4 and y.isascii() and y.isdigit()}


def top(conn: sqlite3.Connection, category: str, *, limit: int, city_only: bool = False) -> list[dict]:
    """The records of a category mentioned in the most current documents: ``[{id, name, documents}]``."""
    cond = "AND json_extract(e.data, '$.type') = 'city'" if city_only else ""
    return [dict(r) for r in conn.execute(
        f"""SELECT e.id, e.name, count(DISTINCT m.document_id) AS documents FROM entities e
            JOIN mentions m ON m.entity_id = e.id JOIN documents d ON d.id = m.document_id AND d.superseded = 0
            WHERE e.category = ? AND e.merged_into IS NULL {cond}
            GROUP BY e.id ORDER BY documents DESC, e.name LIMIT ?""", (category, limit))]


def passage_mentions(conn: sqlite3.Connection, document_id: int) -> list[dict]:
    """A document's mentions of places, organisations, initiatives and people inside passages, by passage and
    position (longest first where two start together): ``{passage_id, s, e, entity_id, category, n}`` with ``s``/``e``
    relative to the passage, ``n`` the passage's length and ``entity_id`` the record a merge moved it to."""
    return [dict(r) for r in conn.execute(
        """SELECT m.passage_id, m.start - p.start AS s, m."end" - p.start AS e,
                  COALESCE(e.merged_into, e.id) AS entity_id, e.category, length(p.text) AS n
           FROM mentions m JOIN passages p ON p.id = m.passage_id JOIN entities e ON e.id = m.entity_id
           WHERE m.document_id = ? AND e.category IN ('places', 'organisations', 'initiatives', 'people')
           ORDER BY m.passage_id, s, e DESC""", (document_id,))]


def mentioned_records(conn: sqlite3.Connection, document_id: int) -> list[dict]:
    """The records a document mentions (merged ones as the record they moved to), most mentioned first:
    ``{id, category, name, n}``."""
    return [dict(r) for r in conn.execute(
        """SELECT t.id, t.category, t.name, count(*) AS n FROM mentions m
           JOIN entities e ON e.id = m.entity_id JOIN entities t ON t.id = COALESCE(e.merged_into, e.id)
           WHERE m.document_id = ? GROUP BY t.id ORDER BY n DESC, t.name""", (document_id,))]


def facet_entities(conn: sqlite3.Connection, entity_ids: list[int]) -> list[tuple]:
    """``(id, category, name, type, country)`` of the unmerged places, organisations and initiatives among
    ``entity_ids``."""
    if not entity_ids:
        return []
    return conn.execute(
        f"""SELECT id, category, name, json_extract(data, '$.type'), json_extract(data, '$.country')
            FROM entities WHERE id IN ({",".join("?" * len(entity_ids))}) AND merged_into IS NULL
            AND category IN ('places', 'organisations', 'initiatives')""", list(entity_ids)).fetchall()


def mentioned_in(conn: sqlite3.Connection, document_ids: list[int]) -> list[tuple[int, int]]:
    """``(document id, record id)`` of every mention in the given documents (repeated per mention)."""
    # CROSS JOIN: SQLite keeps this order (the given documents first)
    return tuples(conn, "SELECT m.document_id, m.entity_id FROM json_each(?) j CROSS JOIN mentions m "
                        "WHERE m.document_id = j.value", (json.dumps(document_ids),))
