"""Pages of the compare feature. Thin: each view reads its parameters, calls :mod:`migrahub.services.compare` and
renders. Reading is open like the other pages; writes (loading an index, answers, suggestions) are CSRF-checked
POSTs by curators (``web.change_entity``), logged in the action log with the user's name."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST, require_safe

from migrahub.compare.model import CompareError
from migrahub.services import compare as service
from migrahub.services.documents import reader

EDIT = "web.change_entity"
MAX_UPLOAD = 20 * 1024 * 1024
MC_RUNS = 200  # Monte Carlo replications shown on the index page (the CLI runs 1,000 by default)


def _conn():
    return reader(settings.MIGRAHUB_DB)


def _require_curator(request) -> None:
    if not (request.user.is_authenticated and request.user.has_perm(EDIT)):
        raise PermissionDenied("needs the curator role")


def _or_404(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except CompareError as exc:
        raise Http404(str(exc)) from exc


@require_safe
def home(request):
    return render(request, "compare/home.html", {"indices": service.list_indices(_conn()),
                                                 "can_edit": request.user.has_perm(EDIT)})


@require_POST
def load(request):
    """Load an index definition (YAML) and/or an answers table (CSV/XLSX) uploaded by a curator."""
    _require_curator(request)
    definition, answers = request.FILES.get("definition"), request.FILES.get("answers")
    code = request.POST.get("index", "").strip()
    actor = request.user.get_username()
    try:
        if definition is not None:
            if definition.size > MAX_UPLOAD:
                raise CompareError(f"{definition.name}: larger than {MAX_UPLOAD:,} bytes")
            loaded = service.load_upload(_conn(), definition.name, definition.read(), actor)
            code = loaded["index"]
            messages.success(request, f"Loaded index {loaded['name']} ({loaded['indicators']} indicators, editions "
                                      f"{', '.join(loaded['editions'])}).")
        if answers is not None:
            if not code:
                raise CompareError("answers: choose the index they belong to")
            if answers.size > MAX_UPLOAD:
                raise CompareError(f"{answers.name}: larger than {MAX_UPLOAD:,} bytes")
            done = service.import_upload(_conn(), code, answers.name, answers.read(), actor,
                                         request.POST.get("edition") or None)
            messages.success(request, f"Imported {done['answers']} answers of {done['units']} units "
                                      f"({done['changed']} changed).")
    except CompareError as exc:
        messages.error(request, str(exc))
        return redirect("compare-home")
    if not code:
        messages.error(request, "Choose a definition (YAML) or an answers file to load.")
        return redirect("compare-home")
    return redirect("compare-index", code=code)


@require_safe
def index_page(request, code):
    edition = request.GET.get("edition") or None
    if request.GET.get("open") and request.GET.get("unit", "").strip():
        query = urlencode({k: request.GET.get(k, "") for k in ("edition", "name", "country")})
        return redirect(f"{reverse('compare-answers', args=[code, request.GET['unit'].strip()])}?{query}")
    r = _or_404(service.results, _conn(), code, edition)
    sens = service.sensitivity_report(_conn(), code, r["edition"].code, MC_RUNS, 0) if len(r["table"]) > 1 else None
    areas = [c for c in (r["result"].codes if r["result"] else ()) if r["index"].node(c).parent == r["root"]]
    return render(request, "compare/index.html", {
        "r": r, "index": r["index"], "edition": r["edition"], "areas": areas, "sens": sens, "mc_runs": MC_RUNS,
        "can_edit": request.user.has_perm(EDIT),
        "area_names": {c: r["index"].node(c).name for c in areas},
        "indicator_names": {c: r["index"].node(c).name for c in r["edition"].indicators},
        "unit_names": {t["unit"]: t["name"] for t in r["table"]}})


@require_safe
def unit_profile(request, code, unit):
    p = _or_404(service.profile, _conn(), code, unit, request.GET.get("edition") or None)
    whatif, whatif_error = None, None
    indicator = request.GET.get("whatif", "").strip()
    if indicator:
        try:
            whatif = service.what_if(_conn(), code, unit, {indicator: request.GET.get("answer", "")},
                                     p["edition"].code)
        except CompareError as exc:
            whatif_error = str(exc)
    return render(request, "compare/unit.html", {"p": p, "index": p["index"], "can_edit": request.user.has_perm(EDIT),
                                                 "whatif": whatif, "whatif_error": whatif_error,
                                                 "whatif_indicator": indicator})


@require_safe
def side_by_side(request, code):
    units = [u for u in request.GET.getlist("units") if u][:6]
    r = _or_404(service.results, _conn(), code, request.GET.get("edition") or None)
    chosen = _or_404(service.compare_units, _conn(), code, units, r["edition"].code) if units else None
    return render(request, "compare/compare.html", {"r": r, "index": r["index"], "chosen": chosen,
                                                    "selected": set(units)})


@require_safe
def indicator_page(request, code, indicator):
    v = _or_404(service.indicator_view, _conn(), code, indicator, request.GET.get("edition") or None)
    return render(request, "compare/indicator.html", {"v": v, "index": v["index"]})


@require_safe
def download(request, code, fmt):
    body, media, name = _or_404(service.export, _conn(), code, fmt, request.GET.get("edition") or None)
    response = HttpResponse(body, content_type=media)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def questionnaire(request, code, unit):
    """GET: the unit's questionnaire; POST (curators): store its answers, with evidence passages."""
    edition = request.GET.get("edition") or request.POST.get("edition") or None
    if request.method == "POST":
        _require_curator(request)
        q = _or_404(service.questionnaire, _conn(), code, unit, edition)
        values = {}
        for item in q["items"]:
            c = item["node"].code
            more = request.POST.get(f"more-{c}", "").replace(",", " ").split()
            evidence = [*request.POST.getlist(f"evidence-{c}"), *more]
            values[c] = {"answer": request.POST.get(f"answer-{c}", ""), "source": request.POST.get(f"source-{c}", ""),
                         "comment": request.POST.get(f"comment-{c}", ""), "evidence": evidence}
        values = {c: v for c, v in values.items() if v["answer"] or v["evidence"] or v["comment"] or
                  (c in {i["node"].code for i in q["items"] if i["answer"]})}
        try:
            evidence_ok(values)
            done = service.set_answers(_conn(), code, q["edition"].code, unit, values, request.user.get_username(),
                                       request.POST.get("unit_name") or None, request.POST.get("country") or None)
        except CompareError as exc:
            messages.error(request, str(exc))
            return redirect(f"{reverse('compare-answers', args=[code, unit])}?edition={q['edition'].code}")
        messages.success(request, f"Saved {done['changed']} changed answer{'s' if done['changed'] != 1 else ''} of "
                                  f"{unit}.")
        return redirect(f"{reverse('compare-unit', args=[code, unit])}?edition={q['edition'].code}")
    q = _or_404(service.questionnaire, _conn(), code, unit, edition)
    return render(request, "compare/questionnaire.html", {
        "q": q, "index": q["index"], "can_edit": request.user.has_perm(EDIT),
        "unit_name": request.GET.get("name", ""), "country": request.GET.get("country", "")})


def evidence_ok(values: dict) -> None:
    for code, v in values.items():
        for pid in v["evidence"]:
            if not str(pid).strip().removeprefix("passage:").isdigit():
                raise CompareError(f"{code}: evidence {pid!r} is not a passage number")


@require_POST
def suggest(request, code, unit):
    _require_curator(request)
    edition = request.POST.get("edition") or None
    try:
        made = service.suggest(_conn(), code, unit, edition, request.user.get_username())
    except CompareError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{made['suggestions']} passage{'s' if made['suggestions'] != 1 else ''} suggested "
                                  "as evidence." if made["place"] else
                                  "The hub has no documents about this place yet.")
    return redirect(f"{reverse('compare-answers', args=[code, unit])}?edition={edition or ''}")


@require_POST
def decide(request, code, unit, suggestion_id):
    _require_curator(request)
    try:
        service.decide(_conn(), suggestion_id, request.POST.get("decision") == "confirm", request.user.get_username())
    except CompareError as exc:
        messages.error(request, str(exc))
    return redirect(f"{reverse('compare-answers', args=[code, unit])}?edition={request.POST.get('edition', '')}")
