"""Pages of city profiles, peer exchange (requests, matches with their evidence, relayed messages, outcomes,
expert profiles) and declarations. Thin: read the request, call a service, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.mail import EmailMessage
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from migrahub.services.connect import cities, declarations, peers
from migrahub.services.connect.places import country_names
from migrahub.web.connect.views import CURATE, SUBMIT, actor, conn, is_curator, need


def _mailer(subject: str, text: str, to: list[str], reply_to: list[str]) -> int:
    return EmailMessage(subject, text, settings.DEFAULT_FROM_EMAIL, to, reply_to=reply_to).send(fail_silently=False)


# -- cities -------------------------------------------------------------------------------------------------------

@require_safe
def city_directory(request):
    return render(request, "connect/cities.html", {"cities": cities.directory(conn())})


@require_safe
def city_profile(request, city_id: int):
    c = conn()
    profile = cities.profile(c, city_id)
    if profile is None:
        raise Http404("no city with this id")
    return render(request, "connect/city.html", {"city": profile, "is_curator": is_curator(request)})


@login_required
@require_POST
def city_contact(request, city_id: int):
    need(request, CURATE)
    try:
        peers.add_contact(conn(), city_id, request.POST.get("name", ""), request.POST.get("email", ""),
                          request.POST.get("share") == "1", actor(request))
        messages.success(request, "Contact added: messages for this city are relayed to it.")
    except peers.PeerError as exc:
        messages.error(request, str(exc))
    return redirect("connect-city", city_id=city_id)


# -- peer exchange ------------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def requests(request):
    need(request, SUBMIT)
    c = conn()
    values, error = {}, None
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("challenge", "themes", "languages", "country", "city")}
        try:
            rid = peers.create_request(c, values, actor(request))
        except peers.PeerError as exc:
            error = str(exc)
        else:
            return redirect("connect-peer-request", request_id=rid)
    return render(request, "connect/requests.html", {
        "requests": peers.requests(c, actor(request), is_curator(request)), "values": values, "error": error,
        "countries": sorted(country_names().items(), key=lambda kv: kv[1]), "is_curator": is_curator(request)},
        status=400 if error else 200)


@login_required
@require_safe
def request_detail(request, request_id: int):
    need(request, SUBMIT)
    try:
        found = peers.view_request(conn(), request_id, actor(request), is_curator(request))
    except peers.PeerError as exc:
        raise Http404(str(exc)) from None
    return render(request, "connect/request.html", {"r": found, "is_curator": is_curator(request),
                                                    "outcomes": peers.OUTCOMES})


@login_required
@require_POST
def request_message(request, request_id: int):
    need(request, SUBMIT)
    c = conn()
    try:
        peers.view_request(c, request_id, actor(request), is_curator(request))  # the requester or a curator
        kind, _, target = request.POST.get("to", "").partition(":")
        link = settings.MIGRAHUB_BASE_URL + reverse("connect-peer-request", args=[request_id])
        reply_to = request.user.email if request.POST.get("reply_to") == "1" and request.user.email else None
        result = peers.send_message(c, request_id, kind, int(target) if target.isdigit() else -1,
                                    request.POST.get("body", ""), actor(request), _mailer, link, reply_to)
    except peers.PeerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, {"sent": "Message relayed by the hub.",
                                   "no-contact": "Saved: this peer has no contact yet; curators will forward it.",
                                   "failed": "Saved, but the mail server did not take it; curators will retry."}
                         [result["status"]])
    return redirect("connect-peer-request", request_id=request_id)


@login_required
@require_POST
def request_outcome(request, request_id: int):
    need(request, CURATE)
    kind, _, target = request.POST.get("peer", "").partition(":")
    try:
        peers.record_outcome(conn(), request_id, kind, int(target) if target.isdigit() else -1,
                             request.POST.get("outcome", ""), request.POST.get("note", ""),
                             request.POST.get("date") or None, actor(request))
        messages.success(request, "Outcome recorded.")
    except peers.PeerError as exc:
        messages.error(request, str(exc))
    return redirect("connect-peer-request", request_id=request_id)


@login_required
@require_http_methods(["GET", "POST"])
def expert_profile(request):
    c = conn()
    error = None
    current = peers.expert_profile(c, actor(request)) or {"email": request.user.email, "active": True}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("display_name", "email", "bio", "themes", "languages",
                                                         "country")}
        values["share_contact"] = request.POST.get("share_contact") == "1"
        values["active"] = request.POST.get("active") == "1"
        try:
            peers.save_expert(c, actor(request), values)
        except peers.PeerError as exc:
            error, current = str(exc), values
        else:
            messages.success(request, "Your expert profile is saved.")
            return redirect("connect-expert")
    return render(request, "connect/expert.html", {
        "profile": current, "error": error, "countries": sorted(country_names().items(), key=lambda kv: kv[1])},
        status=400 if error else 200)


@require_safe
def experts(request):
    return render(request, "connect/experts.html", {"experts": peers.public_experts(conn())})


# -- declarations -------------------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def declaration_list(request):
    c = conn()
    error = None
    if request.method == "POST":
        need(request, CURATE)
        try:
            did = declarations.create(c, {k: request.POST.get(k, "") for k in ("title", "kind", "adopted_on",
                                                                               "summary", "url")}, actor(request))
        except declarations.DeclarationError as exc:
            error = str(exc)
        else:
            return redirect("connect-declaration", declaration_id=did)
    else:
        declarations.sync_extracted(c)
    return render(request, "connect/declarations.html", {
        "declarations": declarations.listing(c), "error": error, "kinds": declarations.KINDS,
        "is_curator": is_curator(request)}, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def declaration_detail(request, declaration_id: int):
    c = conn()
    if request.method == "POST":
        need(request, CURATE)
        try:
            declarations.add_signatory(c, declaration_id, request.POST.get("city", ""),
                                       request.POST.get("signed_on") or None, actor(request))
            messages.success(request, "Signatory added.")
        except declarations.DeclarationError as exc:
            messages.error(request, str(exc))
        return redirect("connect-declaration", declaration_id=declaration_id)
    found = declarations.view(c, declaration_id)
    if found is None:
        raise Http404("no declaration with this id")
    return render(request, "connect/declaration.html", {"d": found, "is_curator": is_curator(request)})
