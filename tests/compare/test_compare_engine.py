"""Weights, missing versus not applicable, editions on a common core, peer-group ranks, seeded sensitivity."""

from __future__ import annotations

import numpy as np
import pytest

from migrahub.compare import definition, editions, engine, sensitivity
from migrahub.compare.model import CompareError, Dataset
from migrahub.compare.ranks import Rank, ordinal, peers, rank_among, ranks, size_class

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


def _index(**extra):
    base = {"code": "demo", "normalise": "none", "structure": [{"code": "ALL", "children": [
        {"code": "A", "weight": 0.75, "children": [{"code": "a1"}, {"code": "a2"}]},
        {"code": "B", "weight": 0.25, "children": [{"code": "b1"}]}]}]}
    base.update(extra)
    return definition.from_mapping(base)


def _data(rows, na=None, units=None):
    arr = np.array(rows, dtype=float)
    return Dataset(tuple(units or [f"u{i}" for i in range(len(rows))]), ("a1", "a2", "b1"), arr,
                   np.zeros(arr.shape, dtype=bool) if na is None else np.array(na))


def test_explicit_weights_apply_at_their_level():
    r = engine.compute(_index(), _data([[100, 0, 0], [0, 0, 100]]))
    assert r.score("u0", "A") == 50 and r.score("u0", "ALL") == pytest.approx(0.75 * 50)
    assert r.score("u1", "ALL") == pytest.approx(25.0)


def test_weights_override_and_equal():
    r = engine.compute(_index(), _data([[100, 0, 0]]), weights={"A": 1, "B": 1})
    assert r.score("u0", "ALL") == pytest.approx(25.0)


def test_missing_and_not_applicable_are_distinct():
    rows = [[100, np.nan, 50], [100, np.nan, 50]]
    na = [[False, False, False], [False, True, False]]  # u0: a2 missing; u1: a2 not applicable
    excluded = engine.compute(_index(missing="exclude"), _data(rows, na))
    assert excluded.score("u0", "A") == excluded.score("u1", "A") == 100
    zero = engine.compute(_index(missing="zero"), _data(rows, na))
    assert zero.score("u0", "A") == 50      # missing counts as 0 under the "zero" rule
    assert zero.score("u1", "A") == 100     # not applicable is left out and the weights renormalised
    mean = engine.compute(_index(missing="mean"), _data([[100, np.nan, 0], [100, 20, 0], [0, 40, 0]],
                                                          [[False] * 3] * 3))
    assert mean.score("u0", "a2") == pytest.approx(30.0)


def test_all_missing_aggregate_has_no_score():
    r = engine.compute(_index(), _data([[np.nan, np.nan, 40]]))
    assert np.isnan(r.score("u0", "A")) and r.score("u0", "ALL") == 40


def test_geomean_of_zero_is_zero_and_negative_refused():
    index = _index(aggregate="geomean")
    r = engine.compute(index, _data([[100, 25, 0], [100, 25, 100]]))
    assert r.score("u0", "A") == pytest.approx(50.0) and r.score("u0", "ALL") == 0.0
    with pytest.raises(CompareError, match="geometric mean"):
        engine.compute(index, _data([[1, 2, 3], [4, 5, 6], [7, 8, 10]]), normalise_with="zscore")


def test_goalposts_rescale_a_one_to_three_scale():
    index = definition.from_mapping({"code": "g", "structure": [{"code": "T", "children": [
        {"code": "q", "normalise": "goalposts", "goalposts": [1, 3], "options": {"low": 1, "mid": 2, "high": 3}}]}]})
    data = Dataset(("x", "y", "z"), ("q",), np.array([[1.0], [2.0], [3.0]]), np.zeros((3, 1), dtype=bool))
    r = engine.compute(index, data)
    assert [r.score(u, "q") for u in "xyz"] == [0, 50, 100]


def test_editions_change_on_common_core():
    index = definition.from_mapping({"code": "ed", "normalise": "none", "structure": [{"code": "ALL", "children": [
        {"code": "x"}, {"code": "y"}, {"code": "z"}]}], "editions": [
        {"code": "2019", "year": 2019, "indicators": ["x", "y"]},
        {"code": "2024", "year": 2024, "indicators": ["x", "z"]}]})
    assert editions.common_core(index) == ("x",)
    before = Dataset(("p", "q"), ("x", "y", "z"), np.array([[50, 100, np.nan], [0, 0, np.nan]]),
                     np.zeros((2, 3), dtype=bool))
    after = Dataset(("p", "q"), ("x", "y", "z"), np.array([[100, np.nan, 0], [0, np.nan, 100]]),
                    np.zeros((2, 3), dtype=bool))
    first, second, delta = editions.change(index, before, after)
    # full editions would say p fell (75 → 50) and q rose (0 → 50); on the common core p rose by 50, q stood still
    assert delta["p"]["ALL"] == 50 and delta["q"]["ALL"] == 0
    assert first.codes == ("x", "ALL")


def test_ranks_with_ties_and_sample_size():
    assert list(ranks(np.array([10, 30, 30, np.nan, 5]))) == [3, 1, 1, 0, 4]
    assert ordinal(17) == "17th" and ordinal(22) == "22nd" and ordinal(13) == "13th"
    values = np.linspace(0, 100, 93)[::-1]
    units = tuple(f"c{i}" for i in range(93))
    assert str(rank_among(values, units, "c16")) == "17th of 93"


def test_peer_group_ranks():
    groups = {"a": {"size": "large", "networks": ["ICC"]}, "b": {"size": "small", "networks": ["ICC", "EUROCITIES"]},
              "c": {"size": "large", "networks": []}, "d": {"size": "large", "networks": "EUROCITIES"}}
    units = ("a", "b", "c", "d")
    values = np.array([40.0, 90.0, 60.0, 10.0])
    label, members = peers(groups, "a", "size")
    assert label == "large" and members == {"a", "c", "d"}
    assert rank_among(values, units, "a", members, "size") == Rank(2, 3, "size")
    _, nets = peers(groups, "d", "networks")
    assert nets == {"b", "d"} and rank_among(values, units, "d", nets).rank == 2
    assert size_class(120_000) == "medium" and size_class(2_000_000) == "metropolis"


def test_seeded_monte_carlo_is_reproducible_and_bounded():
    rng = np.random.default_rng(4)
    data = _data(rng.uniform(0, 100, (15, 3)).round(1))
    index = _index(normalise="minmax")
    a = sensitivity.monte_carlo(index, data, runs=200, seed=7, methods=("mean", "geomean"))
    b = sensitivity.monte_carlo(index, data, runs=200, seed=7, methods=("mean", "geomean"))
    c = sensitivity.monte_carlo(index, data, runs=200, seed=8, methods=("mean", "geomean"))
    assert a == b and a != c
    for iv in a:
        assert 1 <= iv.low <= iv.median <= iv.high <= 15
    nominal = ranks(engine.compute(index, data).column("ALL"))
    assert [iv.nominal for iv in a] == list(nominal)


def test_leave_one_out_alternatives_and_what_if():
    data = _data([[100, 100, 0], [0, 0, 100], [50, 50, 50]])
    index = _index()
    loo = sensitivity.leave_one_out(index, data)
    assert loo["A"] == {"u0": 3, "u1": 1, "u2": 2} and loo["B"]["u0"] == 1
    alt = sensitivity.alternatives(index, data)
    assert alt["chosen"] == {"u0": 1, "u1": 3, "u2": 2} and alt["equal weights"]["u2"] == 1
    w = sensitivity.what_if(index, data, "u1", {"a1": 100, "a2": 100})
    assert w["before"]["rank"] == 3 and w["after"]["rank"] == 1 and w["after"]["scores"]["ALL"] == 100


def test_aggregation_per_level():
    index = _index(aggregate={2: "geomean", 3: "mean"})
    assert index.node("A").aggregate == "geomean" and index.node("ALL").aggregate == "mean"
    r = engine.compute(index, _data([[100, 25, 40]]))
    assert r.score("u0", "A") == pytest.approx(50.0)  # √(100 × 25)
    assert r.score("u0", "ALL") == pytest.approx(0.75 * 50 + 0.25 * 40)
    with pytest.raises(CompareError, match="aggregate.2: 'median'"):
        _index(aggregate={2: "median"})
