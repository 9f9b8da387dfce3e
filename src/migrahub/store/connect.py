"""All SQL of the connect feature: the research library, curated practices, peer exchange and declarations."""

from __future__ import annotations

import json
import sqlite3
import unicodedata

from migrahub.connect.references import Reference, dedup_keys
from migrahub.store.database import now
from migrahub.store.documents import log_action


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


# -- research library ---------------------------------------------------------------------------------------------

def _words(ref: Reference) -> str:
    parts = [ref.title, ref.container, ref.publisher, ref.abstract, ref.doi, ref.url, str(ref.year or ""),
             *(n.display() for n in ref.authors), *ref.organisations, *ref.keywords, *ref.places, *ref.themes]
    return fold(" ".join(parts))


def reference_candidates(conn: sqlite3.Connection, ref: Reference) -> list[tuple[int, Reference]]:
    """Stored references sharing a DOI, URL or title key with ``ref`` (strongest key first)."""
    keys = dedup_keys(ref)
    if not keys:
        return []
    rows = conn.execute(
        f"SELECT DISTINCT r.id, r.data FROM library_keys k JOIN library_references r ON r.id = k.reference_id "
        f"WHERE k.key IN ({','.join('?' * len(keys))}) ORDER BY r.id", keys).fetchall()
    return [(r[0], Reference.from_dict(json.loads(r[1]))) for r in rows]


def save_reference(conn: sqlite3.Connection, ref: Reference, reference_id: int | None = None) -> int:
    """Insert ``ref`` (or replace reference ``reference_id`` by it) with its duplicate keys; caller's transaction."""
    stamp = now()
    values = (json.dumps(ref.as_dict(), ensure_ascii=False), ref.title, ref.year, ref.type, ref.origin,
              ref.entity_id, _words(ref))
    if reference_id is None:
        reference_id = conn.execute(
            "INSERT INTO library_references(data, title, year, type, origin, entity_id, words, created_at, "
            "updated_at) VALUES (?,?,?,?,?,?,?,?,?)", (*values, stamp, stamp)).lastrowid
    else:
        conn.execute("UPDATE library_references SET data = ?, title = ?, year = ?, type = ?, origin = ?, "
                     "entity_id = ?, words = ?, updated_at = ? WHERE id = ?", (*values, stamp, reference_id))
    conn.executemany("INSERT OR IGNORE INTO library_keys(key, reference_id) VALUES (?, ?)",
                     [(k, reference_id) for k in dedup_keys(ref)])
    return reference_id


def references(conn: sqlite3.Connection, *, words: list[str] | None = None, ids: list[int] | None = None,
               place: str | None = None, theme: str | None = None, year: int | None = None,
               limit: int | None = None, offset: int = 0) -> tuple[int, list[tuple[int, Reference]]]:
    """References (newest year first) whose folded text holds every word, with the total count."""
    where, params = ["1 = 1"], []
    for word in words or ():
        where.append("instr(words, ?) > 0")
        params.append(fold(word))
    if ids is not None:
        where.append("id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps([int(i) for i in ids]))
    if place:
        where.append("EXISTS (SELECT 1 FROM json_each(data, '$.places') WHERE value = ?)")
        params.append(place)
    if theme:
        where.append("EXISTS (SELECT 1 FROM json_each(data, '$.themes') WHERE value = ?)")
        params.append(theme)
    if year:
        where.append("year = ?")
        params.append(year)
    clause = " AND ".join(where)
    total = conn.execute(f"SELECT count(*) FROM library_references WHERE {clause}", params).fetchone()[0]
    rows = conn.execute(f"SELECT id, data FROM library_references WHERE {clause} ORDER BY year IS NULL, year DESC, "
                        f"title, id LIMIT ? OFFSET ?", [*params, -1 if limit is None else limit, offset]).fetchall()
    return total, [(r[0], Reference.from_dict(json.loads(r[1]))) for r in rows]


def reference(conn: sqlite3.Connection, reference_id: int) -> Reference | None:
    row = conn.execute("SELECT data FROM library_references WHERE id = ?", (reference_id,)).fetchone()
    return Reference.from_dict(json.loads(row[0])) if row else None


def reference_facets(conn: sqlite3.Connection) -> dict[str, list[tuple[str, int]]]:
    out = {}
    for field in ("places", "themes"):
        out[field] = [(r[0], r[1]) for r in conn.execute(
            f"SELECT j.value, count(*) FROM library_references r, json_each(r.data, '$.{field}') j "
            "GROUP BY j.value ORDER BY count(*) DESC, j.value LIMIT 50")]
    return out


def promoted_entities(conn: sqlite3.Connection) -> set[int]:
    return {r[0] for r in conn.execute("SELECT entity_id FROM library_references WHERE entity_id IS NOT NULL")}


def extracted_resources(conn: sqlite3.Connection) -> list[dict]:
    """Each resource the extraction found (not merged away) with the places and codes of the passages citing it."""
    out = []
    for r in conn.execute("SELECT id, name, data FROM entities WHERE category = 'resources' AND merged_into IS NULL "
                          "ORDER BY id"):
        places = [p[0] for p in conn.execute(
            "SELECT DISTINCT e.name FROM mentions m JOIN mentions o ON o.passage_id = m.passage_id "
            "JOIN entities e ON e.id = o.entity_id AND e.category = 'places' "
            "WHERE m.entity_id = ? AND m.passage_id IS NOT NULL ORDER BY e.name LIMIT 10", (r[0],))]
        out.append({"entity_id": r[0], "name": r[1], "data": json.loads(r[2]), "places": places,
                    "themes": passage_codes(conn, r[0])})
    return out


def passage_codes(conn: sqlite3.Connection, entity_id: int) -> list[str]:
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'current_codings'").fetchone() is None:
        return []
    return [c[0] for c in conn.execute(
        "SELECT DISTINCT c.code_id FROM mentions m JOIN current_codings c ON c.passage_id = m.passage_id "
        "WHERE m.entity_id = ? AND c.status = 'applied' ORDER BY c.code_id", (entity_id,))]


def entity_category_of(conn: sqlite3.Connection, name: str) -> str | None:
    row = conn.execute("SELECT category FROM entities WHERE name = ? AND category IN ('organisations', 'people') "
                       "AND merged_into IS NULL ORDER BY category = 'organisations' DESC LIMIT 1", (name,)).fetchone()
    return row[0] if row else None


def log(conn: sqlite3.Connection, actor: str, verb: str, object_type: str, object_id, payload: dict) -> None:
    log_action(conn, actor, verb, object_type, str(object_id), payload)
