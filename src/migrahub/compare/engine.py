"""The engine: normalise each indicator, then aggregate level by level with weights (``compare/1``).

What it does, as COINr 1.x does it by default:

- **min-max** ``(x·d − min)/(max − min) × 100`` per indicator over the units, ``d`` the indicator's direction
  (−1 turns "lower is better" around); a constant indicator has no range and gives no score (NaN, as COINr's
  ``n_minmax``); **z-score** ``(x·d − mean)/sd`` (sample sd); **goalposts** ``(x − lo)/(hi − lo) × 100`` cut to
  0–100 (``hi`` and ``lo`` swap roles for direction −1); **none** keeps the values (0/50/100 items);
- **weighted arithmetic mean** ``Σ wᵢxᵢ / Σ wᵢ`` over the children that have a value (the weights of missing
  children are left out, so the others' are renormalised — COINr's ``a_amean``), or **weighted geometric mean**
  ``exp(Σ wᵢ ln xᵢ / Σ wᵢ)`` (``a_gmean``; a zero child makes it 0, a negative one is refused);
- a missing value (no answer) follows the index's rule: left out (``exclude``), scored 0 (``zero``) or given the
  indicator's mean (``mean``); a not-applicable answer is always left out.

Everything is matrix arithmetic over units × nodes, so an index of 150 indicators and 60 units computes in
milliseconds and a Monte Carlo run repeats only the aggregation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from migrahub.compare import ENGINE
from migrahub.compare.model import AGGREGATORS, NORMALISERS, CompareError, Dataset, IndexDef, Result

SCALE = 100.0


@dataclass(frozen=True)
class Plan:
    """An index restricted to a set of indicators, ready to compute: node codes (indicators first, then aggregates
    by level), their levels, the child → parent weight matrix and, per aggregate, its aggregation method."""

    codes: tuple[str, ...]
    levels: tuple[int, ...]
    n_indicators: int
    weights: np.ndarray          # N × N, weights[child, parent]
    methods: tuple[str, ...]     # per node (indicators: "")

    def steps(self) -> list[tuple[int, np.ndarray]]:
        """The aggregation steps: (level, column indices of that level's aggregates), lowest level first."""
        levels = np.asarray(self.levels)
        return [(lv, np.flatnonzero(levels == lv)) for lv in sorted(set(self.levels)) if lv > 1]


def plan(index: IndexDef, indicators: tuple[str, ...] | None = None, *, aggregate: str | None = None,
         weights: dict[str, float] | None = None) -> Plan:
    """The plan of ``index`` over ``indicators`` (default: all of them). Aggregates left without any indicator
    below them are dropped. ``aggregate`` overrides every aggregate's method; ``weights`` overrides node weights."""
    if aggregate is not None and aggregate not in AGGREGATORS:
        raise CompareError(f"aggregate: unknown method {aggregate!r} (one of {', '.join(AGGREGATORS)})")
    chosen = [index.node(c) for c in (indicators if indicators is not None else [n.code for n in index.indicators])]
    keep = {n.code for n in chosen}
    by_code = {n.code: n for n in index.nodes}
    for n in chosen:
        parent = n.parent
        while parent is not None and parent not in keep:
            keep.add(parent)
            parent = by_code[parent].parent
    aggregates = sorted((n for n in index.nodes if n.code in keep and not n.is_indicator),
                        key=lambda n: n.level)  # stable: definition order within a level
    nodes = [*chosen, *aggregates]
    codes = tuple(n.code for n in nodes)
    pos = {c: i for i, c in enumerate(codes)}
    w = np.zeros((len(nodes), len(nodes)))
    for i, n in enumerate(nodes):
        if n.parent is not None and n.parent in pos:
            w[i, pos[n.parent]] = (weights or {}).get(n.code, n.weight)
    methods = tuple("" if n.is_indicator else (aggregate or n.aggregate or index.aggregate) for n in nodes)
    return Plan(codes, tuple(n.level for n in nodes), len(chosen), w, methods)


def _valid_range(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    valid = ~np.isnan(x)
    lo = np.where(valid, x, np.inf).min(axis=0)
    hi = np.where(valid, x, -np.inf).max(axis=0)
    return lo, hi


def normalise(index: IndexDef, data: Dataset, codes: tuple[str, ...], method: str | None = None) -> np.ndarray:
    """The normalised values (units × ``codes``) of the data set's raw values, missing values imputed by the
    index's rule, not-applicable ones left NaN."""
    if method is not None and method not in NORMALISERS:
        raise CompareError(f"normalise: unknown method {method!r} (one of {', '.join(NORMALISERS)})")
    missing_cols = [c for c in codes if c not in data.indicators]
    if missing_cols:
        raise CompareError(f"data: no column for indicator(s) {', '.join(missing_cols)}")
    cols = [data.indicators.index(c) for c in codes]
    raw, na = data.values[:, cols].astype(float), data.na[:, cols]
    raw = np.where(na, np.nan, raw)
    nodes = [index.node(c) for c in codes]
    out = np.full(raw.shape, np.nan)
    directions = np.array([n.direction for n in nodes], dtype=float)
    methods = np.array([method or n.normalise or index.normalise for n in nodes])
    with np.errstate(invalid="ignore", divide="ignore"):
        sel = methods == "minmax"
        if sel.any():
            x = raw[:, sel] * directions[sel]
            lo, hi = _valid_range(x)
            out[:, sel] = (x - lo) / np.where(hi > lo, hi - lo, np.nan) * SCALE
        sel = methods == "zscore"
        if sel.any():
            x = raw[:, sel] * directions[sel]
            valid = ~np.isnan(x)
            n = valid.sum(axis=0)
            mean = np.where(valid, x, 0).sum(axis=0) / np.where(n > 0, n, np.nan)
            var = np.where(valid, (x - mean) ** 2, 0).sum(axis=0) / np.where(n > 1, n - 1, np.nan)
            out[:, sel] = (x - mean) / np.where(var > 0, np.sqrt(var), np.nan)
        for j in np.flatnonzero(methods == "goalposts"):
            if nodes[j].goalposts is None:
                raise CompareError(f"indicator {codes[j]}: goalposts normalisation needs goalposts (lower, upper)")
            lo, hi = nodes[j].goalposts
            if directions[j] < 0:
                lo, hi = hi, lo
            out[:, j] = np.clip((raw[:, j] - lo) / (hi - lo) * SCALE, 0, SCALE)
        sel = methods == "none"
        out[:, sel] = raw[:, sel]
    return impute(out, data.values[:, cols], na, index.missing)


def impute(scores: np.ndarray, raw: np.ndarray, na: np.ndarray, rule: str) -> np.ndarray:
    """Apply the missing-value rule to normalised ``scores`` where ``raw`` is missing and not not-applicable."""
    missing = np.isnan(raw) & ~na
    if rule == "exclude" or not missing.any():
        return scores
    if rule == "zero":
        return np.where(missing, 0.0, scores)
    if rule == "mean":
        valid = ~np.isnan(scores)
        with np.errstate(invalid="ignore"):
            mean = np.where(valid, scores, 0).sum(axis=0) / np.where(valid.any(axis=0), valid.sum(axis=0), np.nan)
        return np.where(missing, mean, scores)
    raise CompareError(f"missing: unknown rule {rule!r}")


def aggregate(p: Plan, indicator_scores: np.ndarray, weights: np.ndarray | None = None,
              methods: tuple[str, ...] | None = None) -> np.ndarray:
    """Every node's score (units × nodes of the plan) from the indicators' normalised scores."""
    w = p.weights if weights is None else weights
    methods = methods or p.methods
    s = np.full((indicator_scores.shape[0], len(p.codes)), np.nan)
    s[:, :p.n_indicators] = indicator_scores
    for _level, cols in p.steps():
        valid = ~np.isnan(s)
        filled = np.where(valid, s, 0.0)
        den = valid.astype(float) @ w[:, cols]
        col_methods = np.array([methods[c] for c in cols])
        with np.errstate(invalid="ignore", divide="ignore"):
            result = (filled @ w[:, cols]) / np.where(den > 0, den, np.nan)
            geo = col_methods == "geomean"
            if geo.any():
                gcols = cols[geo]
                neg = ((valid & (s < 0)).astype(float) @ (w[:, gcols] > 0)) > 0
                if neg.any():
                    bad = p.codes[int(gcols[np.flatnonzero(neg.any(axis=0))[0]])]
                    raise CompareError(f"aggregate {bad}: the geometric mean needs values ≥ 0 (normalise with "
                                       "minmax or goalposts)")
                logs = np.where(valid & (s > 0), np.log(np.where(s > 0, s, 1.0)), 0.0)
                zero = ((valid & (s == 0)).astype(float) @ w[:, gcols]) > 0
                g = np.exp((logs @ w[:, gcols]) / np.where(den[:, geo] > 0, den[:, geo], np.nan))
                result[:, geo] = np.where(zero, 0.0, g)
        s[:, cols] = result
    return s


def compute(index: IndexDef, data: Dataset, *, indicators: tuple[str, ...] | None = None,
            normalise_with: str | None = None, aggregate_with: str | None = None,
            weights: dict[str, float] | None = None) -> Result:
    """Scores of every unit at every node of ``index`` (restricted to ``indicators``) from the data set."""
    p = plan(index, indicators, aggregate=aggregate_with, weights=weights)
    norm = normalise(index, data, p.codes[:p.n_indicators], normalise_with)
    scores = aggregate(p, norm)
    settings = {"normalise": normalise_with or index.normalise, "aggregate": aggregate_with or index.aggregate,
                "missing": index.missing}
    return Result(data.units, p.codes, p.levels, scores, ENGINE, settings)
