"""Cities like mine: other cities ranked by what they share with a city — country, population class (GeoNames),
networks and partners, themes of their documents and practices — each similarity said in words."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

STAGE = "connect/similar@1"
WEIGHTS = {"country": 0.3, "population": 0.25, "network": 0.15, "themes": 0.4, "index": 0.2}
CLOSE_SCORE = 10.0   # two overall index scores (0–100) this close make the cities alike on that index
MAX_SHARED_NETWORKS = 3


@dataclass(frozen=True)
class CityFacts:
    id: int
    name: str
    country: str = ""
    population: int | None = None
    networks: frozenset[tuple[int, str]] = frozenset()  # (entity id, name) of initiatives and organisations
    themes: tuple[tuple[str, int], ...] = ()             # (theme, weight)
    scores: tuple[tuple[str, float], ...] = ()           # (index name, overall score 0–100)


@dataclass(frozen=True)
class Similar:
    city: CityFacts
    score: float
    reasons: tuple[str, ...]


@cache
def population_classes() -> list[dict]:
    return yaml.safe_load((resources.files("migrahub.connect") / "data" / "population_classes.yaml")
                          .read_text("utf-8"))


def population_class(population: int | None) -> dict | None:
    if not population:
        return None
    for cls in population_classes():
        if cls["below"] is None or population < cls["below"]:
            return cls
    return None


def _cosine(a: dict[str, int], b: dict[str, int]) -> float:
    shared = set(a) & set(b)
    if not shared:
        return 0.0
    dot = sum(a[k] * b[k] for k in shared)
    return dot / (math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values())))


def compare(mine: CityFacts, other: CityFacts, country_name=lambda c: c) -> Similar:
    score, reasons = 0.0, []
    if mine.country and mine.country == other.country:
        score += WEIGHTS["country"]
        reasons.append(f"same country ({country_name(other.country)})")
    mine_cls, other_cls = population_class(mine.population), population_class(other.population)
    if mine_cls and other_cls:
        keys = [c["key"] for c in population_classes()]
        gap = abs(keys.index(mine_cls["key"]) - keys.index(other_cls["key"]))
        if gap == 0:
            score += WEIGHTS["population"]
            reasons.append(f"same size: {other_cls['label']} ({other.population:,} inhabitants)")
        elif gap == 1:
            score += WEIGHTS["population"] / 2
            reasons.append(f"close in size: {other_cls['label']} ({other.population:,} inhabitants)")
    shared = sorted(mine.networks & other.networks, key=lambda n: n[1])
    if shared:
        score += WEIGHTS["network"] * min(len(shared), MAX_SHARED_NETWORKS)
        reasons.append("shared networks and partners: " + ", ".join(name for _, name in shared[:5]))
    mine_t, other_t = dict(mine.themes), dict(other.themes)
    overlap = _cosine(mine_t, other_t)
    if overlap > 0:
        score += WEIGHTS["themes"] * overlap
        common = sorted(set(mine_t) & set(other_t), key=lambda t: -(mine_t[t] * other_t[t]))
        reasons.append("shared themes: " + ", ".join(common[:5]))
    mine_s, other_s = dict(mine.scores), dict(other.scores)
    close = [(name, mine_s[name], other_s[name]) for name in sorted(set(mine_s) & set(other_s))
             if abs(mine_s[name] - other_s[name]) <= CLOSE_SCORE]
    if close:
        score += WEIGHTS["index"]
        reasons.append("close index scores: " + ", ".join(f"{n} ({a:.0f} and {b:.0f})" for n, a, b in close))
    return Similar(other, round(score, 4), tuple(reasons))


def cities_like(mine: CityFacts, others: list[CityFacts], limit: int = 10, country_name=lambda c: c) -> list[Similar]:
    out = [compare(mine, o, country_name) for o in others if o.id != mine.id]
    out = [s for s in out if s.score > 0]
    out.sort(key=lambda s: (-s.score, s.city.name))
    return out[:limit]
