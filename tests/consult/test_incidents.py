"""Incident reports: checked, redacted, nothing identifying kept; flood-limited without keeping addresses."""

from __future__ import annotations

import pytest

from migrahub.consult import incidents
from migrahub.consult.model import ConsultError
from migrahub.services.consult import incidents as service
from migrahub.store.database import connect

FIELDS = {"kind": "hate_speech", "target_group": "refugees", "city": "Ghent", "country": "BE", "date": "2026-03-14",
          "description": "A man shouted at Amina Yusuf near 12 Oak Street; her number is +32 470 12 34 56."}


def test_report_is_redacted_and_kept_to_the_month():
    got = incidents.check(FIELDS, "2026-12-07")
    assert got.month == "2026-03"
    assert "Amina Yusuf" not in got.description and "+32 470" not in got.description
    assert "Oak Street" not in got.description


@pytest.mark.parametrize("change, field", [({"kind": "rumour"}, "kind"), ({"date": "2031-01"}, "date"),
                                           ({"date": "yesterday"}, "date"), ({"city": "", "country": ""}, "city"),
                                           ({"description": ""}, "description")])
def test_bad_reports_name_the_field(change, field):
    with pytest.raises(ConsultError, match=rf"\b{field}:"):
        incidents.check(FIELDS | change, "2026-12-07")


def test_flood_gate_limits_per_client_and_overall_and_forgets():
    gate = incidents.FloodGate(per_client=2, overall=5, window=60)
    assert gate.allow("198.51.100.7", now=0) and gate.allow("198.51.100.7", now=1)
    assert not gate.allow("198.51.100.7", now=2)
    assert all(gate.allow(f"203.0.113.{i}", now=3) for i in range(3))
    assert not gate.allow("203.0.113.99", now=4)  # the global rate
    assert gate.allow("198.51.100.7", now=200)  # the window passed
    assert gate.remembered() == 1
    assert all(b"198.51" not in key for key in gate._clients)


def test_only_accepted_reports_are_published_as_aggregates(tmp_path):
    conn = connect(tmp_path / "hub.sqlite3")
    first = service.receive(conn, FIELDS)
    service.receive(conn, FIELDS | {"date": "2026-03-20"})
    rejected = service.receive(conn, FIELDS | {"kind": "online_hate"})
    service.review(conn, first, "accepted")
    service.review(conn, rejected, "rejected")
    data = service.aggregates(conn)
    assert data["rows"] == [{"country": "BE", "city": "Ghent", "kind": "hate_speech",
                             "kind_label": "Hate speech (spoken or written)", "month": "2026-03", "count": 1}]
    assert service.aggregates_csv(conn).splitlines()[1] == "BE,Ghent,hate_speech,2026-03,1"
    columns = {r[1] for r in conn.execute("PRAGMA table_info(consult_incidents)")}
    assert not columns & {"ip", "address", "account", "user", "created_at", "timestamp"}
    stored = " ".join(str(v) for row in conn.execute("SELECT * FROM consult_incidents") for v in tuple(row))
    assert "Amina Yusuf" not in stored and "470 12 34 56" not in stored
