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


# -- curated practices --------------------------------------------------------------------------------------------

def save_practice(conn: sqlite3.Connection, record_id: int | None, data: dict, state: str, actor: str,
                  action: str) -> int:
    """Write a practice record's new version (creating the record when ``record_id`` is None); caller's
    transaction. Returns the record id."""
    stamp = now()
    values = (state, data["title"], json.dumps(data, ensure_ascii=False), data.get("city_id"),
              data.get("country") or None, data.get("period_start"), data.get("extracted_from"))
    if record_id is None:
        record_id = conn.execute(
            "INSERT INTO practice_records(state, title, data, city_id, country, year, extracted_from, owner, version, "
            "created_at, updated_at, published_at) VALUES (?,?,?,?,?,?,?,?,1,?,?,?)",
            (*values, actor, stamp, stamp, stamp if state == "published" else None)).lastrowid
        version = 1
    else:
        version = conn.execute("SELECT version FROM practice_records WHERE id = ?", (record_id,)).fetchone()[0] + 1
        conn.execute("UPDATE practice_records SET state = ?, title = ?, data = ?, city_id = ?, country = ?, year = ?, "
                     "extracted_from = ?, version = ?, updated_at = ?, published_at = CASE WHEN ? = 'published' "
                     "THEN coalesce(published_at, ?) ELSE NULL END WHERE id = ?",
                     (*values, version, stamp, state, stamp, record_id))
    conn.execute("INSERT INTO practice_versions(record_id, version, state, data, actor, action, at) "
                 "VALUES (?,?,?,?,?,?,?)", (record_id, version, state, values[2], actor, action, stamp))
    log_action(conn, actor, f"practice.{action}", "practice", str(record_id), {"state": state, "version": version})
    return record_id


def practice_row(conn: sqlite3.Connection, record_id: int) -> dict | None:
    row = conn.execute("SELECT * FROM practice_records WHERE id = ?", (record_id,)).fetchone()
    return _practice(row) if row else None


def _practice(row) -> dict:
    return {"id": row["id"], "state": row["state"], "data": json.loads(row["data"]), "owner": row["owner"],
            "version": row["version"], "created_at": row["created_at"], "updated_at": row["updated_at"],
            "published_at": row["published_at"], "city_id": row["city_id"], "country": row["country"]}


def practice_rows(conn: sqlite3.Connection, *, states: tuple[str, ...] = ("published",), owner: str | None = None,
                  city_id: int | None = None) -> list[dict]:
    where, params = [f"state IN ({','.join('?' * len(states))})"], list(states)
    if owner is not None:
        where.append("owner = ?")
        params.append(owner)
    if city_id is not None:
        where.append("city_id = ?")
        params.append(city_id)
    rows = conn.execute(f"SELECT * FROM practice_records WHERE {' AND '.join(where)} "
                        "ORDER BY coalesce(published_at, updated_at) DESC, id DESC", params).fetchall()
    return [_practice(r) for r in rows]


def practice_versions(conn: sqlite3.Connection, record_id: int) -> list[dict]:
    return [dict(r) | {"data": json.loads(r["data"])} for r in conn.execute(
        "SELECT version, state, data, actor, action, at FROM practice_versions WHERE record_id = ? ORDER BY version",
        (record_id,))]


def add_comment(conn: sqlite3.Connection, record_id: int, actor: str, text: str) -> int:
    cid = conn.execute("INSERT INTO practice_comments(record_id, actor, text, at) VALUES (?,?,?,?)",
                       (record_id, actor, text, now())).lastrowid
    log_action(conn, actor, "practice.comment", "practice", str(record_id), {"comment": cid})
    return cid


def comments(conn: sqlite3.Connection, record_id: int) -> list[dict]:
    return [dict(r) for r in conn.execute("SELECT id, actor, text, at FROM practice_comments WHERE record_id = ? "
                                          "ORDER BY id", (record_id,))]


def codes(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """Every codable code of the hub's codebooks: (code id, name, codebook name)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'codes'").fetchone() is None:
        return []
    return [(r[0], r[1], r[2]) for r in conn.execute(
        "SELECT c.code_id, c.name, b.name FROM codes c JOIN codebooks b ON b.id = c.codebook_id WHERE c.codable = 1 "
        "ORDER BY b.name, c.code_id")]


def place(conn: sqlite3.Connection, entity_id: int) -> dict | None:
    row = conn.execute("SELECT id, name, data, merged_into FROM entities WHERE id = ? AND category = 'places'",
                       (entity_id,)).fetchone()
    if not row:
        return None
    data = json.loads(row["data"])
    return {"id": row["id"], "name": row["name"], "type": data.get("type"), "country": data.get("country"),
            "geonames_id": data.get("geonames_id"), "merged_into": row["merged_into"]}


def city_by_name(conn: sqlite3.Connection, name: str) -> dict | None:
    """The place record of a city named so (its name or a surface form), most mentioned first."""
    folded = fold(name.strip())
    if not folded:
        return None
    for row in conn.execute(
            "SELECT e.id, e.name, e.data FROM entities e WHERE e.category = 'places' AND e.merged_into IS NULL "
            "ORDER BY (SELECT count(*) FROM mentions m WHERE m.entity_id = e.id) DESC"):
        data = json.loads(row["data"])
        names = [row["name"], *(data.get("surface") or [])]
        if data.get("type") not in ("country", "region", "world_region") and any(fold(n) == folded for n in names):
            return {"id": row["id"], "name": row["name"], "country": data.get("country"), "type": data.get("type")}
    return None


def extracted_practice(conn: sqlite3.Connection, entity_id: int) -> list[dict]:
    """Each current document's copy of an extracted practice record, with its passage."""
    from migrahub.store.entities import document_records

    return document_records(conn, "practices", None, [entity_id])


def passage(conn: sqlite3.Connection, passage_id: int) -> dict | None:
    row = conn.execute("SELECT p.id, p.document_id, p.start, p.\"end\", p.text, d.title FROM passages p "
                       "JOIN documents d ON d.id = p.document_id WHERE p.id = ?", (passage_id,)).fetchone()
    return dict(row) if row else None
