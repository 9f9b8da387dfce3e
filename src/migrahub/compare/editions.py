"""Editions: each with its catalogue of indicators; change between two editions is computed on their common core
(the indicators both have), with min-max and z-score normalisation pooled over both editions so that a score
moves only when the unit's answers move."""

from __future__ import annotations

import numpy as np

from migrahub.compare.engine import compute
from migrahub.compare.model import CompareError, Dataset, IndexDef, Result


def common_core(index: IndexDef, editions: list[str] | None = None) -> tuple[str, ...]:
    """The indicators every chosen edition (default: all) has, in definition order."""
    chosen = [index.edition(e) for e in editions] if editions else list(index.editions)
    if not chosen:
        raise CompareError(f"index {index.code}: no editions")
    common = set.intersection(*(set(e.indicators) for e in chosen))
    return tuple(n.code for n in index.indicators if n.code in common)


def _pooled(a: Dataset, b: Dataset, core: tuple[str, ...]) -> Dataset:
    cols_a = [a.indicators.index(c) for c in core]
    cols_b = [b.indicators.index(c) for c in core]
    units = tuple(f"a:{u}" for u in a.units) + tuple(f"b:{u}" for u in b.units)
    values = np.vstack([a.values[:, cols_a], b.values[:, cols_b]])
    na = np.vstack([a.na[:, cols_a], b.na[:, cols_b]])
    return Dataset(units, core, values, na)


def change(index: IndexDef, before: Dataset, after: Dataset, core: tuple[str, ...] | None = None
           ) -> tuple[Result, Result, dict[str, dict[str, float | None]]]:
    """Scores of both editions on the common core and the change (after − before) per unit and node, for the
    units present in both."""
    core = core or common_core(index)
    if not core:
        raise CompareError(f"index {index.code}: the editions share no indicator, so no change can be computed")
    pooled = compute(index, _pooled(before, after, core), indicators=core)
    n = len(before.units)
    first = Result(before.units, pooled.codes, pooled.levels, pooled.scores[:n], pooled.engine, pooled.settings)
    second = Result(after.units, pooled.codes, pooled.levels, pooled.scores[n:], pooled.engine, pooled.settings)
    delta = {}
    for unit in before.units:
        if unit in after.units:
            d = second.scores[after.units.index(unit)] - first.scores[before.units.index(unit)]
            delta[unit] = {c: (None if np.isnan(d[j]) else float(d[j])) for j, c in enumerate(pooled.codes)}
    return first, second, delta
