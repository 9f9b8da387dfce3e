"""The records of a consultation: what the organiser sets up and what a submitter sends (frozen dataclasses), and
the pure checks that turn a submitter's form fields into a :class:`SubmissionInput` or a list of field errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PHASES = ("draft", "open", "closed", "published")
KINDS = ("text", "choice", "scale", "procon", "statements")
KIND_LABELS = {"text": "Free text", "choice": "Choice", "scale": "Scale", "procon": "Pro and con points",
               "statements": "Statements to vote on (agree / disagree / pass)"}
SUBMITTER_TYPES = ("organisation", "city", "individual", "anonymous")
ACCESS = ("public", "link", "signed_in")
MODERATION = ("pre", "post")
VOTES = {"agree": 1, "disagree": -1, "pass": 0}
MAX_ANSWER_CHARS = 20_000
MAX_FIELD_CHARS = 300
SLUG_RE = re.compile(r"[^a-z0-9]+")


class ConsultError(ValueError):
    """A consultation, submission or import cannot be accepted; the message names the field (or row) and why."""


@dataclass(frozen=True)
class Question:
    id: int
    seq: int
    kind: str
    prompt: str
    options: tuple = ()
    required: bool = False
    statements: tuple[tuple[int, str], ...] = ()  # (statement id, text) for kind "statements"


@dataclass(frozen=True)
class Consultation:
    id: int
    slug: str
    title: str
    description: str
    languages: tuple[str, ...]
    phase: str
    dates: dict
    submitter_types: tuple[str, ...]
    consent_text: str
    access: str
    invite_token: str
    moderation: str
    report_limit: int
    retention_days: int
    created_by: str
    created_at: str
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True)
class SubmissionInput:
    """A submission as the submitter sent it (before redaction)."""

    submitter_type: str
    answers: dict[int, str]                     # question id → text
    values: dict[int, object] = field(default_factory=dict)  # question id → choice / scale point / {"pro","con"}
    votes: dict[int, int] = field(default_factory=dict)      # statement id → 1 / -1 / 0
    organisation: str = ""
    org_type: str = ""
    country: str = ""
    city: str = ""
    contact_name: str = ""
    contact_email: str = ""
    consent: bool = False
    language: str = ""


def slugify(title: str) -> str:
    return SLUG_RE.sub("-", title.casefold()).strip("-")[:60] or "consultation"


def _clean(value, name: str, limit: int = MAX_FIELD_CHARS) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if len(text) > limit:
        raise ConsultError(f"{name}: longer than {limit} characters ({len(text)})")
    return text


def parse_question(kind: str, prompt: str, options: str = "", seq: int = 1) -> tuple[str, str, tuple]:
    """A question's kind, prompt and options from an organiser's fields (options: one per line)."""
    kind = (kind or "text").strip()
    if kind not in KINDS:
        raise ConsultError(f"question {seq}, field kind: {kind!r} is not one of {', '.join(KINDS)}")
    prompt = _clean(prompt, f"question {seq}, field prompt", 2000)
    if not prompt:
        raise ConsultError(f"question {seq}, field prompt: empty")
    lines = tuple(line.strip() for line in (options or "").splitlines() if line.strip())
    if kind == "choice" and len(lines) < 2:
        raise ConsultError(f"question {seq}, field options: a choice needs at least two options, one per line")
    if kind == "scale":
        lines = lines or ("1", "5")
        if len(lines) != 2 or not all(x.lstrip("-").isdigit() for x in lines) or int(lines[0]) >= int(lines[1]):
            raise ConsultError(f"question {seq}, field options: a scale needs two whole numbers, low then high")
    return kind, prompt, lines


def check_submission(consultation: Consultation, fields: dict, *, final: bool) -> SubmissionInput:
    """A submission from form-like ``fields`` (``q<id>``, ``q<id>_pro``, ``q<id>_con``, ``s<statement id>``,
    submitter fields); raises :class:`ConsultError` listing every field in error. A draft (``final`` false) is
    not held to required answers and consent."""
    errors: list[str] = []
    stype = str(fields.get("submitter_type") or "").strip()
    if stype not in consultation.submitter_types:
        errors.append(f"submitter_type: choose one of {', '.join(consultation.submitter_types)}")
    answers: dict[int, str] = {}
    values: dict[int, object] = {}
    votes: dict[int, int] = {}
    for q in consultation.questions:
        key = f"q{q.id}"
        try:
            _read_answer(q, key, fields, answers, values, votes)
        except ConsultError as exc:
            errors.append(str(exc))
        if final and q.required and not answers.get(q.id) and values.get(q.id) in (None, "", {}):
            errors.append(f"{key}: question {q.seq} needs an answer")
    org = ""
    try:
        org = _clean(fields.get("organisation"), "organisation")
        person = {k: _clean(fields.get(k), k) for k in ("org_type", "country", "city", "contact_name",
                                                         "contact_email", "language")}
    except ConsultError as exc:
        errors.append(str(exc))
        person = {}
    if final and stype in ("organisation", "city") and not org:
        errors.append(f"organisation: the name of the {'city' if stype == 'city' else 'organisation'} is needed")
    consent = str(fields.get("consent") or "").lower() in ("1", "on", "yes", "true")
    if final and consultation.consent_text and not consent:
        errors.append("consent: please agree to the consent text to submit")
    if errors:
        raise ConsultError("; ".join(errors))
    if stype == "anonymous":
        keep = {"country": person.get("country", ""), "city": person.get("city", "")}
        org, person = "", {k: "" for k in person} | keep
    return SubmissionInput(stype, answers, values, votes, organisation=org, consent=consent, **person)


def _read_answer(q: Question, key: str, fields: dict, answers: dict, values: dict, votes: dict) -> None:
    if q.kind == "text":
        answers[q.id] = _clean(fields.get(key), key, MAX_ANSWER_CHARS)
    elif q.kind == "choice":
        choice = _clean(fields.get(key), key)
        if choice and choice not in q.options:
            raise ConsultError(f"{key}: {choice!r} is not one of the options")
        values[q.id] = choice or None
        answers[q.id] = _clean(fields.get(f"{key}_comment"), f"{key}_comment", MAX_ANSWER_CHARS)
    elif q.kind == "scale":
        raw = _clean(fields.get(key), key)
        low, high = int(q.options[0]), int(q.options[1])
        if raw and (not raw.lstrip("-").isdigit() or not low <= int(raw) <= high):
            raise ConsultError(f"{key}: choose a whole number from {low} to {high}")
        values[q.id] = int(raw) if raw else None
        answers[q.id] = _clean(fields.get(f"{key}_comment"), f"{key}_comment", MAX_ANSWER_CHARS)
    elif q.kind == "procon":
        pro = _clean(fields.get(f"{key}_pro"), f"{key}_pro", MAX_ANSWER_CHARS)
        con = _clean(fields.get(f"{key}_con"), f"{key}_con", MAX_ANSWER_CHARS)
        values[q.id] = {"pro": [x for x in pro.splitlines() if x.strip()], "con": [x for x in con.splitlines()
                                                                                 if x.strip()]}
        answers[q.id] = "\n".join(filter(None, [f"For: {pro}" if pro else "", f"Against: {con}" if con else ""]))
    elif q.kind == "statements":
        for sid, _ in q.statements:
            raw = str(fields.get(f"s{sid}") or "").strip().lower()
            if raw and raw not in VOTES:
                raise ConsultError(f"s{sid}: vote agree, disagree or pass")
            if raw:
                votes[sid] = VOTES[raw]
        answers[q.id] = _clean(fields.get(key), key, MAX_ANSWER_CHARS)
