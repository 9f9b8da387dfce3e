"""Safe incident reporting: receive (checked, redacted, nothing identifying), review, publish aggregates only."""

from __future__ import annotations

import csv
import io
import sqlite3
from dataclasses import asdict
from datetime import UTC, datetime

from migrahub import config
from migrahub.consult import incidents as domain
from migrahub.consult.attachments import read_attachment
from migrahub.consult.model import ConsultError
from migrahub.store import consult as store


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def receive(conn: sqlite3.Connection, fields: dict, evidence: tuple[str, bytes] | None = None) -> int:
    """Store a new report (pending review); → its id. The evidence file is read for its text and dropped."""
    text = read_attachment(*evidence).text if evidence else ""
    incident = domain.check(fields, _today(), text)
    values = asdict(incident) | {"received_month": _today()[:7]}
    return store.add_incident(conn, values)


def pending(conn: sqlite3.Connection) -> list[dict]:
    return store.incidents(conn, "pending")


def review(conn: sqlite3.Connection, incident_id: int, decision: str) -> None:
    if decision not in ("accepted", "rejected"):
        raise ConsultError("decision: accepted or rejected")
    if not store.review_incident(conn, incident_id, decision):
        raise ConsultError(f"no incident {incident_id}")


def min_count() -> int:
    return config.get("MIGRAHUB_CONSULT_INCIDENT_MIN_COUNT")


def aggregates(conn: sqlite3.Connection) -> dict:
    """Accepted reports counted by place, kind and month (cells under ``MIGRAHUB_CONSULT_INCIDENT_MIN_COUNT`` are
    left out), with totals per kind and per place."""
    vocab = domain.vocabulary()
    floor = min_count()
    rows = [{"country": c, "city": city, "kind": k, "kind_label": vocab["kinds"].get(k, k), "month": m, "count": n}
            for c, city, k, m, n in store.incident_counts(conn) if n >= floor]
    by_kind: dict[str, int] = {}
    by_place: dict[str, int] = {}
    for r in rows:
        by_kind[r["kind_label"]] = by_kind.get(r["kind_label"], 0) + r["count"]
        place = ", ".join(x for x in (r["city"], r["country"]) if x)
        by_place[place] = by_place.get(place, 0) + r["count"]
    return {"rows": rows, "by_kind": sorted(by_kind.items(), key=lambda x: -x[1]),
            "by_place": sorted(by_place.items(), key=lambda x: -x[1]), "total": sum(r["count"] for r in rows),
            "min_count": floor}


def aggregates_csv(conn: sqlite3.Connection) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["country", "city", "kind", "month", "count"])
    for r in aggregates(conn)["rows"]:
        writer.writerow([("'" + v if str(v)[:1] in "=+-@" else v) for v in
                         (r["country"], r["city"], r["kind"], r["month"], r["count"])])
    return buf.getvalue()
