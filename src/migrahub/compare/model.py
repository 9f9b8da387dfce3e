"""The records of an index: its nodes (indicators and aggregates), editions, and a data set of raw values."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

NORMALISERS = ("minmax", "zscore", "goalposts", "none")
AGGREGATORS = ("mean", "geomean")
MISSING_RULES = ("exclude", "zero", "mean")  # what a missing value becomes; not-applicable is always excluded


class CompareError(ValueError):
    """Bad index definition or data; the message names the file, row or field and the reason."""


@dataclass(frozen=True)
class Option:
    """One answer option of a question: its key (what is stored), label and value (``None``: not applicable)."""

    key: str
    label: str
    value: float | None


@dataclass(frozen=True)
class Node:
    """An indicator (level 1) or an aggregate (dimension, area, overall) of the hierarchy."""

    code: str
    name: str
    level: int
    parent: str | None
    weight: float = 1.0
    direction: int = 1
    options: tuple[Option, ...] = ()
    normalise: str | None = None            # None: the index's default
    goalposts: tuple[float, float] | None = None
    question: str = ""
    aggregate: str | None = None            # aggregates only; None: the index's default for its level
    codes: tuple[str, ...] = ()             # codebook codes whose passages are evidence for this indicator
    keywords: tuple[str, ...] = ()          # words whose passages are evidence for this indicator

    @property
    def is_indicator(self) -> bool:
        return self.level == 1

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == str(key)), None)


@dataclass(frozen=True)
class Edition:
    code: str
    name: str
    year: int | None
    indicators: tuple[str, ...]  # the edition's catalogue (indicator codes)

    @functools.cached_property
    def catalogue(self) -> frozenset[str]:
        return frozenset(self.indicators)


@dataclass(frozen=True)
class IndexDef:
    code: str
    name: str
    nodes: tuple[Node, ...]
    editions: tuple[Edition, ...] = ()
    normalise: str = "minmax"
    aggregate: str = "mean"
    missing: str = "exclude"
    unit_kind: str = "city"
    description: str = ""

    @functools.cached_property
    def _by_code(self) -> dict[str, Node]:
        return {n.code: n for n in self.nodes}

    def node(self, code: str) -> Node:
        found = self._by_code.get(code)
        if found is None:
            raise CompareError(f"index {self.code}: no indicator or aggregate {code!r}")
        return found

    @property
    def indicators(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.is_indicator)

    def edition(self, code: str) -> Edition:
        for e in self.editions:
            if e.code == str(code):
                return e
        raise CompareError(f"index {self.code}: no edition {code!r} (editions: "
                           f"{', '.join(e.code for e in self.editions) or 'none'})")

    def root(self) -> Node:
        return next(n for n in self.nodes if n.parent is None and n.level == max(x.level for x in self.nodes))


@dataclass(frozen=True)
class Dataset:
    """Raw values of units × indicators: ``values`` NaN where there is no number; ``na`` True where the answer is
    *not applicable* (so a missing value — NaN and not ``na`` — can be imputed by the index's rule, a
    not-applicable one never is)."""

    units: tuple[str, ...]
    indicators: tuple[str, ...]
    values: np.ndarray
    na: np.ndarray
    names: tuple[str, ...] = ()
    groups: dict = field(default_factory=dict)  # unit code -> {group name: value or list of values}

    def column(self, code: str) -> np.ndarray:
        return self.values[:, self.indicators.index(code)]


@dataclass(frozen=True)
class Result:
    """Scores of every unit at every node (indicators normalised, aggregates computed): ``scores[u, j]`` for
    ``units[u]`` and ``codes[j]``; NaN where a unit has no value."""

    units: tuple[str, ...]
    codes: tuple[str, ...]
    levels: tuple[int, ...]
    scores: np.ndarray
    engine: str = "compare/1"
    settings: dict = field(default_factory=dict)

    def score(self, unit: str, code: str) -> float:
        return float(self.scores[self.units.index(unit), self.codes.index(code)])

    def column(self, code: str) -> np.ndarray:
        return self.scores[:, self.codes.index(code)]

    def as_dict(self) -> dict[str, dict[str, float | None]]:
        rows = np.where(np.isnan(self.scores), None, self.scores).tolist()
        return {unit: dict(zip(self.codes, row, strict=True)) for unit, row in zip(self.units, rows, strict=True)}
