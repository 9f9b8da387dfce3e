"""Reading what the hub holds as a whole: its counts, its sources, its ingest runs and failures, the action log, and
what a per-process cache keys on."""

from __future__ import annotations

import json

from migrahub.store import database


def counts(conn) -> dict:
    """Counts of current documents, versions, passages, sources, stories with several documents, languages, types
    and failures (all, and of the last run)."""
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "documents": one("SELECT count(*) FROM documents WHERE superseded = 0"),
        "document_versions": one("SELECT count(*) FROM documents"),
        "passages": one("SELECT count(*) FROM passages p JOIN documents d ON d.id = p.document_id "
                        "WHERE d.superseded = 0"),
        "sources": one("SELECT count(*) FROM sources"),
        "stories_with_several_documents": one(
            "SELECT count(*) FROM (SELECT COALESCE(story_id, id) AS story FROM documents WHERE superseded = 0 "
            "GROUP BY COALESCE(story_id, id) HAVING count(*) > 1) AS stories"),
        "languages": {row[0] or "unknown": row[1] for row in conn.execute(
            "SELECT language, count(*) FROM documents WHERE superseded = 0 GROUP BY language ORDER BY 2 DESC")},
        "types": {row[0]: row[1] for row in conn.execute(
            "SELECT doc_type, count(*) FROM documents WHERE superseded = 0 GROUP BY doc_type ORDER BY 2 DESC")},
        "failures": one("SELECT count(*) FROM failures"),
        "failures_last_run": one("SELECT count(*) FROM failures WHERE run_id = (SELECT max(id) FROM runs)"),
    }


def sources(conn, limit: int | None = None, offset: int = 0) -> list[dict]:
    """Every source (or a page of them) by locator: ``{id, locator, kind, fetched_at, status, error, etag,
    last_modified, documents}``, ``documents`` counting the documents currently found there."""
    page = " LIMIT ? OFFSET ?" if limit is not None else ""
    rows = conn.execute(
        """SELECT s.id, s.locator, s.kind, s.fetched_at, s.status, s.error, s.etag, s.last_modified,
                  (SELECT count(DISTINCT l.document_id) FROM document_links l
                   WHERE l.source_id = s.id AND l.current = 1) AS documents
           FROM sources s ORDER BY s.locator""" + page, (limit, offset) if page else ()).fetchall()
    return [dict(row) for row in rows]


def source_count(conn) -> int:
    return conn.execute("SELECT count(*) FROM sources").fetchone()[0]


def failures(conn, *, last_run: bool = False) -> list[dict]:
    """Recorded failures (all, or those of the last run), newest first: ``{locator, stage, reason, at, run_id}``."""
    cond = " WHERE run_id = (SELECT max(id) FROM runs)" if last_run else ""
    return [dict(r) for r in conn.execute(
        f"SELECT locator, stage, reason, at, run_id FROM failures{cond} ORDER BY id DESC")]


def recent_runs(conn, limit: int = 10) -> list[dict]:
    """The latest ingest runs, newest first: ``{id, started_at, finished_at, targets, summary}`` (``targets`` a
    list, ``summary`` a dict, empty while a run is going)."""
    return [{"id": r["id"], "started_at": r["started_at"], "finished_at": r["finished_at"],
             "targets": json.loads(r["targets"] or "[]"), "summary": json.loads(r["summary"]) if r["summary"] else {}}
            for r in conn.execute("SELECT id, started_at, finished_at, targets, summary FROM runs "
                                  "ORDER BY id DESC LIMIT ?", (limit,))]


def recent_actions(conn, limit: int = 50) -> list[dict]:
    """The newest entries of the append-only action log (``payload`` as stored: JSON text)."""
    return [dict(r) for r in conn.execute(
        "SELECT id, at, actor, verb, object_type, object_id, payload FROM actions ORDER BY id DESC LIMIT ?", (limit,))]


def cache_key(conn) -> str:
    """What names the hub behind ``conn`` for a per-process cache: the database file's path on SQLite, the
    connection's URL on PostgreSQL."""
    return database.locator(conn)
