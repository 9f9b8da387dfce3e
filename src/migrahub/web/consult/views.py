"""Consultation pages. Thin: read the request, call one service, render. Organisers hold
``consult.organise_consultation``, moderators ``consult.moderate_consultation`` (curators and admins)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from migrahub.consult.model import KIND_LABELS, KINDS, SUBMITTER_TYPES, ConsultError
from migrahub.services.consult import consultations as service
from migrahub.services.consult import reports
from migrahub.services.documents import reader

ORGANISE = "consult.organise_consultation"
MODERATE = "consult.moderate_consultation"
MAX_FILES = 5
MAX_REFS = 12  # source links shown per sentence (the rest are counted, with a link to all submissions)
PER_PAGE = 10  # long answers: ten submissions make a long page already


def _conn():
    return reader(settings.MIGRAHUB_DB)


def _actor(request) -> str:
    return request.user.get_username() if request.user.is_authenticated else "anonymous"


def _may_read(request) -> None:
    """Reading pages follow the hub's rule: open to all while ``MIGRAHUB_ANONYMOUS_READ`` is on, else signed in."""
    if not settings.MIGRAHUB_ANONYMOUS_READ and not request.user.is_authenticated:
        raise PermissionDenied("sign in to read this hub")


def _get(slug: str, request, *, organiser: bool = False, reading: bool = True):
    if reading:
        _may_read(request)
    try:
        c = service.get(_conn(), slug)
    except ConsultError:
        raise Http404("no such consultation") from None
    if (organiser or c.phase == "draft") and not request.user.has_perm(ORGANISE):
        raise PermissionDenied("organisers only")
    return c


def _need(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied("your role does not allow this")


@require_safe
def index(request):
    _may_read(request)
    organiser = request.user.has_perm(ORGANISE)
    return render(request, "consult/index.html", {"consultations": service.listing(_conn(), organiser=organiser),
                                                  "organiser": organiser})


@require_http_methods(["GET", "POST"])
def new(request):
    _need(request, ORGANISE)
    error = ""
    if request.method == "POST":
        p = request.POST
        try:
            c = service.create(_conn(), p.get("title", ""), _actor(request), description=p.get("description", ""),
                               languages=[x.strip() for x in p.get("languages", "en").split(",") if x.strip()],
                               submitter_types=p.getlist("submitter_types") or SUBMITTER_TYPES,
                               consent_text=p.get("consent_text", ""), access=p.get("access", "public"),
                               moderation=p.get("moderation", "post"), report_limit=_int(p.get("report_limit"), 3),
                               retention_days=_int(p.get("retention_days"), 730))
            return redirect("consult-manage", slug=c.slug)
        except ConsultError as exc:
            error = str(exc)
    return render(request, "consult/new.html", {"error": error, "types": SUBMITTER_TYPES, "form": request.POST},
                  status=400 if error else 200)


def _int(value, default: int) -> int:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 7 else default


@require_http_methods(["GET", "POST"])
def manage(request, slug):
    c = _get(slug, request, organiser=True)
    error = ""
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("action") == "phase":
                c = service.set_phase(_conn(), c.id, p.get("phase", ""))
                messages.success(request, f"The consultation is now {c.phase}.")
            else:
                c = service.add_question(_conn(), c.id, p.get("kind", "text"), p.get("prompt", ""),
                                         p.get("options", ""), p.get("statements", ""), bool(p.get("required")))
                messages.success(request, f"Question {len(c.questions)} added.")
            return redirect("consult-manage", slug=c.slug)
        except ConsultError as exc:
            error = str(exc)
    invite = request.build_absolute_uri(reverse("consult-answer", args=[c.slug])) + f"?invite={c.invite_token}"
    kinds = [(k, KIND_LABELS[k]) for k in KINDS]
    return render(request, "consult/manage.html", {"c": c, "error": error, "kinds": kinds, "invite": invite,
                                                   "phases": ("draft", "open", "closed", "published")},
                  status=400 if error else 200)


@require_safe
def detail(request, slug):
    c = _get(slug, request)
    return render(request, "consult/detail.html", {
        "c": c, "organiser": request.user.has_perm(ORGANISE), "moderator": request.user.has_perm(MODERATE),
        "closed_reason": service.may_answer(c, signed_in=request.user.is_authenticated,
                                            invite=request.GET.get("invite", "")),
        "report_public": c.phase == "published"})


def _question_rows(c, values: dict) -> list[dict]:
    rows = []
    for q in c.questions:
        key = f"q{q.id}"
        row = {"q": q, "key": key, "label": KIND_LABELS[q.kind], "text": values.get(key, ""),
               "pro": values.get(f"{key}_pro", ""), "con": values.get(f"{key}_con", ""),
               "comment": values.get(f"{key}_comment", "")}
        if q.kind == "choice":
            row["choices"] = [(o, values.get(key) == o) for o in q.options]
        elif q.kind == "scale":
            row["choices"] = [(str(n), values.get(key) == str(n)) for n in range(int(q.options[0]),
                                                                                int(q.options[1]) + 1)]
        elif q.kind == "statements":
            row["statements"] = [{"id": sid, "text": text, "key": f"s{sid}",
                                  "choices": [(v, values.get(f"s{sid}") == v) for v in ("agree", "disagree", "pass")]}
                                 for sid, text in q.statements]
        rows.append(row)
    return rows


def _draft_values(sub: dict) -> dict:
    values = {k: str(sub[k] or "") for k in ("submitter_type", "organisation", "org_type", "country", "city",
                                             "contact_name", "contact_email", "language")}
    for qid, a in sub["answers"].items():
        v = a["value"]
        if isinstance(v, dict):
            values[f"q{qid}_pro"], values[f"q{qid}_con"] = "\n".join(v.get("pro", [])), "\n".join(v.get("con", []))
        elif v is not None:
            values[f"q{qid}"] = str(v)
            values[f"q{qid}_comment"] = a["original"]
        else:
            values[f"q{qid}"] = a["original"]
    names = {1: "agree", -1: "disagree", 0: "pass"}
    values |= {f"s{sid}": names[v] for sid, v in sub["votes"].items()}
    return values


@require_http_methods(["GET", "POST"])
def answer(request, slug):
    c = _get(slug, request, reading=False)
    invite = request.GET.get("invite") or request.POST.get("invite") or ""
    reason = service.may_answer(c, signed_in=request.user.is_authenticated, invite=invite)
    if reason:
        return render(request, "consult/closed.html", {"c": c, "reason": reason}, status=403)
    key = request.GET.get("receipt") or request.POST.get("receipt") or ""
    values, error = {}, ""
    if request.method == "POST":
        final = request.POST.get("action") == "submit"
        files = request.FILES.getlist("attachments")[:MAX_FILES + 1]
        try:
            if len(files) > MAX_FILES:
                raise ConsultError(f"attachments: at most {MAX_FILES} files")
            result = service.submit(_conn(), c.id, request.POST.dict(), final=final, receipt=key,
                                    files=[(f.name, f.read(reader_limit(f))) for f in files],
                                    account=_actor(request) if request.user.is_authenticated else "")
            if not final:
                messages.success(request, "Draft saved. Keep the link of this page to continue later.")
                query = {"receipt": result["receipt"]} | ({"invite": invite} if invite else {})
                return redirect(reverse("consult-answer", args=[c.slug]) + "?" + urlencode(query))
            return redirect("consult-receipt", receipt=result["receipt"])
        except ConsultError as exc:
            error, values = str(exc), request.POST.dict()
    elif key:
        try:
            sub = service.receipt(_conn(), key)["submission"]
        except ConsultError:
            raise Http404("no draft with this receipt") from None
        if sub["status"] != "draft":
            return redirect("consult-receipt", receipt=key)
        values = _draft_values(sub)
    return render(request, "consult/answer.html", {
        "c": c, "rows": _question_rows(c, values), "values": values, "error": error, "receipt": key,
        "invite": invite, "types": [(t, values.get("submitter_type") == t) for t in c.submitter_types],
        "max_files": MAX_FILES}, status=400 if error else 200)


def reader_limit(upload) -> int:
    """Read at most one byte more than an attachment may hold, so an oversized file is refused by the service."""
    from migrahub.consult.attachments import MAX_BYTES

    return MAX_BYTES + 1


@require_http_methods(["GET", "POST"])
def receipt(request, receipt):
    try:
        data = service.receipt(_conn(), receipt)
    except ConsultError:
        raise Http404("no submission with this receipt") from None
    if request.method == "POST" and request.POST.get("action") == "delete":
        service.delete_on_request(_conn(), receipt_key=receipt, actor="submitter")
        messages.success(request, "Your submission and its personal data were deleted.")
        return redirect("consult-detail", slug=data["consultation"].slug)
    c, sub = data["consultation"], data["submission"]
    answers = [{"q": q, "a": sub["answers"].get(q.id)} for q in c.questions]
    return render(request, "consult/receipt.html", {"c": c, "sub": sub, "answers": answers, "receipt": receipt})


@require_safe
def submissions(request, slug):
    c = _get(slug, request)
    page = max(1, _int(request.GET.get("page"), 1))
    if request.GET.get("submission"):
        page = service.page_of(_conn(), c.id, _int(request.GET.get("submission"), 0), PER_PAGE)
    public = service.public_submissions(_conn(), c.id, PER_PAGE, (page - 1) * PER_PAGE)
    rows = [{"s": s, "answers": [{"q": q, "a": s["answers"].get(q.id)} for q in c.questions if q.id in s["answers"]]}
            for s in public["submissions"]]
    pages = max(1, -(-public["total"] // PER_PAGE))
    return render(request, "consult/submissions.html", {"c": c, "rows": rows, "total": public["total"], "page": page,
                                                        "pages": pages, "previous": page - 1 if page > 1 else None,
                                                        "next": page + 1 if page < pages else None})


@require_safe
def submissions_export(request, slug, fmt):
    c = _get(slug, request)
    if fmt == "json":
        return JsonResponse(reports.submissions_json(_conn(), c.id), json_dumps_params={"ensure_ascii": False})
    response = HttpResponse(reports.submissions_csv(_conn(), c.id), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{c.slug}-submissions.csv"'
    return response


@require_POST
def flag(request, slug, sid):
    c = _get(slug, request)
    try:
        service.report_submission(_conn(), sid)
    except ConsultError:
        raise Http404("no such published submission") from None
    messages.success(request, "Thank you: the moderators will look at this submission.")
    return redirect(reverse("consult-submissions", args=[c.slug]))


@require_http_methods(["GET", "POST"])
def moderate(request, slug):
    _need(request, MODERATE)
    c = _get(slug, request)
    if request.method == "POST":
        try:
            result = service.moderate(_conn(), _int(request.POST.get("submission"), 0), request.POST.get("action", ""),
                                      _actor(request), request.POST.get("note", ""))
            messages.success(request, f"Submission {result['id']}: {result['action']} done ({result['status']}).")
        except ConsultError as exc:
            messages.error(request, str(exc))
        return redirect("consult-moderate", slug=c.slug)
    queue = [service.original(_conn(), row["id"]) | {"row": row} for row in service.queue(_conn(), c.id)]
    for item in queue:
        item["answer_list"] = [{"q": q, "a": item["answers"].get(q.id)} for q in c.questions if q.id in item["answers"]]
    return render(request, "consult/moderate.html", {"c": c, "queue": queue})


@require_http_methods(["GET", "POST"])
def import_rows(request, slug):
    c = _get(slug, request, organiser=True)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ConsultError("file: choose a CSV or XLSX file")
            result = service.import_file(_conn(), c.id, upload.name, upload.read(), _actor(request))
            messages.success(request, f"{result['imported']} submissions imported ({result['status']}).")
            return redirect("consult-manage", slug=c.slug)
        except ConsultError as exc:
            error = str(exc)
    return render(request, "consult/import.html", {"c": c, "error": error}, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def report(request, slug):
    c = _get(slug, request)
    organiser = request.user.has_perm(ORGANISE)
    if request.method == "POST":
        _need(request, ORGANISE)
        reports.generate(_conn(), c.id, _actor(request), request.POST.get("codebook") or None)
        messages.success(request, "The draft report was generated from the published submissions.")
        return redirect("consult-report", slug=c.slug)
    if c.phase != "published" and not organiser:
        raise PermissionDenied("the report is not published yet")
    current = reports.current(_conn(), c.id)
    html = reports.html_fragment(_conn(), c.id, get_script_prefix().rstrip("/"))  # escaped by the writer
    return render(request, "consult/report.html", {"c": c, "report": current, "organiser": organiser,
                                                   "report_html": mark_safe(html) if html else ""})  # noqa: S308


def _blocks(slug: str, report: dict | None) -> list[dict]:
    if not report:
        return []
    base = reverse("consult-submissions", args=[slug])
    return [b | {"refs": [(sid, f"{base}?submission={sid}#s{sid}") for sid in b.get("sources", [])[:MAX_REFS]],
                 "more": max(0, len(b.get("sources", [])) - MAX_REFS), "all": base, "total": len(b.get("sources", []))}
            for b in report["blocks"]]


@require_http_methods(["GET", "POST"])
def report_edit(request, slug):
    c = _get(slug, request, organiser=True)
    current = reports.current(_conn(), c.id)
    if current is None:
        return redirect("consult-report", slug=c.slug)
    if request.method == "POST":
        edits = {b["id"]: request.POST.get(b["id"], b["text"]) for b in current["blocks"]}
        reports.edit(_conn(), c.id, edits, _actor(request), request.POST.get("note", ""))
        messages.success(request, "Report saved.")
        return redirect("consult-report", slug=c.slug)
    return render(request, "consult/report_edit.html", {"c": c, "blocks": _blocks(c.slug, current)})


@require_safe
def report_export(request, slug, fmt):
    c = _get(slug, request)
    if c.phase != "published" and not request.user.has_perm(ORGANISE):
        raise PermissionDenied("the report is not published yet")
    try:
        data, content_type, name = reports.export(_conn(), c.id, fmt, settings.MIGRAHUB_BASE_URL)
    except ConsultError:
        raise Http404("no report yet") from None
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if fmt == "html" else "attachment"}; filename="{name}"'
    if fmt == "html":
        response["Content-Security-Policy"] = "default-src 'none'; img-src data:; style-src 'none'"
    return response


@require_safe
def polis_file(request, slug, name):
    c = _get(slug, request)
    files = reports.polis_export(_conn(), c.id)
    response = HttpResponse(files[f"{name}.csv"], content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
