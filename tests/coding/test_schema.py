"""The coding log in the hub: append-only, with the current codings derived from it."""

from __future__ import annotations

import sqlite3

import pytest

from migrahub.coding.codebook import Code, Codebook
from migrahub.model import Block, Extracted
from migrahub.pipeline.normalize import normalize
from migrahub.sources import SourceResult
from migrahub.store import codings, documents
from migrahub.store.database import connect

TEXT = ["The shelter opened in Malmö 🇸🇪 for the winter.", "Clinics serve everyone.", "Legal aid is free.",
        "Neighbours meet weekly."]


SPANS: list[tuple[int, int]] = []  # the passages' spans in the fixture document


@pytest.fixture()
def db(tmp_path):
    conn = connect(tmp_path / "hub.sqlite3")
    sid = documents.upsert_source(conn, SourceResult(source="r.md", kind="file", status="ok"))
    doc = normalize(Extracted(locator="r.md", source="r.md", source_kind="file", content_type="text/markdown",
                              blocks=tuple(Block("paragraph", t) for t in TEXT)))
    documents.save_document(conn, doc, sid)
    codings.save_codebook(conn, Codebook("cb", (Code("G", "Group", codable=False), Code("G.A", "A", parent="G"),
                                                Code("G.B", "B", parent="G"))))
    SPANS[:] = [(p.start, p.end) for p in doc.passages]
    yield conn
    conn.close()


def act(db, passage, code, coder, action, about=None, conf=None, memo=None):
    start, end = SPANS[passage]
    kind = "machine" if coder == "autocode/1" else "person"
    codings.record(db, codebook="cb", document_id=1, start=start, end=end, coder=coder, coder_kind=kind,
                   action=action, code=code, about=about, confidence=conf, memo=memo)


def test_current_codings_follow_the_log(db):
    act(db, 0, "G.A", "autocode/1", "add", conf=0.8)
    act(db, 0, "G.B", "autocode/1", "add", conf=0.6)
    act(db, 1, "G.A", "autocode/1", "add", conf=0.7)
    act(db, 0, "G.A", "ana", "accept", about="autocode/1")
    act(db, 0, "G.B", "ana", "reject", about="autocode/1")
    act(db, 2, "G.B", "ana", "add")
    act(db, 2, "G.B", "ana", "remove")
    act(db, 3, "G.B", "ana", "add")
    act(db, 3, None, "ana", "memo", memo="borderline")
    rows = [(SPANS.index((c["start"], c["end"])), c["code_id"], c["coder"], c["status"])
            for c in codings.current(db, "cb")]
    assert sorted(rows) == [(0, "G.A", "ana", "applied"), (1, "G.A", "autocode/1", "suggested"),
                            (3, "G.B", "ana", "applied")]
    assert [c["confidence"] for c in codings.current(db, "cb", status="suggested")] == [0.7]
    assert [m["memo"] for m in codings.memos(db, "cb")] == ["borderline"]
    # re-adding after a remove brings it back; passages are found from their span
    act(db, 2, "G.B", "ana", "add")
    again = [c for c in codings.current(db, "cb") if c["code_id"] == "G.B" and c["coder"] == "ana"]
    assert len(again) == 2 and all(c["passage_id"] is not None for c in again)


def test_log_is_append_only_and_checked(db):
    act(db, 0, "G.A", "ana", "add")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE coding_actions SET action = 'remove'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM coding_actions")
    with pytest.raises(codings.CodingError, match="needs the machine coder"):
        act(db, 0, "G.A", "ana", "accept")
    with pytest.raises(codings.CodingError, match="a memo needs some text"):
        act(db, 0, None, "ana", "memo", memo="  ")
    with pytest.raises(codings.CodingError, match="span: 0:999"):
        codings.record(db, codebook="cb", document_id=1, start=0, end=999, coder="ana", action="add", code="G.A")


def test_span_offsets_are_code_points(db):
    text = db.execute("SELECT text FROM documents WHERE id = 1").fetchone()[0]
    start = text.index("Malmö")
    codings.record(db, codebook="cb", document_id=1, start=start, end=start + len("Malmö 🇸🇪"), coder="ana",
                   action="add", code="G.A")
    (c,) = codings.current(db, "cb")
    assert text[c["start"]:c["end"]] == "Malmö 🇸🇪" and c["end"] - c["start"] == 8 and c["passage_id"] is None
