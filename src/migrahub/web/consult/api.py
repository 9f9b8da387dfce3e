"""API routes of the consult feature, authenticated like the rest of the API.

Reads (consultations, published submissions — redacted —, the report once published, opinion groups, incident
aggregates) follow the hub's read rule; submitting needs a token or a signed-in session; moderation needs
``consult.moderate_consultation``, report generation ``consult.organise_consultation``. Hidden, rejected and
pending submissions never appear in any answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpResponse
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from migrahub.consult.model import ConsultError
from migrahub.services.consult import consultations as service
from migrahub.services.consult import incidents, reports
from migrahub.services.documents import reader

READ_PERM = "web.view_document"
ORGANISE = "consult.organise_consultation"
MODERATE = "consult.moderate_consultation"


class SubmissionIn(Schema):
    fields: dict[str, str] = Field(..., description="form fields: submitter_type, organisation, country, city, "
                                                    "consent, q<question id>, q<id>_pro/_con, s<statement id> …")
    final: bool = Field(True, description="false saves a draft")
    receipt: str = Field("", max_length=100, description="continue the draft with this receipt")


class ModerationIn(Schema):
    action: str = Field(..., description="approve, hide, reject, restore or note")
    note: str = Field("", max_length=2000)


def _conn():
    return reader(settings.MIGRAHUB_DB)


def _user(request):
    return request.auth if request.auth != "anonymous" else None


def _consultation(request, slug: str):
    try:
        c = service.get(_conn(), slug)
    except ConsultError:
        raise HttpError(404, "no such consultation") from None
    user = _user(request)
    if c.phase == "draft" and not (user and user.has_perm(ORGANISE)):
        raise HttpError(404, "no such consultation")
    return c


def router(read_auth: list, write_auth: list, require: Callable) -> Router:
    """The consult routes (``require(request, perm)`` raises 401/403)."""
    r = Router(tags=["consult"])

    @r.get("/consult/consultations", auth=read_auth, summary="Consultations (open, closed and published)")
    def consultations(request):
        require(request, READ_PERM)
        user = _user(request)
        return service.listing(_conn(), organiser=bool(user and user.has_perm(ORGANISE)))

    @r.get("/consult/consultations/{slug}", auth=read_auth, summary="A consultation and its questions")
    def consultation(request, slug: str):
        require(request, READ_PERM)
        c = _consultation(request, slug)
        return {"slug": c.slug, "title": c.title, "description": c.description, "phase": c.phase, "dates": c.dates,
                "languages": list(c.languages), "submitter_types": list(c.submitter_types), "access": c.access,
                "consent_text": c.consent_text,
                "questions": [{"id": q.id, "seq": q.seq, "kind": q.kind, "prompt": q.prompt, "options": list(q.options),
                               "statements": [{"id": s, "text": t} for s, t in q.statements]} for q in c.questions]}

    @r.post("/consult/consultations/{slug}/submissions", auth=write_auth, summary="Submit (or save a draft)")
    def submit(request, slug: str, payload: SubmissionIn):
        c = _consultation(request, slug)
        reason = service.may_answer(c, signed_in=True, invite=payload.fields.get("invite", ""))
        if reason:
            raise HttpError(403, reason)
        try:
            return service.submit(_conn(), c.id, payload.fields, final=payload.final, receipt=payload.receipt,
                                  account=request.auth.get_username(), source="api")
        except ConsultError as exc:
            raise HttpError(400, str(exc)) from None

    @r.get("/consult/consultations/{slug}/submissions", auth=read_auth, summary="Published submissions (redacted)")
    def submissions(request, slug: str):
        require(request, READ_PERM)
        return reports.submissions_json(_conn(), _consultation(request, slug).id)

    @r.get("/consult/consultations/{slug}/report", auth=read_auth, summary="The synthesis report")
    def report(request, slug: str):
        require(request, READ_PERM)
        c = _consultation(request, slug)
        user = _user(request)
        if c.phase != "published" and not (user and user.has_perm(ORGANISE)):
            raise HttpError(403, "the report is not published yet")
        current = reports.current(_conn(), c.id)
        if current is None:
            raise HttpError(404, "no report yet")
        return current

    @r.post("/consult/consultations/{slug}/report", auth=write_auth, summary="Generate the draft report")
    def generate(request, slug: str):
        require(request, ORGANISE)
        c = _consultation(request, slug)
        return reports.generate(_conn(), c.id, request.auth.get_username())

    @r.get("/consult/consultations/{slug}/opinion-groups", auth=read_auth, summary="Opinion groups from the votes")
    def opinion(request, slug: str):
        require(request, READ_PERM)
        c = _consultation(request, slug)
        result, texts = reports.opinion_groups(_conn(), c.id)
        if result is None:
            return {"groups": {}, "consensus": [], "representative": {}, "statements": texts}
        return HttpResponse(_encoded_groups(c.id, result, texts), content_type="application/json")

    @r.post("/consult/submissions/{submission_id}/moderation", auth=write_auth, summary="Moderate a submission")
    def moderate(request, submission_id: int, payload: ModerationIn):
        require(request, MODERATE)
        try:
            return service.moderate(_conn(), submission_id, payload.action, request.auth.get_username(), payload.note)
        except ConsultError as exc:
            raise HttpError(400, str(exc)) from None

    @r.get("/incidents", auth=read_auth, summary="Reviewed incident reports counted by place, type and month")
    def incident_counts(request):
        require(request, READ_PERM)
        return incidents.aggregates(_conn())

    return r


_ENCODED: dict[int, tuple[object, bytes]] = {}  # consultation id -> (its groups, their JSON): encoded once per state


def _encoded_groups(consultation_id: int, result, texts: dict) -> bytes:
    """The opinion groups as JSON, encoded once per computed result (the groups of 10,000 participants take 20 ms
    to encode, ten times the rest of the request)."""
    from migrahub.services.consult.polis import as_json

    cached = _ENCODED.get(consultation_id)
    if cached is None or cached[0] is not result:
        if len(_ENCODED) > 32:
            _ENCODED.clear()
        body = json.dumps(as_json(result) | {"statements": texts}, ensure_ascii=False).encode("utf-8")
        _ENCODED[consultation_id] = cached = (result, body)
    return cached[1]
