"""Inter-coder agreement: percent agreement, Cohen's kappa, Krippendorff's alpha (nominal), per code and overall.

Input shape everywhere: ``codings[coder][unit] = iterable of code ids``. A unit missing from a coder's mapping is
*missing data* (that coder did not code it); a unit present with an empty list means "coded, no code applies". A
machine coder is just another coder (name it e.g. ``"autocode/1"``), so person-vs-machine agreement is the same call.

Per code, each (coder, unit) becomes a binary decision: the code applied or not. "Overall" pools all (unit, code)
decisions of all leaf codes (the way ``score_coding.py`` pools micro-F1) and also reports the mean of per-code values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

Codings = Mapping[str, Mapping[str, Iterable[str]]]


def percent_agreement(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Share of units on which two coders gave the same value (units where either is None are skipped)."""
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    return sum(x == y for x, y in pairs) / len(pairs) if pairs else float("nan")


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Cohen's kappa for two coders over nominal values (units where either is None are skipped). When both coders
    use one and the same category throughout (expected agreement 1) kappa is undefined; we return 1.0 if they agree
    everywhere (as sklearn's ``cohen_kappa_score`` gives nan there, callers comparing should special-case it)."""
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    n = len(pairs)
    if n == 0:
        return float("nan")
    po = sum(x == y for x, y in pairs) / n
    ca, cb = Counter(x for x, _ in pairs), Counter(y for _, y in pairs)
    pe = sum(ca[k] * cb.get(k, 0) for k in ca) / (n * n)
    if pe == 1.0:
        return 1.0 if po == 1.0 else 0.0
    return (po - pe) / (1 - pe)


def krippendorff_alpha(data: Sequence[Sequence[Hashable | None]]) -> float:
    """Krippendorff's alpha, nominal metric. ``data[c][u]`` is coder c's value for unit u, None when missing.
    Units with fewer than two values are not pairable and are dropped. Returns nan with no pairable units and 1.0
    when every pairable value is the same (no disagreement possible)."""
    if not data:
        return float("nan")
    n_units = len(data[0])
    if any(len(row) != n_units for row in data):
        raise ValueError("krippendorff_alpha: every coder row must cover the same units")
    coincidence: Counter = Counter()  # o_ck
    for u in range(n_units):
        values = [row[u] for row in data if row[u] is not None]
        m = len(values)
        if m < 2:
            continue
        for i, j in ((i, j) for i in range(m) for j in range(m) if i != j):
            coincidence[(values[i], values[j])] += 1.0 / (m - 1)
    n_c: Counter = Counter()
    for (c, _k), v in coincidence.items():
        n_c[c] += v
    n = sum(n_c.values())
    if n == 0:
        return float("nan")
    observed = sum(v for (c, k), v in coincidence.items() if c != k)
    expected = n * n - sum(v * v for v in n_c.values())  # sum over c != k of n_c * n_k
    if expected == 0:
        return 1.0
    return 1.0 - (n - 1) * observed / expected


@dataclass(frozen=True)
class CodeAgreement:
    """Agreement on one code (or ``code == "*"`` for all codes pooled). ``kappa`` is Cohen's kappa for two coders,
    the mean pairwise kappa for more. ``units`` counts units coded by at least two coders."""

    code: str
    units: int
    applied: int  # (coder, unit) decisions where the code was applied
    percent: float
    kappa: float
    alpha: float


@dataclass(frozen=True)
class AgreementReport:
    coders: tuple[str, ...]
    per_code: tuple[CodeAgreement, ...]
    overall: CodeAgreement  # pooled over (unit, code) decisions
    mean_kappa: float  # mean of per-code kappa over codes that someone applied
    mean_alpha: float

    def as_dict(self) -> dict:
        def row(c: CodeAgreement) -> dict:
            return {"code": c.code, "units": c.units, "applied": c.applied, "percent": c.percent,
                    "kappa": c.kappa, "alpha": c.alpha}

        return {"coders": list(self.coders), "overall": row(self.overall), "mean_kappa": self.mean_kappa,
                "mean_alpha": self.mean_alpha, "per_code": [row(c) for c in self.per_code]}


def _mean(xs: Iterable[float]) -> float:
    vals = [x for x in xs if x == x]
    return sum(vals) / len(vals) if vals else float("nan")


def _binary_rows(codings: Codings, coders: Sequence[str], units: Sequence[str], code: str) -> list[list[int | None]]:
    sets = {c: {u: set(v) for u, v in codings[c].items()} for c in coders}
    return [[(1 if code in sets[c][u] else 0) if u in sets[c] else None for u in units] for c in coders]


def _stats(code: str, rows: list[list[int | None]]) -> CodeAgreement:
    pairable = sum(1 for u in range(len(rows[0]) if rows else 0) if sum(r[u] is not None for r in rows) >= 2)
    applied = sum(1 for r in rows for v in r if v == 1)
    pairs = list(combinations(range(len(rows)), 2))
    percent = _mean(percent_agreement(rows[i], rows[j]) for i, j in pairs)
    kappa = _mean(cohen_kappa(rows[i], rows[j]) for i, j in pairs)
    return CodeAgreement(code, pairable, applied, percent, kappa, krippendorff_alpha(rows))


def agreement(codings: Codings, codes: Iterable[str] | None = None, units: Iterable[str] | None = None,
              coders: Sequence[str] | None = None) -> AgreementReport:
    """Agreement between the coders in ``codings`` (two or more), per code and overall.

    ``codes`` defaults to every code any coder applied; ``units`` to every unit any coder coded."""
    coders = tuple(coders) if coders is not None else tuple(sorted(codings))
    if len(coders) < 2:
        raise ValueError(f"agreement needs at least two coders, got {list(coders)}")
    missing = [c for c in coders if c not in codings]
    if missing:
        raise ValueError(f"no codings for coder(s) {missing}")
    if units is None:
        units = sorted({u for c in coders for u in codings[c]})
    units = list(units)
    if codes is None:
        codes = sorted({k for c in coders for v in codings[c].values() for k in v})
    codes = list(codes)
    per = tuple(_stats(k, _binary_rows(codings, coders, units, k)) for k in codes)
    pooled: list[list[int | None]] = [[] for _ in coders]
    for k in codes:
        for i, row in enumerate(_binary_rows(codings, coders, units, k)):
            pooled[i].extend(row)
    overall = _stats("*", pooled) if codes else CodeAgreement("*", 0, 0, float("nan"), float("nan"), float("nan"))
    used = [c for c in per if c.applied]
    return AgreementReport(coders, per, overall, _mean(c.kappa for c in used), _mean(c.alpha for c in used))


def pairwise(codings: Codings, codes: Iterable[str] | None = None,
             units: Iterable[str] | None = None) -> dict[tuple[str, str], AgreementReport]:
    """One report per pair of coders (e.g. each person against the machine)."""
    codes = list(codes) if codes is not None else None
    units = list(units) if units is not None else None
    return {(a, b): agreement(codings, codes, units, (a, b)) for a, b in combinations(sorted(codings), 2)}
