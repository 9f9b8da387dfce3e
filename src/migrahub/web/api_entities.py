"""Entity endpoints of the REST API: list and read the hub's records (places, organisations, initiatives, people,
events, practices, resources) and, for curators, edit, merge and split them. Mounted on the hub's API by
:mod:`migrahub.web.api` with its authentication and permission check; every write goes through
:mod:`migrahub.services.entities`, which logs it in ``actions`` with the caller's user name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from django.conf import settings
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import StringConstraints

from migrahub.services import entities, entity_pages
from migrahub.services.documents import reader

EDIT = "web.change_entity"


class EntityFilters(Schema):
    type: str | None = Field(None, max_length=20, description="category (places, organisations, initiatives, "
                                                             "people, events, practices, resources) or its singular")
    q: str = Field("", max_length=200, description="part of the name (case-insensitive)")
    country: str | None = Field(None, max_length=3, description="ISO country code of the record")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


class EntityOut(Schema):
    id: int
    type: str = Field(..., description="the record's category")
    name: str
    mentions: int = Field(..., description="mentions in current documents")
    documents: int = Field(..., description="current documents mentioning it")
    record: dict[str, Any]


class EntityList(Schema):
    count: int
    limit: int
    offset: int
    items: list[EntityOut]


class PassageOut(Schema):
    id: int
    text: str = Field(..., description="the passage, cut to about 360 characters around its first mention (…)")
    spans: list[list[int]] = Field(..., description="the mentions as [start, end) offsets into `text`")


class MentioningDocument(Schema):
    id: int
    title: str | None
    published: str | None
    language: str | None
    mentions: int
    passages: list[PassageOut]


class RelatedOut(Schema):
    id: int
    category: str
    name: str
    type: str | None
    shared: int = Field(..., description="current documents mentioning both")


class EntityDetail(Schema):
    id: int
    type: str = Field(..., description="the record's category")
    name: str
    record: dict[str, Any]
    curated: bool
    merged_into: int | None = Field(None, description="set when a curator merged this record into another")
    detail: str | None = None
    created_at: str
    updated_at: str
    document_count: int = 0
    limit: int
    offset: int
    documents: list[MentioningDocument] = Field([], description="current documents mentioning it, newest first")
    related: list[RelatedOut] = Field([], description="records most often mentioned in the same documents")
    cities: list[dict[str, Any]] = Field([], description="a country's cities")
    country_place: dict[str, Any] | None = Field(None, description="a city's country record")


class EntitySummary(Schema):
    id: int
    type: str
    name: str
    record: dict[str, Any]
    curated: bool
    merged_into: int | None
    updated_at: str


class EditIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=500, description="the record's new name")
    fields: dict[str, Any] | None = Field(None, description="fields of the record to set; null removes one")


class MergeIn(Schema):
    into: int = Field(..., ge=1, description="id of the record (same category) that absorbs this one")


class MergeOut(Schema):
    id: int
    merged_into: int
    into: EntitySummary


class SplitIn(Schema):
    surfaces: list[Annotated[str, StringConstraints(min_length=1, max_length=500)]] = Field(
        ..., min_length=1, max_length=100, description="surface strings whose mentions move to the new record")
    name: str = Field(..., min_length=1, max_length=500, description="name of the new record")


class SplitOut(EntitySummary):
    split_from: int


class Error(Schema):
    detail: str


def _conn():
    return reader(settings.MIGRAHUB_DB)


def _existing(entity_id: int) -> dict:
    found = entity_pages.summary(_conn(), entity_id)
    if found is None:
        raise HttpError(404, f"no entity {entity_id}")
    return found


def _changed() -> None:
    from django.core.cache import cache

    cache.clear()  # cached networks, statistics and entity charts name records that just changed


def router(read_auth: list, write_auth: list, require: Callable) -> Router:
    """The entity routes, authenticated like the rest of the API (``require(request, perm)`` raises 401/403)."""
    r = Router(tags=["entities"])

    @r.get("/entities", response={200: EntityList, 400: Error}, auth=read_auth,
           summary="Records (places, organisations, initiatives, people, events, practices, resources), those in "
                   "the most documents first")
    def list_entities(request, filters: Query[EntityFilters]):
        require(request, "web.view_document")
        try:
            total, items = entity_pages.browse(_conn(), category=filters.type or None, name=filters.q.strip(),
                                               country=filters.country or None, limit=filters.limit,
                                               offset=filters.offset)
        except ValueError as exc:
            raise HttpError(400, f"type: {exc}") from exc
        return {"count": total, "limit": filters.limit, "offset": filters.offset, "items": items}

    @r.get("/entities/{entity_id}", response={200: EntityDetail, 404: Error}, auth=read_auth,
           summary="One record: its data, the documents mentioning it (paginated) and related records; a merged "
                   "record says which one absorbed it")
    def get_entity(request, entity_id: int, limit: int = Query(20, ge=1, le=100),
                   offset: int = Query(0, ge=0, le=1_000_000)):
        require(request, "web.view_document")
        found = entity_pages.entity(_conn(), entity_id, per_page=limit, offset=offset)
        if found is None:
            raise HttpError(404, f"no entity {entity_id}")
        out = {**found, "type": found["category"], "curated": bool(found["curated"]), "limit": limit,
               "offset": offset}
        if found["merged_into"]:
            out["detail"] = f"merged into {found['merged_into']}: read /api/entities/{found['merged_into']}"
        return out

    @r.patch("/entities/{entity_id}", response={200: EntitySummary, 400: Error, 403: Error, 404: Error},
             auth=write_auth, summary="Rename a record and/or set fields of its data (curators); it becomes curated")
    def edit_entity(request, entity_id: int, body: EditIn):
        def edit(actor):
            if body.name is None and not body.fields:
                raise ValueError("give `name`, `fields` or both")
            entities.edit_entity(settings.MIGRAHUB_DB, entity_id, actor, name=body.name, fields=body.fields)

        _curate(request, entity_id, edit)
        return entity_pages.summary(_conn(), entity_id)

    @r.post("/entities/{entity_id}/merge", response={200: MergeOut, 400: Error, 403: Error, 404: Error},
            auth=write_auth, summary="Merge this record into another of its category (curators); later documents "
                                     "resolve to that one too")
    def merge_entity(request, entity_id: int, body: MergeIn):
        _curate(request, entity_id,
                lambda actor: entities.merge_entities(settings.MIGRAHUB_DB, entity_id, body.into, actor))
        return {"id": entity_id, "merged_into": body.into, "into": entity_pages.summary(_conn(), body.into)}

    @r.post("/entities/{entity_id}/split", response={200: SplitOut, 400: Error, 403: Error, 404: Error},
            auth=write_auth, summary="Move the mentions written as `surfaces` off this record into a new one "
                                     "(curators)")
    def split_entity(request, entity_id: int, body: SplitIn):
        new_id = _curate(request, entity_id, lambda actor: entities.split_entity(
            settings.MIGRAHUB_DB, entity_id, body.surfaces, body.name, actor))
        return {**entity_pages.summary(_conn(), new_id), "split_from": entity_id}

    def _curate(request, entity_id: int, change: Callable[[str], Any]) -> Any:
        """Run a curator's ``change`` (given the caller's user name) on an existing record: 403 for others, 404 for
        a missing record, 400 with the reason for a refused change; this process's caches are dropped after it."""
        require(request, EDIT)
        _existing(entity_id)
        try:
            result = change(request.auth.get_username())
        except ValueError as exc:
            raise HttpError(400, str(exc)) from exc
        _changed()
        return result

    return r
