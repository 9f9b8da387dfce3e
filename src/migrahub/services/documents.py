"""Read-side services for the web hub and the REST API: browsing, facets, documents with their passages, feed items,
statistics and exports.

Every function takes an open connection first (``reader(db)`` gives one per thread, reused across requests), so a
web request costs no reconnect. Filters mean exactly what they mean for :func:`migrahub.store.search.search`.
"""

from __future__ import annotations

import heapq
import json
import os
import sqlite3
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from operator import itemgetter
from pathlib import Path

from migrahub.services import synonyms
from migrahub.store import browse as browsing
from migrahub.store import documents as docstore
from migrahub.store import entity_pages as entity_store
from migrahub.store import hub as hubstore
from migrahub.store import search as fts
from migrahub.store.browse import FACETS
from migrahub.store.database import connect, has_table, hub_counter

_local = threading.local()


def reader(db: str | os.PathLike) -> sqlite3.Connection:
    """A connection to the hub at ``db`` (a file, or a database URL) owned by the calling thread (opened, and
    migrated, on first use)."""
    key = str(db) if "://" in str(db) else str(Path(db).resolve())
    conns = getattr(_local, "conns", None)
    if conns is None:
        conns = _local.conns = {}
    conn = conns.get(key)
    if conn is None:
        conn = conns[key] = connect(key)
    return conn


def close_readers() -> None:
    """Close the calling thread's connections (tests, shutdown)."""
    for conn in getattr(_local, "conns", {}).values():
        conn.close()
    _local.conns = {}


@dataclass(frozen=True)
class Query:
    """A search or browse request: the words (empty to browse every document) and the filters."""

    q: str = ""
    language: str | None = None
    doc_type: str | None = None
    source: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    since: str | None = None         # finer dates (YYYY[-MM[-DD]], inclusive) than the years; they win over them
    until: str | None = None
    country: str | None = None       # ISO code: documents mentioning a place in that country
    place: int | None = None         # entity ids: documents mentioning that city / organisation / initiative
    organisation: int | None = None
    initiative: int | None = None

    @property
    def entity_filtered(self) -> bool:
        return bool(self.country or self.place or self.organisation or self.initiative)

    def filters(self, limit: int = 10, offset: int = 0) -> fts.SearchFilters:
        return fts.SearchFilters(language=self.language, doc_type=self.doc_type, source=self.source,
                                 since=self.since or (str(self.year_from) if self.year_from else None),
                                 until=self.until or (str(self.year_to) if self.year_to else None),
                                 country=self.country,
                                 mentioning=tuple(e for e in (self.place, self.organisation, self.initiative) if e),
                                 limit=limit, offset=offset)

    @property
    def filtered(self) -> bool:
        """True when any filter besides the words is set."""
        return bool(self.language or self.doc_type or self.source or self.year_from or self.year_to
                    or self.since or self.until or self.entity_filtered)

    def without(self, facet: str) -> Query:
        if facet == "year":
            return replace(self, year_from=None, year_to=None, since=None, until=None)
        return replace(self, **{facet: None})


def facets(conn: sqlite3.Connection, query: Query, size: int = 25, matched: list[int] | None = None
           ) -> dict[str, list[tuple[str, int]]]:
    """Document counts per value of each facet, each counted under the query's other filters (so a chosen value
    still shows its alternatives). ``matched``: every document the query's words match, when the caller knows them
    (then the words are not searched again for each facet). Raises :class:`~migrahub.store.search.QueryError` for a
    bad query."""
    out: dict[str, list[tuple[str, int]]] = {}
    for facet in FACETS:
        other = query.without(facet)
        out[facet] = browsing.facet_counts(conn, facet, other.q, other.filters(), size=size, among=matched)
    return out


def count_matches(conn: sqlite3.Connection, query: Query) -> tuple[int, int]:
    """(passages, documents) matching the query under its filters; for a browse, (0, documents)."""
    if not query.q.strip():
        return 0, browsing.count(conn, query.filters())
    return browsing.count_matches(conn, query.q, query.filters())


def search(conn: sqlite3.Connection, query: Query, limit: int = 20, offset: int = 0,
           counts: Counts | None = None) -> list[fts.Hit]:
    """Ranked passages (BM25, exact phrases first) for the query's words under its filters (``counts``: the
    query's :func:`result_counts`, whose window of matches is then not read again)."""
    if counts is None:
        return fts.search(conn, query.q, query.filters(limit, offset))
    return fts.search(conn, query.q, query.filters(limit, offset), list(counts.window), dict(counts.scores))


WINDOW = fts.RANK_WINDOW  # more matching passages than this: counts say "more than", facets are sampled


@dataclass(frozen=True)
class Counts:
    """What a search or browse page shows besides its hits: facet counts, entity facet counts and totals."""

    facets: dict[str, list[tuple[str, int]]]
    entities: dict
    passages: int  # matching passages (0 for a browse; WINDOW when more match)
    documents: int  # matching documents (0 when more than WINDOW passages match)
    exact: bool  # False: more than WINDOW passages match
    sampled: bool  # facets counted over the newest WINDOW matches (browse: the entity facets over the newest documents)
    window: tuple[int, ...] = ()  # the newest WINDOW + 1 matching passages, newest first (what search() ranks)
    scores: Mapping[int, tuple[bool, float]] = field(default_factory=dict)  # PostgreSQL: the window's ranks, read
    # with it (store.search_pg.ranked), when they are the search's (not for a language filter over the words' window)


def result_counts(conn: sqlite3.Connection, query: Query, *, with_facets: bool = True) -> Counts:
    """Facet counts and totals for ``query`` (``with_facets=False``: the totals and the window alone). Raises
    :class:`~migrahub.store.search.QueryError` for a bad query.

    Words matching more than :data:`WINDOW` passages are counted as "more than" and every facet is counted over the
    documents of the newest :data:`WINDOW` matches (the same window :func:`search` ranks); otherwise the counts are
    exact, each facet counted under the query's other filters. Without words the document facets are exact and the
    entity facets are counted over the newest :data:`WINDOW` documents."""
    if not query.q.strip():
        ids = browsing.newest_ids(conn, query.filters(), WINDOW + 1)
        _, n_documents = count_matches(conn, query)
        return Counts(facets(conn, query), entity_facets(conn, query, sorted(ids[:WINDOW])), 0, n_documents, True,
                      len(ids) > WINDOW)
    # the words' matches first: when they are few, the filters are a test on their documents (not a second
    # full-text search) and every facet is counted over them
    scores: dict[int, tuple[bool, float]] = {}
    language = query.filters().language
    words_only = fts.newest_matches(conn, query.q, fts.SearchFilters(), WINDOW + 1, None if language else scores)
    few = len(words_only) <= WINDOW
    if not query.filtered:
        rows = words_only
    elif few:
        rows = fts.filter_matches(conn, words_only, query.filters())
    else:
        rows = fts.newest_matches(conn, query.q, query.filters(), WINDOW + 1, scores)
    basis = sorted({doc for _, doc in rows[:WINDOW]})
    exact = len(rows) <= WINDOW
    counted, entities = {}, {}
    if with_facets:
        # without filters (or over the window), "counted under the other filters" is the plain count over the
        # matching documents
        counted = (facets(conn, query, matched=sorted({doc for _, doc in words_only}) if few else None)
                   if exact and query.filtered else facets_over(conn, basis))
        entities = entity_facets(conn, query, basis)
    return Counts(counted, entities, len(rows) if exact else WINDOW, len(basis) if exact else 0, exact, not exact,
                  tuple(passage for passage, _ in rows), scores)


def facets_over(conn: sqlite3.Connection, document_ids: list[int], size: int = 25) -> dict[str, list[tuple[str, int]]]:
    """Document counts per value of each facet among the given documents (one pass over them)."""
    rows = browsing.facet_values(conn, document_ids)
    documents = list({row[0]: row for row in rows}.values())  # a document found through several sources: once
    tallies = {"language": Counter(map(itemgetter(1), documents)), "doc_type": Counter(map(itemgetter(2), documents)),
               "year": Counter(row[3] for row in documents if row[3]),
               "source": Counter(locator for _, locator in {(row[0], row[4]) for row in rows if row[4] is not None})}
    out = {}
    for facet in FACETS:
        tally = tallies[facet]
        if facet == "year":
            out[facet] = sorted(tally.items(), reverse=True)[:size]
        else:
            out[facet] = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
    return out


_entity_cache: dict[str, tuple[int, dict, set]] = {}  # per database: (generation, names, ids known not to show)
_entity_lock = threading.Lock()


def entity_index(conn: sqlite3.Connection, ids: set[int]) -> dict[int, tuple[str, str, str | None, str | None]]:
    """``{id: (category, name, type, country)}`` of the unmerged places, organisations and initiatives among
    ``ids``, read from the database only for ids not seen before. The cache is dropped whenever the hub's entity
    counter (``hub_state``, moved by a trigger on every change to an entity, from any process) has moved."""
    key = hubstore.cache_key(conn)
    generation = hub_counter(conn, "entities")
    with _entity_lock:
        known = _entity_cache.get(key)
        if known is None or known[0] != generation:
            known = _entity_cache[key] = (generation, {}, set())
    _, meta, missing_seen = known
    missing = [i for i in ids if i not in meta and i not in missing_seen]
    for chunk in range(0, len(missing), 500):
        part = missing[chunk:chunk + 500]
        found = entity_store.facet_entities(conn, part)
        with _entity_lock:
            for r in found:
                meta[r[0]] = (r[1], r[2], r[3], r[4])
            missing_seen.update(set(part) - {r[0] for r in found})
    return {i: meta[i] for i in ids if i in meta}


def country_names(conn: sqlite3.Connection) -> dict[str, str]:
    """``{ISO code: name}`` of the country records of the hub."""
    return entity_store.country_names(conn)


def entity_facets(conn: sqlite3.Connection, query: Query, document_ids: list[int], *, size: int = 15) -> dict:
    """Counts of documents per country, city (within the query's country), organisation and initiative among
    ``document_ids``. ``{"countries": [(code, name, n)], "places": [(id, name, n)], "organisations": [...],
    "initiatives": [...], "documents": counted}``."""
    if not has_table(conn, "mentions"):
        return {}
    pairs = set(entity_store.mentioned_in(conn, document_ids))
    counts = Counter(map(itemgetter(1), pairs))  # the pairs are distinct: documents per record
    meta = entity_index(conn, set(counts)) if counts else {}
    country = (query.country or "").upper()
    placed = {eid: info[3] for eid, info in meta.items() if info[0] == "places" and info[3]}
    per_country: dict[str, set[int]] = {}
    for doc, eid in pairs:
        code = placed.get(eid)
        if code:
            per_country.setdefault(code, set()).add(doc)
    tops: dict[str, list[tuple[int, str, int]]] = {"places": [], "organisations": [], "initiatives": []}
    for eid, n in counts.items():
        info = meta.get(eid)
        if info is None or (info[0] == "places" and (info[2] != "city" or (country and info[3] != country))):
            continue
        tops[info[0]].append((-n, info[1], eid))
    names = country_names(conn) if per_country else {}
    return {
        "countries": [(c, names.get(c, c), len(d)) for c, d in
                      sorted(per_country.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:size]],
        **{category: [(eid, name, -n) for n, name, eid in heapq.nsmallest(size, values)]
           for category, values in tops.items()},
        "documents": len(document_ids)}


def browse(conn: sqlite3.Connection, query: Query, limit: int = 20, offset: int = 0) -> list[dict]:
    """Current documents under the query's filters, newest published first (the page shown before any search)."""
    return browsing.newest(conn, query.filters(), limit, offset)


def _section(raw: str) -> list[str]:
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def section_list(raw: str) -> list[str]:
    """A passage's ``section`` column (JSON list of headings) as a list."""
    return _section(raw)


def document(conn: sqlite3.Connection, document_id: int) -> dict | None:
    """One document: its metadata, where it was found, its passages (with their section headings), the other
    documents of its near-duplicate story and its versions; ``None`` if there is no such document."""
    doc = docstore.read(conn, document_id)
    if doc is None:
        return None
    doc["provenance"] = json.loads(doc["provenance"] or "[]")
    doc["links"] = docstore.links(conn, document_id)
    doc["passages"] = [{**p, "section": _section(p["section"])} for p in docstore.passages(conn, document_id)]
    doc["story"] = docstore.story(conn, document_id, doc["story_id"] or doc["id"])
    doc["newer_version"] = None
    if doc["superseded"]:  # the current document at one of its locators
        doc["newer_version"] = docstore.newer_version(conn, document_id)
    return doc


def passages(conn: sqlite3.Connection, document_id: int, limit: int = 100, offset: int = 0) -> list[dict]:
    """A page of one document's passages in reading order."""
    return [{"id": p["id"], "document_id": document_id, "seq": p["seq"], "start": p["start"], "end": p["end"],
             "kind": p["kind"], "section": _section(p["section"]), "text": p["text"]}
            for p in docstore.passages(conn, document_id, limit, offset)]


def passage_count(conn: sqlite3.Connection, document_id: int) -> int:
    return docstore.passage_count(conn, document_id)


def feed_items(conn: sqlite3.Connection, limit: int = 30, offset: int = 0) -> list[dict]:
    """The latest current feed items (newest published first) with the feed each came from."""
    return docstore.feed_items(conn, limit, offset)


def feed_item_count(conn: sqlite3.Connection) -> int:
    return docstore.feed_item_count(conn)


def year_counts(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Current documents per publication year, oldest first (documents without a date are left out)."""
    return docstore.year_counts(conn)


def recent_runs(conn: sqlite3.Connection, limit: int = 10) -> list[dict]:
    """The latest ingest runs with their summaries."""
    return [{"id": r["id"], "started_at": r["started_at"], "finished_at": r["finished_at"], "targets": r["targets"],
             "added": r["summary"].get("added"), "failed": len(r["summary"].get("failed") or []),
             "items": r["summary"].get("items")} for r in hubstore.recent_runs(conn, limit)]


SOURCE_FIELDS = ("id", "locator", "kind", "fetched_at", "status", "error", "documents")


def source_list(conn: sqlite3.Connection, limit: int = 200, offset: int = 0) -> list[dict]:
    """Sources with their kind, last fetch, status, error and number of current documents."""
    return [{k: row[k] for k in SOURCE_FIELDS} for row in hubstore.sources(conn, limit, offset)]


def source_count(conn: sqlite3.Connection) -> int:
    return hubstore.source_count(conn)


def recent_actions(conn: sqlite3.Connection, limit: int = 50) -> list[dict]:
    """The newest entries of the append-only action log."""
    return hubstore.recent_actions(conn, limit)


EXPORT_FIELDS = ("document_id", "passage_id", "title", "published", "language", "type", "url", "sources", "section",
                 "start", "end", "score", "snippet")


def expanded(conn: sqlite3.Connection, query: Query, *, literal: bool = False) -> tuple[Query, synonyms.Expansion]:
    """The query as every door searches it (the CLI, the web pages, the API and the exports): each known term ORed
    with its equivalents (:mod:`migrahub.services.synonyms`), unless ``literal``; and the expansion, so that a door
    can show what was added."""
    if literal or not query.q.strip():
        return query, synonyms.Expansion(query.q)
    expansion = synonyms.expand(conn, query.q)
    return replace(query, q=expansion.query), expansion


def export_rows(conn: sqlite3.Connection, query: Query, limit: int = 1000, *, literal: bool = False) -> list[dict]:
    """Search hits (or, without words, documents) as flat rows for CSV/JSON export, at most ``limit``; the words are
    expanded with their equivalents as on the search page, unless ``literal``."""
    if query.q.strip():
        rows = []
        for h in search(conn, expanded(conn, query, literal=literal)[0], limit=limit):
            rows.append({"document_id": h.document_id, "passage_id": h.passage_id, "title": h.title,
                         "published": h.published, "language": h.language, "type": h.doc_type, "url": h.url,
                         "sources": list(h.sources), "section": _section(h.section), "start": h.start,
                         "end": h.end, "score": round(h.score, 4), "snippet": h.snippet})
        return rows
    return [{"document_id": d["id"], "passage_id": None, "title": d["title"], "published": d["published"],
             "language": d["language"], "type": d["doc_type"], "url": d["url"], "sources": [], "section": [],
             "start": None, "end": None, "score": None, "snippet": d["opening"]}
            for d in browse(conn, query, limit=limit)]
