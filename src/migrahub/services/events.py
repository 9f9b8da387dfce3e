"""The events calendar: meetings, workshops, conferences … as the hub's documents state them (entity category
``events``; each document's record has ``date_start``/``date_end`` as partial ISO dates — ``2019``, ``2019-08``,
``2019-08-14`` — and ``place``, ``country``, ``organisers``), grouped by year and month, and a timeline.

A curator's edit of an event (its title, dates, place…) wins over every document's copy, a record merged into
another reads as that one (with its fields), and the documents that state an event the same way make one event with
each of them, and its passage, as a source. Pure reads; the web page and the API render what :func:`events`
returns.
"""

from __future__ import annotations

import calendar
import json
import re
import sqlite3
from dataclasses import dataclass, field

from migrahub.store import entities as store

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
    passage_id: int | None         # the first source's (newest document first)
    document_title: str | None
    sources: list[dict] = field(default_factory=list)  # [{"document_id", "document_title", "passage_id"}]

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
    """Events of current documents, in date order (undated ones last). Each document's record shows the event's
    curated fields over its own copy (see :func:`store.document_records`); the records of one event that then say
    the same title, dates, place and country make one :class:`Event` listing each document (with the passage) as a
    source, newest first. ``limit`` caps the document records read."""
    found: dict[str, Event] = {}
    for r in store.document_records(conn, "events", limit):
        data = r["data"]
        title = str(data.get("title") or "(untitled event)")
        stated = [data.get(k) for k in ("date_start", "date_end", "place", "country")]
        same = json.dumps([r["entity_id"], title, *stated], default=str)  # a curator may have set any JSON value
        source = {"document_id": r["document_id"], "document_title": r["document_title"],
                  "passage_id": r["passage_id"]}
        organisers = [str(o) for o in data.get("organisers") or ()]
        count = data.get("participants_count")
        count = count if isinstance(count, int) and not isinstance(count, bool) else None
        event = found.get(same)
        if event is not None:
            event.sources.append(source)
            event.organisers.extend(o for o in organisers if o not in event.organisers)
            event.participants_count = event.participants_count or count
            continue
        y, m = parse_date(data.get("date_start"))
        found[same] = Event(r["entity_id"], r["document_id"], title, data.get("date_start"), data.get("date_end"), y,
                            m, data.get("place"), data.get("country"), organisers, count, r["passage_id"],
                            r["document_title"], [source])
    out = [e for e in found.values() if (not year or e.year == year)
           and (not country or str(e.country or "").upper() == country.upper())]
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
