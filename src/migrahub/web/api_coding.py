"""Coding endpoints of the REST API: codebooks, a document's codings, pending suggestions (read) and coding actions
(coder role). Mounted on the hub's API by :mod:`migrahub.web.api` with its authentication and permission check, so
this module does not import it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from django.conf import settings
from ninja import Field, File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from migrahub.coding.codebook import CODEBOOK_MAX_BYTES, CodebookError
from migrahub.services import coding as coding_service
from migrahub.services import documents as docs
from migrahub.services import workspace


class CodeOut(Schema):
    id: str
    name: str
    description: str
    colour: str | None
    parent: str | None
    leaf: bool
    applied: int = Field(..., description="current applied codings (a category: with its codes')")
    suggested: int


class CodebookOut(Schema):
    name: str
    version: str | None
    language: str | None
    actions: int
    pending: int
    codes: list[CodeOut]


class CodingOut(Schema):
    document_id: int
    start: int = Field(..., description="code-point offset into the document text")
    end: int = Field(..., description="code-point offset, exclusive")
    passage_id: int | None
    code_id: str
    coder: str
    coder_kind: str
    status: str = Field(..., description="applied (a person) or suggested (a machine, pending)")
    confidence: float | None
    since: str


class MemoOut(Schema):
    start: int
    end: int
    passage_id: int | None
    code_id: str | None
    coder: str
    memo: str
    at: str


class DocumentCodingsOut(Schema):
    document_id: int
    codebook: str
    codings: list[CodingOut]
    memos: list[MemoOut]


class SuggestionOut(CodingOut):
    title: str | None
    text: str
    code_name: str


class SuggestionList(Schema):
    codebook: str
    count: int
    limit: int
    offset: int
    items: list[SuggestionOut]


class ActionIn(Schema):
    codebook: str = Field(..., max_length=200)
    passage_id: int
    action: Literal["add", "remove", "accept", "reject", "memo"]
    code: str | None = Field(None, max_length=200)
    start: int | None = Field(None, ge=0, description="code-point offset; default: the passage's start")
    end: int | None = Field(None, ge=1, description="code-point offset, exclusive; default: the passage's end")
    about: str | None = Field(None, max_length=200, description="machine coder of the suggestion (accept/reject)")
    memo: str | None = Field(None, max_length=workspace.MEMO_MAX)


class ActionOut(Schema):
    id: int
    document_id: int
    passage_id: int
    start: int
    end: int


class CodebookLoaded(Schema):
    codebook: str = Field(..., description="its name in the hub")
    codes: int
    leaves: int
    warnings: list[str] = Field(..., description="deviations of a .qdc file that were read anyway or discarded")


class Error(Schema):
    detail: str


def _conn():
    return docs.reader(settings.MIGRAHUB_DB)


def _codebook(conn, name: str | None) -> str:
    try:
        chosen = workspace.choose_codebook(conn, name)
    except workspace.CodingError as exc:
        raise HttpError(404, str(exc)) from exc
    if chosen is None:
        raise HttpError(404, "no codebook in this hub yet")
    return chosen


class AnalysisOut(Schema):
    codebook: str
    kind: str
    columns: list[str] = Field(..., description="the first column labels the rows; the others are codes (frequencies"
                                                ": the dimension, units, then codes) or documents (table)")
    rows: list[list[str | int | float | None]]
    codes: dict[str, str] = Field(..., description="code id → name")


class AgreementRow(Schema):
    code: str
    units: int
    applied: int
    percent: float | None
    kappa: float | None
    alpha: float | None


class AgreementOut(Schema):
    codebook: str
    coders: list[str]
    overall: AgreementRow
    mean_kappa: float | None
    mean_alpha: float | None
    per_code: list[AgreementRow]


def _finite(value):
    """JSON has no NaN: a statistic that cannot be computed is null."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def router(read_auth: list, write_auth: list, require: Callable) -> Router:
    """The coding routes, authenticated like the rest of the API (``require(request, perm)`` raises 401/403)."""
    r = Router(tags=["code"])

    @r.get("/codebooks", response=list[CodebookOut], auth=read_auth, summary="Codebooks with their code trees")
    def list_codebooks(request):
        require(request, "web.view_document")
        conn = _conn()
        out = []
        for meta in workspace.codebooks(conn):
            _, roots = workspace.tree(conn, meta["name"])
            out.append({**meta, "codes": [vars(n) for n in workspace.flatten(roots)]})
        return out

    @r.post("/codebooks", response={200: CodebookLoaded, 400: Error, 403: Error}, auth=write_auth,
            summary="Load a codebook from a YAML or REFI-QDA .qdc file (curators); loading the same name again "
                    "updates it")
    def load_codebook(request, file: File[UploadedFile],
                      name: str | None = Form(None, max_length=200,
                                              description="name in the hub (default: the codebook's own name)")):
        require(request, "web.manage_codebook")
        filename = file.name or "codebook"  # Django keeps only the base name of an uploaded file
        name = (name or "").strip() or None
        if name:
            try:
                coding_service.check_codebook_name(name)
            except CodebookError as exc:
                raise HttpError(400, str(exc)) from exc
        if file.size is not None and file.size > CODEBOOK_MAX_BYTES:
            raise HttpError(400, f"file: {filename} is larger than {CODEBOOK_MAX_BYTES // (1024 * 1024)} MB")
        try:
            return coding_service.load_codebook_upload(settings.MIGRAHUB_DB, filename, file.read(), name,
                                                       actor=request.auth.get_username())
        except CodebookError as exc:
            raise HttpError(400, f"file: {exc}") from exc

    @r.get("/documents/{document_id}/codings", response={200: DocumentCodingsOut, 404: Error}, auth=read_auth,
           summary="Current codings (applied and suggested) and memos of a document")
    def document_codings(request, document_id: int, codebook: str | None = Query(None, max_length=200)):
        require(request, "web.view_document")
        conn = _conn()
        name = _codebook(conn, codebook)
        if docs.document(conn, document_id) is None:
            raise HttpError(404, f"no document {document_id}")
        from migrahub.store import codings as store

        return {"document_id": document_id, "codebook": name,
                "codings": store.current(conn, name, document_id=document_id),
                "memos": store.memos(conn, name, document_id=document_id)}

    @r.get("/analysis/{kind}", response={200: AnalysisOut, 400: Error, 404: Error}, auth=read_auth,
           summary="Code frequencies by a dimension, the code co-occurrence matrix or the code × document table")
    def analysis(request, kind: Literal["frequencies", "cooccurrence", "table"],
                 codebook: str | None = Query(None, max_length=200),
                 by: Literal["document", "source", "place", "organisation", "language", "year"] = Query(
                     "document", description="the dimension of the frequencies"),
                 status: Literal["applied", "suggested"] = Query("applied", description="people's codings or "
                                                                                         "the machine's suggestions")):
        require(request, "web.view_document")
        name = _codebook(_conn(), codebook)
        table = coding_service.report(settings.MIGRAHUB_DB, name, kind, by=by, status=status)
        return {"codebook": name, "kind": kind, "columns": list(table.columns), "rows": [list(r) for r in table.rows],
                "codes": coding_service.code_labels(settings.MIGRAHUB_DB, name)}

    @r.get("/agreement", response={200: AgreementOut, 400: Error, 404: Error}, auth=read_auth,
           summary="Agreement between coders (people and the machine) per code: percent, Cohen's kappa, "
                   "Krippendorff's alpha")
    def agreement(request, codebook: str | None = Query(None, max_length=200),
                  coder: list[str] = Query(None, description="coders to compare (two or more; default: all)")):
        require(request, "web.view_document")
        name = _codebook(_conn(), codebook)
        try:
            report, _ = coding_service.agreement_table(settings.MIGRAHUB_DB, name, coder or None)
        except ValueError as exc:
            raise HttpError(400, f"coder: {exc}") from exc
        return {"codebook": name, **_finite(report.as_dict())}

    @r.get("/suggestions", response={200: SuggestionList, 404: Error}, auth=read_auth,
           summary="Pending machine suggestions, most confident first")
    def suggestions(request, codebook: str | None = Query(None, max_length=200),
                    limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)):
        require(request, "web.view_document")
        conn = _conn()
        name = _codebook(conn, codebook)
        total, items = workspace.pending(conn, name, limit=limit, offset=offset)
        return {"codebook": name, "count": total, "limit": limit, "offset": offset, "items": items}

    @r.post("/codings", response={200: ActionOut, 400: Error, 403: Error, 404: Error}, auth=write_auth,
            summary="Record a coding action (add, remove, accept, reject, memo) on a passage (coders)")
    def coding_action(request, body: ActionIn):
        require(request, "web.code_document")
        conn = _conn()
        name = _codebook(conn, body.codebook)
        try:
            p = workspace.act(settings.MIGRAHUB_DB, conn, codebook=name, coder=request.auth.get_username(),
                              action=body.action, passage_id=body.passage_id, code=body.code, start=body.start,
                              end=body.end, about=body.about, memo=body.memo)
        except workspace.CodingError as exc:
            raise HttpError(400, str(exc)) from exc
        return {"id": p["action_id"], "document_id": p["document_id"], "passage_id": p["id"],
                "start": body.start if body.start is not None else p["start"],
                "end": body.end if body.end is not None else p["end"]}

    return r
