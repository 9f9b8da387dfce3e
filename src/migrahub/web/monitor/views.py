"""Pages of the monitor feature: latest stories and a story's timeline, source health, saved searches (alerts) with
their notifications and unsubscribe page, and the outbound Atom feeds. Thin: read the request, call a service in
``migrahub.services.monitor``, render."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from migrahub.monitor.alerts import FREQUENCIES
from migrahub.monitor.atom import CONTENT_TYPE
from migrahub.services.documents import reader
from migrahub.services.monitor import alerts, feeds, stories, watch
from migrahub.store.monitor import MonitorError

MANAGE = "web.ingest_document"
PAGE = 30


def conn():
    return reader(settings.MIGRAHUB_DB)


def base() -> str:
    return settings.MIGRAHUB_BASE_URL


def _lines(value: str) -> list[str]:
    return [x.strip() for x in (value or "").replace(",", "\n").splitlines() if x.strip()][:20]


@require_safe
def story_list(request):
    raw = request.GET.get("page") or "1"
    page = int(raw) if raw.isdigit() and 0 < len(raw) < 6 and int(raw) > 0 else 1
    rows = stories.latest(conn(), PAGE + 1, (page - 1) * PAGE)
    here = reverse("monitor-stories")
    return render(request, "monitor/stories.html", {
        "stories": rows[:PAGE], "feed_url": reverse("monitor-feed-latest"),
        "prev_url": f"{here}?page={page - 1}" if page > 1 else None,
        "next_url": f"{here}?page={page + 1}" if len(rows) > PAGE else None})


@require_safe
def story_search(request):
    """Search results grouped by story: the same event found in several feeds or languages is one result."""
    from migrahub.store.search import QueryError

    q = (request.GET.get("q") or "").strip()[:500]
    groups, error = [], None
    if q:
        try:
            groups = stories.search(conn(), q, language=(request.GET.get("lang") or "").strip()[:8] or None)
        except QueryError as exc:
            error = str(exc)
    return render(request, "monitor/search.html", {"q": q, "groups": groups, "error": error},
                  status=400 if error else 200)


@require_safe
def story_detail(request, story_id: int):
    try:
        data = stories.story(conn(), story_id)
    except MonitorError as exc:
        raise Http404(str(exc)) from None
    return render(request, "monitor/story.html", {"story": data,
                                                  "feed_url": reverse("monitor-feed-story", args=[story_id])})


def _span(seconds) -> str:
    if seconds is None:
        return "–"
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} seconds"


@require_safe
def source_health(request):
    rows = watch.health(conn())
    for row in rows:
        row["last_success_text"] = (datetime.fromtimestamp(row["last_success"], UTC).strftime("%Y-%m-%d %H:%M UTC")
                                    if row["last_success"] else "never")
        row["median_delay_text"] = _span(row["median_delay_s"])
    return render(request, "monitor/sources.html", {"sources": rows, "can_manage": request.user.has_perm(MANAGE)})


@login_required
@require_POST
def source_add(request):
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied("your role does not allow watching sources")
    try:
        w = watch.add(conn(), request.POST.get("url", ""), request.POST.get("every") or "1h",
                      kind=request.POST.get("kind") or "auto", actor=request.user.get_username())
        messages.success(request, f"Watching {w['url']}.")
    except MonitorError as exc:
        messages.error(request, str(exc))
    return redirect("monitor-sources")


@login_required
@require_http_methods(["GET", "POST"])
def alert_list(request):
    c, owner = conn(), request.user.get_username()
    values = {"frequency": "daily"}
    errors = None
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("name", "words", "entities", "themes", "countries",
                                                         "languages", "sources", "frequency")}
        try:
            query = alerts.build_query(c, words=values["words"], entities=_lines(values["entities"]),
                                       themes=_lines(values["themes"]), countries=_lines(values["countries"]),
                                       languages=_lines(values["languages"]), sources=_lines(values["sources"]))
            alerts.create(c, owner, values["name"], query, email=request.user.email or None,
                          frequency=values["frequency"] or "daily")
            messages.success(request, f"Alert “{values['name']}” saved.")
            return redirect("monitor-alerts")
        except MonitorError as exc:
            errors = str(exc)
    rows = alerts.alerts_of(c, owner)
    for row in rows:
        row["feed_url"] = reverse("monitor-feed-alert", args=[row["feed_token"]])
    return render(request, "monitor/alerts.html", {"alerts": rows, "values": values, "error": errors,
                                                   "frequencies": FREQUENCIES, "email": request.user.email},
                  status=400 if errors else 200)


@login_required
@require_POST
def alert_act(request, alert_id: int):
    c, owner = conn(), request.user.get_username()
    action = request.POST.get("action")
    try:
        if action == "delete":
            alerts.delete(c, alert_id, owner)
            messages.success(request, "Alert deleted.")
        elif action == "revoke":
            alerts.revoke_feed(c, alert_id, owner)
            messages.success(request, "The alert's feed has a new address; the old one no longer works.")
        elif action == "frequency":
            alerts.set_frequency(c, alert_id, owner, request.POST.get("frequency", ""))
            messages.success(request, "E-mail frequency changed.")
        else:
            return HttpResponse("unknown action", status=400, content_type="text/plain")
    except MonitorError as exc:
        raise Http404(str(exc)) from None
    return redirect("monitor-alerts")


@login_required
@require_safe
def notification_list(request):
    rows = alerts.notifications(conn(), request.user.get_username(), mark_seen=True)
    return render(request, "monitor/notifications.html", {"notifications": rows})


@require_http_methods(["GET", "POST"])
def unsubscribe(request, secret: str):
    """GET asks (a link checker opening the link changes nothing); POST stops the alert's e-mails."""
    c = conn()
    if request.method == "POST":
        try:
            alert = alerts.unsubscribe(c, secret)
        except MonitorError as exc:
            raise Http404(str(exc)) from None
        return render(request, "monitor/unsubscribe.html", {"alert": alert, "done": True})
    try:
        alert = alerts.by_unsubscribe(c, secret)
    except MonitorError as exc:
        raise Http404(str(exc)) from None
    return render(request, "monitor/unsubscribe.html", {"alert": alert, "done": False})


def _atom(build, *args) -> HttpResponse:
    try:
        body, _title = build(conn(), *args, base())
    except MonitorError as exc:
        raise Http404(str(exc)) from None
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Cache-Control"] = "max-age=300"
    return response


@require_safe
def feed_latest(request):
    return _atom(feeds.latest)


@require_safe
def feed_entity(request, entity_id: int):
    return _atom(feeds.entity, entity_id)


@require_safe
def feed_story(request, story_id: int):
    return _atom(feeds.story, story_id)


@require_safe
def feed_code(request, code_id: str):
    return _atom(feeds.code, code_id)


@require_safe
def feed_alert(request, token: str):
    response = _atom(feeds.alert, token)
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
