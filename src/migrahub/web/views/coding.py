"""The coding workspace: codebook browser, document coding view, review queue, coding actions and suggestions.

Thin: each view reads its parameters, calls :mod:`migrahub.services.workspace` and renders. Reading is open like the
other pages; every write is a CSRF-checked POST by a user with the coder role or above (``web.code_document``) and is
recorded in the append-only coding log with the user's name. htmx requests get the re-rendered passage block (or
review row); plain form posts are redirected back (POST/redirect/GET).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST, require_safe

from migrahub.services import documents as docs
from migrahub.services import workspace
from migrahub.web.params import read_page

CODE_PERM = "web.code_document"
REVIEW_PAGE = 50


def _conn():
    return docs.reader(settings.MIGRAHUB_DB)


def _can_code(request) -> bool:
    return bool(request.user.is_authenticated and request.user.has_perm(CODE_PERM))


def _require_coder(request) -> None:
    if not _can_code(request):
        raise PermissionDenied("coding needs the coder role")


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _codebook(conn, request, source=None) -> str:
    try:
        name = workspace.choose_codebook(conn, (source or request.GET).get("codebook") or None)
    except workspace.CodingError as exc:
        raise Http404(str(exc)) from exc
    return name


def _int(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise workspace.CodingError(f"{field}: not a whole number: {str(value)[:20]!r}") from None


def _code_url(document_id: int, codebook: str, passage_id: int | None = None) -> str:
    url = f"{reverse('code-document', args=[document_id])}?{urlencode({'codebook': codebook})}"
    return f"{url}#p-{passage_id}" if passage_id else url


@require_safe
def home(request):
    return render(request, "web/coding/home.html", {"codebooks": workspace.codebooks(_conn()),
                                                    "can_code": _can_code(request)})


@require_safe
def codebook(request, name: str):
    conn = _conn()
    try:
        book, roots = workspace.tree(conn, name)
    except workspace.CodingError as exc:
        raise Http404(str(exc)) from exc
    return render(request, "web/coding/codebook.html", {
        "book": book, "roots": roots, "codes": workspace.flatten(roots), "can_code": _can_code(request)})


@require_safe
def colours(request, name: str):
    try:
        book = workspace.store.load_codebook(_conn(), name)
    except workspace.CodingError as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(workspace.colour_css(_conn(), book), content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def code_passages(request, name: str, code_id: str):
    status = "suggested" if request.GET.get("status") == "suggested" else "applied"
    conn = _conn()
    try:
        book, roots = workspace.tree(conn, name)
        rows = workspace.code_passages(conn, name, code_id, status=status)
    except workspace.CodingError as exc:
        raise Http404(str(exc)) from exc
    code = next(n for n in workspace.flatten(roots) if n.id == code_id)
    return render(request, "web/coding/code.html", {"book": book, "code": code, "rows": rows, "status": status})


def _document_context(request, conn, name: str, document_id: int, passage_id: int | None = None) -> dict:
    user = request.user.get_username() if request.user.is_authenticated else None
    view = workspace.document_view(conn, name, document_id, user=user, passage_id=passage_id)
    if view is None:
        raise Http404("no such document")
    return {"doc": view, "codebook": name, "can_code": _can_code(request), "codebooks": workspace.codebook_names(conn),
            "here": _code_url(document_id, name)}


@require_safe
def document(request, document_id: int):
    conn = _conn()
    name = _codebook(conn, request)
    if name is None:
        return render(request, "web/coding/home.html", {"codebooks": [], "can_code": _can_code(request)}, status=404)
    return render(request, "web/coding/document.html", _document_context(request, conn, name, document_id))


@require_POST
def act(request, document_id: int):
    """One coding action on a passage: add (whole passage or a span of it), remove, accept, reject, memo."""
    _require_coder(request)
    conn = _conn()
    name = _codebook(conn, request, request.POST)
    if name is None:
        raise Http404("no codebook in this hub")
    post = request.POST
    error = None
    passage_id = None
    try:
        passage_id = _int(post.get("passage"), "passage")
        if passage_id is None:
            raise workspace.CodingError("passage: missing")
        workspace.act(settings.MIGRAHUB_DB, conn, codebook=name, coder=request.user.get_username(),
                          action=post.get("action", ""), passage_id=passage_id, code=post.get("code"),
                          start=_int(post.get("start"), "start"), end=_int(post.get("end"), "end"),
                          about=post.get("about") or None, memo=post.get("memo"), document_id=document_id)
    except workspace.CodingError as exc:
        error = str(exc)
    view = post.get("view")
    if _htmx(request):
        if view == "review":
            return render(request, "web/coding/_review_result.html", {"error": error, "action": post.get("action")})
        if passage_id is None or workspace.passage(conn, passage_id) is None:
            return HttpResponse(escape(error or "no such passage"), status=400, content_type="text/plain")
        context = _document_context(request, conn, name, document_id, passage_id)
        if not context["doc"]["passages"]:
            raise Http404("no such passage in this document")
        context.update(p=context["doc"]["passages"][0], error=error)
        return render(request, "web/coding/_passage.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _done(post.get("action", "")))
    if view == "review":
        return redirect(f"{reverse('code-review')}?{urlencode({'codebook': name})}")
    return redirect(_code_url(document_id, name, passage_id))


def _done(action: str) -> str:
    return {"add": "Code added.", "remove": "Code removed.", "accept": "Suggestion accepted.",
            "reject": "Suggestion rejected.", "memo": "Memo saved."}.get(action, "Saved.")


@require_safe
def review(request):
    conn = _conn()
    name = _codebook(conn, request)
    if name is None:
        return render(request, "web/coding/home.html", {"codebooks": [], "can_code": _can_code(request)}, status=404)
    page = read_page(request.GET)
    total, rows = workspace.pending(conn, name, limit=REVIEW_PAGE, offset=(page - 1) * REVIEW_PAGE)
    base = f"{reverse('code-review')}?{urlencode({'codebook': name})}"
    return render(request, "web/coding/review.html", {
        "codebook": name, "rows": rows, "total": total, "can_code": _can_code(request),
        "codebooks": workspace.codebook_names(conn),
        "prev_url": f"{base}&page={page - 1}" if page > 1 else None,
        "next_url": f"{base}&page={page + 1}" if page * REVIEW_PAGE < total else None})


@require_POST
def suggest(request):
    """Run the auto-coder for one codebook over the hub's uncoded passages (can take seconds)."""
    _require_coder(request)
    conn = _conn()
    name = _codebook(conn, request, request.POST)
    if name is None:
        raise Http404("no codebook in this hub")
    result = workspace.suggest(settings.MIGRAHUB_DB, name)
    from migrahub.web import accounts

    accounts.log(request.user.get_username(), "coding.suggest", "codebook", name, result)
    messages.success(request, f"{result['suggestions']} new suggestions on {result['passages']} uncoded passages "
                              f"(model trained on {result['trained_on']} coded passages).")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = f"{reverse('code-review')}?{urlencode({'codebook': name})}"
    return redirect(target)
