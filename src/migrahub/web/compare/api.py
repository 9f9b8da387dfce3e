"""API routes of the compare feature, authenticated like the rest of the API: indices, scores and ranks of an
edition, a unit's profile, an indicator's distribution, side-by-side comparison, and (curators) answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from migrahub.compare.model import CompareError
from migrahub.services import compare as service
from migrahub.services.documents import reader

EDIT = "web.change_entity"
READ = "web.view_document"


class AnswerIn(Schema):
    answer: str = Field("", max_length=200, description="option key, number, 'na' (not applicable) or empty")
    source: str = Field("", max_length=2000)
    comment: str = Field("", max_length=5000)
    evidence: list[int] = Field([], max_length=50, description="passage ids of the hub")


class AnswersIn(Schema):
    edition: str = Field(..., max_length=50)
    unit_name: str | None = Field(None, max_length=200)
    country: str | None = Field(None, max_length=2)
    answers: dict[str, AnswerIn]


def _conn():
    return reader(settings.MIGRAHUB_DB)


def _call(fn, *args, status: int = 404, **kwargs):
    try:
        return fn(*args, **kwargs)
    except CompareError as exc:
        raise HttpError(status, str(exc)) from exc


def _profile_json(p: dict) -> dict[str, Any]:
    return {"unit": {k: p["unit"][k] for k in ("code", "name", "kind", "country", "population", "groups")},
            "edition": p["edition"].code, "score": p["score"], "areas": p["areas"],
            "ranks": [{"group": r.group, "rank": r.rank, "of": r.of, "text": str(r)} for r in p["ranks"]],
            "strengths": p["strengths"], "gaps": p["gaps"], "series": p["series"],
            "answers": [{k: a[k] for k in ("indicator", "answer", "value", "status", "source", "comment", "evidence",
                                           "answered_by", "answered_at")} for a in p["answers"]],
            "peer_practices": p["peer_practices"]}


def router(read_auth: list, write_auth: list, require: Callable) -> Router:
    """The compare routes (``require(request, perm)`` raises 401/403)."""
    r = Router(tags=["compare"])

    @r.get("/compare/indices", auth=read_auth, summary="The hub's policy indices")
    def list_indices(request):
        require(request, READ)
        return service.list_indices(_conn())

    @r.get("/compare/indices/{code}/scores", auth=read_auth,
           summary="Scores of every unit at every indicator and aggregate of an edition, and their ranks")
    def scores(request, code: str, edition: str | None = Query(None, max_length=50)):
        require(request, READ)
        return _call(service.scores_json, _conn(), code, edition)

    @r.get("/compare/indices/{code}/units/{unit}", auth=read_auth,
           summary="A unit's profile: scores by area, ranks among peers, strengths and gaps, editions, answers "
                   "with evidence, practices from higher-scoring peers")
    def profile(request, code: str, unit: str, edition: str | None = Query(None, max_length=50)):
        require(request, READ)
        return _profile_json(_call(service.profile, _conn(), code, unit, edition))

    @r.get("/compare/indices/{code}/indicators/{indicator}", auth=read_auth,
           summary="An indicator's (or aggregate's) distribution over the units")
    def indicator(request, code: str, indicator: str, edition: str | None = Query(None, max_length=50)):
        require(request, READ)
        v = _call(service.indicator_view, _conn(), code, indicator, edition)
        return {"code": v["node"].code, "name": v["node"].name, "edition": v["edition"].code,
                "values": [{"unit": u, "score": s} for u, s in v["values"]], "counts": v["counts"],
                "stats": v["stats"]}

    @r.get("/compare/indices/{code}/compare", auth=read_auth, summary="Units side by side at every level")
    def side_by_side(request, code: str, units: list[str] = Query(..., max_length=6),
                     edition: str | None = Query(None, max_length=50)):
        require(request, READ)
        c = _call(service.compare_units, _conn(), code, units, edition)
        return {"edition": c["edition"].code, "units": [u["code"] for u in c["units"]],
                "rows": [{k: row[k] for k in ("code", "name", "level", "scores")} for row in c["rows"]]}

    @r.get("/compare/indices/{code}/units/{unit}/whatif", auth=read_auth,
           summary="A unit's scores and rank if some answers changed (`change=INDICATOR=ANSWER`, repeatable); "
                   "nothing is stored")
    def whatif(request, code: str, unit: str, change: list[str] = Query(..., max_length=50),
               edition: str | None = Query(None, max_length=50)):
        require(request, READ)
        changes = {}
        for c in change:
            if "=" not in c:
                raise HttpError(400, f"change: {c!r} is not INDICATOR=ANSWER")
            key, value = c.split("=", 1)
            changes[key.strip()] = value.strip()
        return _call(service.what_if, _conn(), code, unit, changes, edition, status=400)

    @r.post("/compare/indices/{code}/units/{unit}/answers", auth=write_auth,
            summary="Store a unit's answers (curators): all are checked first and stored in one transaction")
    def answers(request, code: str, unit: str, body: AnswersIn):
        require(request, EDIT)
        values = {k: v.model_dump() for k, v in body.answers.items()}
        return _call(service.set_answers, _conn(), code, body.edition, unit, values, request.auth.get_username(),
                     body.unit_name, body.country, status=400)

    return r
