"""Analysis of the codings in the browser: code frequencies by a dimension, the co-occurrence heat map, the code ×
document table and the agreement between coders (people and the machine), each with an SVG chart, the same numbers
as a table and downloads (CSV, JSON, SVG); REFI-QDA project export and import. Thin: read parameters, call
:mod:`migrahub.services.coding`, render."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST, require_safe

from migrahub.coding.analysis import DIMENSIONS
from migrahub.coding.codebook import CodebookError
from migrahub.coding.refiqda import RefiQdaError
from migrahub.services import coding, workspace
from migrahub.services import documents as docs
from migrahub.web import accounts, charts

DOWNLOADS = ("csv", "json", "svg")
IMPORT_PERM = "web.ingest_document"


def _book(request) -> str:
    try:
        name = workspace.choose_codebook(docs.reader(settings.MIGRAHUB_DB), request.GET.get("codebook") or None)
    except workspace.CodingError as exc:
        raise Http404(str(exc)) from exc
    if name is None:
        raise Http404("no codebook in this hub yet: load one first (migrahub codebook load FILE)")
    return name


def _download(body: str, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _answer(request, template: str, context: dict, table, svg: str, stem: str):
    """The page, or one of its downloads (``?download=csv|json|svg``)."""
    fmt = request.GET.get("download")
    if fmt == "csv":
        return _download(table.to_csv(), "text/csv; charset=utf-8", f"{stem}.csv")
    if fmt == "json":
        return _download(table.to_json(), "application/json; charset=utf-8", f"{stem}.json")
    if fmt == "png" and stem.startswith(("code-frequencies", "code-cooccurrence")):
        kind = "frequencies" if stem.startswith("code-frequencies") else "cooccurrence"
        data = coding.chart_png(settings.MIGRAHUB_DB, context["codebook"], kind, context.get("status", "applied"))
        response = HttpResponse(data, content_type="image/png")
        response["Content-Disposition"] = f'attachment; filename="{stem}.png"'
        return response
    if fmt == "svg":
        if not svg:
            raise Http404("no chart: nothing is coded yet")
        return _download(f'<?xml version="1.0" encoding="utf-8"?>\n{svg}', "image/svg+xml", f"{stem}.svg")
    here = request.GET.copy()
    here.pop("download", None)
    links = {f: f"{request.path}?{urlencode({**here.dict(), 'download': f})}" for f in (*DOWNLOADS, "png")}
    links["png"] = links["png"] if stem.startswith(("code-frequencies", "code-cooccurrence")) else None
    return render(request, template, {**context, "table": table, "chart": svg, "downloads": links,
                                      "codebooks": coding.list_codebooks(settings.MIGRAHUB_DB)})


def _base(request, name: str, kind: str) -> dict:
    q = urlencode({"codebook": name})
    return {"codebook": name, "kind": kind, "q": q, "labels": coding.code_labels(settings.MIGRAHUB_DB, name),
            "tabs": [(k, title, f"{reverse(url)}?{q}") for k, title, url in TABS],
            "can_import": request.user.has_perm(IMPORT_PERM)}


TABS = (("frequencies", "Frequencies", "code-analysis"), ("cooccurrence", "Co-occurrence", "code-cooccurrence"),
        ("documents", "Codes × documents", "code-by-document"), ("agreement", "Agreement", "code-agreement"))


def _status(request) -> str:
    return "suggested" if request.GET.get("status") == "suggested" else "applied"


@require_safe
def frequencies(request):
    name = _book(request)
    by = request.GET.get("by") if request.GET.get("by") in DIMENSIONS else "document"
    status = _status(request)
    table = coding.report(settings.MIGRAHUB_DB, name, "frequencies", by=by, status=status)
    context = _base(request, name, "frequencies")
    labels = context["labels"]
    codes = list(table.columns[2:])
    totals = [(labels.get(c, c), sum(r[i + 2] for r in table.rows),
               reverse("code-passages", args=[name, c])) for i, c in enumerate(codes)]
    totals = sorted([t for t in totals if t[1]], key=lambda t: -t[1])
    svg = charts.bars("code-freq", f"Coded passages per code ({status})", totals, unit="passages")
    return _answer(request, "web/coding/analysis.html", {
        **context, "by": by, "status": status, "dimensions": DIMENSIONS, "totals": totals, "codes": codes,
        "title": "Code frequencies"}, table, svg, f"code-frequencies-by-{by}")


@require_safe
def cooccurrence(request):
    name = _book(request)
    status = _status(request)
    table = coding.report(settings.MIGRAHUB_DB, name, "cooccurrence", status=status)
    context = _base(request, name, "cooccurrence")
    used = [i for i, r in enumerate(table.rows) if r[i + 1]]  # codes applied at least once
    labels = [context["labels"].get(table.rows[i][0], table.rows[i][0]) for i in used]
    matrix = [[table.rows[i][j + 1] for j in used] for i in used]
    svg = charts.heatmap("code-cooc", "Code co-occurrence: passages coded with both codes", labels, matrix)
    return _answer(request, "web/coding/analysis.html", {
        **context, "status": status, "codes": list(table.columns[1:]), "title": "Code co-occurrence"},
        table, svg, "code-cooccurrence")


@require_safe
def by_document(request):
    name = _book(request)
    status = _status(request)
    table = coding.report(settings.MIGRAHUB_DB, name, "table", status=status)
    context = _base(request, name, "documents")
    totals = [(str(c), sum(r[i + 1] for r in table.rows), "") for i, c in enumerate(table.columns[1:])]
    svg = charts.bars("code-docs", "Coded passages per document", sorted(totals, key=lambda t: -t[1])[:25],
                      unit="passages")
    return _answer(request, "web/coding/analysis.html", {
        **context, "status": status, "codes": list(table.columns[1:]), "title": "Codes × documents",
        "rows_are_codes": True}, table, svg, "codes-by-document")


@require_safe
def agreement(request):
    name = _book(request)
    everyone = coding.coder_names(settings.MIGRAHUB_DB, name)
    chosen = [c for c in request.GET.getlist("coder") if c in everyone] or everyone
    context = _base(request, name, "agreement")
    error, report = None, None
    try:
        report, table = coding.agreement_table(settings.MIGRAHUB_DB, name, chosen)
    except ValueError as exc:
        from migrahub.coding.analysis import Table

        error, table = str(exc), Table(("code", "units", "applied", "percent", "kappa", "alpha"), ())
    labels = context["labels"]
    bars = [(labels.get(r[0], r[0]), round(100 * r[3]), "") for r in table.rows[:-1] if r[3] is not None and r[2]]
    svg = charts.bars("code-agree", "Percent agreement per code", bars, unit="% agreement")
    return _answer(request, "web/coding/agreement.html", {
        **context, "coders": everyone, "chosen": chosen, "error": error, "report": report,
        "title": "Agreement between coders"}, table, svg, "coder-agreement")


@require_safe
def export_qdpx(request):
    name = _book(request)
    folder = Path(tempfile.mkdtemp(prefix="migrahub-qdpx-"))
    out = folder / "project.qdpx"
    coding.export_project(settings.MIGRAHUB_DB, name, out)
    response = FileResponse(open(out, "rb"), as_attachment=True,  # noqa: SIM115 — FileResponse closes it
                            filename=f"{name}.qdpx", content_type="application/zip")
    out.unlink()  # the open file stays readable until the response closes it
    folder.rmdir()
    return response


@require_POST
def import_project(request):
    """Import a REFI-QDA project (.qdpx: codebook, texts, codings, memos) or a codebook (.qdc); curators."""
    if not request.user.has_perm(IMPORT_PERM):
        raise PermissionDenied("importing needs the curator role")
    upload = request.FILES.get("file")
    back = reverse("code-home")
    if upload is None:
        messages.error(request, "file: choose a .qdpx project or a .qdc codebook")
        return redirect(back)
    suffix = Path(upload.name).suffix.lower()
    user = request.user.get_username()
    try:
        if suffix == ".qdc":
            result = coding.load_codebook_upload(settings.MIGRAHUB_DB, upload.name, upload.read(), actor=user)
            messages.success(request, f"Codebook “{result['codebook']}” loaded from {upload.name}: "
                                      f"{result['codes']} codes.")
            return redirect(f"{reverse('code-codebook', args=[result['codebook']])}")
        if suffix != ".qdpx":
            raise ValueError(f"{upload.name}: not a .qdpx project or a .qdc codebook")
        with tempfile.TemporaryDirectory(prefix="migrahub-import-") as tmp:
            path = Path(tmp) / "project.qdpx"
            with open(path, "wb") as f:
                for chunk in upload.chunks():
                    f.write(chunk)
            result = coding.import_project(settings.MIGRAHUB_DB, path, origin=f"upload:{upload.name}")
    except (ValueError, CodebookError, RefiQdaError, OSError) as exc:
        messages.error(request, str(exc).replace(tempfile.gettempdir(), "…"))
        return redirect(back)
    accounts.log(user, "coding.import", "codebook", result["codebook"], {"file": upload.name, **{
        k: result[k] for k in ("sources", "codings", "memos")}})
    warnings = result["warnings"]
    warned = f" {len(warnings)} warning(s): " + "; ".join(warnings[:5]) if warnings else ""
    messages.success(request, f"Imported {upload.name}: {result['sources']} texts, {result['codings']} codings, "
                              f"{result['memos']} memos into codebook “{result['codebook']}”.{warned}")
    return redirect(f"{reverse('code-analysis')}?{urlencode({'codebook': result['codebook']})}")

