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
from dataclasses import dataclass, replace
from operator import itemgetter
from pathlib import Path

from migrahub.store import search as fts
from migrahub.store.database import connect, hub_counter, tuples

FACETS = ("language", "doc_type", "year", "source")
_local = threading.local()


def reader(db: str | os.PathLike) -> sqlite3.Connection:
    """A connection to the hub at ``db`` owned by the calling thread (opened, and migrated, on first use)."""
    key = str(Path(db).resolve())
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
    country: str | None = None       # ISO code: documents mentioning a place in that country
    place: int | None = None         # entity ids: documents mentioning that city / organisation / initiative
    organisation: int | None = None
    initiative: int | None = None

    @property
    def entity_filtered(self) -> bool:
        return bool(self.country or self.place or self.organisation or self.initiative)

    def filters(self, limit: int = 10, offset: int = 0) -> fts.SearchFilters:
        return fts.SearchFilters(language=self.language, doc_type=self.doc_type, source=self.source,
                                 since=str(self.year_from) if self.year_from else None,
                                 until=str(self.year_to) if self.year_to else None, country=self.country,
                                 mentioning=tuple(e for e in (self.place, self.organisation, self.initiative) if e),
                                 limit=limit, offset=offset)

    @property
    def filtered(self) -> bool:
        """True when any filter besides the words is set."""
        return bool(self.language or self.doc_type or self.source or self.year_from or self.year_to
                    or self.entity_filtered)

    def without(self, facet: str) -> Query:
        if facet == "year":
            return replace(self, year_from=None, year_to=None)
        return replace(self, **{facet: None})


def _where(query: Query) -> tuple[list[str], list]:
    """SQL conditions on ``documents d`` for the query's filters: current documents under the store's filters."""
    where, params = fts.document_conditions(query.filters())
    return ["d.superseded = 0", *where], params


def _matched(query: Query) -> tuple[str, list]:
    """FROM clause of the documents the query's words match (every document when there are none)."""
    if not query.q.strip():
        return "documents d", []
    return ("(SELECT DISTINCT p.document_id AS id FROM passages_fts JOIN passages p ON p.id = passages_fts.rowid "
            "WHERE passages_fts MATCH ?) m JOIN documents d ON d.id = m.id"), [fts.fts_query(query.q)]


_FACET_SQL = {
    "language": ("COALESCE(d.language, '')", ""),
    "doc_type": ("d.doc_type", ""),
    "year": ("substr(d.published, 1, 4)", "AND d.published IS NOT NULL AND d.published != ''"),
    "source": ("s.locator", ""),
}


def facets(conn: sqlite3.Connection, query: Query, size: int = 25, matched: list[int] | None = None
           ) -> dict[str, list[tuple[str, int]]]:
    """Document counts per value of each facet, each counted under the query's other filters (so a chosen value
    still shows its alternatives). ``matched``: every document the query's words match, when the caller knows them
    (then the words are not searched again for each facet). Raises :class:`~migrahub.store.search.QueryError` for a
    bad query."""
    out: dict[str, list[tuple[str, int]]] = {}
    for facet in FACETS:
        other = query.without(facet)
        if matched is None:
            source, params = _matched(other)
        else:
            source, params = "json_each(?) j CROSS JOIN documents d ON d.id = j.value", [json.dumps(matched)]
        where, wparams = _where(other)
        expr, extra = _FACET_SQL[facet]
        if facet == "source":
            source += (" JOIN document_links fl ON fl.document_id = d.id AND fl.current = 1 "
                       "JOIN sources s ON s.id = fl.source_id")
            count = "count(DISTINCT d.id)"
        else:
            count = "count(*)"
        order = "1 DESC" if facet == "year" else "2 DESC, 1"
        sql = (f"SELECT {expr} AS value, {count} AS n FROM {source} WHERE {' AND '.join(where)} {extra} "
               f"GROUP BY 1 ORDER BY {order} LIMIT ?")
        try:
            out[facet] = [(row[0], row[1]) for row in conn.execute(sql, [*params, *wparams, size])]
        except sqlite3.OperationalError as exc:
            raise fts.QueryError(f"cannot search for {query.q!r}: {exc}") from exc
    return out


def count_matches(conn: sqlite3.Connection, query: Query) -> tuple[int, int]:
    """(passages, documents) matching the query under its filters; for a browse, (0, documents)."""
    where, wparams = _where(query)
    if not query.q.strip():
        if not query.filtered:  # every document less the older versions, from indexes (not each row's flag)
            return 0, conn.execute("SELECT (SELECT count(*) FROM documents) - (SELECT count(*) FROM documents "
                                   "INDEXED BY documents_superseded WHERE superseded = 1)").fetchone()[0]
        n = conn.execute(f"SELECT count(*) FROM documents d WHERE {' AND '.join(where)}", wparams).fetchone()[0]
        return 0, n
    try:
        row = conn.execute(
            f"SELECT count(*), count(DISTINCT d.id) FROM passages_fts JOIN passages p ON p.id = passages_fts.rowid "
            f"JOIN documents d ON d.id = p.document_id WHERE passages_fts MATCH ? AND {' AND '.join(where)}",
            [fts.fts_query(query.q), *wparams]).fetchone()
    except sqlite3.OperationalError as exc:
        raise fts.QueryError(f"cannot search for {query.q!r}: {exc}") from exc
    return row[0], row[1]


def search(conn: sqlite3.Connection, query: Query, limit: int = 20, offset: int = 0,
           counts: Counts | None = None) -> list[fts.Hit]:
    """Ranked passages (BM25, exact phrases first) for the query's words under its filters (``counts``: the
    query's :func:`result_counts`, whose window of matches is then not read again)."""
    return fts.search(conn, query.q, query.filters(limit, offset), list(counts.window) if counts else None)


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


def result_counts(conn: sqlite3.Connection, query: Query, *, with_facets: bool = True) -> Counts:
    """Facet counts and totals for ``query`` (``with_facets=False``: the totals and the window alone). Raises
    :class:`~migrahub.store.search.QueryError` for a bad query.

    Words matching more than :data:`WINDOW` passages are counted as "more than" and every facet is counted over the
    documents of the newest :data:`WINDOW` matches (the same window :func:`search` ranks); otherwise the counts are
    exact, each facet counted under the query's other filters. Without words the document facets are exact and the
    entity facets are counted over the newest :data:`WINDOW` documents."""
    if not query.q.strip():
        where, params = _where(query)
        ids = [r[0] for r in conn.execute(
            f"SELECT d.id FROM documents d WHERE {' AND '.join(where)} ORDER BY d.published DESC LIMIT ?",
            [*params, WINDOW + 1])]
        _, n_documents = count_matches(conn, query)
        return Counts(facets(conn, query), entity_facets(conn, query, sorted(ids[:WINDOW])), 0, n_documents, True,
                      len(ids) > WINDOW)
    # the words' matches first: when they are few, the filters are a test on their documents (not a second
    # full-text search) and every facet is counted over them
    words_only = fts.newest_matches(conn, query.q, fts.SearchFilters(), WINDOW + 1)
    few = len(words_only) <= WINDOW
    if not query.filtered:
        rows = words_only
    elif few:
        rows = fts.filter_matches(conn, words_only, query.filters())
    else:
        rows = fts.newest_matches(conn, query.q, query.filters(), WINDOW + 1)
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
                  tuple(passage for passage, _ in rows))


def facets_over(conn: sqlite3.Connection, document_ids: list[int], size: int = 25) -> dict[str, list[tuple[str, int]]]:
    """Document counts per value of each facet among the given documents (one pass over them)."""
    rows = tuples(conn, "SELECT d.id, COALESCE(d.language, ''), d.doc_type, substr(d.published, 1, 4), s.locator "
                        "FROM json_each(?) j CROSS JOIN documents d ON d.id = j.value LEFT JOIN document_links fl "
                        "ON fl.document_id = d.id AND fl.current = 1 LEFT JOIN sources s ON s.id = fl.source_id",
                  (json.dumps(document_ids),))
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
    key = str(conn.execute("PRAGMA database_list").fetchone()[2])
    generation = hub_counter(conn, "entities")
    with _entity_lock:
        known = _entity_cache.get(key)
        if known is None or known[0] != generation:
            known = _entity_cache[key] = (generation, {}, set())
    _, meta, missing_seen = known
    missing = [i for i in ids if i not in meta and i not in missing_seen]
    for chunk in range(0, len(missing), 500):
        part = missing[chunk:chunk + 500]
        found = conn.execute(
            f"""SELECT id, category, name, json_extract(data, '$.type'), json_extract(data, '$.country')
                FROM entities WHERE id IN ({",".join("?" * len(part))}) AND merged_into IS NULL
                AND category IN ('places', 'organisations', 'initiatives')""", part).fetchall()
        with _entity_lock:
            for r in found:
                meta[r[0]] = (r[1], r[2], r[3], r[4])
            missing_seen.update(set(part) - {r[0] for r in found})
    return {i: meta[i] for i in ids if i in meta}


def country_names(conn: sqlite3.Connection) -> dict[str, str]:
    """``{ISO code: name}`` of the country records of the hub."""
    return {r[0]: r[1] for r in conn.execute(
        "SELECT json_extract(data, '$.country'), name FROM entities WHERE category = 'places' AND merged_into IS NULL "
        "AND json_extract(data, '$.type') = 'country'")}


def entity_facets(conn: sqlite3.Connection, query: Query, document_ids: list[int], *, size: int = 15) -> dict:
    """Counts of documents per country, city (within the query's country), organisation and initiative among
    ``document_ids``. ``{"countries": [(code, name, n)], "places": [(id, name, n)], "organisations": [...],
    "initiatives": [...], "documents": counted}``."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'mentions'").fetchone() is None:
        return {}
    pairs = set(tuples(conn, "SELECT m.document_id, m.entity_id FROM json_each(?) j CROSS JOIN mentions m "
                             "ON m.document_id = j.value", (json.dumps(document_ids),)))
    counts = Counter(map(itemgetter(1), pairs))  # the pairs are distinct: documents per record
    meta = entity_index(conn, set(counts))
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
    names = country_names(conn)
    return {
        "countries": [(c, names.get(c, c), len(d)) for c, d in
                      sorted(per_country.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:size]],
        **{category: [(eid, name, -n) for n, name, eid in heapq.nsmallest(size, values)]
           for category, values in tops.items()},
        "documents": len(document_ids)}


_DOC_COLUMNS = ("d.id, d.title, d.published, d.language, d.doc_type, d.content_type, d.source_kind, d.author, "
                "d.url, d.summary, d.created_at")


def _doc_row(row: sqlite3.Row) -> dict:
    return {k: row[k] for k in row.keys()}


def browse(conn: sqlite3.Connection, query: Query, limit: int = 20, offset: int = 0) -> list[dict]:
    """Current documents under the query's filters, newest published first (the page shown before any search)."""
    where, params = _where(query)
    rows = conn.execute(
        f"SELECT {_DOC_COLUMNS}, substr(d.text, 1, 300) AS opening FROM documents d WHERE {' AND '.join(where)} "
        f"ORDER BY d.published DESC, d.id DESC LIMIT ? OFFSET ?",  # NULL sorts last in DESC: the index serves
        [*params, limit, offset]).fetchall()
    return [_doc_row(r) for r in rows]


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
    row = conn.execute(
        f"SELECT {_DOC_COLUMNS}, d.story_id, d.supersedes_id, d.superseded, d.provenance, d.content_hash, "
        f"length(d.text) AS chars FROM documents d WHERE d.id = ?", (document_id,)).fetchone()
    if row is None:
        return None
    doc = _doc_row(row)
    doc["provenance"] = json.loads(doc["provenance"] or "[]")
    doc["links"] = [dict(r) for r in conn.execute(
        "SELECT l.locator, l.first_seen, l.last_seen, l.current, s.locator AS source, s.kind AS source_kind "
        "FROM document_links l JOIN sources s ON s.id = l.source_id WHERE l.document_id = ? ORDER BY l.first_seen",
        (document_id,))]
    doc["passages"] = [
        {"id": r["id"], "seq": r["seq"], "start": r["start"], "end": r["end"], "kind": r["kind"],
         "section": _section(r["section"]), "text": r["text"]}
        for r in conn.execute('SELECT id, seq, start, "end", kind, section, text FROM passages '
                              'WHERE document_id = ? ORDER BY seq', (document_id,))]
    story = doc["story_id"] or doc["id"]
    doc["story"] = [dict(r) for r in conn.execute(
        "SELECT id, title, published, language, doc_type FROM documents WHERE id IN "
        "(SELECT id FROM documents WHERE id = ? UNION SELECT id FROM documents WHERE story_id = ?) AND id != ? "
        "ORDER BY id LIMIT 50", (story, story, document_id))]
    doc["newer_version"] = None
    if doc["superseded"]:  # the current document at one of its locators (document_links is indexed both ways)
        newer = conn.execute(
            "SELECT l2.document_id FROM document_links l1 JOIN document_links l2 ON l2.locator = l1.locator "
            "AND l2.current = 1 WHERE l1.document_id = ? AND l1.current = 0 ORDER BY l2.document_id DESC LIMIT 1",
            (document_id,)).fetchone()
        doc["newer_version"] = newer[0] if newer else None
    return doc


def passages(conn: sqlite3.Connection, document_id: int, limit: int = 100, offset: int = 0) -> list[dict]:
    """A page of one document's passages in reading order."""
    return [
        {"id": r["id"], "document_id": document_id, "seq": r["seq"], "start": r["start"], "end": r["end"],
         "kind": r["kind"], "section": _section(r["section"]), "text": r["text"]}
        for r in conn.execute('SELECT id, seq, start, "end", kind, section, text FROM passages '
                              'WHERE document_id = ? ORDER BY seq LIMIT ? OFFSET ?', (document_id, limit, offset))]


def passage_count(conn: sqlite3.Connection, document_id: int) -> int:
    return conn.execute("SELECT count(*) FROM passages WHERE document_id = ?", (document_id,)).fetchone()[0]


def feed_items(conn: sqlite3.Connection, limit: int = 30, offset: int = 0) -> list[dict]:
    """The latest current feed items (newest published first) with the feed each came from."""
    rows = conn.execute(
        f"SELECT {_DOC_COLUMNS}, "
        f"(SELECT s.locator FROM document_links l JOIN sources s ON s.id = l.source_id "
        f" WHERE l.document_id = d.id ORDER BY l.first_seen LIMIT 1) AS feed "
        f"FROM documents d WHERE d.doc_type = 'feed-item' AND d.superseded = 0 "
        f"ORDER BY COALESCE(d.published, d.created_at) DESC, d.id DESC LIMIT ? OFFSET ?", (limit, offset)).fetchall()
    return [_doc_row(r) for r in rows]


def feed_item_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM documents WHERE doc_type = 'feed-item' AND superseded = 0").fetchone()[0]


def year_counts(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Current documents per publication year, oldest first (documents without a date are left out)."""
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT substr(published, 1, 4), count(*) FROM documents WHERE superseded = 0 AND published IS NOT NULL "
        "AND published != '' GROUP BY 1 ORDER BY 1")]


def recent_runs(conn: sqlite3.Connection, limit: int = 10) -> list[dict]:
    """The latest ingest runs with their summaries."""
    out = []
    for r in conn.execute("SELECT id, started_at, finished_at, targets, summary FROM runs ORDER BY id DESC LIMIT ?",
                          (limit,)):
        summary = json.loads(r["summary"]) if r["summary"] else {}
        out.append({"id": r["id"], "started_at": r["started_at"], "finished_at": r["finished_at"],
                    "targets": json.loads(r["targets"] or "[]"), "added": summary.get("added"),
                    "failed": len(summary.get("failed") or []), "items": summary.get("items")})
    return out


def source_list(conn: sqlite3.Connection, limit: int = 200, offset: int = 0) -> list[dict]:
    """Sources with their kind, last fetch, status, error and number of current documents."""
    rows = conn.execute(
        """SELECT s.id, s.locator, s.kind, s.fetched_at, s.status, s.error,
                  (SELECT count(DISTINCT l.document_id) FROM document_links l
                   WHERE l.source_id = s.id AND l.current = 1) AS documents
           FROM sources s ORDER BY s.locator LIMIT ? OFFSET ?""", (limit, offset)).fetchall()
    return [dict(r) for r in rows]


def source_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM sources").fetchone()[0]


def recent_actions(conn: sqlite3.Connection, limit: int = 50) -> list[dict]:
    """The newest entries of the append-only action log."""
    return [dict(r) for r in conn.execute(
        "SELECT id, at, actor, verb, object_type, object_id, payload FROM actions ORDER BY id DESC LIMIT ?", (limit,))]


EXPORT_FIELDS = ("document_id", "passage_id", "title", "published", "language", "type", "url", "sources", "section",
                 "start", "end", "score", "snippet")


def export_rows(conn: sqlite3.Connection, query: Query, limit: int = 1000) -> list[dict]:
    """Search hits (or, without words, documents) as flat rows for CSV/JSON export, at most ``limit``."""
    if query.q.strip():
        rows = []
        for h in search(conn, query, limit=limit):
            rows.append({"document_id": h.document_id, "passage_id": h.passage_id, "title": h.title,
                         "published": h.published, "language": h.language, "type": h.doc_type, "url": h.url,
                         "sources": list(h.sources), "section": _section(h.section), "start": h.start,
                         "end": h.end, "score": round(h.score, 4), "snippet": h.snippet})
        return rows
    return [{"document_id": d["id"], "passage_id": None, "title": d["title"], "published": d["published"],
             "language": d["language"], "type": d["doc_type"], "url": d["url"], "sources": [], "section": [],
             "start": None, "end": None, "score": None, "snippet": d["opening"]}
            for d in browse(conn, query, limit=limit)]
