"""API routes of the monitor feature, authenticated like the rest of the API: watched sources and their health,
stories, the clustering door, saved searches (alerts) with their hits and notifications."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from migrahub.services.documents import reader
from migrahub.services.monitor import alerts, stories, watch
from migrahub.store.monitor import MonitorError

READ = "web.view_document"
MANAGE = "web.ingest_document"


def _conn():
    return reader(settings.MIGRAHUB_DB)


def _owner(request) -> str:
    user = request.auth if request.auth != "anonymous" else None
    if user is None:
        raise HttpError(401, "sign in (an API token) to use alerts")
    return user.get_username()


def _email(request) -> str | None:
    user = request.auth if request.auth != "anonymous" else None
    return (user.email or None) if user is not None else None


class WatchIn(Schema):
    url: str = Field(..., max_length=2000)
    every: str = Field("1h", max_length=20)
    kind: str = Field("auto", description="auto | feed | page")


class AlertIn(Schema):
    name: str = Field(..., max_length=200)
    words: str = Field("", max_length=500)
    entities: list[str] = []
    themes: list[str] = []
    countries: list[str] = []
    languages: list[str] = []
    sources: list[str] = []
    frequency: str = Field("daily", description="immediate | daily | weekly | off")


class ItemIn(Schema):
    id: str
    text: str
    language: str | None = None
    title: str | None = None
    published: str | float | None = None


def _public(alert: dict) -> dict:
    return {k: v for k, v in alert.items() if k != "unsubscribe"}


def router(read_auth: list, write_auth: list, require: Callable) -> Router:
    """The monitor routes (``require(request, perm)`` raises 401/403)."""
    r = Router(tags=["monitor"])

    def fail(exc: MonitorError, status: int = 400):
        raise HttpError(status, str(exc)) from None

    @r.get("/monitor/sources", auth=read_auth, summary="Watched sources with their health")
    def source_list(request):
        require(request, READ)
        return watch.health(_conn())

    @r.post("/monitor/sources", auth=write_auth, summary="Watch a feed or a page")
    def source_add(request, body: WatchIn):
        require(request, MANAGE)
        try:
            return watch.add(_conn(), body.url, body.every, kind=body.kind, actor=_owner(request))
        except MonitorError as exc:
            fail(exc)

    @r.post("/monitor/sources/{watch_id}/pause", auth=write_auth, summary="Pause (paused=false: resume) a source")
    def source_pause(request, watch_id: int, paused: bool = True):
        require(request, MANAGE)
        try:
            return watch.pause(_conn(), watch_id, paused)
        except MonitorError as exc:
            fail(exc, 404)

    @r.delete("/monitor/sources/{watch_id}", auth=write_auth, summary="Stop watching a source")
    def source_remove(request, watch_id: int):
        require(request, MANAGE)
        try:
            return watch.remove(_conn(), watch_id)
        except MonitorError as exc:
            fail(exc, 404)

    @r.get("/monitor/stories", auth=read_auth, summary="The latest stories")
    def story_list(request, limit: int = 50, offset: int = 0):
        require(request, READ)
        return stories.latest(_conn(), max(1, min(limit, 500)), max(0, offset))

    @r.get("/monitor/search", auth=read_auth, summary="Search hits grouped by story")
    def story_search(request, q: str, lang: str = "", limit: int = 50):
        from migrahub.store.search import QueryError

        require(request, READ)
        try:
            return stories.search(_conn(), q[:500], language=lang or None, limit=max(1, min(limit, 200)))
        except QueryError as exc:
            raise HttpError(400, str(exc)) from None

    @r.get("/monitor/stories/{story_id}", auth=read_auth, summary="A story's timeline")
    def story_detail(request, story_id: int):
        require(request, READ)
        try:
            return stories.story(_conn(), story_id)
        except MonitorError as exc:
            fail(exc, 404)

    @r.post("/monitor/cluster", auth=read_auth, summary="Group items into stories ({item id: story id})")
    def story_cluster(request, items: list[ItemIn]):
        require(request, READ)
        if len(items) > 2000:
            raise HttpError(413, "at most 2,000 items a request")
        import json

        try:
            records = stories.read_records([json.dumps(i.dict()) for i in items], "request")
        except MonitorError as exc:
            fail(exc)
        return stories.cluster_records(records)

    @r.get("/monitor/alerts", auth=read_auth, summary="Your alerts")
    def alert_list(request):
        require(request, READ)
        return [_public(a) for a in alerts.alerts_of(_conn(), _owner(request))]

    @r.post("/monitor/alerts", auth=write_auth, summary="Save a search as an alert")
    def alert_create(request, body: AlertIn):
        require(request, READ)
        c = _conn()
        try:
            query = alerts.build_query(c, words=body.words, entities=body.entities, themes=body.themes,
                                       countries=body.countries, languages=body.languages, sources=body.sources)
            return _public(alerts.create(c, _owner(request), body.name, query, email=_email(request),
                                         frequency=body.frequency))
        except MonitorError as exc:
            fail(exc)

    @r.delete("/monitor/alerts/{alert_id}", auth=write_auth, summary="Delete one of your alerts")
    def alert_delete(request, alert_id: int):
        require(request, READ)
        try:
            alerts.delete(_conn(), alert_id, _owner(request))
        except MonitorError as exc:
            fail(exc, 404)
        return {"deleted": alert_id}

    @r.post("/monitor/alerts/{alert_id}/revoke", auth=write_auth, summary="A new secret feed address")
    def alert_revoke(request, alert_id: int):
        require(request, READ)
        try:
            return _public(alerts.revoke_feed(_conn(), alert_id, _owner(request)))
        except MonitorError as exc:
            fail(exc, 404)

    @r.get("/monitor/alerts/{alert_id}/hits", auth=read_auth, summary="What an alert matched (one per story)")
    def alert_hits(request, alert_id: int):
        require(request, READ)
        try:
            return alerts.hits_of(_conn(), alert_id, _owner(request))
        except MonitorError as exc:
            fail(exc, 404)

    @r.get("/monitor/notifications", auth=read_auth, summary="New stories matching your alerts")
    def notification_list(request):
        require(request, READ)
        return alerts.notifications(_conn(), _owner(request))

    return r
