"""Agreement: kappa against sklearn, alpha against the krippendorff package, on real gold codings."""

from __future__ import annotations

import json
import math
import random
import warnings

import krippendorff
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from migrahub.coding.agreement import agreement, cohen_kappa, krippendorff_alpha, pairwise, percent_agreement

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


@pytest.fixture(scope="module")
def gold(shared_dir):
    return json.loads((shared_dir / "gold" / "codes.json").read_text(encoding="utf-8"))


def _perturb(codings, seed, p_drop=0.15, p_add=0.01, codes=None):
    rnd = random.Random(seed)
    codes = codes or sorted({c for v in codings.values() for c in v})
    out = {}
    for unit, cs in codings.items():
        kept = [c for c in cs if rnd.random() > p_drop]
        kept += [c for c in codes if c not in cs and rnd.random() < p_add]
        out[unit] = kept
    return out


def test_kappa_and_alpha_match_reference_implementations_on_gold(gold):
    other = _perturb(gold, 1)
    report = agreement({"gold": gold, "other": other})
    units = sorted(gold)
    for row in report.per_code:
        a = [int(row.code in gold[u]) for u in units]
        b = [int(row.code in other[u]) for u in units]
        ref = cohen_kappa_score(a, b)
        if math.isnan(ref):
            continue
        assert row.kappa == pytest.approx(ref, abs=1e-9), row.code
        ref_alpha = krippendorff.alpha(reliability_data=np.array([a, b], dtype=float), level_of_measurement="nominal")
        assert row.alpha == pytest.approx(ref_alpha, abs=1e-9), row.code
        assert row.percent == pytest.approx(sum(x == y for x, y in zip(a, b, strict=True)) / len(a))
    assert 0.5 < report.overall.kappa < 0.95
    assert report.overall.units == len(units) * len(report.per_code)


def test_alpha_three_coders_with_missing_data_matches_package(gold):
    units = sorted(gold)
    coders = {"g": gold, "x": _perturb(gold, 2), "y": _perturb(gold, 3)}
    rnd = random.Random(4)
    for name in ("x", "y"):  # each of them skipped some passages: missing data
        coders[name] = {u: v for u, v in coders[name].items() if rnd.random() > 0.2}
    report = agreement(coders, units=units)
    for row in report.per_code[:10]:
        data = np.array([[(1.0 if row.code in coders[c][u] else 0.0) if u in coders[c] else np.nan for u in units]
                         for c in ("g", "x", "y")])
        assert row.alpha == pytest.approx(krippendorff.alpha(reliability_data=data,
                                                             level_of_measurement="nominal"), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from("abc")), min_size=2, max_size=40))
def test_kappa_property_against_sklearn(pairs):
    a, b = [x for x, _ in pairs], [y for _, y in pairs]
    with warnings.catch_warnings():  # the reference warns (and returns nan) on one-label input; ours is checked below
        warnings.simplefilter("ignore")
        ref = cohen_kappa_score(a, b)
    if math.isnan(ref):
        assert cohen_kappa(a, b) in (0.0, 1.0)
    else:
        assert cohen_kappa(a, b) == pytest.approx(ref, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from([0, 1, 2, None]), min_size=6, max_size=6), min_size=2, max_size=4))
def test_alpha_property_against_package(rows):
    data = np.array([[np.nan if v is None else float(v) for v in r] for r in rows])
    pairable = sum(1 for u in range(6) if sum(r[u] is not None for r in rows) >= 2)
    values = {r[u] for r in rows for u in range(6) if r[u] is not None and sum(q[u] is not None for q in rows) >= 2}
    assume(pairable > 0 and len(values) >= 2)  # the package raises or divides by zero there; ours: nan / 1.0
    assert krippendorff_alpha(rows) == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"), abs=1e-9)


def test_person_vs_machine_pairwise_and_identical_coders(gold):
    machine = _perturb(gold, 5, p_drop=0.4, p_add=0.03)
    reports = pairwise({"ana": gold, "autocode/1": machine, "ben": gold})
    assert set(reports) == {("ana", "autocode/1"), ("ana", "ben"), ("autocode/1", "ben")}
    same = reports[("ana", "ben")]
    assert same.overall.kappa == 1.0 and same.overall.alpha == 1.0 and same.overall.percent == 1.0
    assert reports[("ana", "autocode/1")].overall.kappa < 0.9
    assert percent_agreement([1, None, 0], [1, 1, 1]) == 0.5
    with pytest.raises(ValueError, match="at least two coders"):
        agreement({"ana": gold})
