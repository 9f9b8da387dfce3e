"""API routes of the connect feature, authenticated like the rest of the API: the curated practice library (read,
submit, review), the research library (search, export, import), city profiles, peer-exchange requests, experts and
declarations. No route answers an expert's or a contact's e-mail address unless its owner agreed to show it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from django.conf import settings
from django.http import HttpResponse
from ninja import Field, File, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from migrahub.connect.references import BibliographyError
from migrahub.services.connect import cities, declarations, peers, practices
from migrahub.services.connect import library as research
from migrahub.services.documents import reader

READ = "web.view_document"
SUBMIT = "connect.submit_practice"
CURATE = "connect.curate_practice"
EXPORT_TYPES = {"csl-json": "application/vnd.citationstyles.csl+json", "ris": "application/x-research-info-systems",
                "bibtex": "application/x-bibtex"}


def _conn():
    return reader(settings.MIGRAHUB_DB)


def _user(request):
    return request.auth if request.auth != "anonymous" else None


def _name(request) -> str | None:
    user = _user(request)
    return user.get_username() if user is not None else None


def _curator(request) -> bool:
    user = _user(request)
    return bool(user and user.has_perm(CURATE))


def _practice(p) -> dict:
    return {"id": p.id, "state": p.state, "version": p.version, "owner": p.owner, "published_at": p.published_at,
            "city_id": p.city_id, "country_name": p.country_name, "themes": p.theme_names, **p.record.as_dict()}


class PracticeIn(Schema):
    title: str = Field(..., max_length=300)
    city: str = ""
    country: str = Field("", description="ISO 3166-1 alpha-2 code")
    organisations: list[str] = []
    period_start: int | None = None
    period_end: int | None = None
    target_groups: list[str] = []
    legal_status: list[str] = []
    policy_areas: list[str] = []
    summary: str = ""
    goals: str = ""
    activities: str = ""
    outcomes: str = ""
    evaluation: str = "not-evaluated"
    resources: str = ""
    responsible_office: str = ""
    licence: str = "CC-BY-4.0"
    submit: bool = Field(False, description="Submit for review at once (else a draft)")


class ActionIn(Schema):
    action: Literal["submit", "publish", "return", "withdraw"]
    note: str = ""


class RequestIn(Schema):
    challenge: str = Field(..., max_length=5000)
    themes: list[str] = []
    languages: list[str] = []
    country: str = ""
    city: str = Field("", description="The requester's city (a name the hub knows)")


def router(read_auth: list, write_auth: list, require: Callable) -> Router:
    """The connect routes (``require(request, perm)`` raises 401/403)."""
    r = Router(tags=["connect"])

    @r.get("/connect/practices", auth=read_auth, summary="Published curated practices, filtered")
    def practice_list(request, theme: str = "", country: str = "", city: int | None = None, group: str = "",
                      evaluation: str = "", year: int | None = None, q: str = ""):
        require(request, READ)
        lib = practices.library(_conn(), theme=theme or None, country=country.upper() or None, city=city,
                                group=group or None, evaluation=evaluation or None, year=year, q=q[:200])
        return {"count": len(lib["practices"]), "items": [_practice(p) for p in lib["practices"]],
                "facets": lib["facets"]}

    @r.get("/connect/practices/{record_id}", auth=read_auth, summary="A practice with its versions and comments")
    def practice_detail(request, record_id: int):
        require(request, READ)
        try:
            found = practices.view(_conn(), record_id, _name(request), _curator(request))
        except practices.PracticeError as exc:
            raise HttpError(404, str(exc)) from None
        return {**_practice(found["practice"]), "sources": found["sources"], "versions": found["versions"],
                "comments": found["comments"]}

    @r.post("/connect/practices", auth=write_auth, summary="Submit a practice (a draft, or for review)")
    def practice_create(request, body: PracticeIn):
        require(request, SUBMIT)
        fields = body.dict()
        submit = fields.pop("submit")
        try:
            rid = practices.create(_conn(), fields, _name(request), submit=submit)
        except practices.PracticeError as exc:
            raise HttpError(400, str(exc)) from None
        return {"id": rid, "state": "submitted" if submit else "draft"}

    @r.post("/connect/practices/{record_id}/actions", auth=write_auth, summary="Submit, publish, return, withdraw")
    def practice_act(request, record_id: int, body: ActionIn):
        require(request, SUBMIT)
        try:
            state = practices.act(_conn(), record_id, body.action, _name(request), curator=_curator(request),
                                  note=body.note)
        except practices.PracticeError as exc:
            raise HttpError(400, str(exc)) from None
        return {"id": record_id, "state": state}

    @r.get("/connect/resources", auth=read_auth, summary="The research library, searched")
    def resource_list(request, q: str = "", place: str = "", theme: str = "", limit: int = 25, offset: int = 0):
        require(request, READ)
        limit, offset = min(max(limit, 1), 200), max(offset, 0)
        c = _conn()
        research.sync_extracted(c)
        total, rows = research.search(c, q[:300], place=place or None, theme=theme or None, limit=limit,
                                      offset=offset)
        return {"count": total, "items": [{"id": rid, **ref.as_dict()} for rid, ref in rows]}

    @r.get("/connect/resources/export", auth=read_auth, summary="Export as CSL-JSON, RIS or BibTeX")
    def resource_export(request, format: Literal["csl-json", "ris", "bibtex"], q: str = ""):  # noqa: A002
        require(request, READ)
        c = _conn()
        research.sync_extracted(c)
        text, _count = research.export(c, format, query=q[:300])
        return HttpResponse(text, content_type=f"{EXPORT_TYPES[format]}; charset=utf-8")

    @r.post("/connect/resources/import", auth=write_auth, summary="Import a CSL-JSON, RIS or BibTeX file")
    def resource_import(request, file: UploadedFile = File(...)):  # noqa: B008
        require(request, CURATE)
        if file.size > research.reading.MAX_BYTES:
            raise HttpError(413, f"{file.name}: over the limit of {research.reading.MAX_BYTES:,} bytes")
        try:
            return research.import_bytes(_conn(), file.read(), file.name, _name(request)).as_dict()
        except BibliographyError as exc:
            raise HttpError(400, f"{exc} (nothing was imported)") from None

    @r.get("/connect/cities/{city_id}", auth=read_auth, summary="A city's profile: practices, peers, declarations")
    def city(request, city_id: int):
        require(request, READ)
        found = cities.profile(_conn(), city_id)
        if found is None:
            raise HttpError(404, f"no city {city_id}")
        found["practices"] = [_practice(p) for p in found["practices"]]
        return found

    @r.post("/connect/peer-requests", auth=write_auth, summary="Ask for peers: ranked matches with their evidence")
    def request_create(request, body: RequestIn):
        require(request, SUBMIT)
        try:
            rid = peers.create_request(_conn(), body.dict(), _name(request))
        except peers.PeerError as exc:
            raise HttpError(400, str(exc)) from None
        return peers.view_request(_conn(), rid, _name(request), _curator(request))

    @r.get("/connect/peer-requests/{request_id}", auth=write_auth, summary="A request (its requester, curators)")
    def request_detail(request, request_id: int):
        require(request, SUBMIT)
        try:
            return peers.view_request(_conn(), request_id, _name(request), _curator(request))
        except peers.PeerError as exc:
            raise HttpError(404, str(exc)) from None

    @r.get("/connect/experts", auth=read_auth, summary="Experts who opted in (addresses only with consent)")
    def expert_list(request):
        require(request, READ)
        return peers.public_experts(_conn())

    @r.get("/connect/declarations", auth=read_auth, summary="Declarations, charters and pledges")
    def declaration_list(request):
        require(request, READ)
        return declarations.listing(_conn())

    @r.get("/connect/declarations/{declaration_id}", auth=read_auth, summary="A declaration and its signatories")
    def declaration_detail(request, declaration_id: int):
        require(request, READ)
        found = declarations.view(_conn(), declaration_id)
        if found is None:
            raise HttpError(404, f"no declaration {declaration_id}")
        return found

    return r
