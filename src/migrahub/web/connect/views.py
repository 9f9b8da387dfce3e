"""Pages of the curated practice library and the research library. Thin: read the request, call a service in
``migrahub.services.connect``, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from migrahub.connect.references import BibliographyError
from migrahub.services.connect import library as research
from migrahub.services.connect import practices
from migrahub.services.connect.places import country_name
from migrahub.services.documents import reader

SUBMIT = "connect.submit_practice"
CURATE = "connect.curate_practice"
PAGE = 25
EXPORT_TYPES = {"csl-json": ("application/vnd.citationstyles.csl+json", "json"),
                "ris": ("application/x-research-info-systems", "ris"), "bibtex": ("application/x-bibtex", "bib")}
FIELDS = ("title", "city", "country", "organisations", "period_start", "period_end", "summary", "goals", "activities",
          "outcomes", "evaluation", "resources", "responsible_office", "licence", "source_passages")
LISTS = ("target_groups", "legal_status", "policy_areas")


def conn():
    return reader(settings.MIGRAHUB_DB)


def actor(request) -> str:
    return request.user.get_username() if request.user.is_authenticated else ""


def is_curator(request) -> bool:
    return request.user.has_perm(CURATE)


def need(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied("your role does not allow this")


def url(base: str, params: dict) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{base}?{urlencode(params)}" if params else base


def _int(value, default=None):
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else default


# -- practice library ---------------------------------------------------------------------------------------------

@require_safe
def practice_library(request):
    g = request.GET
    state = {"theme": (g.get("theme") or "").strip()[:100] or None, "country": (g.get("country") or "").strip()
             .upper()[:2] or None, "city": _int(g.get("city")), "group": (g.get("group") or "").strip()[:40] or None,
             "evaluation": (g.get("evaluation") or "").strip()[:20] or None, "year": _int(g.get("year")),
             "q": (g.get("q") or "").strip()[:200]}
    lib = practices.library(conn(), **state)
    base = reverse("connect-practices")

    def facet(key, values, **also):
        return [(v, label, n, url(base, {**state, key: None if str(state[key]) == str(v) else v, **also}),
                 str(state[key]) == str(v)) for v, label, n in values]

    facets = [("Theme", facet("theme", lib["facets"]["theme"])),
              ("Country", facet("country", lib["facets"]["country"], city=None))]
    if state["country"]:
        facets.append(("City", facet("city", lib["facets"]["city"])))
    facets += [("Target group and legal status", facet("group", lib["facets"]["group"])),
               ("Evaluation", facet("evaluation", lib["facets"]["evaluation"])),
               ("Year", facet("year", [(y, str(y), n) for y, n in lib["facets"]["year"]]))]
    page = max(1, _int(g.get("page"), 1))
    total = len(lib["practices"])
    return render(request, "connect/practices.html", {
        "lib": lib, "facets": facets, "state": state, "can_submit": request.user.has_perm(SUBMIT), "total": total,
        "shown": lib["practices"][(page - 1) * PAGE:page * PAGE], "clear_url": base if any(state.values()) else None,
        "prev_url": url(base, {**state, "page": page - 1}) if page > 1 else None,
        "next_url": url(base, {**state, "page": page + 1}) if page * PAGE < total else None})


def _fields(post) -> dict:
    fields = {k: post.get(k, "") for k in FIELDS}
    for k in LISTS:
        fields[k] = post.getlist(k)
    return fields


def _form(request, template_values: dict, status: int = 200):
    c = conn()
    return render(request, "connect/practice_form.html", {**practices.form_choices(c), **template_values},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def practice_new(request):
    need(request, SUBMIT)
    if request.method == "POST":
        fields = _fields(request.POST)
        try:
            rid = practices.create(conn(), fields, actor(request), submit=request.POST.get("submit") == "1")
        except practices.PracticeError as exc:
            return _form(request, {"values": fields, "errors": exc.errors}, status=400)
        messages.success(request, "Practice saved" + (" and submitted for review." if
                                                      request.POST.get("submit") == "1" else " as a draft."))
        return redirect("connect-practice", record_id=rid)
    return _form(request, {"values": {"evaluation": "not-evaluated", "licence": "CC-BY-4.0"}, "errors": {}})


def _view(request, record_id: int) -> dict:
    try:
        return practices.view(conn(), record_id, actor(request) or None, is_curator(request))
    except practices.PracticeError as exc:
        raise Http404(str(exc)) from None


@login_required
@require_http_methods(["GET", "POST"])
def practice_edit(request, record_id: int):
    """The structured edit form of a record, with its source passages beside it."""
    shown = _view(request, record_id)
    if not shown["can_edit"]:
        raise PermissionDenied("this record is edited by its author while a draft, and by curators")
    if request.method == "POST":
        fields = _fields(request.POST)
        try:
            practices.update(conn(), record_id, fields, actor(request), curator=is_curator(request))
        except practices.PracticeError as exc:
            return _form(request, {"values": fields, "errors": exc.errors, "shown": shown}, status=400)
        messages.success(request, "Practice saved (a new version).")
        return redirect("connect-practice", record_id=record_id)
    record = shown["practice"].record
    values = {**record.as_dict(), "organisations": "; ".join(record.organisations),
              "source_passages": ", ".join(str(s.passage_id) for s in record.sources if s.passage_id)}
    return _form(request, {"values": values, "errors": {}, "shown": shown})


@require_safe
def practice_detail(request, record_id: int):
    shown = _view(request, record_id)
    return render(request, "connect/practice.html", {**shown, "vocab": practices.vocabulary(),
                                                     "is_curator": is_curator(request)})


@login_required
@require_POST
def practice_act(request, record_id: int):
    need(request, SUBMIT)
    try:
        if request.POST.get("action") == "comment":
            practices.comment(conn(), record_id, actor(request), request.POST.get("note", ""),
                              curator=is_curator(request))
            messages.success(request, "Comment added.")
        else:
            state = practices.act(conn(), record_id, request.POST.get("action", ""), actor(request),
                                  curator=is_curator(request), note=request.POST.get("note", ""))
            messages.success(request, f"The practice is now {state}.")
    except practices.PracticeError as exc:
        messages.error(request, str(exc))
    return redirect("connect-practice", record_id=record_id)


@login_required
@require_safe
def practice_review(request):
    need(request, SUBMIT)
    return render(request, "connect/review.html", {**practices.queue(conn(), actor(request), is_curator(request)),
                                                   "is_curator": is_curator(request)})


@login_required
@require_POST
def practice_promote(request, entity_id: int):
    need(request, CURATE)
    try:
        rid = practices.promote(conn(), entity_id, actor(request))
    except practices.PracticeError as exc:
        raise Http404(str(exc)) from None
    messages.success(request, "A draft curated record was made from the extracted practice: complete and publish it.")
    return redirect("connect-practice-edit", record_id=rid)


# -- research library ---------------------------------------------------------------------------------------------

@require_safe
def resources(request):
    c = conn()
    research.sync_extracted(c)
    q = (request.GET.get("q") or "").strip()[:300]
    place = (request.GET.get("place") or "").strip()[:200] or None
    theme = (request.GET.get("theme") or "").strip()[:200] or None
    page = max(1, _int(request.GET.get("page"), 1))
    total, rows = research.search(c, q, place=place, theme=theme, limit=PAGE, offset=(page - 1) * PAGE)
    base = reverse("connect-resources")
    state = {"q": q, "place": place, "theme": theme}
    facets = research.facets(c)
    facet_lists = [(title, [(v, v, n, url(base, {**state, key: None if state[key] == v else v}), state[key] == v)
                            for v, n in facets[field]])
                   for title, key, field in (("Place", "place", "places"), ("Theme", "theme", "themes"))]
    exports = [(fmt, url(reverse("connect-resources-export", args=[fmt]), {"q": q})) for fmt in EXPORT_TYPES]
    return render(request, "connect/resources.html", {
        "total": total, "rows": rows, "state": state, "facets": facet_lists, "exports": exports,
        "can_import": is_curator(request), "types": research.reference_types(),
        "clear_url": base if any(state.values()) else None,
        "prev_url": url(base, {**state, "page": page - 1}) if page > 1 else None,
        "next_url": url(base, {**state, "page": page + 1}) if page * PAGE < total else None})


@login_required
@require_POST
def resources_add(request):
    """A curator adds one reference by hand (merged into the same work if the library holds it)."""
    need(request, CURATE)
    try:
        ref = research.parse_form({k: request.POST.get(k, "") for k in (
            "title", "type", "authors", "organisations", "year", "doi", "url", "container", "publisher", "places",
            "themes", "note")})
        research.add_reference(conn(), ref, actor(request))
    except BibliographyError as exc:
        messages.error(request, f"{exc} (nothing was added)")
        return redirect("connect-resources")
    messages.success(request, f"Added to the library: {ref.title}")
    return redirect(url(reverse("connect-resources"), {"q": ref.title[:100]}))


@require_safe
def resources_export(request, fmt: str):
    if fmt not in EXPORT_TYPES:
        raise Http404("unknown format")
    c = conn()
    research.sync_extracted(c)
    ids = [int(i) for i in request.GET.getlist("id") if i.isdigit()][:5000] or None
    text, _count = research.export(c, fmt, query=(request.GET.get("q") or "")[:300], ids=ids)
    content_type, ext = EXPORT_TYPES[fmt]
    response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="migrahub-library.{ext}"'
    return response


@login_required
@require_POST
def resources_import(request):
    need(request, CURATE)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a CSL-JSON, RIS or BibTeX file.")
        return redirect("connect-resources")
    if upload.size > research.reading.MAX_BYTES:
        messages.error(request, f"{upload.name}: {upload.size:,} bytes, over the limit of "
                                f"{research.reading.MAX_BYTES:,} bytes (nothing was imported)")
        return redirect("connect-resources")
    try:
        result = research.import_bytes(conn(), upload.read(), upload.name, actor(request))
    except BibliographyError as exc:
        messages.error(request, f"{exc} (nothing was imported)")
    else:
        messages.success(request, f"{upload.name}: {result.format}, {result.read} references read, {result.added} "
                                  f"added, {result.merged} merged into references already in the library.")
    return redirect("connect-resources")


def country(code: str | None) -> str:
    return country_name(code)
