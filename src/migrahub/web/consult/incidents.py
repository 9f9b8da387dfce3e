"""Incident pages: the anonymous report form (no account, no IP stored; flood-limited in memory), the moderators'
review, and the public aggregates (page, CSV, JSON). Thin: parse, call the service, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from migrahub import config
from migrahub.consult.attachments import MAX_BYTES
from migrahub.consult.incidents import FloodGate, vocabulary
from migrahub.consult.model import ConsultError
from migrahub.services.consult import incidents as service
from migrahub.services.documents import reader
from migrahub.web.throttle import client_ip

MODERATE = "consult.moderate_consultation"


def _gate() -> FloodGate:
    per_client = config.get("MIGRAHUB_CONSULT_INCIDENT_PER_CLIENT")
    overall = config.get("MIGRAHUB_CONSULT_INCIDENT_PER_WINDOW")
    return FloodGate(per_client=per_client, overall=overall, window=600.0)


GATE = _gate()


def _may_read(request) -> None:
    if not settings.MIGRAHUB_ANONYMOUS_READ and not request.user.is_authenticated:
        raise PermissionDenied("sign in to read this hub")


def _conn():
    return reader(settings.MIGRAHUB_DB)


@require_http_methods(["GET", "POST"])
def report_form(request):
    vocab, error, values = vocabulary(), "", {}
    if request.method == "POST":
        values = request.POST.dict()
        if not GATE.allow(client_ip(request)):  # hashed in memory only, never stored
            error = "Too many reports were sent in the last minutes; please try again later. Nothing was stored."
        else:
            upload = request.FILES.get("evidence")
            try:
                evidence = (upload.name, upload.read(MAX_BYTES + 1)) if upload else None
                service.receive(_conn(), values, evidence)
                return render(request, "consult/incident_done.html", {})
            except ConsultError as exc:
                error = str(exc)
    return render(request, "consult/incident_form.html", {
        "kinds": list(vocab["kinds"].items()), "groups": list(vocab["target_groups"].items()), "error": error,
        "values": values}, status=429 if error.startswith("Too many") else 400 if error else 200)


@require_http_methods(["GET", "POST"])
def review(request):
    if not request.user.has_perm(MODERATE):
        raise PermissionDenied("moderators only")
    if request.method == "POST":
        try:
            service.review(_conn(), int(request.POST.get("incident") or 0), request.POST.get("decision", ""))
            messages.success(request, "Decision recorded.")
        except (ConsultError, ValueError) as exc:
            messages.error(request, str(exc))
        return redirect("incidents-review")
    return render(request, "consult/incident_review.html", {"pending": service.pending(_conn()),
                                                            "kinds": vocabulary()["kinds"]})


@require_safe
def aggregates(request):
    _may_read(request)
    return render(request, "consult/incidents.html", {"data": service.aggregates(_conn()),
                                                      "moderator": request.user.has_perm(MODERATE)})


@require_safe
def export(request, fmt):
    _may_read(request)
    if fmt == "json":
        return JsonResponse(service.aggregates(_conn()), json_dumps_params={"ensure_ascii": False})
    response = HttpResponse(service.aggregates_csv(_conn()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="incidents.csv"'
    return response
