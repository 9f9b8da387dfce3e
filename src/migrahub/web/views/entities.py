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
    total, rows = entity_pages.entity_list(conn, category, name=name, country=country, limit=PAGE,
                                           offset=(page - 1) * PAGE)
    base = reverse("entities", args=[category])
    extra = "".join(f"&{k}={v}" for k, v in (("name", name), ("country", country)) if v)
    return render(request, "web/entities.html", {
        "category": category, "title": TITLES[category], "rows": rows, "total": total, "name": name,
        "country": country, "categories": TITLES,
        "prev_url": f"{base}?page={page - 1}{extra}" if page > 1 else None,
        "next_url": f"{base}?page={page + 1}{extra}" if page * PAGE < total else None})


@require_safe
def entity(request, entity_id: int):
    record = entity_pages.entity(_conn(), entity_id)
    if record is None:
        raise Http404("no such record")
    if record["merged_into"]:
        return redirect("entity", entity_id=record["merged_into"])
    fields = [(k.replace("_", " ").capitalize(), ", ".join(map(str, v)) if isinstance(v, list) else str(v))
              for k, v in record["record"].items()
              if k not in ("name", "surface", "type", "kind") and v not in (None, "", [], {})]
    return render(request, "web/entity.html", {"e": record, "fields": fields,
                                               "category_title": TITLES.get(record["category"])})
