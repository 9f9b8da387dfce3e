"""Consultations, their questions and phases, submissions (form, attachments, import, API), drafts and receipts,
moderation, personal data (redaction, deletion on request, retention).

Every function takes an open hub connection; the doors open it (``store.database.connect`` or the web's reader).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
from datetime import UTC, datetime

from migrahub.consult import importer
from migrahub.consult.attachments import read_attachment
from migrahub.consult.model import (
    ACCESS,
    MODERATION,
    PHASES,
    SUBMITTER_TYPES,
    Consultation,
    ConsultError,
    Question,
    SubmissionInput,
    check_submission,
    parse_question,
    slugify,
)
from migrahub.consult.redact import redact
from migrahub.store import consult as store

MODERATION_ACTIONS = {"approve": "published", "hide": "hidden", "reject": "rejected", "restore": "published",
                      "note": ""}


def create(conn: sqlite3.Connection, title: str, actor: str, *, description: str = "", languages=("en",),
           submitter_types=SUBMITTER_TYPES, consent_text: str = "", access: str = "public", moderation: str = "post",
           report_limit: int = 3, retention_days: int = 730, dates: dict | None = None) -> Consultation:
    title = (title or "").strip()
    if not title or len(title) > 300:
        raise ConsultError("title: between 1 and 300 characters")
    if access not in ACCESS:
        raise ConsultError(f"access: one of {', '.join(ACCESS)}")
    if moderation not in MODERATION:
        raise ConsultError(f"moderation: one of {', '.join(MODERATION)}")
    types = tuple(t for t in submitter_types if t in SUBMITTER_TYPES)
    if not types:
        raise ConsultError(f"submitter_types: at least one of {', '.join(SUBMITTER_TYPES)}")
    if not 1 <= int(report_limit) <= 1000 or not 1 <= int(retention_days) <= 36500:
        raise ConsultError("report_limit 1–1000 and retention_days 1–36500")
    slug, n = slugify(title), 1
    while store.slug_taken(conn, slug if n == 1 else f"{slug}-{n}"):
        n += 1
    slug = slug if n == 1 else f"{slug}-{n}"
    cid = store.create_consultation(conn, {
        "slug": slug, "title": title, "description": description.strip(), "languages": list(languages),
        "submitter_types": list(types), "consent_text": consent_text.strip(), "access": access,
        "invite_token": secrets.token_urlsafe(16), "moderation": moderation, "report_limit": int(report_limit),
        "retention_days": int(retention_days), "dates": dates or {}, "created_by": actor})
    return get(conn, cid)


def get(conn: sqlite3.Connection, key: str | int) -> Consultation:
    row = store.consultation_row(conn, key)
    if row is None:
        raise ConsultError(f"no consultation {key!r}")
    questions = tuple(Question(q["id"], q["seq"], q["kind"], q["prompt"], tuple(q["options"]), bool(q["required"]),
                               tuple((s["id"], s["text"]) for s in q["statements"] if s["moderated"] != -1))
                      for q in row["questions"])
    return Consultation(row["id"], row["slug"], row["title"], row["description"], tuple(row["languages"]),
                        row["phase"], row["dates"], tuple(row["submitter_types"]), row["consent_text"], row["access"],
                        row["invite_token"], row["moderation"], row["report_limit"], row["retention_days"],
                        row["created_by"], row["created_at"], questions)


def listing(conn: sqlite3.Connection, *, organiser: bool) -> list[dict]:
    return store.consultations(conn, None if organiser else ("open", "closed", "published"))


def add_question(conn: sqlite3.Connection, key: str | int, kind: str, prompt: str, options: str = "",
                 statements: str = "", required: bool = False) -> Consultation:
    c = get(conn, key)
    kind, prompt, opts = parse_question(kind, prompt, options, len(c.questions) + 1)
    qid = store.add_question(conn, c.id, kind, prompt, opts, required)
    if kind == "statements":
        texts = [line.strip() for line in (statements or options or "").splitlines() if line.strip()]
        if not texts:
            raise ConsultError(f"question {len(c.questions) + 1}, field statements: at least one statement, "
                               "one per line")
        store.add_statements(conn, qid, [t[:1000] for t in texts], author="organiser")
    return get(conn, c.id)


def set_phase(conn: sqlite3.Connection, key: str | int, phase: str) -> Consultation:
    if phase not in PHASES:
        raise ConsultError(f"phase: one of {', '.join(PHASES)}")
    c = get(conn, key)
    dates = dict(c.dates) | {phase: datetime.now(UTC).date().isoformat()}
    store.update_consultation(conn, c.id, {"phase": phase, "dates": dates})
    return get(conn, c.id)


def may_answer(c: Consultation, *, signed_in: bool, invite: str = "") -> str | None:
    """``None`` when this person may answer now, else the reason they may not."""
    if c.phase != "open":
        return "this consultation is not open for answers"
    if c.access == "signed_in" and not signed_in:
        return "sign in to answer this consultation"
    if c.access == "link" and not secrets.compare_digest(invite or "", c.invite_token):
        return "this consultation answers by invitation: use the link you were sent"
    return None


def participant_of(receipt: str) -> str:
    """The stable, non-secret participant id of a submission's votes (derived from its receipt)."""
    return hashlib.sha256(receipt.encode()).hexdigest()[:16]


def _keep_names(sub: SubmissionInput) -> tuple[str, ...]:
    return tuple(n for n in (sub.organisation, sub.city) if n)


def _answers(c: Consultation, sub: SubmissionInput) -> list[tuple[int, str, str, object]]:
    keep = _keep_names(sub)
    out = []
    for q in c.questions:
        text = sub.answers.get(q.id, "")
        value = sub.values.get(q.id)
        if isinstance(value, dict):
            value = {k: [redact(x, keep=keep).text for x in v] for k, v in value.items()}
        if text or value not in (None, {}):
            out.append((q.id, text, redact(text, keep=keep).text if text else "", value))
    return out


def submit(conn: sqlite3.Connection, key: str | int, fields: dict, *, final: bool, files: list[tuple[str, bytes]] = (),
           receipt: str = "", account: str = "", source: str = "web", checked: bool = False) -> dict:
    """Save a draft (``final`` false) or submit. Attachments are read before anything is written, so a bad file
    leaves the stored submission untouched. → ``{"receipt", "status", "id"}``."""
    c = get(conn, key)
    if not checked and c.phase != "open":
        raise ConsultError("this consultation is not open for answers")
    errors, texts = [], []
    for name, data in files:
        try:
            texts.append(read_attachment(name, data))
        except ConsultError as exc:
            errors.append(str(exc))
    try:
        sub = check_submission(c, fields, final=final)
    except ConsultError as exc:
        errors.insert(0, str(exc))
    if errors:
        raise ConsultError("; ".join(errors))
    existing = store.submission_by_receipt(conn, receipt) if receipt else None
    if receipt and (existing is None or existing["consultation_id"] != c.id):
        raise ConsultError("receipt: no draft with this receipt in this consultation")
    if existing and existing["status"] != "draft":
        raise ConsultError("receipt: this submission was already sent; it can no longer be changed")
    receipt = receipt or secrets.token_urlsafe(12)
    status = "draft" if not final else ("pending" if c.moderation == "pre" else "published")
    person = {"submitter_type": sub.submitter_type, "organisation": sub.organisation, "org_type": sub.org_type,
              "country": sub.country, "city": sub.city, "contact_name": sub.contact_name,
              "contact_email": sub.contact_email, "account": account if sub.submitter_type != "anonymous" else "",
              "consent": int(sub.consent), "language": sub.language, "source": source}
    votes = [(sid, participant_of(receipt), v) for sid, v in sub.votes.items()]
    sid = store.save_submission(conn, c.id, receipt, status, person, _answers(c, sub), votes,
                                existing["id"] if existing else None)
    keep = _keep_names(sub)
    for t in texts:
        store.add_attachment(conn, sid, t.filename, t.content_type, t.size, t.text, redact(t.text, keep=keep).text)
    return {"receipt": receipt, "status": status, "id": sid, "consultation": c.slug}


def receipt(conn: sqlite3.Connection, receipt_key: str) -> dict:
    """What the submitter sent (their own originals) and its status, by their receipt."""
    row = store.submission_by_receipt(conn, receipt_key or "")
    if row is None:
        raise ConsultError("receipt: not found")
    full = store.submission_original(conn, row["id"])
    c = get(conn, row["consultation_id"])
    return {"consultation": c, "submission": full}


def import_file(conn: sqlite3.Connection, key: str | int, name: str, data: bytes, actor: str) -> dict:
    """Import an offline consultation's rows: every row is checked first; one bad row names itself and nothing is
    imported (what was stored before stays)."""
    c = get(conn, key)
    rows = importer.rows_as_fields(name, importer.read_table(name, data), c)
    checked, errors = [], []
    for number, fields in rows:
        try:
            checked.append(check_submission(c, fields, final=True))
        except ConsultError as exc:
            errors.append(f"{name}: row {number}: {exc}")
    if errors:
        more = f" (and {len(errors) - 20} more rows)" if len(errors) > 20 else ""
        raise ConsultError("; ".join(errors[:20]) + more)
    status = "pending" if c.moderation == "pre" else "published"
    ids = []
    for sub in checked:
        person = {k: getattr(sub, k) for k in ("submitter_type", "organisation", "org_type", "country", "city",
                                                "contact_name", "contact_email", "language")}
        person |= {"consent": int(sub.consent), "source": f"import:{name}"[:200], "account": actor}
        ids.append(store.save_submission(conn, c.id, secrets.token_urlsafe(12), status, person, _answers(c, sub), []))
    return {"imported": len(ids), "status": status, "consultation": c.slug}


def moderate(conn: sqlite3.Connection, submission_id: int, action: str, actor: str, note: str = "") -> dict:
    if action not in MODERATION_ACTIONS:
        raise ConsultError(f"action: one of {', '.join(MODERATION_ACTIONS)}")
    row = store.submission_original(conn, submission_id)
    if row is None or row["status"] == "draft":
        raise ConsultError(f"no submitted submission {submission_id}")
    store.set_status(conn, submission_id, MODERATION_ACTIONS[action], action, actor, note.strip()[:2000])
    return {"id": submission_id, "status": MODERATION_ACTIONS[action] or row["status"], "action": action}


def report_submission(conn: sqlite3.Connection, submission_id: int) -> dict:
    row = store.submission_original(conn, submission_id)
    if row is None or row["status"] != "published":
        raise ConsultError(f"no published submission {submission_id}")
    c = get(conn, row["consultation_id"])
    reports, hidden = store.add_report(conn, submission_id, c.report_limit)
    return {"id": submission_id, "reports": reports, "hidden": hidden}


def queue(conn: sqlite3.Connection, key: str | int, statuses=("pending", "published", "hidden", "rejected")) -> list:
    return store.moderation_queue(conn, get(conn, key).id, tuple(statuses))


def original(conn: sqlite3.Connection, submission_id: int) -> dict:
    """A submission with its originals and contact details: moderators only (the doors check the role)."""
    row = store.submission_original(conn, submission_id)
    if row is None:
        raise ConsultError(f"no submission {submission_id}")
    return row


def delete_on_request(conn: sqlite3.Connection, *, receipt_key: str = "", submission_id: int | None = None,
                      actor: str, reason: str = "deletion on request") -> bool:
    if receipt_key:
        row = store.submission_by_receipt(conn, receipt_key)
        if row is None:
            raise ConsultError("receipt: not found")
        submission_id = row["id"]
    if submission_id is None:
        raise ConsultError("give a receipt or a submission id")
    return store.delete_submission(conn, submission_id, actor, reason)


def purge_expired(conn: sqlite3.Connection, actor: str = "retention", today: str | None = None) -> int:
    """Delete submissions older than their consultation's retention period; → how many."""
    ids = store.expired_submissions(conn, today or datetime.now(UTC).date().isoformat())
    for sid in ids:
        store.delete_submission(conn, sid, actor, "retention period over")
    return len(ids)


def public_submissions(conn: sqlite3.Connection, key: str | int, limit: int | None = None, offset: int = 0) -> dict:
    """Published submissions with their redacted answers and attachments: what public pages, exports and the API
    show (a page of them when ``limit`` is given; ``total`` counts them all)."""
    c = get(conn, key)
    rows = store.published_submissions(conn, c.id, -1 if limit is None else limit, offset)
    subs = {s["id"]: s | {"answers": {}, "attachments": []} for s in rows}
    ids = None if limit is None else list(subs)
    for sid, qid, text, value in store.published_answers(conn, c.id, ids):
        if sid not in subs:
            continue
        if qid == 0:
            subs[sid]["attachments"].append(text)
        else:
            subs[sid]["answers"][qid] = {"text": text, "value": json.loads(value)}
    for s in subs.values():
        s.pop("consultation_id", None)
        s["label"] = attribution(s)
    total = len(subs) if limit is None else store.published_count(conn, c.id)
    return {"consultation": c, "submissions": list(subs.values()), "total": total}


def page_of(conn: sqlite3.Connection, key: str | int, submission_id: int, per_page: int) -> int:
    """The page of the published submissions list that shows this submission."""
    return store.published_position(conn, get(conn, key).id, submission_id) // per_page + 1


def attribution(s: dict) -> str:
    """How a submission is attributed in public: the organisation or city, else "individual" or "anonymous"."""
    if s.get("submitter_type") in ("organisation", "city") and s.get("organisation"):
        return s["organisation"]
    return "individual" if s.get("submitter_type") == "individual" else "anonymous"
