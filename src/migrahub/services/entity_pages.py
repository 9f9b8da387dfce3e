"""Read-side services for the web hub's entity pages (places, organisations, initiatives, people, events, practices,
resources) built on the tables of ``store/migrations/003_entities.sql``: one record with the documents and passages
mentioning it, its co-mentioned records, the cities of a country, and the mentions of a document by passage."""

from __future__ import annotations

import json
import sqlite3
import threading

from migrahub.store.database import hub_state, tuples

CATEGORIES = ("places", "organisations", "initiatives", "people", "events", "practices", "resources")
SINGULAR = {"places": "place", "organisations": "organisation", "initiatives": "initiative", "people": "person",
            "events": "event", "practices": "practice", "resources": "resource"}


def available(conn: sqlite3.Connection) -> bool:
    """True once the hub has the entity tables."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'mentions'").fetchone() is not None


def category_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """``{category: records mentioned in a current document}`` (merged records count as their target)."""
    counts = mention_counts(conn)
    out: dict[str, int] = {}
    for eid, category in tuples(conn, "SELECT id, category FROM entities WHERE merged_into IS NULL"):
        if eid in counts:
            out[category] = out.get(category, 0) + 1
    return out


def _record_conditions(category: str | None, name: str, country: str | None) -> tuple[str, list]:
    """SQL conditions on ``entities e`` (unmerged records; of a category, with a part of the name, in a country)."""
    where, params = ["e.merged_into IS NULL"], []
    if category:
        where.append("e.category = ?")
        params.append(category)
    if name:
        where.append("instr(lower(e.name), lower(?)) > 0")
        params.append(name)
    if country:
        where.append("json_extract(e.data, '$.country') = ?")
        params.append(country.upper())
    return " AND ".join(where), params


def category_of(value: str) -> str:
    """The stored category for a category or its singular (``place`` → ``places``); ``ValueError`` otherwise."""
    plural = {v: k for k, v in SINGULAR.items()}.get(value, value)
    if plural not in CATEGORIES:
        raise ValueError(f"unknown entity type {value!r}; choose one of {', '.join(CATEGORIES)} (or the singular)")
    return plural


def browse(conn: sqlite3.Connection, *, category: str | None = None, name: str = "", country: str | None = None,
           limit: int = 50, offset: int = 0) -> tuple[int, list[dict]]:
    """(total, page) of unmerged records of every category (or one, plural or singular), those in the most current
    documents first, then the most mentioned, then by name and id (a stable order to page through). ``name`` filters
    on a part of the name, ``country`` (ISO code) on the record's country. Each item: ``{id, type, name, mentions,
    documents, record}`` (``type`` is the category)."""
    cond, params = _record_conditions(category_of(category) if category else None, name, country)
    counts = mention_counts(conn)
    none = (0, 0)
    rows = tuples(conn, f"SELECT e.id, e.category, e.name FROM entities e WHERE {cond}", params)
    rows.sort(key=lambda r: (-counts.get(r[0], none)[0], -counts.get(r[0], none)[1], r[2], r[0]))
    page = rows[offset:offset + limit]
    data = dict(tuples(conn, f"SELECT id, data FROM entities WHERE id IN ({','.join('?' * len(page))})",
                       [r[0] for r in page]))
    return len(rows), [{"id": r[0], "type": r[1], "name": r[2], "mentions": counts.get(r[0], none)[1],
                        "documents": counts.get(r[0], none)[0], "record": json.loads(data[r[0]])} for r in page]


_counts_cache: dict[str, tuple[str, dict[int, tuple[int, int]]]] = {}  # per database: (hub state, counts)
_counts_lock = threading.Lock()


def mention_counts(conn: sqlite3.Connection) -> dict[int, tuple[int, int]]:
    """``{record id: (current documents, mentions in them)}`` of every record mentioned, in one pass over the
    mentions, kept per process until the hub's state changes (an ingest, an edit of a record, from any process)."""
    key = str(conn.execute("PRAGMA database_list").fetchone()[2])
    state = hub_state(conn)
    with _counts_lock:
        known = _counts_cache.get(key)
    if known is not None and known[0] == state:
        return known[1]
    # every document's counts less the older versions' (few, through a partial index): indexes alone are read
    counts = {eid: (documents, mentions) for eid, documents, mentions in tuples(
        conn, "SELECT entity_id, count(DISTINCT document_id), count(*) FROM mentions GROUP BY entity_id")}
    for eid, documents, mentions in tuples(
            conn, "SELECT m.entity_id, count(DISTINCT m.document_id), count(*) FROM documents d INDEXED BY "
                  "documents_superseded CROSS JOIN mentions m ON m.document_id = d.id WHERE d.superseded = 1 "
                  "GROUP BY m.entity_id"):
        left = (counts[eid][0] - documents, counts[eid][1] - mentions)
        if left[1]:
            counts[eid] = left
        else:
            del counts[eid]
    with _counts_lock:
        _counts_cache[key] = (state, counts)
    return counts


def summary(conn: sqlite3.Connection, entity_id: int) -> dict | None:
    """One record without its documents: ``{id, type, name, record, curated, merged_into, updated_at}``, or ``None``."""
    row = conn.execute("SELECT id, category, name, data, curated, merged_into, updated_at FROM entities WHERE id = ?",
                       (entity_id,)).fetchone()
    if row is None:
        return None
    return {"id": row["id"], "type": row["category"], "name": row["name"], "record": json.loads(row["data"]),
            "curated": bool(row["curated"]), "merged_into": row["merged_into"], "updated_at": row["updated_at"]}


def entity(conn: sqlite3.Connection, entity_id: int, *, passages: int = 60, page: int = 1, per_page: int = 20,
           related: int = 30, offset: int | None = None) -> dict | None:
    """One record: its data, one page of the current documents mentioning it (newest first, with the passages and
    the mention offsets inside each passage), how many documents there are in all, the records most often
    mentioned in the same documents (among its ``RELATED_BASIS`` newest documents), and for a country its cities.
    The page is ``per_page`` documents from ``offset`` (default: the start of ``page``).
    A merged record answers with ``merged_into`` set (the caller redirects)."""
    row = conn.execute("SELECT id, category, name, data, merged_into, curated, created_at, updated_at FROM entities "
                       "WHERE id = ?", (entity_id,)).fetchone()
    if row is None:
        return None
    out = {k: row[k] for k in row.keys()}
    out["record"] = json.loads(row["data"])
    out["singular"] = SINGULAR.get(row["category"], row["category"])
    if row["merged_into"]:
        return out
    out["document_count"] = conn.execute(
        "SELECT count(DISTINCT m.document_id) FROM mentions m JOIN documents d ON d.id = m.document_id "
        "WHERE m.entity_id = ? AND d.superseded = 0", (entity_id,)).fetchone()[0]
    page_ids = [r[0] for r in conn.execute(
        """SELECT d.id FROM documents d WHERE d.superseded = 0 AND d.id IN
               (SELECT document_id FROM mentions WHERE entity_id = ?)
           ORDER BY d.published IS NULL, d.published DESC, d.id LIMIT ? OFFSET ?""",
        (entity_id, per_page, (page - 1) * per_page if offset is None else offset))]
    mentions = conn.execute(
        f"""SELECT m.document_id, m.passage_id, m.start, m."end", d.title, d.published, d.language,
                  p.start AS p_start, p.text AS p_text, p.seq
           FROM mentions m JOIN documents d ON d.id = m.document_id LEFT JOIN passages p ON p.id = m.passage_id
           WHERE m.entity_id = ? AND m.document_id IN ({",".join("?" * len(page_ids)) or "NULL"})
           ORDER BY d.published IS NULL, d.published DESC, d.id, p.seq, m.start""",
        (entity_id, *page_ids)).fetchall()
    docs: dict[int, dict] = {}
    shown = 0
    for m in mentions:
        doc = docs.setdefault(m["document_id"], {"id": m["document_id"], "title": m["title"],
                                                 "published": m["published"], "language": m["language"],
                                                 "passages": {}, "mentions": 0})
        doc["mentions"] += 1
        if m["passage_id"] is None or m["p_text"] is None:
            continue
        passage = doc["passages"].get(m["passage_id"])
        if passage is None:
            if shown >= passages:
                continue
            shown += 1
            passage = doc["passages"][m["passage_id"]] = {"id": m["passage_id"], "text": m["p_text"], "spans": []}
        start, end = m["start"] - m["p_start"], m["end"] - m["p_start"]
        if 0 <= start < end <= len(m["p_text"]):
            passage["spans"].append((start, end))
    out["documents"] = [{**d, "passages": [_window(p) for p in d["passages"].values()]} for d in docs.values()]
    out["related"] = related_entities(conn, entity_id, limit=related)
    out["cities"] = []
    if row["category"] == "places" and out["record"].get("type") == "country" and out["record"].get("country"):
        out["cities"] = browse(conn, category="places", country=out["record"]["country"], limit=200)[1]
        out["cities"] = [c for c in out["cities"] if c["record"].get("type") != "country"]
    out["country_place"] = None
    if row["category"] == "places" and out["record"].get("type") != "country" and out["record"].get("country"):
        hit = conn.execute("SELECT id, name FROM entities WHERE category = 'places' AND merged_into IS NULL AND "
                           "json_extract(data, '$.type') = 'country' AND json_extract(data, '$.country') = ? LIMIT 1",
                           (out["record"]["country"],)).fetchone()
        out["country_place"] = dict(hit) if hit else None
    return out


RELATED_BASIS = 500  # co-mentions are counted over the record's newest documents, at most this many


def related_entities(conn: sqlite3.Connection, entity_id: int, *, limit: int = 30,
                     categories: tuple[str, ...] = ()) -> list[dict]:
    """The records most often mentioned in the same current documents as ``entity_id`` (among its
    :data:`RELATED_BASIS` newest documents): ``[{id, category, name, type, shared}]``."""
    cond = f"AND e.category IN ({','.join('?' * len(categories))})" if categories else ""
    return [dict(r) for r in conn.execute(
        f"""WITH docs AS (SELECT d.id FROM documents d WHERE d.superseded = 0 AND d.id IN
                              (SELECT document_id FROM mentions WHERE entity_id = ?)
                          ORDER BY d.published DESC LIMIT {RELATED_BASIS})
            SELECT e.id, e.category, e.name, json_extract(e.data, '$.type') AS type,
                   count(DISTINCT m2.document_id) AS shared
            FROM docs JOIN mentions m2 ON m2.document_id = docs.id AND m2.entity_id != ?
            JOIN entities e ON e.id = m2.entity_id AND e.merged_into IS NULL {cond}
            GROUP BY e.id ORDER BY shared DESC, e.name LIMIT ?""", (entity_id, entity_id, *categories, limit))]


def mentions_per_year(conn: sqlite3.Connection, entity_id: int) -> list[tuple[str, int]]:
    """(year, current documents mentioning the record published that year), every year from the first to the last
    (gaps as 0); documents without a date are left out."""
    rows = dict(conn.execute(
        """SELECT substr(d.published, 1, 4) AS y, count(*) FROM documents d
           WHERE d.superseded = 0 AND d.id IN (SELECT document_id FROM mentions WHERE entity_id = ?)
             AND d.published GLOB '[0-9][0-9][0-9][0-9]*' GROUP BY y""", (entity_id,)).fetchall())
    if not rows:
        return []
    years = sorted(int(y) for y in rows)
    return [(str(y), rows.get(str(y), 0)) for y in range(years[0], years[-1] + 1)]


def top_entities(conn: sqlite3.Connection, category: str, *, limit: int = 10, city_only: bool = False
                 ) -> list[dict]:
    """The records of a category mentioned in the most current documents: ``[{id, name, documents}]``."""
    cond = "AND json_extract(e.data, '$.type') = 'city'" if city_only else ""
    return [dict(r) for r in conn.execute(
        f"""SELECT e.id, e.name, count(DISTINCT m.document_id) AS documents FROM entities e
            JOIN mentions m ON m.entity_id = e.id JOIN documents d ON d.id = m.document_id AND d.superseded = 0
            WHERE e.category = ? AND e.merged_into IS NULL {cond}
            GROUP BY e.id ORDER BY documents DESC, e.name LIMIT ?""", (category, limit))]


def _window(passage: dict, size: int = 360) -> dict:
    """A long passage cut to ``size`` code points around its first mention (spans shifted to match)."""
    text, spans = passage["text"], passage["spans"]
    if len(text) <= size:
        return passage
    first = spans[0][0] if spans else 0
    start = max(0, min(first - size // 3, len(text) - size))
    cut = text[start:start + size]
    lead = "…" if start else ""
    shifted = [(a - start + len(lead), b - start + len(lead)) for a, b in spans if a >= start and b <= start + size]
    return {**passage, "text": lead + cut + ("…" if start + size < len(text) else ""), "spans": shifted}


def document_mentions(conn: sqlite3.Connection, document_id: int) -> dict[int, list[tuple[int, int, int, str]]]:
    """The mentions of a document by passage id: ``[(start, end, entity_id, category)]`` with offsets relative to
    the passage, non-overlapping (the longest wins), in text order; empty without entity tables."""
    if not available(conn):
        return {}
    rows = conn.execute(
        """SELECT m.passage_id, m.start - p.start AS s, m."end" - p.start AS e,
                  COALESCE(e.merged_into, e.id) AS entity_id, e.category, length(p.text) AS n
           FROM mentions m JOIN passages p ON p.id = m.passage_id JOIN entities e ON e.id = m.entity_id
           WHERE m.document_id = ? AND e.category IN ('places', 'organisations', 'initiatives', 'people')
           ORDER BY m.passage_id, s, e DESC""", (document_id,)).fetchall()
    out: dict[int, list[tuple[int, int, int, str]]] = {}
    for r in rows:
        if not (0 <= r["s"] < r["e"] <= r["n"]):
            continue
        spans = out.setdefault(r["passage_id"], [])
        if spans and r["s"] < spans[-1][1]:
            continue  # overlaps the previous (longer or earlier) mention
        spans.append((r["s"], r["e"], r["entity_id"], r["category"]))
    return out


def document_entities(conn: sqlite3.Connection, document_id: int) -> dict[str, list[dict]]:
    """The records a document mentions, by category, most mentioned first."""
    if not available(conn):
        return {}
    out: dict[str, list[dict]] = {}
    for r in conn.execute(
            """SELECT COALESCE(e.merged_into, e.id) AS id, e.category, e.name, count(*) AS n FROM mentions m
               JOIN entities e ON e.id = m.entity_id WHERE m.document_id = ?
               GROUP BY 1 ORDER BY n DESC, e.name""", (document_id,)):
        out.setdefault(r["category"], []).append({"id": r["id"], "name": r["name"], "mentions": r["n"]})
    return {c: out[c] for c in CATEGORIES if c in out}
