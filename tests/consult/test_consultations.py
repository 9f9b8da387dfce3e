"""Consultation services: who may answer, pre-moderation, hide after N reports, deletion on request, retention,
drafts that cannot be changed once sent, and the report built only from published answers."""

from __future__ import annotations

import pytest

from migrahub.consult.model import ConsultError
from migrahub.services.consult import consultations as service
from migrahub.services.consult import reports
from migrahub.store.database import connect


@pytest.fixture()
def conn(tmp_path):
    return connect(tmp_path / "hub.sqlite3")


def _open(conn, **options):
    c = service.create(conn, "Forum", "org", **options)
    c = service.add_question(conn, c.id, "text", "What works?")
    return service.set_phase(conn, c.id, "open")


def test_who_may_answer(conn):
    public = _open(conn)
    assert service.may_answer(public, signed_in=False) is None
    link = _open(conn, access="link")
    assert "invitation" in service.may_answer(link, signed_in=True, invite="wrong")
    assert service.may_answer(link, signed_in=False, invite=link.invite_token) is None
    signed = _open(conn, access="signed_in")
    assert "sign in" in service.may_answer(signed, signed_in=False)
    closed = service.set_phase(conn, public.id, "closed")
    assert "not open" in service.may_answer(closed, signed_in=True)
    with pytest.raises(ConsultError, match="not open"):
        service.submit(conn, closed.id, {"submitter_type": "anonymous"}, final=True)


def test_pre_moderation_reports_deletion_and_retention(conn):
    c = _open(conn, moderation="pre")
    q = c.questions[0].id
    sent = service.submit(conn, c.id, {"submitter_type": "anonymous", f"q{q}": "Pending words"}, final=True)
    assert sent["status"] == "pending"
    assert reports.submissions_json(conn, c.id)["submissions"] == []
    service.moderate(conn, sent["id"], "approve", "mod")
    assert len(reports.submissions_json(conn, c.id)["submissions"]) == 1
    post = _open(conn, report_limit=2)
    other = service.submit(conn, post.id, {"submitter_type": "anonymous", f"q{post.questions[0].id}": "Rude"},
                           final=True)
    assert service.report_submission(conn, other["id"])["hidden"] is False
    assert service.report_submission(conn, other["id"])["hidden"] is True
    assert reports.submissions_json(conn, post.id)["submissions"] == []
    assert service.delete_on_request(conn, receipt_key=sent["receipt"], actor="submitter")
    assert reports.submissions_json(conn, c.id)["submissions"] == []
    assert service.purge_expired(conn, today="2999-01-01") == 1  # the hidden one, past any retention


def test_a_sent_submission_cannot_be_changed_through_its_receipt(conn):
    c = _open(conn)
    q = c.questions[0].id
    draft = service.submit(conn, c.id, {"submitter_type": "anonymous", f"q{q}": "First"}, final=False)
    assert draft["status"] == "draft"
    sent = service.submit(conn, c.id, {"submitter_type": "anonymous", f"q{q}": "Final"}, final=True,
                          receipt=draft["receipt"])
    assert sent["id"] == draft["id"] and sent["status"] == "published"
    with pytest.raises(ConsultError, match="already sent"):
        service.submit(conn, c.id, {"submitter_type": "anonymous", f"q{q}": "Changed"}, final=True,
                       receipt=draft["receipt"])
    assert service.receipt(conn, draft["receipt"])["submission"]["answers"][q]["original"] == "Final"


def test_a_bad_attachment_keeps_the_stored_draft(conn):
    c = _open(conn)
    q = c.questions[0].id
    draft = service.submit(conn, c.id, {"submitter_type": "anonymous", f"q{q}": "Kept"}, final=False)
    with pytest.raises(ConsultError, match="attachment evil.pdf"):
        service.submit(conn, c.id, {"submitter_type": "anonymous", f"q{q}": "Lost?"}, final=True,
                       receipt=draft["receipt"], files=[("evil.pdf", b"%PDF-1.7\n" + b"x" * 100)])
    assert service.receipt(conn, draft["receipt"])["submission"]["answers"][q]["original"] == "Kept"
    with pytest.raises(ConsultError, match="larger than 10 MB"):
        service.submit(conn, c.id, {"submitter_type": "anonymous"}, final=True,
                       files=[("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 + 1))])


def test_report_edit_keeps_sources_and_removes_emptied_sentences(conn):
    c = _open(conn)
    q = c.questions[0].id
    service.submit(conn, c.id, {"submitter_type": "organisation", "organisation": "Ghent Refugee Desk",
                                f"q{q}": "The city should fund language courses for newcomers."}, final=True)
    report = reports.generate(conn, c.id, "org")
    quote = next(b for b in report["blocks"] if b["kind"] == "quote")
    first = report["blocks"][1]
    edited = reports.edit(conn, c.id, {quote["id"]: "Edited quote text", first["id"]: ""}, "org", note="Thanks all.")
    ids = {b["id"]: b for b in edited["blocks"]}
    assert ids[quote["id"]]["text"] == "Edited quote text" and ids[quote["id"]]["sources"] == quote["sources"]
    assert first["id"] not in ids
    assert edited["blocks"][-1]["organiser"] and edited["edited"]
