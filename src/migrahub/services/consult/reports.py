"""Analysis and the synthesis report of a consultation: built from published submissions only (redacted text),
linked to the hub's entity pages and practice library, editable by the organiser, exported as HTML, PDF, DOCX,
Markdown; the public submissions as CSV and JSON; the votes in Pol.is's format."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading

from migrahub.consult import opinion as opinion_math
from migrahub.consult import polis_csv, synthesis, writers
from migrahub.consult.model import ConsultError
from migrahub.model import Rejection
from migrahub.services.consult.consultations import attribution, get, public_submissions
from migrahub.store import codings as coding_store
from migrahub.store import consult as store

FORMATS = {"html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8", "pdf": "application/pdf",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
LINKED = ("places", "organisations", "practices", "resources")


def hub_links(conn: sqlite3.Connection) -> tuple[synthesis.HubEntity, ...]:
    out = []
    for eid, category, name, data in store.hub_entities(conn, LINKED):
        record = json.loads(data or "{}")
        if category == "places" and record.get("type") not in (None, "city", "region", "town"):
            continue
        names = tuple(str(s) for s in record.get("surface") or () if isinstance(s, str))
        text = " ".join(str(record.get(k) or "") for k in ("title", "summary"))
        out.append(synthesis.HubEntity(eid, category, name, f"/entities/{eid}", names, text))
    return tuple(out)


def _codebook(conn: sqlite3.Connection, name: str | None):
    names = store.codebook_names(conn)
    if name:
        return coding_store.load_codebook(conn, name)
    return coding_store.load_codebook(conn, names[0]) if names else None


_opinion_cache: dict[int, tuple[tuple, object, dict]] = {}  # consultation id → (votes state, result, texts)
_opinion_lock = threading.Lock()


def opinion_groups(conn: sqlite3.Connection, key: str | int) -> tuple[opinion_math.OpinionGroups | None, dict]:
    """Opinion groups of a consultation's published votes, computed once per state of its votes (per process)."""
    c = get(conn, key)
    state = store.votes_state(conn, c.id)
    cached = _opinion_cache.get(c.id)
    if cached and cached[0] == state:
        return cached[1], cached[2]
    with _opinion_lock:  # one computation at a time per process; the others wait for its result
        cached = _opinion_cache.get(c.id)
        if cached and cached[0] == state:
            return cached[1], cached[2]
        result, texts = _compute_opinion(conn, c.id)
        if len(_opinion_cache) > 32:
            _opinion_cache.clear()
        _opinion_cache[c.id] = (state, result, texts)
        return result, texts


def _compute_opinion(conn: sqlite3.Connection, cid: int) -> tuple[opinion_math.OpinionGroups | None, dict]:
    c = get(conn, cid)
    votes = [opinion_math.Vote(p, str(s), v) for p, s, v in store.published_votes(conn, c.id)]
    texts = {str(k): v for k, v in store.statement_texts(conn, c.id).items()}
    if not votes:
        return None, texts
    result = opinion_math.opinion_groups(votes, sorted(texts, key=int))
    return (None if isinstance(result, Rejection) else result), texts


def generate(conn: sqlite3.Connection, key: str | int, actor: str, codebook: str | None = None) -> dict:
    """Analyse the published submissions and save a new draft report (replacing the previous one)."""
    c = get(conn, key)
    public = public_submissions(conn, c.id)
    sources = {s["id"]: synthesis.Source(s["id"], attribution(s), s["submitter_type"], s["country"], s["city"])
               for s in public["submissions"]}
    answers = [(s["id"], qid, a["text"], a["value"]) for s in public["submissions"] for qid, a in s["answers"].items()]
    attachments = {s["id"]: s["attachments"] for s in public["submissions"] if s["attachments"]}
    questions = [synthesis.QuestionInfo(q.id, q.seq, q.kind, q.prompt) for q in c.questions]
    groups, texts = opinion_groups(conn, c.id)
    report = synthesis.build(c.title, c.slug, questions, sources, answers, hub_links(conn), _codebook(conn, codebook),
                             groups, texts, attachments, store.voters_by_question(conn, c.id))
    store.save_report(conn, c.id, report, actor, edited=False)
    return store.report(conn, c.id)


_report_cache: dict[int, tuple[str, dict]] = {}  # consultation id → (saved stamp, report): parsed once per save


def current(conn: sqlite3.Connection, key: str | int) -> dict | None:
    """The saved report (the draft or the organiser's edited version), or None."""
    cid = get(conn, key).id
    stamp = store.report_stamp(conn, cid)
    if stamp is None:
        return None
    cached = _report_cache.get(cid)
    if cached and cached[0] == stamp:
        return cached[1]
    body = store.report(conn, cid)
    if len(_report_cache) > 32:
        _report_cache.clear()
    _report_cache[cid] = (stamp, body)
    return body


_html_cache: dict[tuple[int, str], tuple[str, str]] = {}  # (consultation, base) → (saved stamp, HTML)


def html_fragment(conn: sqlite3.Connection, key: str | int, base: str = "") -> str | None:
    """The saved report as escaped HTML for the report page (rendered once per save and kept per process)."""
    cid = get(conn, key).id
    stamp = store.report_stamp(conn, cid)
    if stamp is None:
        return None
    cached = _html_cache.get((cid, base))
    if cached and cached[0] == stamp:
        return cached[1]
    html = writers.to_html(current(conn, cid), base, standalone=False)
    if len(_html_cache) > 64:
        _html_cache.clear()
    _html_cache[(cid, base)] = (stamp, html)
    return html


def edit(conn: sqlite3.Connection, key: str | int, edits: dict[str, str], actor: str, note: str = "") -> dict:
    c = get(conn, key)
    report = store.report(conn, c.id)
    if report is None:
        raise ConsultError("no report yet: generate the draft first")
    body = {k: v for k, v in report.items() if k not in ("edited", "updated_by", "updated_at")}
    store.save_report(conn, c.id, synthesis.apply_edits(body, edits, note), actor, edited=True)
    return store.report(conn, c.id)


def export(conn: sqlite3.Connection, key: str | int, fmt: str, base: str = "") -> tuple[bytes, str, str]:
    """(content, content type, file name) of the report in ``fmt`` (html, md, pdf, docx)."""
    if fmt not in FORMATS:
        raise ConsultError(f"format: one of {', '.join(FORMATS)}")
    c = get(conn, key)
    report = store.report(conn, c.id)
    if report is None:
        raise ConsultError("no report yet: generate the draft first")
    if fmt == "html":
        data = writers.to_html(report, base).encode()
    elif fmt == "md":
        data = writers.to_markdown(report, base).encode()
    elif fmt == "pdf":
        data = writers.to_pdf(report, base)
    else:
        data = writers.to_docx(report, base)
    return data, FORMATS[fmt], f"{c.slug}-report.{fmt}"


def submissions_json(conn: sqlite3.Connection, key: str | int) -> dict:
    public = public_submissions(conn, key)
    c = public["consultation"]
    return {"consultation": {"slug": c.slug, "title": c.title, "phase": c.phase},
            "questions": [{"id": q.id, "seq": q.seq, "kind": q.kind, "prompt": q.prompt} for q in c.questions],
            "submissions": [{"id": s["id"], "by": s["label"], "submitter_type": s["submitter_type"],
                             "country": s["country"], "city": s["city"], "submitted_at": s["submitted_at"],
                             "answers": {str(q): a for q, a in s["answers"].items()},
                             "attachments": s["attachments"]} for s in public["submissions"]]}


def submissions_csv(conn: sqlite3.Connection, key: str | int) -> str:
    data = submissions_json(conn, key)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    questions = data["questions"]
    writer.writerow(["id", "by", "submitter_type", "country", "city", "submitted_at",
                     *[f"Q{q['seq']}" for q in questions], "attachments"])
    for s in data["submissions"]:
        cells = []
        for q in questions:
            a = s["answers"].get(str(q["id"]))
            value = "" if a is None or a["value"] in (None, {}) else json.dumps(a["value"], ensure_ascii=False)
            cells.append(" | ".join(x for x in ((a or {}).get("text", ""), value) if x))
        writer.writerow([s["id"], s["by"], s["submitter_type"], s["country"], s["city"], s["submitted_at"], *cells,
                         "\n\n".join(s["attachments"])])
    return _csv_safe(buf.getvalue())


def _csv_safe(text: str) -> str:
    """Cells starting with = + - @ are prefixed with ' so spreadsheets do not run them as formulas."""
    rows = list(csv.reader(io.StringIO(text)))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for row in rows:
        writer.writerow(["'" + c if c[:1] in ("=", "+", "-", "@") else c for c in row])
    return buf.getvalue()


def polis_export(conn: sqlite3.Connection, key: str | int) -> dict[str, str]:
    """The published votes of a consultation as Pol.is files: comments.csv, votes.csv, participants-votes.csv."""
    c = get(conn, key)
    texts = {str(k): v for k, v in store.statement_texts(conn, c.id).items()}
    votes = [opinion_math.Vote(p, str(s), v) for p, s, v in store.published_votes(conn, c.id)]
    comments = [polis_csv.Comment(sid, "", text, 1) for sid, text in sorted(texts.items(), key=lambda t: int(t[0]))]
    groups, _ = opinion_groups(conn, c.id)
    return {"comments.csv": polis_csv.write_comments(comments, votes), "votes.csv": polis_csv.write_votes(votes),
            "participants-votes.csv": polis_csv.write_participants(votes, [x.id for x in comments], groups)}
