"""Read-side services: search, statistics and the list of sources."""

from __future__ import annotations

import os
import sqlite3

from migrahub.services import documents
from migrahub.services.synonyms import Expansion
from migrahub.store import hub as store
from migrahub.store import search as fts
from migrahub.store.database import connect

Filters = fts.SearchFilters


def search(query: str, db: str | os.PathLike | None = None, *, limit: int = 10, offset: int = 0,
           literal: bool = False, **filters) -> list[fts.Hit]:
    """Search the hub at ``db`` with its own connection: :func:`migrahub.services.documents.search`, the one read
    path of every door, for a caller without a connection (``filters``: the fields of
    :class:`~migrahub.services.documents.Query`). Known terms find their equivalents unless ``literal``."""
    return find(query, db, limit=limit, offset=offset, literal=literal, **filters)[0]


def find(query: str, db: str | os.PathLike | None = None, *, limit: int = 10, offset: int = 0,
         literal: bool = False, **filters) -> tuple[list[fts.Hit], Expansion]:
    """:func:`search`, with the equivalents added to the query's terms (to show the user)."""
    conn = connect(db)
    try:
        searched, expansion = documents.expanded(conn, documents.Query(q=query, **filters), literal=literal)
        return documents.search(conn, searched, limit=limit, offset=offset), expansion
    finally:
        conn.close()


def stats(db: str | os.PathLike | None = None) -> dict:
    """Counts of documents, passages, sources, languages, stories and failures in the hub."""
    conn = connect(db)
    try:
        return store.counts(conn)
    finally:
        conn.close()


SOURCE_FIELDS = ("locator", "kind", "fetched_at", "status", "error", "etag", "last_modified", "documents")


def sources(db: str | os.PathLike | None = None) -> list[dict]:
    """Every source with its kind, last fetch time, status, error and number of documents."""
    conn = connect(db)
    try:
        return [{k: row[k] for k in SOURCE_FIELDS} for row in store.sources(conn)]
    finally:
        conn.close()


def failures(db: str | os.PathLike | None = None, last_run: bool = False) -> list[dict]:
    """Recorded failures (all, or those of the last run), newest first."""
    conn = connect(db)
    try:
        return store.failures(conn, last_run=last_run)
    finally:
        conn.close()


def overview(conn, db, *, latest: int = 5) -> dict:
    """What the hub holds, for its home page: counts, the newest documents, practices and events, and the latest
    stories when the monitor's stories are available (``stories`` is ``None`` otherwise)."""
    from migrahub.services import entity_pages, events, practices

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


def health(conn, *, queue: bool = False) -> dict:
    """The hub's health: whether its database answers (and its engine), and with ``queue`` the job queue's (live
    workers, jobs per status, the oldest wait: :func:`migrahub.services.jobs.health`)."""
    from migrahub.store.database import ping

    report = {"database": ping(conn)}
    if queue:
        from migrahub.services import jobs

        report["queue"] = jobs.health()
    return report
