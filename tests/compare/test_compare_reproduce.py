"""The engine reproduces composite results computed by an independent route: a MIPEX-style index (0/50/100 items →
unweighted area means → overall mean) from raw answers, and a weighted, normalised, multi-level COINr-style
composite through the `migrahub index compute` door."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest
from click.testing import CliRunner

from migrahub.cli import main
from migrahub.compare import definition, engine
from migrahub.compare.model import Dataset
from migrahub.compare.ranks import ranks
from tests.compare import reference

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

EXAMPLES = resources.files("migrahub.compare") / "data" / "examples"
DATA, META = str(EXAMPLES / "coinr_demo_iData.csv"), str(EXAMPLES / "coinr_demo_iMeta.csv")

MIPEX = {
    "code": "mipex-style", "name": "MIPEX-style", "unit_kind": "country", "normalise": "none",
    "structure": [{"code": "OVR", "name": "Overall", "children": [
        {"code": "LM", "name": "Labour market", "children": [
            {"code": f"LM{i}", "options": {"a": 100, "b": 50, "c": 0}} for i in range(1, 5)]},
        {"code": "ED", "name": "Education", "children": [
            {"code": f"ED{i}", "options": {"a": 100, "b": 50, "c": 0}} for i in range(1, 4)]},
        {"code": "PP", "name": "Political participation", "children": [
            {"code": f"PP{i}", "options": {"a": 100, "b": 50, "c": 0}} for i in range(1, 3)]},
    ]}],
}
ANSWERS = {  # country: answers of LM1-4, ED1-3, PP1-2
    "AT": "abca" "bbc" "cc",
    "BE": "aaab" "aab" "ab",
    "CZ": "cccb" "cbc" "cc",
    "DK": "abab" "abc" "ba",
}
# worked out by hand: area means of the item values, overall the mean of the three area means
EXPECTED = {
    "AT": {"LM": 62.5, "ED": 1 / 3 * 100, "PP": 0.0},
    "BE": {"LM": 87.5, "ED": 250 / 3, "PP": 75.0},
    "CZ": {"LM": 12.5, "ED": 50 / 3, "PP": 0.0},
    "DK": {"LM": 75.0, "ED": 50.0, "PP": 75.0},
}


def _mipex_dataset(index) -> Dataset:
    codes = tuple(n.code for n in index.indicators)
    values = [[index.node(c).option(a).value for c, a in zip(codes, ANSWERS[u], strict=True)] for u in ANSWERS]
    arr = np.array(values, dtype=float)
    return Dataset(tuple(ANSWERS), codes, arr, np.zeros(arr.shape, dtype=bool))


def test_mipex_style_index_from_raw_answers():
    index = definition.from_mapping(MIPEX)
    result = engine.compute(index, _mipex_dataset(index))
    for unit, areas in EXPECTED.items():
        for area, value in areas.items():
            assert result.score(unit, area) == pytest.approx(value, abs=1e-9)
        assert result.score(unit, "OVR") == pytest.approx(sum(areas.values()) / 3, abs=1e-9)
    # the items keep their 0/50/100 values (no normalisation)
    assert result.score("AT", "LM3") == 0.0 and result.score("AT", "LM2") == 50.0
    assert list(ranks(result.column("OVR"))) == [3, 1, 4, 2]


@pytest.mark.parametrize(("normalise", "aggregate"), [("minmax", "mean"), ("minmax", "geomean"),
                                                      ("zscore", "mean"), ("none", "mean")])
def test_weighted_multilevel_composite_matches_reference(normalise, aggregate):
    run = CliRunner().invoke(main, ["index", "compute", "--data", DATA, "--meta", META, "--normalise", normalise,
                                    "--aggregate", aggregate, "--json"])
    assert run.exit_code == 0, run.output
    ours = json.loads(run.output)
    ref = reference.compute(DATA, META, normalise, aggregate)
    assert set(ours) == set(ref) and len(ours) == 12
    worst = 0.0
    for unit, scores in ref.items():
        assert set(ours[unit]) == set(scores)  # every indicator and every aggregate at every level
        for code, value in scores.items():
            if value is None:
                assert ours[unit][code] is None, (unit, code)
            else:
                worst = max(worst, abs(ours[unit][code] - value))
    assert worst <= 0.01
    for code in ("Rights", "Work", "Voice", "Access", "Belong", "Index"):
        assert reference.ranking(ours, code) == reference.ranking(ref, code)


def test_hand_computed_small_case():
    """Two indicators (one 'lower is better'), weights 3:1, three units; worked out by hand."""
    index = definition.from_mapping({"code": "tiny", "weights": "relative", "structure": [
        {"code": "T", "children": [{"code": "x", "weight": 3}, {"code": "y", "weight": 1, "direction": -1}]}]})
    data = Dataset(("u1", "u2", "u3"), ("x", "y"), np.array([[10, 4], [20, 2], [30, np.nan]], dtype=float),
                   np.zeros((3, 2), dtype=bool))
    r = engine.compute(index, data)
    # x → 0, 50, 100; y (reversed) → 0, 100, missing
    assert r.score("u1", "T") == 0.0
    assert r.score("u2", "T") == pytest.approx((3 * 50 + 100) / 4)
    assert r.score("u3", "T") == 100.0  # the missing y is left out and x's weight renormalised
