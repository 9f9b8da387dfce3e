"""The proposed coding schema: append-only log, current codings derived from it (SQLite)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import migrahub.coding

SCHEMA = Path(migrahub.coding.__file__).with_name("schema.sql")


@pytest.fixture()
def db():
    con = sqlite3.connect(":memory:")
    con.execute("PRAGMA foreign_keys = ON")
    con.executescript(SCHEMA.read_text(encoding="utf-8"))
    con.executescript("""
        INSERT INTO codebooks (id, name, digest, created_at) VALUES (1, 'cb', 'abc', '2025-01-01T00:00:00Z');
        INSERT INTO codes VALUES (1, 'G', 'g0', 'Group', '', NULL, NULL, 0, 0),
                                 (1, 'G.A', 'g1', 'A', '', NULL, 'G', 1, 1),
                                 (1, 'G.B', 'g2', 'B', '', NULL, 'G', 1, 2);
        INSERT INTO coders VALUES (1, 'ana', 'person', 'u1', '2025-01-01T00:00:00Z'),
                                  (2, 'autocode/1', 'machine', 'u2', '2025-01-01T00:00:00Z');
    """)
    return con


def act(db, passage, code, coder, action, at, about=None, conf=None, memo=None):
    db.execute("INSERT INTO coding_actions (codebook_id, passage_id, code_id, coder_id, action, about_coder_id,"
               " confidence, memo, at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
               (passage, code, coder, action, about, conf, memo, at))


def test_current_codings_follow_the_log(db):
    act(db, "p1", "G.A", 2, "add", "2025-01-01T00:00:00Z", conf=0.8)
    act(db, "p1", "G.B", 2, "add", "2025-01-01T00:00:00Z", conf=0.6)
    act(db, "p2", "G.A", 2, "add", "2025-01-01T00:00:00Z", conf=0.7)
    act(db, "p1", "G.A", 1, "accept", "2025-01-02T00:00:00Z", about=2)
    act(db, "p1", "G.B", 1, "reject", "2025-01-02T00:00:00Z", about=2)
    act(db, "p3", "G.B", 1, "add", "2025-01-02T00:00:00Z")
    act(db, "p3", "G.B", 1, "remove", "2025-01-03T00:00:00Z")
    act(db, "p4", "G.B", 1, "add", "2025-01-03T00:00:00Z")
    act(db, "p4", None, 1, "memo", "2025-01-04T00:00:00Z", memo="borderline")
    rows = db.execute("SELECT passage_id, code_id, coder, status FROM current_codings ORDER BY 1, 2, 3").fetchall()
    assert rows == [("p1", "G.A", "ana", "applied"), ("p2", "G.A", "autocode/1", "suggested"),
                    ("p4", "G.B", "ana", "applied")]
    assert db.execute("SELECT passage_id, confidence FROM pending_suggestions").fetchall() == [("p2", 0.7)]
    assert db.execute("SELECT memo FROM coding_memos").fetchall() == [("borderline",)]
    # re-adding after a remove brings it back
    act(db, "p3", "G.B", 1, "add", "2025-01-05T00:00:00Z")
    assert ("p3", "G.B") in db.execute("SELECT passage_id, code_id FROM current_codings").fetchall()


def test_log_is_append_only_and_checked(db):
    act(db, "p1", "G.A", 1, "add", "2025-01-01T00:00:00Z")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE coding_actions SET action = 'remove'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM coding_actions")
    with pytest.raises(sqlite3.IntegrityError):
        act(db, "p1", "G.A", 1, "accept", "2025-01-01T00:00:00Z")  # accept must name whose suggestion
    with pytest.raises(sqlite3.IntegrityError):
        act(db, "p1", "NOPE", 1, "add", "2025-01-01T00:00:00Z")  # unknown code
    with pytest.raises(sqlite3.IntegrityError):
        act(db, "p1", "G.A", 1, "tag", "2025-01-01T00:00:00Z")
