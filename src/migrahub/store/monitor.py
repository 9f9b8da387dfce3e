"""All SQL of the monitor feature: watches and their polls, arrivals, story members, alerts and their hits."""

from __future__ import annotations

import json
import sqlite3
import statistics
from collections.abc import Iterable, Sequence

from migrahub.store.database import transaction

WATCH_COLUMNS = ("id, url, kind, title, interval_s, current_s, paused, status, next_due, last_poll, last_success, "
                 "consecutive_failures, last_error, etag, last_modified, added_at, added_by")


class MonitorError(ValueError):
    """A watch, story or alert that does not exist or cannot be written; the message says which and why."""


# -- watches ------------------------------------------------------------------------------------------------------

def add_watch(conn: sqlite3.Connection, url: str, kind: str, interval_s: int, now: float, actor: str | None) -> dict:
    with transaction(conn):
        row = conn.execute("SELECT id FROM monitor_watches WHERE url = ?", (url,)).fetchone()
        if row:
            conn.execute("UPDATE monitor_watches SET interval_s = ?, current_s = ?, kind = ? WHERE id = ?",
                         (interval_s, interval_s, kind, row[0]))
            return get_watch(conn, row[0])
        cur = conn.execute(
            "INSERT INTO monitor_watches(url, kind, interval_s, current_s, next_due, added_at, added_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", (url, kind, interval_s, interval_s, now, now, actor))
        return get_watch(conn, cur.lastrowid)


def get_watch(conn: sqlite3.Connection, ref: int | str) -> dict:
    column = "id" if isinstance(ref, int) or str(ref).isdigit() else "url"
    row = conn.execute(f"SELECT {WATCH_COLUMNS} FROM monitor_watches WHERE {column} = ?", (ref,)).fetchone()
    if row is None:
        raise MonitorError(f"no watched source {ref!r} (see `migrahub watch list`)")
    return dict(row)


def list_watches(conn: sqlite3.Connection) -> list[dict]:
    return [dict(r) for r in conn.execute(f"SELECT {WATCH_COLUMNS} FROM monitor_watches ORDER BY id")]


def remove_watch(conn: sqlite3.Connection, watch_id: int) -> None:
    with transaction(conn):
        conn.execute("DELETE FROM monitor_watches WHERE id = ?", (watch_id,))


def set_paused(conn: sqlite3.Connection, watch_id: int, paused: bool, now: float) -> None:
    with transaction(conn):
        conn.execute("UPDATE monitor_watches SET paused = ?, next_due = CASE WHEN ? = 1 THEN next_due ELSE ? END "
                     "WHERE id = ?", (int(paused), int(paused), now, watch_id))


def due_watches(conn: sqlite3.Connection, now: float, limit: int) -> list[dict]:
    return [dict(r) for r in conn.execute(
        f"SELECT {WATCH_COLUMNS} FROM monitor_watches WHERE paused = 0 AND next_due <= ? ORDER BY next_due, id "
        "LIMIT ?", (now, limit))]


def next_due(conn: sqlite3.Connection) -> float | None:
    return conn.execute("SELECT min(next_due) FROM monitor_watches WHERE paused = 0").fetchone()[0]


def record_poll(conn: sqlite3.Connection, watch_id: int, at: float, outcome: str, *, http_status: int | None,
                new_items: int, seconds: float, error: str | None, state: dict) -> None:
    """One poll and the watch's new state (``state``: next_due, current_s, consecutive_failures, status, and
    optionally kind, etag, last_modified, title)."""
    with transaction(conn):
        conn.execute("INSERT INTO monitor_polls(watch_id, at, outcome, http_status, new_items, seconds, error) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)", (watch_id, at, outcome, http_status, new_items, seconds, error))
        sets = {"last_poll": at, "last_error": error, **state}
        if outcome != "failed":
            sets["last_success"] = at
        columns = ", ".join(f"{k} = COALESCE(?, {k})" if k in ("etag", "last_modified", "title") else f"{k} = ?"
                            for k in sets)
        conn.execute(f"UPDATE monitor_watches SET {columns} WHERE id = ?", (*sets.values(), watch_id))


def record_arrivals(conn: sqlite3.Connection, watch_id: int, rows: Iterable[tuple[int, float, float | None]]) -> int:
    """(document id, arrived, published) of each document a poll brought; a document already arrived is kept."""
    with transaction(conn):
        before = conn.total_changes
        conn.executemany("INSERT OR IGNORE INTO monitor_arrivals(watch_id, document_id, arrived, published) "
                         "VALUES (?, ?, ?, ?)", [(watch_id, *r) for r in rows])
        return conn.total_changes - before


def document_times(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, str | None]:
    marks = ",".join("?" * len(ids))
    return {r[0]: r[1] for r in conn.execute(f"SELECT id, published FROM documents WHERE id IN ({marks})", ids)}


def health(conn: sqlite3.Connection, now: float, days: float = 7.0) -> list[dict]:
    """Each watch with its health: last success, consecutive failures, polls and 304s, items a day over the last
    ``days`` days, and the median delay between publication and arrival (seconds)."""
    since = now - days * 86400
    out = []
    for w in list_watches(conn):
        arrivals = conn.execute("SELECT arrived, published FROM monitor_arrivals WHERE watch_id = ?",
                                (w["id"],)).fetchall()
        recent = sum(1 for a in arrivals if a[0] >= since)
        delays = [a[0] - a[1] for a in arrivals if a[1] is not None and a[0] >= a[1]]
        counts = dict(conn.execute("SELECT outcome, count(*) FROM monitor_polls WHERE watch_id = ? GROUP BY outcome",
                                   (w["id"],)).fetchall())
        span = max(1.0, min(days, (now - w["added_at"]) / 86400)) if w["added_at"] else days
        out.append({**w, "items": len(arrivals), "items_per_day": round(recent / span, 2),
                    "median_delay_s": statistics.median(delays) if delays else None,
                    "polls": sum(counts.values()), "not_modified": counts.get("not-modified", 0),
                    "failures": counts.get("failed", 0)})
    return out


def polls(conn: sqlite3.Connection, watch_id: int, limit: int = 100) -> list[dict]:
    return [dict(r) for r in conn.execute("SELECT * FROM monitor_polls WHERE watch_id = ? ORDER BY id DESC LIMIT ?",
                                          (watch_id, limit))]


# -- stories ------------------------------------------------------------------------------------------------------

def story_features(conn: sqlite3.Connection, ids: Sequence[int]) -> list[sqlite3.Row]:
    marks = ",".join("?" * len(ids))
    return conn.execute(f"SELECT id, text, title, language, published, fingerprint, url, created_at FROM documents "
                        f"WHERE id IN ({marks}) ORDER BY id", list(ids)).fetchall()


def entity_keys_of(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, set[str]]:
    """Each document's entities (places below country level, organisations, initiatives, people) as
    ``entity:<id>`` keys, and the countries it names as ``country:XX``."""
    marks = ",".join("?" * len(ids))
    out: dict[int, set[str]] = {i: set() for i in ids}
    for doc, ent, kind, country in conn.execute(
            f"SELECT DISTINCT m.document_id, COALESCE(e.merged_into, e.id), json_extract(e.data, '$.type'), "
            f"json_extract(e.data, '$.country') FROM mentions m JOIN entities e ON e.id = m.entity_id "
            f"WHERE m.document_id IN ({marks}) AND e.category IN ('places', 'organisations', 'initiatives', 'people')",
            list(ids)):
        if kind == "country" and country:
            out[doc].add(f"country:{country}")
        elif kind not in ("country", "area", "region"):
            out[doc].add(f"entity:{ent}")
    return out


def unclustered(conn: sqlite3.Connection, limit: int = 10_000) -> list[int]:
    return [r[0] for r in conn.execute(
        "SELECT d.id FROM documents d LEFT JOIN monitor_story_members m ON m.document_id = d.id "
        "WHERE m.document_id IS NULL AND d.superseded = 0 ORDER BY d.id LIMIT ?", (limit,))]


def story_members_since(conn: sqlite3.Connection, since: float) -> list[sqlite3.Row]:
    return conn.execute("SELECT document_id, story_id, at FROM monitor_story_members WHERE at >= ? ORDER BY at",
                        (since,)).fetchall()


def save_members(conn: sqlite3.Connection, rows: Iterable[tuple[int, int, float | None, float | None, str]]) -> None:
    with transaction(conn):
        conn.executemany("INSERT OR REPLACE INTO monitor_story_members(document_id, story_id, at, score, stage) "
                         "VALUES (?, ?, ?, ?, ?)", list(rows))


def story_of(conn: sqlite3.Connection, document_id: int) -> int | None:
    row = conn.execute("SELECT story_id FROM monitor_story_members WHERE document_id = ?", (document_id,)).fetchone()
    return row[0] if row else None


def latest_stories(conn: sqlite3.Connection, limit: int = 50, offset: int = 0) -> list[dict]:
    rows = conn.execute(
        "SELECT m.story_id AS story_id, count(DISTINCT m.document_id) AS size, min(m.at) AS first_at, "
        "max(m.at) AS last_at, group_concat(DISTINCT d.language) AS languages, "
        "count(DISTINCT l.source_id) AS sources FROM monitor_story_members m JOIN documents d ON d.id = m.document_id "
        "LEFT JOIN document_links l ON l.document_id = d.id AND l.current = 1 "
        "GROUP BY m.story_id ORDER BY max(m.at) DESC, m.story_id DESC LIMIT ? OFFSET ?", (limit, offset)).fetchall()
    titles = {r[0]: r[1] for r in conn.execute(
        f"SELECT id, COALESCE(title, substr(text, 1, 120)) FROM documents WHERE id IN "
        f"({','.join('?' * len(rows))})", [r["story_id"] for r in rows])} if rows else {}
    return [{**dict(r), "languages": sorted(set((r["languages"] or "").split(",")) - {""}),
             "title": titles.get(r["story_id"])} for r in rows]


def story_timeline(conn: sqlite3.Connection, story_id: int) -> list[dict]:
    """The documents of a story in time order, each with its sources."""
    rows = conn.execute(
        "SELECT d.id, d.title, d.language, d.published, d.url, d.doc_type, d.summary, m.at, m.score, "
        "group_concat(DISTINCT s.locator) AS sources FROM monitor_story_members m "
        "JOIN documents d ON d.id = m.document_id LEFT JOIN document_links l ON l.document_id = d.id "
        "LEFT JOIN sources s ON s.id = l.source_id WHERE m.story_id = ? GROUP BY d.id, m.at, m.score "
        "ORDER BY m.at, d.id",
        (story_id,)).fetchall()
    return [{**dict(r), "sources": sorted((r["sources"] or "").split(",")) if r["sources"] else []} for r in rows]


def stories_of(conn: sqlite3.Connection, document_ids: Sequence[int]) -> dict[int, int]:
    if not document_ids:
        return {}
    marks = ",".join("?" * len(document_ids))
    return dict(conn.execute(f"SELECT document_id, story_id FROM monitor_story_members WHERE document_id IN ({marks})",
                             list(document_ids)).fetchall())


# -- alerts -------------------------------------------------------------------------------------------------------

ALERT_COLUMNS = ("id, owner, email, name, query, frequency, feed_token, unsubscribe, active, created_at, last_mailed, "
                 "after_document")


def _alert(row: sqlite3.Row | None) -> dict | None:
    return None if row is None else {**dict(row), "query": json.loads(row["query"])}


def add_alert(conn: sqlite3.Connection, owner: str, email: str | None, name: str, query: dict, frequency: str,
              feed_token: str, unsubscribe: str, now: float) -> dict:
    with transaction(conn):
        last = conn.execute("SELECT max(id) FROM documents").fetchone()[0] or 0
        cur = conn.execute(
            "INSERT INTO monitor_alerts(owner, email, name, query, frequency, feed_token, unsubscribe, created_at, "
            "after_document) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (owner, email, name, json.dumps(query, ensure_ascii=False), frequency, feed_token, unsubscribe, now, last))
        return get_alert(conn, cur.lastrowid)


def get_alert(conn: sqlite3.Connection, alert_id: int) -> dict:
    row = _alert(conn.execute(f"SELECT {ALERT_COLUMNS} FROM monitor_alerts WHERE id = ?", (alert_id,)).fetchone())
    if row is None:
        raise MonitorError(f"no alert {alert_id}")
    return row


def alert_by(conn: sqlite3.Connection, column: str, secret: str) -> dict | None:
    assert column in ("feed_token", "unsubscribe")
    return _alert(conn.execute(f"SELECT {ALERT_COLUMNS} FROM monitor_alerts WHERE {column} = ?", (secret,)).fetchone())


def list_alerts(conn: sqlite3.Connection, owner: str | None = None, active_only: bool = False) -> list[dict]:
    sql = f"SELECT {ALERT_COLUMNS} FROM monitor_alerts WHERE 1 = 1"
    params: list = []
    if owner is not None:
        sql += " AND owner = ?"
        params.append(owner)
    if active_only:
        sql += " AND active = 1"
    return [_alert(r) for r in conn.execute(sql + " ORDER BY id", params)]


def update_alert(conn: sqlite3.Connection, alert_id: int, **fields) -> dict:
    allowed = {"name", "email", "frequency", "feed_token", "unsubscribe", "active", "last_mailed", "query"}
    if not fields or set(fields) - allowed:
        raise MonitorError(f"cannot change {sorted(set(fields) - allowed)} of an alert")
    if "query" in fields:
        fields["query"] = json.dumps(fields["query"], ensure_ascii=False)
    with transaction(conn):
        conn.execute(f"UPDATE monitor_alerts SET {', '.join(f'{k} = ?' for k in fields)} WHERE id = ?",
                     (*fields.values(), alert_id))
    return get_alert(conn, alert_id)


def delete_alert(conn: sqlite3.Connection, alert_id: int) -> None:
    with transaction(conn):
        conn.execute("DELETE FROM monitor_alerts WHERE id = ?", (alert_id,))


def add_hit(conn: sqlite3.Connection, alert_id: int, story_id: int, document_id: int, at: float) -> bool:
    """Record that an alert matched a story (once per story); True when it is new."""
    with transaction(conn):
        before = conn.total_changes
        conn.execute("INSERT OR IGNORE INTO monitor_alert_hits(alert_id, story_id, document_id, at) VALUES (?,?,?,?)",
                     (alert_id, story_id, document_id, at))
        return conn.total_changes > before


def hits(conn: sqlite3.Connection, alert_id: int, *, unmailed: bool = False, limit: int = 100) -> list[dict]:
    sql = ("SELECT h.alert_id, h.story_id, h.document_id, h.at, h.mailed_at, h.seen_at, d.title, d.summary, d.url, "
           "d.language, d.published, d.doc_type, substr(d.text, 1, 600) AS lead FROM monitor_alert_hits h "
           "JOIN documents d ON d.id = h.document_id WHERE h.alert_id = ?")
    if unmailed:
        sql += " AND h.mailed_at IS NULL"
    return [dict(r) for r in conn.execute(sql + " ORDER BY h.at DESC, h.document_id DESC LIMIT ?", (alert_id, limit))]


def mark_mailed(conn: sqlite3.Connection, alert_id: int, story_ids: Sequence[int], at: float) -> None:
    with transaction(conn):
        conn.executemany("UPDATE monitor_alert_hits SET mailed_at = ? WHERE alert_id = ? AND story_id = ?",
                         [(at, alert_id, s) for s in story_ids])
        conn.execute("UPDATE monitor_alerts SET last_mailed = ? WHERE id = ?", (at, alert_id))


def mark_seen(conn: sqlite3.Connection, owner: str, at: float) -> None:
    with transaction(conn):
        conn.execute("UPDATE monitor_alert_hits SET seen_at = ? WHERE seen_at IS NULL AND alert_id IN "
                     "(SELECT id FROM monitor_alerts WHERE owner = ?)", (at, owner))


def notifications(conn: sqlite3.Connection, owner: str, limit: int = 100) -> list[dict]:
    return [dict(r) for r in conn.execute(
        "SELECT h.alert_id, a.name AS alert, h.story_id, h.document_id, h.at, h.seen_at, d.title, d.url, d.language "
        "FROM monitor_alert_hits h JOIN monitor_alerts a ON a.id = h.alert_id JOIN documents d ON d.id = h.document_id "
        "WHERE a.owner = ? ORDER BY h.at DESC, h.document_id DESC LIMIT ?", (owner, limit))]


def document_facts(conn: sqlite3.Connection, ids: Sequence[int]) -> list[sqlite3.Row]:
    marks = ",".join("?" * len(ids))
    return conn.execute(
        f"SELECT d.id, d.text, d.title, d.language, d.doc_type, d.published, "
        f"(SELECT group_concat(s.locator, ' ') FROM document_links l JOIN sources s ON s.id = l.source_id "
        f" WHERE l.document_id = d.id) AS sources FROM documents d WHERE d.id IN ({marks}) ORDER BY d.id",
        list(ids)).fetchall()


def document_entity_ids(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, set[int]]:
    marks = ",".join("?" * len(ids))
    out: dict[int, set[int]] = {i: set() for i in ids}
    for doc, ent in conn.execute(f"SELECT DISTINCT m.document_id, COALESCE(e.merged_into, e.id) FROM mentions m "
                                 f"JOIN entities e ON e.id = m.entity_id WHERE m.document_id IN ({marks})", list(ids)):
        out[doc].add(ent)
    return out


def document_kinds(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, set[str]]:
    """The record categories (events, practices, resources) each document states."""
    marks = ",".join("?" * len(ids))
    out: dict[int, set[str]] = {i: set() for i in ids}
    for doc, cat in conn.execute(f"SELECT DISTINCT r.document_id, e.category FROM entity_records r JOIN entities e "
                                 f"ON e.id = r.entity_id WHERE r.document_id IN ({marks}) AND e.category IN "
                                 f"('events', 'practices', 'resources')", list(ids)):
        out[doc].add(cat)
    return out


def entities_named(conn: sqlite3.Connection, name: str) -> list[tuple[int, str, str]]:
    """Entities whose name is ``name`` (case-insensitive): (id, category, name)."""
    return [tuple(r) for r in conn.execute(
        "SELECT COALESCE(merged_into, id), category, name FROM entities WHERE name = ? COLLATE NOCASE LIMIT 20",
        (name,))]


def entity_countries(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, set[str]]:
    """Country codes of the places each document names (a country itself or a place in it)."""
    marks = ",".join("?" * len(ids))
    out: dict[int, set[str]] = {i: set() for i in ids}
    for doc, data in conn.execute(
            f"SELECT DISTINCT m.document_id, e.data FROM mentions m JOIN entities e ON e.id = m.entity_id "
            f"WHERE m.document_id IN ({marks}) AND e.category = 'places'", list(ids)):
        country = (json.loads(data) or {}).get("country")
        if country:
            out[doc].add(str(country).upper())
    return out


def entity_ids_for_keys(conn: sqlite3.Connection, keys: Sequence[str]) -> set[int]:
    if not keys:
        return set()
    marks = ",".join("?" * len(keys))
    return {r[0] for r in conn.execute(
        f"SELECT DISTINCT COALESCE(e.merged_into, e.id) FROM entity_keys k JOIN entities e ON e.id = k.entity_id "
        f"WHERE k.key IN ({marks})", list(keys))}


def document_codes(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, set[str]]:
    """Codes currently applied to each document's passages (people's and accepted codings)."""
    out: dict[int, set[str]] = {i: set() for i in ids}
    if not ids:
        return out
    marks = ",".join("?" * len(ids))
    for doc, code in conn.execute("SELECT DISTINCT document_id, code_id FROM current_codings "
                                  f"WHERE document_id IN ({marks})", list(ids)):
        out[doc].add(str(code))
    return out


def latest_documents(conn: sqlite3.Connection, limit: int = 50) -> list[dict]:
    return [dict(r) for r in conn.execute(
        "SELECT id, title, summary, url, language, published, created_at, doc_type, substr(text, 1, 600) AS lead "
        "FROM documents WHERE superseded = 0 ORDER BY id DESC LIMIT ?", (limit,))]


def entity_documents(conn: sqlite3.Connection, entity_id: int, limit: int = 50) -> list[dict]:
    return [dict(r) for r in conn.execute(
        "SELECT d.id, d.title, d.summary, d.url, d.language, d.published, d.created_at, d.doc_type, "
        "substr(d.text, 1, 600) AS lead FROM documents d WHERE d.superseded = 0 AND d.id IN "
        "(SELECT document_id FROM mentions WHERE entity_id IN "
        "(SELECT id FROM entities WHERE id = ? OR merged_into = ?))"
        " ORDER BY d.id DESC LIMIT ?", (entity_id, entity_id, limit))]


def entity_name(conn: sqlite3.Connection, entity_id: int) -> str | None:
    row = conn.execute("SELECT name FROM entities WHERE id = ?", (entity_id,)).fetchone()
    return row[0] if row else None


def code_documents(conn: sqlite3.Connection, code: str, limit: int = 50) -> list[dict]:
    ids = [d for d, codes in document_codes(conn, [r[0] for r in conn.execute(
        "SELECT id FROM documents WHERE superseded = 0 ORDER BY id DESC LIMIT 5000")]).items() if code in codes]
    if not ids:
        return []
    marks = ",".join("?" * len(ids[:limit]))
    return [dict(r) for r in conn.execute(
        f"SELECT id, title, summary, url, language, published, created_at, doc_type, substr(text, 1, 600) AS lead "
        f"FROM documents WHERE id IN ({marks}) ORDER BY id DESC", ids[:limit])]


def keys_of_entity(conn: sqlite3.Connection, entity_id: int) -> list[str]:
    return [r[0] for r in conn.execute("SELECT key FROM entity_keys WHERE entity_id = ? OR entity_id IN "
                                       "(SELECT id FROM entities WHERE merged_into = ?)", (entity_id, entity_id))]


def code_ids(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT code_id FROM codes ORDER BY code_id")]


def codes_named(conn: sqlite3.Connection, name: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT code_id FROM codes WHERE name LIKE ? ORDER BY code_id",
                                       (f"%{name}%",))]
