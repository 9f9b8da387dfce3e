"""Entity pages: lists per category and one page per place, organisation, initiative, person, event, practice or
resource (tables of store/migrations/003_entities.sql)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from migrahub.services import entity_pages
from migrahub.services.documents import reader
from migrahub.web import charts, hubcache
from migrahub.web.params import read_page

TITLES = {"places": "Places", "organisations": "Organisations", "initiatives": "Initiatives", "people": "People",
          "events": "Events", "practices": "Practices", "resources": "Resources"}
PAGE = 50


def _conn():
    conn = reader(settings.MIGRAHUB_DB)
    if not entity_pages.available(conn):
        raise Http404("this hub has no entity tables yet")
    return conn


@require_safe
def entity_list(request, category: str):
    if category not in TITLES:
        raise Http404("no such category")
    conn = _conn()
    page = read_page(request.GET)
    name = (request.GET.get("name") or "").strip()[:200]
    country = (request.GET.get("country") or "").strip()[:3] or None
    total, rows = entity_pages.browse(conn, category=category, name=name, country=country, limit=PAGE,
                                      offset=(page - 1) * PAGE)
    base = reverse("entities", args=[category])
    extra = "".join(f"&{k}={v}" for k, v in (("name", name), ("country", country)) if v)
    return render(request, "web/entities.html", {
        "category": category, "title": TITLES[category], "rows": rows, "total": total, "name": name,
        "country": country, "categories": TITLES,
        "prev_url": f"{base}?page={page - 1}{extra}" if page > 1 else None,
        "next_url": f"{base}?page={page + 1}{extra}" if page * PAGE < total else None})


DOCS_PER_PAGE = 20
CHART_TTL = 120  # seconds the per-year counts and co-mention bars of a record are reused


@require_safe
def entity(request, entity_id: int):
    conn = _conn()
    page = read_page(request.GET)
    record = entity_pages.entity(conn, entity_id, page=page, per_page=DOCS_PER_PAGE)
    if record is None:
        raise Http404("no such record")
    if record["merged_into"]:
        return redirect("entity", entity_id=record["merged_into"])
    fields = [(k.replace("_", " ").capitalize(), ", ".join(map(str, v)) if isinstance(v, list) else str(v))
              for k, v in record["record"].items()
              if k not in ("name", "surface", "type", "kind") and v not in (None, "", [], {})]
    data = hubcache.cached(conn, "entity-charts", (entity_id,), lambda: {
        "years": entity_pages.mentions_per_year(conn, entity_id),
        "places": [r for r in record["related"] if r["category"] == "places" and r["type"] == "city"][:10],
        "organisations": [r for r in record["related"] if r["category"] == "organisations"][:10]}, CHART_TTL)
    base = reverse("entity", args=[entity_id])
    total = record["document_count"]
    bar = lambda rows: [(r["name"], r["shared"], reverse("entity", args=[r["id"]])) for r in rows]  # noqa: E731
    return render(request, "web/entity.html", {
        "e": record, "fields": fields, "category_title": TITLES.get(record["category"]), "page": page,
        "first": (page - 1) * DOCS_PER_PAGE + 1, "last": min(page * DOCS_PER_PAGE, total), "total": total,
        "prev_url": (f"{base}?page={page - 1}" if page > 2 else base) if page > 1 else None,
        "next_url": f"{base}?page={page + 1}" if page * DOCS_PER_PAGE < total else None,
        "search_url": reverse("search") + "?" + _facet_param(record) if _facet_param(record) else None,
        "years": data["years"],
        "years_chart": charts.columns("years-chart", f"Documents mentioning {record['name']} per year",
                                      data["years"]),
        "places_chart": charts.bars("places-chart", f"Cities most often mentioned with {record['name']}",
                                    bar(data["places"]), unit="shared documents"),
        "orgs_chart": charts.bars("orgs-chart", f"Organisations most often mentioned with {record['name']}",
                                  bar(data["organisations"]), unit="shared documents"),
        "top_places": data["places"], "top_orgs": data["organisations"]})


def _facet_param(record: dict) -> str:
    """The search filter that selects the documents mentioning this record."""
    if record["category"] == "places":
        if record["record"].get("type") == "country" and record["record"].get("country"):
            return f"country={record['record']['country']}"
        return f"place={record['id']}"
    return {"organisations": f"org={record['id']}", "initiatives": f"initiative={record['id']}"}.get(
        record["category"], "")
