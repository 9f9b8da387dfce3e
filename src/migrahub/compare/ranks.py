"""Ranks with their sample size ("17th of 93") and peer groups (size class, country and region from GeoNames,
city networks, custom lists)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np
import yaml


@dataclass(frozen=True)
class Rank:
    rank: int | None
    of: int
    group: str = "all"

    def __str__(self) -> str:
        return f"{ordinal(self.rank)} of {self.of}" if self.rank else f"not ranked (of {self.of})"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def ranks(values: np.ndarray) -> np.ndarray:
    """Competition ranks, highest value first, ties sharing the best rank (1, 2, 2, 4); 0 where no value."""
    values = np.asarray(values, dtype=float)
    valid = ~np.isnan(values)
    out = np.zeros(values.shape, dtype=int)
    v = values[valid]
    out[valid] = (v[None, :] > v[:, None]).sum(axis=1) + 1
    return out


def rank_among(values: np.ndarray, units: tuple[str, ...], unit: str, members: set[str] | None = None,
               group: str = "all") -> Rank:
    """The rank of ``unit`` among ``members`` (default: every unit) that have a value."""
    keep = np.array([u in members if members is not None else True for u in units])
    sub = np.where(keep, values, np.nan)
    r = ranks(sub)
    i = units.index(unit)
    return Rank(int(r[i]) or None, int((~np.isnan(sub)).sum()), group)


@functools.cache
def classes() -> dict:
    return yaml.safe_load((resources.files("migrahub.compare") / "data" / "peer_groups.yaml").read_text("utf-8"))


def size_class(population: int | None) -> str | None:
    if population is None:
        return None
    chosen = None
    for c in classes()["size_classes"]:
        if population >= c["min"]:
            chosen = c["key"]
    return chosen


def peers(groups: dict[str, dict], unit: str, key: str) -> tuple[str, set[str]]:
    """The peer group of ``unit`` by attribute ``key`` (its value, and the units sharing one of its values; list
    attributes such as networks share when any value is common)."""
    mine = _values(groups.get(unit, {}).get(key))
    members = {u for u, g in groups.items() if mine & _values(g.get(key))}
    return ", ".join(sorted(mine)), members


def _values(value) -> set[str]:
    if value in (None, ""):
        return set()
    if isinstance(value, (list, tuple, set)):
        return {str(v) for v in value if v not in (None, "")}
    return {s.strip() for s in str(value).split(";") if s.strip()}
