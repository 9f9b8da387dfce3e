"""The practice library, the events calendar and the network view (with its GraphML / GEXF exports and the page
of each link's passages). Thin: read parameters, call services, render."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from migrahub.services import entity_pages, events, network, practices
from migrahub.services.documents import reader
from migrahub.web import charts, hubcache
from migrahub.web.params import read_page

PAGE = 25
NETWORK_TTL = 300  # seconds a built network is reused (it reads every mention of the hub)


def _conn():
    conn = reader(settings.MIGRAHUB_DB)
    if not entity_pages.available(conn):
        raise Http404("this hub has no entity tables yet")
    return conn


def _int(value, default=None, low=None, high=None):
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 9:
        return default
    n = int(value)
    if low is not None:
        n = max(low, n)
    return min(high, n) if high is not None else n


def _url(base: str, params: dict) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{base}?{urlencode(params)}" if params else base


@require_safe
def practice_library(request):
    conn = _conn()
    page = read_page(request.GET)
    country = (request.GET.get("country") or "").strip().upper()[:2] or None
    city = _int(request.GET.get("city"))
    group = (request.GET.get("group") or "").strip() or None
    group = group if group in practices.GROUPS else None
    theme = (request.GET.get("theme") or "").strip()[:100] or None
    lib = practices.library(conn, country=country, city=city, group=group, theme=theme, limit=PAGE,
                            offset=(page - 1) * PAGE)
    base = reverse("practices")
    state = {"country": country, "city": city, "group": group, "theme": theme}

    def toggle(key, value, **also):
        chosen = str(state[key]) == str(value)
        return _url(base, {**state, key: None if chosen else value, **also}), chosen

    facets = [
        ("Country", [(code, code, n, *toggle("country", code, city=None)) for code, n in lib.countries]),
        ("Target group / actor", [(k, label, n, *toggle("group", k)) for k, label, n in lib.groups]),
    ]
    if country:
        facets.insert(1, ("City", [(cid, name, n, *toggle("city", cid)) for cid, name, n in lib.cities if cid]))
    if lib.themes:  # once passages are coded, their codes become themes
        facets.append(("Theme", [(t, t, n, *toggle("theme", t)) for t, n in lib.themes]))
    return render(request, "web/practices.html", {
        "lib": lib, "facets": facets, "state": state, "group_labels": {k: v[0] for k, v in practices.GROUPS.items()},
        "clear_url": base if any(state.values()) else None,
        "prev_url": _url(base, {**state, "page": page - 1 if page > 2 else None}) if page > 1 else None,
        "next_url": _url(base, {**state, "page": page + 1}) if page * PAGE < lib.total else None})


@require_safe
def event_calendar(request):
    conn = _conn()
    year = _int(request.GET.get("year"), low=1000, high=2999)
    country = (request.GET.get("country") or "").strip().upper()[:2] or None
    every = events.events(conn, country=country)
    chosen = [e for e in every if not year or e.year == year]
    months, undated = events.by_month(chosen)
    base = reverse("events")
    years = events.per_year(every)
    return render(request, "web/events.html", {
        "months": months, "undated": undated, "count": len(chosen), "year": year, "country": country,
        "years": [(y, n, _url(base, {"year": None if str(year) == y else y, "country": country})) for y, n in years
                  if n],
        "clear_url": base if (year or country) else None,
        "per_year_chart": charts.columns("events-per-year", "Events per year", years, unit="events"),
        "per_year": years,
        "timeline": charts.timeline("events-timeline", "Timeline of dated events", [
            (e.year, e.month, f"{e.when}: {e.title}" + (f" ({e.place})" if e.place else ""),
             reverse("document", args=[e.document_id]) + (f"#p-{e.passage_id}" if e.passage_id else ""))
            for e in chosen if e.year])})


def _graph(min_weight: int, max_nodes: int) -> network.Graph:
    conn = _conn()
    return hubcache.cached(conn, "network", (min_weight, max_nodes),
                           lambda: network.build_graph(conn, min_weight=min_weight, max_nodes=max_nodes), NETWORK_TTL)


def _network_params(request) -> tuple[int, int]:
    return (_int(request.GET.get("min_weight"), 1, low=1, high=1000),
            _int(request.GET.get("max_nodes"), 150, low=1, high=2000))


@require_safe
def network_view(request):
    min_weight, max_nodes = _network_params(request)
    graph = _graph(min_weight, max_nodes)
    labels = {n.id: n for n in graph.nodes}
    query = {"min_weight": min_weight if min_weight > 1 else None,
             "max_nodes": max_nodes if max_nodes != 150 else None}
    return render(request, "web/network.html", {
        "graph": graph, "min_weight": min_weight, "max_nodes": max_nodes,
        "data_url": _url(reverse("network-json"), query),
        "graphml_url": _url(reverse("network-graphml"), query), "gexf_url": _url(reverse("network-gexf"), query),
        "edges": [(labels[e.source], labels[e.target], e) for e in graph.edges[:40]],
        "node_list": _node_list(graph, labels),
        "counts": {c: sum(1 for n in graph.nodes if n.category == c) for c in network.NODE_CATEGORIES}})


def _node_list(graph, labels) -> list[tuple]:
    """Each record with the records it is linked to, strongest first: the network as a list (phones, screen
    readers)."""
    links: dict[int, list] = {n.id: [] for n in graph.nodes}
    for e in graph.edges:
        links[e.source].append((labels[e.target], e.weight))
        links[e.target].append((labels[e.source], e.weight))
    degree = {n.id: sum(w for _, w in links[n.id]) for n in graph.nodes}
    ordered = sorted(graph.nodes, key=lambda n: (-degree[n.id], n.label))
    return [(n, sorted(links[n.id], key=lambda x: -x[1])[:8]) for n in ordered]


@require_safe
def network_json(request):
    return JsonResponse(network.to_json(_graph(*_network_params(request))))


def _download(body: str, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
def network_graphml(request):
    return _download(network.to_graphml(_graph(*_network_params(request))), "application/graphml+xml; charset=utf-8",
                     "migrahub-network.graphml")


@require_safe
def network_gexf(request):
    graph = _graph(*_network_params(request))
    return _download(network.to_gexf(graph, generated=datetime.now(UTC).date().isoformat()),
                     "application/gexf+xml; charset=utf-8", "migrahub-network.gexf")


@require_safe
def network_edge(request, a: int, b: int):
    page = read_page(request.GET)
    size = 50
    detail = network.edge_passages(_conn(), a, b, limit=size, offset=(page - 1) * size)
    if detail is None:
        raise Http404("no such link")
    base = reverse("network-edge", args=[a, b])
    return render(request, "web/network_edge.html", {
        "d": detail, "page": page,
        "prev_url": _url(base, {"page": page - 1 if page > 2 else None}) if page > 1 else None,
        "next_url": _url(base, {"page": page + 1}) if len(detail["passages"]) >= size else None})
