#!/usr/bin/env python3
"""Timing of the compare engine: an index of 150 indicators (15 dimensions, 5 areas, an overall score) × 60 units ×
4 editions (each with its own catalogue, 5% of answers missing and 2% not applicable) computed whole (min-max
normalisation, weighted means at every level, ranks, change on the common core between consecutive editions), then
1,000 Monte Carlo replications (weights ±25%, arithmetic or geometric aggregation drawn at random, seeded).
With ``--store`` it also imports the 36,000 answers into a fresh hub (one transaction) and computes the 4 editions
through the service, as the pages do.

usage: .venv/bin/python bench/compare_bench.py [--repeat 5] [--runs 1000] [--store]
Targets: the 4 editions in ≤ 1 s, the 1,000 replications in ≤ 10 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from migrahub.compare import definition, editions, engine, sensitivity  # noqa: E402
from migrahub.compare.model import Dataset  # noqa: E402
from migrahub.compare.ranks import ranks  # noqa: E402

N_IND, N_UNITS, N_EDITIONS, N_DIMS, N_AREAS = 150, 60, 4, 15, 5


def build(seed: int = 13):
    rng = np.random.default_rng(seed)
    areas = []
    for a in range(N_AREAS):
        dims = []
        for d in range(N_DIMS // N_AREAS):
            k = a * (N_DIMS // N_AREAS) + d
            per = N_IND // N_DIMS
            dims.append({"code": f"D{k}", "weight": float(rng.uniform(0.5, 2)), "children": [
                {"code": f"I{k * per + i}", "weight": float(rng.uniform(0.5, 2)),
                 "direction": int(rng.choice([1, -1], p=[0.8, 0.2]))} for i in range(per)]})
        areas.append({"code": f"A{a}", "weight": float(rng.uniform(0.5, 2)), "children": dims})
    codes = [f"I{i}" for i in range(N_IND)]
    eds = [{"code": str(2020 + 2 * e), "year": 2020 + 2 * e,
            "indicators": sorted(rng.choice(codes, size=int(N_IND * 0.9), replace=False).tolist(),
                                 key=lambda c: int(c[1:]))} for e in range(N_EDITIONS)]
    index = definition.from_mapping({"code": "bench", "weights": "relative", "normalise": "minmax",
                                     "structure": [{"code": "ALL", "children": areas}], "editions": eds})
    units = tuple(f"U{u:02d}" for u in range(N_UNITS))
    data = {}
    for e in index.editions:
        values = rng.uniform(0, 1000, (N_UNITS, N_IND))
        values[rng.random(values.shape) < 0.05] = np.nan
        na = rng.random(values.shape) < 0.02
        data[e.code] = Dataset(units, tuple(codes), values, na)
    return index, data


def compute_all(index, data) -> None:
    previous = None
    for e in index.editions:
        result = engine.compute(index, data[e.code], indicators=e.indicators)
        ranks(result.column("ALL"))
        if previous is not None:
            core = editions.common_core(index, [previous, e.code])
            editions.change(index, data[previous], data[e.code], core)
        previous = e.code


def through_store(index, data) -> tuple[float, float]:
    from migrahub.compare.definition import to_mapping
    from migrahub.services import compare as service
    from migrahub.store.database import connect

    rows = []
    for e in index.editions:
        d = data[e.code]
        for u, unit in enumerate(d.units):
            for code in e.indicators:
                j = d.indicators.index(code)
                cell = "na" if d.na[u, j] else ("" if np.isnan(d.values[u, j]) else f"{d.values[u, j]:.3f}")
                rows.append({"unit": unit, "edition": e.code, "indicator": code, "answer": cell, "_row": "0"})
    with tempfile.TemporaryDirectory() as folder:
        conn = connect(os.path.join(folder, "bench.sqlite3"))
        service.load_definition(conn, to_mapping(index), "bench", "bench")
        t = time.perf_counter()
        service.import_rows(conn, "bench", rows, "bench", "bench")
        imported = time.perf_counter() - t
        t = time.perf_counter()
        for e in index.editions:
            service.results(conn, "bench", e.code)
        computed = time.perf_counter() - t
        conn.close()
    return imported, computed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--store", action="store_true", help="also import the answers into a hub and compute from it")
    args = ap.parse_args()
    index, data = build()
    print(f"index: {len(index.indicators)} indicators, {len(index.nodes) - len(index.indicators)} aggregates, "
          f"{N_UNITS} units, {len(index.editions)} editions; load average {os.getloadavg()[0]:.2f}")
    compute_all(index, data)  # warm up
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        compute_all(index, data)
        times.append(time.perf_counter() - t)
    print(f"4 editions computed (with ranks and 3 common-core changes): best {min(times) * 1000:.1f} ms, "
          f"median {sorted(times)[len(times) // 2] * 1000:.1f} ms (target ≤ 1000 ms)")
    last = index.editions[-1]
    sub = Dataset(data[last.code].units, last.indicators,
                  data[last.code].values[:, [int(c[1:]) for c in last.indicators]],
                  data[last.code].na[:, [int(c[1:]) for c in last.indicators]])
    keep = set(last.indicators)
    from migrahub.compare.model import IndexDef
    one = IndexDef("bench", "bench", tuple(n for n in index.nodes if not n.is_indicator or n.code in keep), (last,))
    t = time.perf_counter()
    sensitivity.monte_carlo(one, sub, runs=args.runs, seed=1, methods=("mean", "geomean"))
    print(f"{args.runs} Monte Carlo replications: {time.perf_counter() - t:.2f} s (target ≤ 10 s)")
    if args.store:
        imported, computed = through_store(index, data)
        print(f"through the hub: 36,000-answer import {imported:.2f} s (one transaction), 4 editions computed "
              f"from the store {computed * 1000:.0f} ms")


if __name__ == "__main__":
    main()
