"""The REST API at ``/api/`` (django-ninja). OpenAPI schema at ``/api/openapi.json``; no Swagger page (it would load
its scripts from a CDN).

Authentication: ``Authorization: Bearer mh_…`` (``migrahub token create USER``), or the browser session (CSRF
checked on writes). Reads are open to anonymous callers while ``MIGRAHUB_ANONYMOUS_READ`` is on; ingest, entity
edits (``api_entities``) and codebook loads (``api_coding``) need the curator role. A call without valid credentials
answers 401 with ``WWW-Authenticate: Bearer``; a signed-in caller without the role, or a session write without its
CSRF token, 403.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from django.conf import settings
from ninja import Field, File, NinjaAPI, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.files import UploadedFile
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer

from migrahub import __version__, safeload
from migrahub.services import documents as docs
from migrahub.services import hub
from migrahub.services.intake import IntakeError, check_url, ingest_for, store_upload
from migrahub.store.search import QueryError
from migrahub.web import accounts, api_coding, api_entities
from migrahub.web.compare import api as compare_api
from migrahub.web.connect import api as connect_api
from migrahub.web.consult import api as consult_api
from migrahub.web.jobs import api as jobs_api
from migrahub.web.middleware import WWW_AUTHENTICATE
from migrahub.web.monitor import api as monitor_api
from migrahub.web.roles import role_of

DocType = Literal["txt", "md", "html", "pdf", "docx", "feed-item", "page"]


class TokenAuth(HttpBearer):
    openapi_description = "An API token from `migrahub token create USER` (sent as `Authorization: Bearer mh_…`)."

    def authenticate(self, request, token):
        user = accounts.user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser session of a signed-in user, CSRF-checked on writes. Without a signed-in session this scheme does
    not apply at all (no CSRF check), so a caller without credentials gets 401, not a CSRF 403."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = "The session cookie of a signed-in browser (writes also need the CSRF token)."

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        return request.user if request.user.is_authenticated else None


def anonymous(request):
    """Lets unauthenticated callers read while anonymous read access is on."""
    return "anonymous" if settings.MIGRAHUB_ANONYMOUS_READ else None


class BoundedParser(Parser):
    """JSON bodies parsed with a depth limit (:mod:`migrahub.safeload`): a deeply nested body is a 400, not a 500."""

    def parse_body(self, request):
        try:
            return safeload.load_json(request.body, "request body", max_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        except safeload.InputError as exc:
            raise HttpError(400, str(exc)) from exc


READ = [TokenAuth(), SessionAuth(), anonymous]
WRITE = [TokenAuth(), SessionAuth()]

api = NinjaAPI(title="MigraHub API", version=__version__, docs_url=None, urls_namespace="api", parser=BoundedParser(),
               description="Read the hub's documents, passages, sources, statistics and entity records; search with "
                           "the same filters as the web pages; curators can ingest URLs and files, edit, merge and "
                           "split records and load codebooks.")


def _unauthorized(request, detail: str):
    response = api.create_response(request, {"detail": detail}, status=401)
    response["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response


@api.exception_handler(AuthenticationError)
def _no_credentials(request, exc):
    return _unauthorized(request, "sign in or send an API token")


@api.exception_handler(HttpError)
def _http_error(request, exc):
    if exc.status_code == 401:
        return _unauthorized(request, str(exc))
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def _user(request):
    return request.auth if request.auth != "anonymous" else None


def _require(request, perm: str) -> None:
    user = _user(request)
    if user is None:
        if perm == "web.view_document" and settings.MIGRAHUB_ANONYMOUS_READ:
            return
        raise HttpError(401, "sign in or send an API token")
    if not user.has_perm(perm):
        raise HttpError(403, f"your role ({role_of(user) or 'none'}) does not allow this")


def _conn():
    return docs.reader(settings.MIGRAHUB_DB)


class Filters(Schema):
    q: str = Field("", description="Words, \"phrases\", AND/OR/NOT, prefix*; empty lists documents", max_length=500)
    lang: str | None = Field(None, description="ISO 639-1 language code", max_length=8)
    type: DocType | None = None
    source: str | None = Field(None, description="part of a source's path or URL", max_length=2000)
    year_from: int | None = Field(None, alias="from", ge=1000, le=2999)
    year_to: int | None = Field(None, alias="to", ge=1000, le=2999)
    country: str | None = Field(None, description="ISO 3166 country code: documents mentioning a place in it",
                                min_length=2, max_length=2, pattern="^[A-Za-z]{2}$")
    place: int | None = Field(None, description="a place record's id: documents mentioning it", ge=1)
    org: int | None = Field(None, description="an organisation record's id: documents mentioning it", ge=1)
    initiative: int | None = Field(None, description="an initiative record's id: documents mentioning it", ge=1)
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)

    def query(self) -> docs.Query:
        return docs.Query(q=self.q.strip(), language=(self.lang or "").lower() or None, doc_type=self.type,
                          source=self.source or None, year_from=self.year_from, year_to=self.year_to,
                          country=self.country.upper() if self.country else None, place=self.place,
                          organisation=self.org, initiative=self.initiative)


class Page(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


class DocumentOut(Schema):
    id: int
    title: str | None
    published: str | None
    language: str | None
    type: str = Field(..., alias="doc_type")
    content_type: str
    source_kind: str
    author: str | None
    url: str | None
    summary: str | None
    created_at: str


class DocumentList(Schema):
    count: int
    limit: int
    offset: int
    items: list[DocumentOut]


class LinkOut(Schema):
    locator: str
    source: str
    source_kind: str
    first_seen: str
    last_seen: str
    current: bool


class DocumentDetail(DocumentOut):
    story_id: int | None
    supersedes_id: int | None
    superseded: bool
    newer_version: int | None
    provenance: list[str]
    content_hash: str
    chars: int
    passages: int
    links: list[LinkOut]


class PassageOut(Schema):
    id: int
    document_id: int
    seq: int
    start: int
    end: int
    kind: str
    section: list[str]
    text: str


class PassageList(Schema):
    count: int
    limit: int
    offset: int
    items: list[PassageOut]


class HitOut(Schema):
    passage_id: int
    document_id: int
    title: str | None
    snippet: str
    highlights: list[list[int]]
    start: int
    end: int
    section: list[str]
    score: float = Field(..., description="BM25, higher is better; 0 when every word was too common to rank by "
                                          "(the newest matches first, exact phrases first)")
    language: str | None
    type: str
    published: str | None
    url: str | None
    sources: list[str]
    ranked_within: int | None = Field(None, description="set when more passages matched: ranked among this many "
                                                        "newest matches")


class FacetValueOut(Schema):
    value: str
    count: int


class SearchOut(Schema):
    count: int = Field(..., description="matching passages; when more than 2,000 match, 2,000 and `exact` false")
    exact: bool = Field(True, description="false: more passages match than `count` (the newest 2,000 are ranked "
                                          "and their documents counted in the facets)")
    documents: int | None = Field(..., description="documents of the matching passages (null when not `exact`)")
    limit: int
    offset: int
    items: list[HitOut]
    facets: dict[str, list[FacetValueOut]] | None = None
    equivalents: dict[str, list[str]] = Field({}, description="terms of `q` also searched through their equivalents "
                                                            "(variants, acronyms, other languages); none with "
                                                            "`literal=true`")


class SourceOut(Schema):
    id: int
    locator: str
    kind: str
    fetched_at: str | None
    status: str
    error: str | None
    documents: int


class SourceList(Schema):
    count: int
    limit: int
    offset: int
    items: list[SourceOut]


class IngestIn(Schema):
    url: str = Field(..., description="http(s) URL of a web page, an RSS/Atom feed or an OPML list", max_length=2000)


class IngestOut(Schema):
    run_id: int
    items: int
    added: int
    versions: int
    linked: int
    unchanged: int
    failed: list[dict]


class MeOut(Schema):
    username: str | None
    role: str | None
    can_ingest: bool
    can_code: bool


class Error(Schema):
    detail: str


read = Router(auth=READ, tags=["read"])
write = Router(auth=WRITE, tags=["curate"])


@read.get("/documents", response=DocumentList, summary="List current documents (newest first) under filters")
def list_documents(request, filters: Query[Filters]):
    _require(request, "web.view_document")
    query = replace(filters.query(), q="")  # words belong to /api/search
    conn = _conn()
    _, total = docs.count_matches(conn, query)
    items = docs.browse(conn, query, limit=filters.limit, offset=filters.offset)
    return {"count": total, "limit": filters.limit, "offset": filters.offset, "items": items}


@read.get("/documents/{document_id}", response={200: DocumentDetail, 404: Error}, summary="One document")
def get_document(request, document_id: int):
    _require(request, "web.view_document")
    doc = docs.document(_conn(), document_id)
    if doc is None:
        raise HttpError(404, f"no document {document_id}")
    return {**doc, "passages": len(doc["passages"]), "superseded": bool(doc["superseded"])}


@read.get("/documents/{document_id}/passages", response={200: PassageList, 404: Error},
          summary="A document's passages in reading order")
def list_passages(request, document_id: int, page: Query[Page]):
    _require(request, "web.view_document")
    conn = _conn()
    total = docs.passage_count(conn, document_id)
    if not total and docs.document(conn, document_id) is None:
        raise HttpError(404, f"no document {document_id}")
    return {"count": total, "limit": page.limit, "offset": page.offset,
            "items": docs.passages(conn, document_id, page.limit, page.offset)}


@read.get("/search", response={200: SearchOut, 400: Error}, summary="Search passages (BM25) with filters")
def search(request, filters: Query[Filters], facets: bool = False, literal: bool = False):
    _require(request, "web.view_document")
    query = filters.query()
    if not query.q:
        raise HttpError(400, "give words to search for in `q` (or list documents at /api/documents)")
    conn = _conn()
    query, expansion = docs.expanded(conn, query, literal=literal)
    try:  # one window of matches for the totals, the facets and the ranking, as on the search page
        counts = docs.result_counts(conn, query, with_facets=facets)
        hits = docs.search(conn, query, limit=filters.limit, offset=filters.offset, counts=counts)
    except QueryError as exc:
        raise HttpError(400, str(exc)) from exc
    items = [{**h.as_dict(), "section": docs.section_list(h.section)} for h in hits]
    return {"count": counts.passages, "exact": counts.exact, "documents": counts.documents if counts.exact else None,
            "limit": filters.limit, "offset": filters.offset, "items": items,
            "facets": {k: [{"value": v, "count": n} for v, n in vals] for k, vals in counts.facets.items()}
            if facets else None, "equivalents": {term: list(others) for term, others in expansion.used}}


@read.get("/sources", response=SourceList, summary="Sources with their status and number of documents")
def list_sources(request, page: Query[Page]):
    _require(request, "web.view_document")
    conn = _conn()
    return {"count": docs.source_count(conn), "limit": page.limit, "offset": page.offset,
            "items": docs.source_list(conn, page.limit, page.offset)}


@read.get("/stats", summary="Counts of documents, passages, sources, languages, types, years and failures")
def stats(request):
    _require(request, "web.view_document")
    data = hub.stats(settings.MIGRAHUB_DB)
    data["years"] = dict(docs.year_counts(_conn()))
    return data


@read.get("/me", response=MeOut, summary="Who the request is authenticated as")
def me(request):
    user = _user(request)
    return {"username": user.get_username() if user else None, "role": role_of(user) if user else None,
            "can_ingest": bool(user and user.has_perm("web.ingest_document")),
            "can_code": bool(user and user.has_perm("web.code_document"))}


def _ingest(request, targets: list[str]):
    summary = ingest_for(settings.MIGRAHUB_DB, request.auth.get_username(), targets)
    from django.core.cache import cache

    cache.clear()  # cached counts, networks and charts now miss the new documents
    data = summary.as_dict()
    return {k: data[k] for k in ("run_id", "items", "added", "versions", "linked", "unchanged", "failed")}


@write.post("/ingest", response={200: IngestOut, 400: Error, 403: Error}, summary="Ingest a URL (curators)")
def ingest_url(request, body: IngestIn):
    _require(request, "web.ingest_document")
    try:
        return _ingest(request, [check_url(body.url)])
    except IntakeError as exc:
        raise HttpError(400, str(exc)) from exc


@write.post("/ingest/upload", response={200: IngestOut, 400: Error, 403: Error},
            summary="Ingest an uploaded file (curators)")
def ingest_upload(request, file: File[UploadedFile]):
    _require(request, "web.ingest_document")
    try:
        path = store_upload(settings.MIGRAHUB_UPLOAD_DIR, file.name, file.chunks(), settings.MIGRAHUB_UPLOAD_MAX_BYTES)
    except IntakeError as exc:
        raise HttpError(400, str(exc)) from exc
    return _ingest(request, [str(path)])


@read.get("/network", summary="The network of cities, initiatives and organisations (nodes, edges with passage ids)")
def network_graph(request, min_weight: int = Query(1, ge=1, le=1000), max_nodes: int = Query(150, ge=1, le=2000),
                  format: Literal["json", "graphml", "gexf"] = "json"):
    _require(request, "web.view_document")
    from datetime import UTC, datetime

    from django.http import HttpResponse

    from migrahub.services import network
    from migrahub.web.views.library import _graph

    graph = _graph(min_weight, max_nodes)
    if format == "graphml":
        return HttpResponse(network.to_graphml(graph), content_type="application/graphml+xml; charset=utf-8")
    if format == "gexf":
        return HttpResponse(network.to_gexf(graph, generated=datetime.now(UTC).date().isoformat()),
                            content_type="application/gexf+xml; charset=utf-8")
    return network.to_json(graph)


@read.get("/practices", summary="Good-practice records with their passages, filterable like the practice library")
def list_practices(request, country: str | None = Query(None, max_length=2), city: int | None = None,
                   group: str | None = Query(None, max_length=40), theme: str | None = Query(None, max_length=100),
                   limit: int = Query(25, ge=1, le=200), offset: int = Query(0, ge=0)):
    _require(request, "web.view_document")
    from dataclasses import asdict

    from migrahub.services import practices

    lib = practices.library(_conn(), country=(country or "").upper() or None, city=city, group=group, theme=theme,
                            limit=limit, offset=offset)
    return {"count": lib.total, "limit": limit, "offset": offset, "items": [asdict(p) for p in lib.practices],
            "facets": {"country": lib.countries, "city": lib.cities, "group": lib.groups, "theme": lib.themes}}


@read.get("/events", summary="Event records in date order (partial ISO dates), with their passages")
def list_events(request, year: int | None = Query(None, ge=1000, le=2999),
                country: str | None = Query(None, max_length=2)):
    _require(request, "web.view_document")
    from dataclasses import asdict

    from migrahub.services import events

    items = events.events(_conn(), year=year, country=country)
    return {"count": len(items), "items": [asdict(e) for e in items]}


api.add_router("/", read)
api.add_router("/", write)
api.add_router("/", api_coding.router(READ, WRITE, _require))
api.add_router("/", api_entities.router(READ, WRITE, _require))
for _feature in (monitor_api, consult_api, compare_api, connect_api, jobs_api):
    api.add_router("/", _feature.router(READ, WRITE, _require))
