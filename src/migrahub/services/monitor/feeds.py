"""Outbound Atom feeds: the hub's latest items, an entity's documents ("follow this city"), a story, a code and a
saved search (private, behind the alert's secret). Each function returns ``(bytes, title)``; links are absolute,
from the hub's public address (``MIGRAHUB_BASE_URL``)."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from urllib.parse import quote

from migrahub.monitor.atom import Entry, feed
from migrahub.services.monitor import alerts as alert_service
from migrahub.store import monitor as store
from migrahub.store.monitor import MonitorError

LIMIT = 50


def _epoch(value) -> float | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def _summary(row: dict) -> str:
    text = row.get("summary") or row.get("lead") or ""
    return " ".join(text.split())[:600]


def _entry(base: str, row: dict, updated: float | None = None) -> Entry:
    created = _epoch(row.get("created_at"))
    published = _epoch(row.get("published"))
    return Entry(id=f"{base}/documents/{row.get('document_id') or row['id']}",
                 title=(row.get("title") or _summary(row)[:90] or "(untitled)"),
                 updated=updated or created or published or time.time(),
                 link=f"{base}/documents/{row.get('document_id') or row['id']}",
                 summary=_summary(row) or None, published=published, language=row.get("language"))


def _write(base: str, path: str, page: str, title: str, entries: list[Entry], subtitle: str | None = None) -> bytes:
    return feed(feed_id=f"{base}{path}", title=title, self_url=f"{base}{path}", alternate_url=f"{base}{page}",
                entries=entries, subtitle=subtitle, updated=time.time())


def latest(conn: sqlite3.Connection, base: str) -> tuple[bytes, str]:
    title = "MigraHub: latest items"
    rows = store.latest_documents(conn, LIMIT)
    return _write(base, "/monitor/feeds/latest.atom", "/feed", title, [_entry(base, r) for r in rows]), title


def entity(conn: sqlite3.Connection, entity_id: int, base: str) -> tuple[bytes, str]:
    name = store.entity_name(conn, entity_id)
    if name is None:
        raise MonitorError(f"no entity {entity_id}")
    title = f"MigraHub: {name}"
    rows = store.entity_documents(conn, entity_id, LIMIT)
    return _write(base, f"/monitor/feeds/entity/{entity_id}.atom", f"/entities/{entity_id}", title,
                  [_entry(base, r) for r in rows], f"Documents naming {name}"), title


def story(conn: sqlite3.Connection, story_id: int, base: str) -> tuple[bytes, str]:
    timeline = store.story_timeline(conn, story_id)
    if not timeline:
        raise MonitorError(f"no story {story_id}")
    title = f"MigraHub story: {timeline[0]['title'] or story_id}"
    entries = [_entry(base, {**d, "document_id": d["id"]}, d["at"]) for d in reversed(timeline)]
    return _write(base, f"/monitor/feeds/story/{story_id}.atom", f"/monitor/stories/{story_id}/", title,
                  entries, "Every source and language telling this story"), title


def code(conn: sqlite3.Connection, code_id: str, base: str) -> tuple[bytes, str]:
    title = f"MigraHub: documents coded {code_id}"
    rows = store.code_documents(conn, code_id, LIMIT)
    return _write(base, f"/monitor/feeds/code/{quote(code_id)}.atom", "/code/", title,
                  [_entry(base, r) for r in rows]), title


def alert(conn: sqlite3.Connection, token: str, base: str) -> tuple[bytes, str]:
    """The private feed of a saved search: one entry per story it matched (its first matching document)."""
    found = alert_service.by_feed_token(conn, token)
    title = f"MigraHub alert: {found['name']}"
    rows = store.hits(conn, found["id"], limit=LIMIT)
    entries = [_entry(base, r, r["at"]) for r in rows]
    entries = [Entry(f"{base}/monitor/stories/{r['story_id']}/", e.title, e.updated,
                     f"{base}/monitor/stories/{r['story_id']}/", e.summary, e.published, e.language)
               for r, e in zip(rows, entries, strict=True)]
    return _write(base, f"/monitor/feeds/alert/{token}.atom", "/monitor/alerts/", title, entries,
                  "New stories matching a saved search"), title
