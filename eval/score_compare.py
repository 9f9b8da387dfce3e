#!/usr/bin/env python3
"""Reproduction of composite results by the compare engine, against an independent reference: runs
`migrahub index compute` on COINr iData/iMeta tables (by default the example shipped in
src/migrahub/compare/data/examples) for each normalisation and aggregation, and compares every score with the plain
Python reference of tests/compare/reference.py (COINr's documented formulas): the largest absolute difference and
whether the ranks of every aggregate agree.

usage: .venv/bin/python eval/score_compare.py [--data iData.csv --meta iMeta.csv]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.compare import reference  # noqa: E402

EXAMPLES = REPO / "src" / "migrahub" / "compare" / "data" / "examples"
RUNS = (("minmax", "mean"), ("minmax", "geomean"), ("zscore", "mean"), ("none", "mean"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(EXAMPLES / "coinr_demo_iData.csv"))
    ap.add_argument("--meta", default=str(EXAMPLES / "coinr_demo_iMeta.csv"))
    args = ap.parse_args()
    aggregates = [r["iCode"] for r in reference.read(args.meta) if r["Type"] == "Aggregate"]
    worst_all = 0.0
    for normalise, aggregate in RUNS:
        run = subprocess.run([str(Path(sys.executable).with_name("migrahub")), "index", "compute", "--data", args.data,
                              "--meta", args.meta, "--normalise", normalise, "--aggregate", aggregate, "--json"],
                             capture_output=True, text=True, check=False)
        if run.returncode:
            print(f"{normalise}/{aggregate}: refused: {run.stderr.strip()}")
            continue
        ours, ref = json.loads(run.stdout), reference.compute(args.data, args.meta, normalise, aggregate)
        diffs = [abs(ours[u][c] - v) for u in ref for c, v in ref[u].items() if v is not None]
        both_missing = all((ours[u][c] is None) == (v is None) for u in ref for c, v in ref[u].items())
        same = all(reference.ranking(ours, c) == reference.ranking(ref, c) for c in aggregates)
        worst = max(diffs)
        worst_all = max(worst_all, worst)
        print(f"{normalise}/{aggregate}: {len(diffs)} scores, largest absolute difference {worst:.2e}, "
              f"missing alike {both_missing}, ranks identical {same}")
    return 0 if worst_all <= 0.01 else 1


if __name__ == "__main__":
    raise SystemExit(main())
