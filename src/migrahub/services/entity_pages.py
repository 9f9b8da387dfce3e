"""Read-side services for the web hub's entity pages (places, organisations, initiatives, people, events, practices,
resources) built on the tables of ``store/migrations/003_entities.sql``: one record with the documents and passages
mentioning it, its co-mentioned records, the cities of a country, and the mentions of a document by passage."""

from __future__ import annotations

import json
import sqlite3
import threading

from migrahub.store import entity_pages as store
from migrahub.store.database import has_table, hub_state
from migrahub.store.hub import cache_key

CATEGORIES = ("places", "organisations", "initiatives", "people", "events", "practices", "resources")
SINGULAR = {"places": "place", "organisations": "organisation", "initiatives": "initiative", "people": "person",
            "events": "event", "practices": "practice", "resources": "resource"}


def available(conn: sqlite3.Connection) -> bool:
    """True once the hub has the entity tables."""
    return has_table(conn, "mentions")


def category_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """``{category: records mentioned in a current document}`` (merged records count as their target)."""
    counts = mention_counts(conn)
    out: dict[str, int] = {}
    for eid, category in store.categories(conn):
        if eid in counts:
            out[category] = out.get(category, 0) + 1
    return out


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
    counts = mention_counts(conn)
    none = (0, 0)
    rows = store.records(conn, category=category_of(category) if category else None, name=name, country=country)
    rows.sort(key=lambda r: (-counts.get(r[0], none)[0], -counts.get(r[0], none)[1], r[2], r[0]))
    page = rows[offset:offset + limit]
    data = store.data_of(conn, [r[0] for r in page])
    return len(rows), [{"id": r[0], "type": r[1], "name": r[2], "mentions": counts.get(r[0], none)[1],
                        "documents": counts.get(r[0], none)[0], "record": data[r[0]]} for r in page]


_counts_cache: dict[str, tuple[str, dict[int, tuple[int, int]]]] = {}  # per database: (hub state, counts)
_counts_lock = threading.Lock()


def mention_counts(conn: sqlite3.Connection) -> dict[int, tuple[int, int]]:
    """``{record id: (current documents, mentions in them)}`` of every record mentioned, in one pass over the
    mentions, kept per process until the hub's state changes (an ingest, an edit of a record, from any process)."""
    key = cache_key(conn)
    state = hub_state(conn)
    with _counts_lock:
        known = _counts_cache.get(key)
    if known is not None and known[0] == state:
        return known[1]
    counts = store.current_mention_counts(conn)
    with _counts_lock:
        _counts_cache[key] = (state, counts)
    return counts


def summary(conn: sqlite3.Connection, entity_id: int) -> dict | None:
    """One record without its documents: ``{id, type, name, record, curated, merged_into, updated_at}``, or ``None``."""
    row = store.record(conn, entity_id)
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
    row = store.record(conn, entity_id)
    if row is None:
        return None
    out = dict(row)
    out["record"] = json.loads(row["data"])
    out["singular"] = SINGULAR.get(row["category"], row["category"])
    if row["merged_into"]:
        return out
    out["document_count"] = store.document_count(conn, entity_id)
    page_ids = store.documents_mentioning(conn, entity_id, per_page,
                                          (page - 1) * per_page if offset is None else offset)
    mentions = store.mentions_in(conn, entity_id, page_ids)
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
        out["country_place"] = store.country_place(conn, out["record"]["country"])
    return out


RELATED_BASIS = 500  # co-mentions are counted over the record's newest documents, at most this many


def related_entities(conn: sqlite3.Connection, entity_id: int, *, limit: int = 30,
                     categories: tuple[str, ...] = ()) -> list[dict]:
    """The records most often mentioned in the same current documents as ``entity_id`` (among its
    :data:`RELATED_BASIS` newest documents): ``[{id, category, name, type, shared}]``."""
    return store.related(conn, entity_id, basis=RELATED_BASIS, limit=limit, categories=categories)


def mentions_per_year(conn: sqlite3.Connection, entity_id: int) -> list[tuple[str, int]]:
    """(year, current documents mentioning the record published that year), every year from the first to the last
    (gaps as 0); documents without a date are left out."""
    rows = store.documents_per_year(conn, entity_id)
    if not rows:
        return []
    years = sorted(int(y) for y in rows)
    return [(str(y), rows.get(str(y), 0)) for y in range(years[0], years[-1] + 1)]


def top_entities(conn: sqlite3.Connection, category: str, *, limit: int = 10, city_only: bool = False
                 ) -> list[dict]:
    """The records of a category mentioned in the most current documents: ``[{id, name, documents}]``."""
    return store.top(conn, category, limit=limit, city_only=city_only)


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
    rows = store.passage_mentions(conn, document_id)
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
    for r in store.mentioned_records(conn, document_id):
        out.setdefault(r["category"], []).append({"id": r["id"], "name": r["name"], "mentions": r["n"]})
    return {c: out[c] for c in CATEGORIES if c in out}
