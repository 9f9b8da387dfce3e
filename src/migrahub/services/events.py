"""The events calendar: meetings, workshops, conferences … as the hub's documents state them (entity category
``events``; each document's record has ``date_start``/``date_end`` as partial ISO dates — ``2019``, ``2019-08``,
``2019-08-14`` — and ``place``, ``country``, ``organisers``), grouped by year and month, and a timeline."""

from __future__ import annotations

import calendar
import json
import re
import sqlite3
from dataclasses import dataclass

_DATE = re.compile(r"^(\d{4})(?:-(\d{2}|\?\?))?(?:-(\d{2}|\?\?))?")


@dataclass
class Event:
    entity_id: int
    document_id: int
    title: str
    date_start: str | None
    date_end: str | None
    year: int | None
    month: int | None          # None when only the year is known
    place: str | None
    country: str | None
    organisers: list[str]
    participants_count: int | None
    passage_id: int | None
    document_title: str | None

    @property
    def when(self) -> str:
        start, end = self.date_start or "", self.date_end or ""
        return f"{start} – {end}" if end and end != start else start


@dataclass
class Month:
    year: int
    month: int | None
    label: str
    events: list[Event]

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}" if self.month else f"{self.year:04d}"


def parse_date(value) -> tuple[int | None, int | None]:
    """(year, month) of a partial ISO date (``2019``, ``2019-08``, ``2019-08-??``); (None, None) if unreadable."""
    m = _DATE.match(str(value or "").strip())
    if not m:
        return None, None
    month = int(m.group(2)) if m.group(2) and m.group(2).isdigit() and 1 <= int(m.group(2)) <= 12 else None
    return int(m.group(1)), month


def events(conn: sqlite3.Connection, *, year: int | None = None, country: str | None = None,
           limit: int = 5000) -> list[Event]:
    """Event records of current documents, in date order (undated ones last)."""
    rows = conn.execute(
        """SELECT r.entity_id, r.document_id, r.data, d.title AS doc_title,
                  (SELECT m.passage_id FROM mentions m WHERE m.entity_id = r.entity_id AND m.document_id = r.document_id
                   AND m.passage_id IS NOT NULL ORDER BY m.start LIMIT 1) AS passage_id
           FROM entity_records r JOIN entities e ON e.id = r.entity_id AND e.category = 'events'
           JOIN documents d ON d.id = r.document_id AND d.superseded = 0 LIMIT ?""", (limit,)).fetchall()
    out = []
    for r in rows:
        data = json.loads(r["data"])
        y, m = parse_date(data.get("date_start"))
        if year and y != year:
            continue
        if country and (data.get("country") or "").upper() != country.upper():
            continue
        count = data.get("participants_count")
        out.append(Event(r["entity_id"], r["document_id"], str(data.get("title") or "(untitled event)"),
                         data.get("date_start"), data.get("date_end"), y, m, data.get("place"), data.get("country"),
                         [str(o) for o in data.get("organisers") or ()], count if isinstance(count, int) else None,
                         r["passage_id"], r["doc_title"]))
    out.sort(key=lambda e: (e.year is None, e.year or 0, e.month or 0, e.date_start or "", e.title))
    return out


def by_month(items: list[Event]) -> tuple[list[Month], list[Event]]:
    """Dated events grouped by year-month (a year-only date makes its own group after that year's months), and the
    undated ones."""
    groups: dict[tuple[int, int], Month] = {}
    undated = []
    for e in items:
        if e.year is None:
            undated.append(e)
            continue
        key = (e.year, e.month or 13)
        if key not in groups:
            label = f"{calendar.month_name[e.month]} {e.year}" if e.month else f"{e.year} (month not stated)"
            groups[key] = Month(e.year, e.month, label, [])
        groups[key].events.append(e)
    return [groups[k] for k in sorted(groups)], undated


def per_year(items: list[Event]) -> list[tuple[str, int]]:
    """(year, events) for every year from the first to the last dated event (gaps as 0)."""
    years: dict[int, int] = {}
    for e in items:
        if e.year:
            years[e.year] = years.get(e.year, 0) + 1
    if not years:
        return []
    return [(str(y), years.get(y, 0)) for y in range(min(years), max(years) + 1)]
