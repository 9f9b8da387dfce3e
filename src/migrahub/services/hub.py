"""Read-side services: search, statistics and the list of sources."""

from __future__ import annotations

import os
import sqlite3

from migrahub.store import search as fts
from migrahub.store.database import connect

Filters = fts.SearchFilters


def search(query: str, db: str | os.PathLike | None = None, **filters) -> list[fts.Hit]:
    """Search the hub's current passages (BM25, best first); ``filters`` are the fields of :class:`SearchFilters`."""
    conn = connect(db)
    try:
        return fts.search(conn, query, fts.SearchFilters(**filters))
    finally:
        conn.close()


def stats(db: str | os.PathLike | None = None) -> dict:
    """Counts of documents, passages, sources, languages, stories and failures in the hub."""
    conn = connect(db)
    try:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "documents": one("SELECT count(*) FROM documents WHERE superseded = 0"),
            "document_versions": one("SELECT count(*) FROM documents"),
            "passages": one("SELECT count(*) FROM passages p JOIN documents d ON d.id = p.document_id "
                            "WHERE d.superseded = 0"),
            "sources": one("SELECT count(*) FROM sources"),
            "stories_with_several_documents": one(
                "SELECT count(*) FROM (SELECT COALESCE(story_id, id) s FROM documents WHERE superseded = 0 "
                "GROUP BY s HAVING count(*) > 1)"),
            "languages": {row[0] or "unknown": row[1] for row in conn.execute(
                "SELECT language, count(*) FROM documents WHERE superseded = 0 GROUP BY language ORDER BY 2 DESC")},
            "types": {row[0]: row[1] for row in conn.execute(
                "SELECT doc_type, count(*) FROM documents WHERE superseded = 0 GROUP BY doc_type ORDER BY 2 DESC")},
            "failures": one("SELECT count(*) FROM failures"),
            "failures_last_run": one("SELECT count(*) FROM failures WHERE run_id = (SELECT max(id) FROM runs)"),
        }
    finally:
        conn.close()


def sources(db: str | os.PathLike | None = None) -> list[dict]:
    """Every source with its kind, last fetch time, status, error and number of documents."""
    conn = connect(db)
    try:
        rows = conn.execute(
            """SELECT s.locator, s.kind, s.fetched_at, s.status, s.error, s.etag, s.last_modified,
                      (SELECT count(DISTINCT l.document_id) FROM document_links l
                       WHERE l.source_id = s.id AND l.current = 1) AS documents
               FROM sources s ORDER BY s.locator""").fetchall()
        return [dict(row) for row in rows]
    finally:
        conn.close()


def failures(db: str | os.PathLike | None = None, last_run: bool = False) -> list[dict]:
    """Recorded failures (all, or those of the last run), newest first."""
    conn = connect(db)
    try:
        cond = "WHERE run_id = (SELECT max(id) FROM runs)" if last_run else ""
        return [dict(r) for r in conn.execute(
            f"SELECT locator, stage, reason, at, run_id FROM failures {cond} ORDER BY id DESC")]
    finally:
        conn.close()


def overview(conn, db, *, latest: int = 5) -> dict:
    """What the hub holds, for its home page: counts, the newest documents, practices and events, and the latest
    stories when the monitor's stories are available (``stories`` is ``None`` otherwise)."""
    from migrahub.services import documents, entity_pages, events, practices

    counts = stats(db)
    out = {"counts": counts, "documents": documents.browse(conn, documents.Query(), limit=latest),
           "practices": [], "events": [], "entities": {}, "stories": _stories(conn, latest)}
    if entity_pages.available(conn):
        out["practices"] = practices.records(conn, limit=latest)
        dated = [e for e in events.events(conn) if e.year]
        out["events"] = sorted(dated, key=lambda e: (e.year, e.month or 0), reverse=True)[:latest]
        out["entities"] = {c: n for c, n in entity_pages.category_counts(conn).items()}
    return out


def _stories(conn, limit: int) -> list[dict] | None:
    try:
        from migrahub.services.monitor import stories
    except ImportError:
        return None
    latest = getattr(stories, "latest", None)
    if latest is None:
        return None
    try:
        return latest(conn, limit)
    except sqlite3.Error:  # the stories' tables may not exist in this hub yet
        return None
