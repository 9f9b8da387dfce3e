"""Read pages: search with facets, exports, documents, feed items, sources and statistics. Thin: each view reads
its parameters, calls services and renders."""

from __future__ import annotations

import csv
import io
import json

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from migrahub.services import documents as docs
from migrahub.services import entity_pages, hub
from migrahub.store.search import QueryError
from migrahub.web import charts, hubcache
from migrahub.web import facets as facet_links
from migrahub.web.params import PAGE_SIZE, as_params, read_page, read_query, url_with

EXPORT_MAX = 1000


def _conn():
    return docs.reader(settings.MIGRAHUB_DB)


HOME_TTL = 300  # seconds the home page's overview of an unchanged hub is kept


@require_safe
def home(request):
    """The home page: what the hub holds and where to start; with any parameter it is the search (shared links)."""
    if request.GET:
        return search(request)
    conn = _conn()
    data = hubcache.cached(conn, "home", (), lambda: hub.overview(conn, settings.MIGRAHUB_DB), HOME_TTL)
    return render(request, "web/home.html", {"o": data, "query": docs.Query(), "params": {}})


@require_safe
def search(request):
    query, errors = read_query(request.GET)
    page = read_page(request.GET)
    base = reverse("search")
    conn = _conn()
    context = {"query": query, "errors": errors, "page": page, "params": as_params(query)}
    literal = request.GET.get("literal") == "1"
    searched, expansion = docs.expanded(conn, query, literal=literal)
    context.update(expansion=expansion, literal=literal)
    try:
        counts = _counts(conn, searched)
        offset = (page - 1) * PAGE_SIZE
        if query.q:
            context["hits"] = docs.search(conn, searched, limit=PAGE_SIZE, offset=offset, counts=counts)
            total = counts.passages
            if page == 1:
                context["matching"] = _matching(conn, query.q)
        else:
            context["documents"] = docs.browse(conn, query, limit=PAGE_SIZE, offset=offset)
            total = counts.documents
    except QueryError as exc:
        context["errors"] = [*errors, str(exc)]
        counts, total = docs.Counts({}, {}, 0, 0, True, False), 0
    entity_counts = {**counts.entities, "sampled": counts.sampled}
    context.update(
        exact=counts.exact, facets=facet_links.build(base, query, counts.facets),
        entity_facets=facet_links.build_entities(base, query, entity_counts), entity_counts=entity_counts,
        n_passages=counts.passages, n_documents=counts.documents, total=total,
        prev_url=url_with(base, query, page=page - 1 if page > 2 else None) if page > 1 else None,
        next_url=url_with(base, query, page=page + 1) if page * PAGE_SIZE < total else None,
        first=(page - 1) * PAGE_SIZE + 1, last=min(page * PAGE_SIZE, total),
        export_csv=url_with(reverse("export", args=["csv"]), query),
        export_json=url_with(reverse("export", args=["json"]), query),
        literal_url=url_with(base, query) + "&literal=1",
        clear_url=url_with(base, query, lang=None, type=None, source=None, from_=None, to=None, country=None,
                           place=None, org=None, initiative=None),
    )
    if request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request"):
        response = render(request, "web/_results.html", context)  # htmx swaps 2xx only: errors are shown inline
        response["HX-Push-Url"] = url_with(base, query, page=page if page > 1 else None)  # canonical, shareable
        return response
    return render(request, "web/search.html", context, status=400 if context["errors"] else 200)


MATCHING_TTL = 300  # seconds the records named like a query are kept for an unchanged hub


def _matching(conn, q: str) -> list[dict]:
    """Practices, places, organisations, initiatives… whose name contains the query's words, most documented first
    (shown above the documents)."""
    words = " ".join(w for w in q.replace('"', " ").split() if w.upper() not in ("AND", "OR", "NOT"))
    if not words or len(words) > 80 or not entity_pages.available(conn):
        return []
    return hubcache.cached(conn, "matching", (words.casefold(),),
                           lambda: [r for r in entity_pages.browse(conn, name=words, limit=6)[1] if r["documents"]],
                           MATCHING_TTL)


BROWSE_TTL = 300  # seconds the counts of a browse (no words) of an unchanged hub are kept: they read every document


def _counts(conn, query) -> docs.Counts:
    """The page's counts (:func:`migrahub.services.documents.result_counts`); a browse's are cached for
    ``BROWSE_TTL`` seconds."""
    if query.q:
        return docs.result_counts(conn, query)
    return hubcache.cached(conn, "browse-counts", (sorted(as_params(query).items()),),
                           lambda: docs.result_counts(conn, query), BROWSE_TTL)


@require_safe
def export(request, fmt: str):
    query, errors = read_query(request.GET)
    if errors:
        return JsonResponse({"errors": errors}, status=400)
    limit = request.GET.get("limit", "")
    limit = max(1, min(int(limit), EXPORT_MAX)) if limit.isdigit() else EXPORT_MAX
    try:
        rows = docs.export_rows(_conn(), query, limit=limit, literal=request.GET.get("literal") == "1")
    except QueryError as exc:
        return JsonResponse({"errors": [str(exc)]}, status=400)
    name = "migrahub-search"
    if fmt == "json":
        rows = [{**row, "sources": _public(row["sources"])} for row in rows]
        response = HttpResponse(json.dumps({"query": as_params(query), "count": len(rows), "results": rows},
                                           ensure_ascii=False, indent=1),
                                content_type="application/json; charset=utf-8")
    else:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=docs.EXPORT_FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "sources": " | ".join(_public(row["sources"])),
                             "section": " › ".join(row["section"]),
                             **{k: _csv_safe(row[k]) for k in ("title", "snippet")}})
        response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _public(locators) -> list[str]:
    """Sources as visitors may see them (no server path; see :func:`migrahub.services.curation.public_locator`)."""
    from migrahub.services.curation import public_locator

    return [public_locator(v, settings.MIGRAHUB_UPLOAD_DIR) for v in locators]


def _csv_safe(value):
    """Neutralise spreadsheet formulas in exported text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@require_safe
def document(request, document_id: int):
    conn = _conn()
    doc = docs.document(conn, document_id)
    if doc is None:
        raise Http404("no such document")
    mentions = entity_pages.document_mentions(conn, document_id)
    for p in doc["passages"]:
        p["mentions"] = mentions.get(p["id"], ())
    return render(request, "web/document.html", {"doc": doc,
                                                 "entities": entity_pages.document_entities(conn, document_id)})


@require_safe
def feed(request):
    page = read_page(request.GET)
    conn = _conn()
    total = docs.feed_item_count(conn)
    items = docs.feed_items(conn, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    base = reverse("feed")
    return render(request, "web/feed.html", {
        "items": items, "total": total, "page": page,
        "prev_url": (f"{base}?page={page - 1}" if page > 2 else base) if page > 1 else None,
        "next_url": f"{base}?page={page + 1}" if page * PAGE_SIZE < total else None})


@require_safe
def sources(request):
    page = read_page(request.GET)
    conn = _conn()
    total = docs.source_count(conn)
    size = 100
    rows = docs.source_list(conn, limit=size, offset=(page - 1) * size)
    base = reverse("sources")
    return render(request, "web/sources.html", {
        "sources": rows, "total": total,
        "prev_url": (f"{base}?page={page - 1}" if page > 2 else base) if page > 1 else None,
        "next_url": f"{base}?page={page + 1}" if page * size < total else None})


STATS_TTL = 300  # seconds the statistics of an unchanged hub are kept (they count every document and mention)


@require_safe
def stats(request):
    conn = _conn()

    def compute() -> dict:
        top = ({"places": entity_pages.top_entities(conn, "places", city_only=True),
                "organisations": entity_pages.top_entities(conn, "organisations")}
               if entity_pages.available(conn) else {"places": [], "organisations": []})
        return {"stats": hub.stats(settings.MIGRAHUB_DB), "years": docs.year_counts(conn), "top": top}

    data = hubcache.cached(conn, "stats", (), compute, STATS_TTL)
    top = data["top"]
    bar = lambda rows: [(r["name"], r["documents"], reverse("entity", args=[r["id"]])) for r in rows]  # noqa: E731
    return render(request, "web/stats.html", {
        "stats": data["stats"], "years": data["years"], "peak": max((n for _, n in data["years"]), default=0),
        "runs": docs.recent_runs(conn), "top": top,
        "places_chart": charts.bars("top-places", "Cities mentioned in the most documents", bar(top["places"])),
        "orgs_chart": charts.bars("top-orgs", "Organisations mentioned in the most documents",
                                  bar(top["organisations"]))})


def healthz(request):
    """``ok`` while the hub's database answers (503 otherwise); ``?detail=1``: the database and the job queue as
    JSON (engine, live workers, jobs per status, the oldest wait)."""
    report = hub.health(docs.reader(settings.MIGRAHUB_DB), queue=request.GET.get("detail") == "1")
    status = 200 if report["database"]["ok"] else 503
    if request.GET.get("detail") == "1":
        return JsonResponse(report, status=status)
    return HttpResponse("ok" if status == 200 else "database unavailable", content_type="text/plain", status=status)
