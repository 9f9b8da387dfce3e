"""Sensitivity of the ranks: leave one aggregate out, alternative weights and aggregation, seeded Monte Carlo
(random weights around the chosen ones and a random choice of aggregation), and what-if for one unit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from migrahub.compare.engine import aggregate, normalise, plan
from migrahub.compare.model import CompareError, Dataset, IndexDef
from migrahub.compare.ranks import ranks


@dataclass(frozen=True)
class Interval:
    unit: str
    nominal: int
    median: float
    low: float    # 5th percentile of the rank
    high: float   # 95th percentile of the rank


def _setup(index: IndexDef, data: Dataset, indicators=None):
    p = plan(index, indicators)
    return p, normalise(index, data, p.codes[:p.n_indicators])


def _root(p) -> int:
    return int(np.argmax(p.levels))


def leave_one_out(index: IndexDef, data: Dataset, level: int | None = None) -> dict[str, dict[str, int]]:
    """For each aggregate at ``level`` (default: the level just under the index), the root rank of every unit
    when that aggregate is left out."""
    p, norm = _setup(index, data)
    level = level or max(p.levels) - 1
    out = {}
    for j, code in enumerate(p.codes):
        if p.levels[j] != level:
            continue
        w = p.weights.copy()
        w[j, :] = 0
        r = ranks(aggregate(p, norm, w)[:, _root(p)])
        out[code] = dict(zip(data.units, map(int, r), strict=True))
    return out


def alternatives(index: IndexDef, data: Dataset) -> dict[str, dict[str, int]]:
    """Root ranks under the chosen method, equal weights, and the other aggregation."""
    p, norm = _setup(index, data)
    equal = (p.weights > 0).astype(float)
    other = "geomean" if index.aggregate == "mean" else "mean"
    runs = {"chosen": aggregate(p, norm), "equal weights": aggregate(p, norm, equal),
            f"{other} aggregation": _safe(lambda: aggregate(p, norm, methods=tuple(
                "" if m == "" else other for m in p.methods)))}
    return {name: dict(zip(data.units, map(int, ranks(s[:, _root(p)])), strict=True))
            for name, s in runs.items() if s is not None}


def _safe(fn):
    try:
        return fn()
    except CompareError:
        return None


def monte_carlo(index: IndexDef, data: Dataset, *, runs: int = 1000, seed: int = 0, spread: float = 0.25,
                methods: tuple[str, ...] = ("mean",)) -> list[Interval]:
    """Ranks of the index over ``runs`` replications, each with every weight multiplied by a uniform draw in
    [1 − spread, 1 + spread] and an aggregation drawn from ``methods``; the same seed gives the same result."""
    p, norm = _setup(index, data)
    rng = np.random.default_rng(seed)
    root = _root(p)
    nominal = ranks(aggregate(p, norm)[:, root])
    all_ranks = np.zeros((runs, len(data.units)), dtype=int)
    mask = p.weights > 0
    for k in range(runs):
        w = np.where(mask, p.weights * rng.uniform(1 - spread, 1 + spread, p.weights.shape), 0.0)
        method = methods[int(rng.integers(len(methods)))]
        chosen = tuple("" if m == "" else method for m in p.methods)
        all_ranks[k] = ranks(aggregate(p, norm, w, chosen)[:, root])
    low, med, high = np.percentile(all_ranks, [5, 50, 95], axis=0)
    return [Interval(u, int(nominal[i]), float(med[i]), float(low[i]), float(high[i]))
            for i, u in enumerate(data.units)]


def what_if(index: IndexDef, data: Dataset, unit: str, changes: dict[str, float | None],
            indicators: tuple[str, ...] | None = None) -> dict:
    """The unit's scores and rank before and after changing some of its raw values (None: missing)."""
    if unit not in data.units:
        raise CompareError(f"what-if: no unit {unit!r}")
    values = data.values.copy()
    u = data.units.index(unit)
    for code, value in changes.items():
        if code not in data.indicators:
            raise CompareError(f"what-if: no indicator {code!r}")
        values[u, data.indicators.index(code)] = np.nan if value is None else float(value)
    changed = Dataset(data.units, data.indicators, values, data.na, data.names, data.groups)
    out = {}
    for name, d in (("before", data), ("after", changed)):
        p, norm = _setup(index, d, indicators)
        s = aggregate(p, norm)
        r = ranks(s[:, _root(p)])
        out[name] = {"scores": {c: (None if np.isnan(s[u, j]) else float(s[u, j])) for j, c in enumerate(p.codes)},
                     "rank": int(r[u]), "of": int((r > 0).sum())}
    return out
