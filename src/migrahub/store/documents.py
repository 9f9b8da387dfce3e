"""Writing documents, sources, runs and failures; one document is one transaction."""

from __future__ import annotations

import json
import sqlite3
from typing import Literal

from migrahub.model import NormalizedDoc
from migrahub.pipeline.fingerprint import BANDS, NEAR_JACCARD, band_hashes, minhash, similarity
from migrahub.pipeline.fingerprint import STAGE as FINGERPRINT_STAGE
from migrahub.pipeline.fingerprint import VERSION as FINGERPRINT_VERSION
from migrahub.sources import FetchState, SourceResult
from migrahub.store.database import hub_counter, now, transaction
from migrahub.store.search import add_source_token, facet_tokens, index_pending, unindex_document

Outcome = Literal["added", "linked", "unchanged", "version"]

def doc_type(content_type: str, source_kind: str) -> str:
    """The short document type users filter by: txt, md, html, pdf, docx, feed-item or page."""
    if source_kind == "feed":
        return "feed-item"
    ct = content_type.lower()
    for needle, name in (("pdf", "pdf"), ("wordprocessingml", "docx"), ("markdown", "md"), ("html", "html")):
        if needle in ct:
            return "page" if name == "html" and source_kind == "page" else name
    return "txt"


def source_state(conn: sqlite3.Connection, locator: str) -> FetchState | None:
    """What the hub remembers of a URL source for conditional GET, or ``None`` if never fetched."""
    row = conn.execute("SELECT etag, last_modified FROM sources WHERE locator = ?", (locator,)).fetchone()
    return FetchState(row["etag"], row["last_modified"]) if row else None


def upsert_source(conn: sqlite3.Connection, result: SourceResult, ok_items: int = 0) -> int:
    """Record a fetch of a source (its status, validators, error and item count) and return its id."""
    with transaction(conn):
        return conn.execute(
            """INSERT INTO sources(locator, kind, etag, last_modified, fetched_at, status, error, item_count)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(locator) DO UPDATE SET kind = excluded.kind,
                   etag = COALESCE(excluded.etag, sources.etag),
                   last_modified = COALESCE(excluded.last_modified, sources.last_modified),
                   fetched_at = excluded.fetched_at, status = excluded.status, error = excluded.error,
                   item_count = CASE WHEN excluded.status = 'ok' THEN excluded.item_count
                                     ELSE sources.item_count END
               RETURNING id""",
            (result.source, result.kind, result.etag, result.last_modified, now(), result.status, result.error,
             ok_items),
        ).fetchall()[0][0]  # read to the end: the statement is finished before the transaction commits


class PendingBands:
    """The LSH bands of documents an ingest has committed but not yet moved into ``document_bands`` (see
    :func:`flush_bands`), so that a document still finds its near-duplicates among them."""

    def __init__(self) -> None:
        self._ids: list[dict[int, list[int]]] = [{} for _ in range(BANDS)]  # per band: hash → documents

    def add(self, document_id: int, hashes: list[int]) -> None:
        for table, h in zip(self._ids, hashes, strict=True):
            table.setdefault(h, []).append(document_id)

    def candidates(self, hashes: list[int]) -> set[int]:
        return {doc for table, h in zip(self._ids, hashes, strict=True) for doc in table.get(h, ())}

    def clear(self) -> None:
        for table in self._ids:
            table.clear()


def flush_bands(conn: sqlite3.Connection, pending: PendingBands | None = None) -> int:
    """Write the bands of every document after the ``bands_through`` mark into ``document_bands`` (one
    transaction, sorted inserts) and move the mark; return how many documents were written."""
    refresh_fingerprints(conn)
    if (conn.execute("SELECT max(id) FROM documents").fetchone()[0] or 0) <= hub_counter(conn, "bands_through"):
        return 0
    with transaction(conn):
        through = hub_counter(conn, "bands_through")
        last = conn.execute("SELECT max(id) FROM documents").fetchone()[0]
        rows = conn.execute("SELECT id, fingerprint FROM documents WHERE id > ? AND id <= ? AND fingerprint != x''",
                            (through, last)).fetchall()
        conn.executemany("INSERT INTO document_bands(band, hash, document_id) VALUES (?, ?, ?) "
                         "ON CONFLICT (band, hash, document_id) DO NOTHING",
                         sorted((band, h, doc) for doc, fingerprint in rows
                                for band, h in enumerate(band_hashes(fingerprint))))
        conn.execute("UPDATE hub_state SET value = ? WHERE key = 'bands_through'", (last,))
    if pending is not None:
        pending.clear()
    return len(rows)


REFRESH_BATCH = 2000  # documents read at a time while signatures are recomputed


def refresh_fingerprints(conn: sqlite3.Connection) -> int:
    """Recompute the signatures an older MinHash stage left, from each document's stored text, and rebuild their
    bands on the next :func:`flush_bands` (one transaction: a run killed half-way leaves the old signatures, and the
    next call starts over). Returns how many signatures were recomputed; 0 (one lookup) when they are current."""
    if hub_counter(conn, "minhash") >= FINGERPRINT_VERSION:
        return 0
    done, last = 0, 0
    with transaction(conn):
        while rows := conn.execute("SELECT id, text, provenance FROM documents WHERE id > ? AND fingerprint != x'' "
                                   "ORDER BY id LIMIT ?", (last, REFRESH_BATCH)).fetchall():
            conn.executemany("UPDATE documents SET fingerprint = ?, provenance = ? WHERE id = ?",
                             [(minhash(text), _restamp(provenance), doc_id) for doc_id, text, provenance in rows])
            done += len(rows)
            last = rows[-1][0]
        conn.execute("DELETE FROM document_bands")
        conn.execute("UPDATE hub_state SET value = 0 WHERE key = 'bands_through'")
        conn.execute("UPDATE hub_state SET value = ? WHERE key = 'minhash'", (FINGERPRINT_VERSION,))
    return done


def _restamp(provenance: str) -> str:
    """A document's provenance with its MinHash stage replaced by the current one."""
    stages = [FINGERPRINT_STAGE if stage.startswith("minhash/") else stage for stage in json.loads(provenance)]
    return json.dumps(stages)


def _find_story(conn: sqlite3.Connection, doc: NormalizedDoc, hashes: list[int], pending: PendingBands | None
                ) -> int | None:
    """The story (near-duplicate group) a new document belongs to, if any.

    Same URL first (the same news item in two feeds), then MinHash similarity ≥ :data:`NEAR_JACCARD` among the
    documents sharing an LSH band (in ``document_bands`` or still ``pending``).
    """
    if doc.url:
        row = conn.execute("SELECT COALESCE(story_id, id) FROM documents WHERE url = ? ORDER BY id LIMIT 1",
                           (doc.url,)).fetchone()
        if row:
            return row[0]
    if not hashes:
        return None
    marks = " OR ".join("(band = ? AND hash = ?)" for _ in hashes)
    params = [v for pair in enumerate(hashes) for v in pair]
    rows = conn.execute(
        f"SELECT d.id, d.story_id, d.fingerprint FROM documents d WHERE d.id IN "
        f"(SELECT document_id FROM document_bands WHERE {marks}) ORDER BY d.id LIMIT 200", params).fetchall()
    queued = sorted(pending.candidates(hashes))[:200] if pending is not None else []
    if queued:
        rows = sorted([*rows, *conn.execute(
            f"SELECT id, story_id, fingerprint FROM documents WHERE id IN ({','.join('?' * len(queued))})",
            queued)], key=lambda row: row[0])
    best, best_sim = None, NEAR_JACCARD
    for row in rows:
        sim = similarity(row["fingerprint"], doc.fingerprint)
        if sim >= best_sim:
            best, best_sim = row["story_id"] or row["id"], sim
    return best


def save_document(conn: sqlite3.Connection, doc: NormalizedDoc, source_id: int, *, index: bool = True,
                  pending: PendingBands | None = None) -> tuple[Outcome, int]:
    """Store one document in one transaction and link it to where it was found.

    With ``index=False`` its passages wait for the next :func:`~migrahub.store.search.index_pending` (ingest
    indexes in batches, which is several times faster than one index flush per document). With ``pending``, its
    near-duplicate bands are held in ``pending`` until :func:`flush_bands` writes the bands of every document after
    the ``bands_through`` mark: the 16 band rows would otherwise land on 16 random pages of the band index and be
    written out in every commit.

    - identical content already stored: only the link is recorded (``linked``), or refreshed (``unchanged``);
    - new content at a locator that held other content: stored as a new version, the old text is kept (``version``);
    - otherwise ``added``, joined to its near-duplicate story if one exists.
    """
    stamp = now()
    with transaction(conn):
        existing = conn.execute("SELECT id FROM documents WHERE content_hash = ?", (doc.content_hash,)).fetchone()
        current = conn.execute("SELECT document_id FROM document_links WHERE locator = ? AND current = 1",
                               (doc.locator,)).fetchone()
        current_id = current[0] if current else None
        if existing and existing[0] == current_id:
            conn.execute("UPDATE document_links SET last_seen = ? WHERE locator = ? AND document_id = ?",
                         (stamp, doc.locator, current_id))
            return "unchanged", current_id
        if current_id is not None:
            conn.execute("UPDATE document_links SET current = 0 WHERE locator = ? AND document_id = ?",
                         (doc.locator, current_id))
        if existing:
            doc_id = existing[0]
            _set_superseded(conn, doc_id, False)
            if not conn.execute("SELECT 1 FROM document_links WHERE document_id = ? AND source_id = ?",
                                (doc_id, source_id)).fetchone():
                add_source_token(conn, doc_id, source_id)  # a source filter finds it through this source too
            outcome: Outcome = "version" if current_id is not None else "linked"
        else:
            if pending is None:
                flush_bands(conn)  # what an interrupted ingest left for later
            hashes = band_hashes(doc.fingerprint)
            story = _find_story(conn, doc, hashes, pending)
            cur = conn.execute(
                """INSERT INTO documents(content_hash, text, title, published, language, content_type, source_kind,
                       doc_type, author, url, summary, fingerprint, story_id, supersedes_id,
                       provenance, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (doc.content_hash, doc.text, doc.title, doc.published, doc.language, doc.content_type,
                 doc.source_kind, doc_type(doc.content_type, doc.source_kind), doc.author, doc.url, doc.summary,
                 doc.fingerprint, story,
                 current_id, json.dumps(list(doc.provenance)), stamp),
            )
            doc_id = cur.lastrowid
            if pending is None:
                conn.executemany("INSERT INTO document_bands(band, hash, document_id) VALUES (?, ?, ?) "
                                 "ON CONFLICT (band, hash, document_id) DO NOTHING",
                                 [(i, h, doc_id) for i, h in enumerate(hashes)])
            elif hashes:  # its bands are written by flush_bands (the documents after the bands_through mark)
                pending.add(doc_id, hashes)
            tokens = facet_tokens(doc.language, doc_type(doc.content_type, doc.source_kind), doc.published,
                                  (source_id,))
            sections = {section: json.dumps(list(section), ensure_ascii=False)
                        for section in {p.section for p in doc.passages}}  # passages share a few heading paths
            conn.executemany(
                'INSERT INTO passages(document_id, seq, start, "end", kind, section, text, facets, indexed) '
                "VALUES (?,?,?,?,?,?,?,?,1)",  # 1: waiting after the fts_through mark (store/search.py)
                [(doc_id, p.seq, p.start, p.end, p.kind, sections[p.section], p.text, tokens) for p in doc.passages],
            )
            outcome = "version" if current_id is not None else "added"
        conn.execute(
            """INSERT INTO document_links(locator, document_id, source_id, first_seen, last_seen, current)
               VALUES (?, ?, ?, ?, ?, 1)
               ON CONFLICT(locator, document_id) DO UPDATE SET current = 1, last_seen = excluded.last_seen""",
            (doc.locator, doc_id, source_id, stamp, stamp),
        )
        if current_id is not None:
            still = conn.execute("SELECT 1 FROM document_links WHERE document_id = ? AND current = 1",
                                 (current_id,)).fetchone()
            if not still:
                _set_superseded(conn, current_id, True)
        if index:
            index_pending(conn)
        return outcome, doc_id


def _set_superseded(conn: sqlite3.Connection, doc_id: int, superseded: bool) -> None:
    """Mark a document (not) superseded and take its passages out of (back into) the search index."""
    row = conn.execute("SELECT superseded FROM documents WHERE id = ?", (doc_id,)).fetchone()
    if bool(row[0]) == superseded:
        return
    conn.execute("UPDATE documents SET superseded = ? WHERE id = ?", (int(superseded), doc_id))
    if superseded:
        unindex_document(conn, doc_id)
    # a document that becomes current again is pending: the next index_pending() puts it back


def start_run(conn: sqlite3.Connection, targets: list[str]) -> int:
    with transaction(conn):
        return conn.execute("INSERT INTO runs(started_at, targets) VALUES (?, ?)",
                            (now(), json.dumps(targets))).lastrowid


def finish_run(conn: sqlite3.Connection, run_id: int, summary: dict) -> None:
    with transaction(conn):
        conn.execute("UPDATE runs SET finished_at = ?, summary = ? WHERE id = ?",
                     (now(), json.dumps(summary), run_id))


def record_failure(conn: sqlite3.Connection, run_id: int | None, locator: str, stage: str, reason: str) -> None:
    with transaction(conn):
        conn.execute("INSERT INTO failures(run_id, locator, stage, reason, at) VALUES (?, ?, ?, ?, ?)",
                     (run_id, locator, stage, reason, now()))


def log_action(conn: sqlite3.Connection, actor: str, verb: str, object_type: str | None = None,
               object_id: str | None = None, payload: dict | None = None) -> int:
    """Append one entry to the action log (the caller's transaction, if any, covers it)."""
    return conn.execute(
        "INSERT INTO actions(at, actor, verb, object_type, object_id, payload) VALUES (?, ?, ?, ?, ?, ?)",
        (now(), actor, verb, object_type, object_id, json.dumps(payload or {}, ensure_ascii=False)),
    ).lastrowid


# -- reading documents

LISTED = ("d.id, d.title, d.published, d.language, d.doc_type, d.content_type, d.source_kind, d.author, d.url, "
          "d.summary, d.created_at")  # the columns of a document in a list (``documents d``)


def read(conn: sqlite3.Connection, document_id: int) -> dict | None:
    """One document's metadata (the :data:`LISTED` columns, its story, version links, provenance as stored, content
    hash and length in code points ``chars``), or ``None``."""
    row = conn.execute(
        f"SELECT {LISTED}, d.story_id, d.supersedes_id, d.superseded, d.provenance, d.content_hash, "
        f"length(d.text) AS chars FROM documents d WHERE d.id = ?", (document_id,)).fetchone()
    return dict(row) if row is not None else None


def links(conn: sqlite3.Connection, document_id: int) -> list[dict]:
    """Where a document was found, first found first: ``{locator, first_seen, last_seen, current, source,
    source_kind}``."""
    return [dict(r) for r in conn.execute(
        "SELECT l.locator, l.first_seen, l.last_seen, l.current, s.locator AS source, s.kind AS source_kind "
        "FROM document_links l JOIN sources s ON s.id = l.source_id WHERE l.document_id = ? ORDER BY l.first_seen",
        (document_id,))]


def passages(conn: sqlite3.Connection, document_id: int, limit: int | None = None, offset: int = 0) -> list[dict]:
    """A document's passages in reading order (all, or a page): ``{id, seq, start, end, kind, section, text}``,
    ``section`` as stored (a JSON list of headings)."""
    sql = 'SELECT id, seq, start, "end", kind, section, text FROM passages WHERE document_id = ? ORDER BY seq'
    if limit is None:
        return [dict(r) for r in conn.execute(sql, (document_id,))]
    return [dict(r) for r in conn.execute(sql + " LIMIT ? OFFSET ?", (document_id, limit, offset))]


def passage_count(conn: sqlite3.Connection, document_id: int) -> int:
    return conn.execute("SELECT count(*) FROM passages WHERE document_id = ?", (document_id,)).fetchone()[0]


def story(conn: sqlite3.Connection, document_id: int, story_id: int, limit: int = 50) -> list[dict]:
    """The other documents of a near-duplicate story (the story's first document and those joined to it), by id:
    ``{id, title, published, language, doc_type}``."""
    return [dict(r) for r in conn.execute(
        "SELECT id, title, published, language, doc_type FROM documents WHERE id IN "
        "(SELECT id FROM documents WHERE id = ? UNION SELECT id FROM documents WHERE story_id = ?) AND id != ? "
        "ORDER BY id LIMIT ?", (story_id, story_id, document_id, limit))]


def newer_version(conn: sqlite3.Connection, document_id: int) -> int | None:
    """The current document at one of the locators where an older version was found (``None`` if none)."""
    row = conn.execute(  # document_links is indexed both ways
        "SELECT l2.document_id FROM document_links l1 JOIN document_links l2 ON l2.locator = l1.locator "
        "AND l2.current = 1 WHERE l1.document_id = ? AND l1.current = 0 ORDER BY l2.document_id DESC LIMIT 1",
        (document_id,)).fetchone()
    return row[0] if row else None


def feed_items(conn: sqlite3.Connection, limit: int = 30, offset: int = 0) -> list[dict]:
    """The latest current feed items (newest published first) with the feed each came from (``feed``)."""
    return [dict(r) for r in conn.execute(
        f"SELECT {LISTED}, "
        f"(SELECT s.locator FROM document_links l JOIN sources s ON s.id = l.source_id "
        f" WHERE l.document_id = d.id ORDER BY l.first_seen LIMIT 1) AS feed "
        f"FROM documents d WHERE d.doc_type = 'feed-item' AND d.superseded = 0 "
        f"ORDER BY COALESCE(d.published, d.created_at) DESC, d.id DESC LIMIT ? OFFSET ?", (limit, offset))]


def feed_item_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM documents WHERE doc_type = 'feed-item' AND superseded = 0").fetchone()[0]


def year_counts(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Current documents per publication year, oldest first (documents without a date are left out)."""
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT substr(published, 1, 4), count(*) FROM documents WHERE superseded = 0 AND published IS NOT NULL "
        "AND published != '' GROUP BY 1 ORDER BY 1")]
