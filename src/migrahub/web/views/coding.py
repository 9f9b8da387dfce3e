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
IMPORT_PERM = "web.ingest_document"
UNDO_KEY = "coding_undo"
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


PICKER_PAGE = 50


@require_safe
def home(request):
    """The codebooks, and the document picker: every document with its coding progress in the chosen codebook."""
    conn = _conn()
    books = workspace.codebooks(conn)
    context = {"codebooks": books, "can_code": _can_code(request), "can_import": request.user.has_perm(IMPORT_PERM)}
    name = _codebook(conn, request) if books else None
    if name:
        page = read_page(request.GET)
        title = (request.GET.get("title") or "").strip()[:200]
        total, docs_ = workspace.progress(conn, name, title=title, limit=PICKER_PAGE, offset=(page - 1) * PICKER_PAGE)
        base = f"{reverse('code-home')}?{urlencode({'codebook': name, **({'title': title} if title else {})})}"
        context.update(codebook=name, documents=docs_, total_documents=total, title=title,
                       names=workspace.codebook_names(conn),
                       prev_url=f"{base}&page={page - 1}" if page > 1 else None,
                       next_url=f"{base}&page={page + 1}" if page * PICKER_PAGE < total else None)
    return render(request, "web/coding/home.html", context)


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
            "here": _code_url(document_id, name), "undo": request.session.get(UNDO_KEY),
            "memos": [m for p in view["passages"] for m in p.get("memos", ())]}


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
    action = post.get("action", "")
    start, end = post.get("start"), post.get("end")
    try:
        target = post.get("target", "")
        if target:  # a passage's own button: the whole passage ("add:ID" or "memo:ID")
            action, _, raw = target.partition(":")
            passage_id, start, end = _int(raw, "passage"), None, None
        else:
            passage_id = _int(post.get("passage"), "passage")
        if passage_id is None:
            raise workspace.CodingError("passage: select words in a passage, or use a passage's own button")
        done = workspace.act(settings.MIGRAHUB_DB, conn, codebook=name, coder=request.user.get_username(),
                             action=action, passage_id=passage_id, code=post.get("code"),
                             start=_int(start, "start"), end=_int(end, "end"), about=post.get("about") or None,
                             memo=post.get("memo"), document_id=document_id)
        if action != "memo":
            _remember(request, [done["action_id"]], _what(conn, name, action, post.get("code"), done))
    except workspace.CodingError as exc:
        error = str(exc)
    view = post.get("view")
    if _htmx(request):
        if view == "review":
            return render(request, "web/coding/_review_result.html", {
                "error": error, "action": action, "undo": None if error else request.session.get(UNDO_KEY),
                "codebook": name})
        if passage_id is None or workspace.passage(conn, passage_id) is None:
            return HttpResponse(escape(error or "no such passage"), status=400, content_type="text/plain")
        context = _document_context(request, conn, name, document_id, passage_id)
        if not context["doc"]["passages"]:
            raise Http404("no such passage in this document")
        context.update(p=context["doc"]["passages"][0], error=error, oob_undo=True)
        return render(request, "web/coding/_passage.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _done(action))
    if view == "review":
        return redirect(f"{reverse('code-review')}?{urlencode({'codebook': name})}")
    return redirect(_code_url(document_id, name, passage_id))


def _what(conn, name: str, action: str, code: str | None, done: dict) -> str:
    """What an action did, in words, for the undo offer ("Added “Welcome desk” to passage 4.")."""
    label = workspace.code_name(conn, name, code) if code else ""
    verb = {"add": "Added", "remove": "Removed", "accept": "Accepted", "reject": "Rejected"}.get(action, action)
    where = "a selection of " if done["span"] != (done["start"], done["end"]) else ""
    link = "on" if action in ("accept", "reject") else "to" if action == "add" else "from"
    return f"{verb} “{label}” {link} {where}passage {done['seq']} of “{done['title'] or 'the document'}”."


def _remember(request, ids: list[int], what: str) -> None:
    """Keep the last action(s) of this browser session, for the undo button."""
    request.session[UNDO_KEY] = {"ids": ids, "what": what}


@require_POST
def undo(request):
    """Undo the last action(s) (their ids, kept in the session), then go back."""
    _require_coder(request)
    last = request.session.get(UNDO_KEY) or {}
    ids = [i for i in (_int(v, "action") for v in request.POST.getlist("action_id")) if i is not None]
    if not ids or ids != last.get("ids"):
        messages.error(request, "undo: nothing to undo (only your last action can be undone)")
    else:
        try:
            for action_id in reversed(ids):
                workspace.undo(settings.MIGRAHUB_DB, coder=request.user.get_username(), action_id=action_id)
        except workspace.CodingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Undone: {last.get('what', '')}")
        request.session.pop(UNDO_KEY, None)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = reverse("code-home")
    return redirect(target)


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
    filters, errors = _review_filters(request.GET)
    try:
        total, rows = workspace.pending(conn, name, limit=REVIEW_PAGE, offset=(page - 1) * REVIEW_PAGE, **filters)
    except workspace.CodingError as exc:
        errors.append(str(exc))
        filters["code"] = None
        total, rows = workspace.pending(conn, name, limit=REVIEW_PAGE, offset=(page - 1) * REVIEW_PAGE, **filters)
    state = {"codebook": name, **{k: v for k, v in (("code", filters["code"]), ("min", request.GET.get("min")),
                                                     ("max", request.GET.get("max")),
                                                     ("document", filters["document_id"])) if v not in (None, "")}}
    base = f"{reverse('code-review')}?{urlencode(state)}"
    book, roots = workspace.tree(conn, name)
    return render(request, "web/coding/review.html", {
        "codebook": name, "rows": rows, "total": total, "can_code": _can_code(request), "errors": errors,
        "codebooks": workspace.codebook_names(conn), "codes": workspace.flatten(roots), "f": state,
        "here": request.get_full_path(), "undo": request.session.get(UNDO_KEY),
        "prev_url": f"{base}&page={page - 1}" if page > 1 else None,
        "next_url": f"{base}&page={page + 1}" if page * REVIEW_PAGE < total else None})


def _review_filters(params) -> tuple[dict, list[str]]:
    errors = []

    def number(key: str, kind=float):
        raw = (params.get(key) or "").strip()
        if not raw:
            return None
        try:
            value = kind(raw)
        except ValueError:
            errors.append(f"{key}: not a number: {raw[:20]!r}")
            return None
        return value

    low, high = number("min"), number("max")
    for key, value in (("min", low), ("max", high)):
        if value is not None and not 0 <= value <= 1:
            errors.append(f"{key}: a confidence is between 0 and 1")
    return {"code": (params.get("code") or "").strip() or None, "min_confidence": low, "max_confidence": high,
            "document_id": number("document", int)}, errors


@require_POST
def review_bulk(request):
    """Accept or reject the chosen suggestions (``item`` = document:start:end:code:machine) at once."""
    _require_coder(request)
    conn = _conn()
    name = _codebook(conn, request, request.POST)
    if name is None:
        raise Http404("no codebook in this hub")
    action = request.POST.get("action", "")
    items = []
    try:
        for raw in request.POST.getlist("item"):
            doc, start, end, code, machine = raw.split(":", 4) if raw.count(":") >= 4 else (None,) * 5
            if doc is None:
                raise workspace.CodingError(f"item: not document:start:end:code:coder: {raw[:60]!r}")
            items.append((_int(doc, "item"), _int(start, "item"), _int(end, "item"), code, machine))
        ids = workspace.bulk(settings.MIGRAHUB_DB, codebook=name, coder=request.user.get_username(), action=action,
                             items=items)
    except workspace.CodingError as exc:
        messages.error(request, str(exc))
    else:
        codes = sorted({workspace.code_name(conn, name, i[3]) for i in items})
        verb = "Accepted" if action == "accept" else "Rejected"
        what = (f"{verb} {len(ids)} suggestion{'s' if len(ids) != 1 else ''}"
                f" ({', '.join(codes[:6])}{'…' if len(codes) > 6 else ''}).")
        _remember(request, ids, what)
        messages.success(request, what)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = f"{reverse('code-review')}?{urlencode({'codebook': name})}"
    return redirect(target)


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
