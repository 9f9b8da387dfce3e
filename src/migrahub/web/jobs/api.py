"""API routes of the background jobs, for curators (and admins), authenticated like the rest of the API: list and
read jobs with their status, progress and attempts; submit ingests (a URL or an uploaded file), feed polling and
suggestion retraining; cancel and retry."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from ninja import Field, File, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from migrahub.jobs import JobError, JobNotFound
from migrahub.services import jobs as service
from migrahub.services.intake import IntakeError, check_url, store_upload

MANAGE = "web.ingest_document"


class IngestIn(Schema):
    url: str = Field(..., max_length=2000)
    extract: bool = True


class WatchIn(Schema):
    extract: bool = True


class SuggestIn(Schema):
    codebook: str = Field(..., max_length=200)
    threshold: float | None = Field(None, ge=0, le=1)


def _fail(exc: JobError):
    raise HttpError(404 if isinstance(exc, JobNotFound) else 400, str(exc)) from None


def router(read_auth: list, write_auth: list, require: Callable) -> Router:
    """The job routes (``require(request, perm)`` raises 401/403)."""
    r = Router(tags=["jobs"])

    def submit(request, kind: str, params: dict) -> dict:
        try:
            return service.submit(kind, params, request.auth.get_username()).as_dict()
        except JobError as exc:
            _fail(exc)

    @r.get("/jobs", auth=read_auth, summary="Jobs newest first, with status, progress and attempts (curators)")
    def job_list(request, status: str | None = Query(None, max_length=20),
                 kind: str | None = Query(None, max_length=40), limit: int = Query(50, ge=1, le=1000),
                 offset: int = Query(0, ge=0)):
        require(request, MANAGE)
        try:
            items = service.listing(status=status, kind=kind, limit=limit, offset=offset)
        except JobError as exc:
            _fail(exc)
        return {"counts": service.counts(), "workers": len(service.workers()), "limit": limit, "offset": offset,
                "items": [j.as_dict() for j in items]}

    @r.post("/jobs/ingest", auth=write_auth, summary="Ingest a URL in the background")
    def job_ingest(request, body: IngestIn):
        require(request, MANAGE)
        try:
            url = check_url(body.url)
        except IntakeError as exc:
            raise HttpError(400, str(exc)) from None
        return submit(request, "ingest", {"targets": [url], "extract": body.extract})

    @r.post("/jobs/ingest/upload", auth=write_auth, summary="Ingest an uploaded file in the background")
    def job_ingest_upload(request, file: File[UploadedFile]):
        require(request, MANAGE)
        try:
            path = store_upload(settings.MIGRAHUB_UPLOAD_DIR, file.name, file.chunks(),
                                settings.MIGRAHUB_UPLOAD_MAX_BYTES)
        except IntakeError as exc:
            raise HttpError(400, str(exc)) from None
        return submit(request, "ingest", {"targets": [str(path)]})

    @r.post("/jobs/watch", auth=write_auth, summary="One pass over the watched feeds and pages that are due")
    def job_watch(request, body: WatchIn):
        require(request, MANAGE)
        return submit(request, "watch", {"extract": body.extract})

    @r.post("/jobs/suggest", auth=write_auth, summary="Retrain the auto-coder of a codebook and store suggestions")
    def job_suggest(request, body: SuggestIn):
        require(request, MANAGE)
        return submit(request, "suggest", {"codebook": body.codebook, "threshold": body.threshold})

    # after the fixed paths: /jobs/watch must not be read as a job id
    @r.get("/jobs/{job_id}", auth=read_auth, summary="One job: status, progress, each failed attempt, result")
    def job_detail(request, job_id: str):
        require(request, MANAGE)
        try:
            return service.get(job_id).as_dict()
        except JobError as exc:
            _fail(exc)

    @r.post("/jobs/{job_id}/cancel", auth=write_auth, summary="Cancel a queued job or stop a running one")
    def job_cancel(request, job_id: str):
        require(request, MANAGE)
        try:
            return service.cancel(job_id, request.auth.get_username()).as_dict()
        except JobError as exc:
            _fail(exc)

    @r.post("/jobs/{job_id}/retry", auth=write_auth, summary="Queue a failed or cancelled job again")
    def job_retry(request, job_id: str):
        require(request, MANAGE)
        try:
            return service.retry(job_id, request.auth.get_username()).as_dict()
        except JobError as exc:
            _fail(exc)

    return r
