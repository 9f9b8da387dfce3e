#!/usr/bin/env python3
"""Timing of the auto-coder: fit time and suggestions per second (zero-shot and trained), on the gold passages.

usage: .venv/bin/python bench/coding_bench.py [--shared PATH] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from migrahub.coding.autocode import AutoCoder  # noqa: E402
from migrahub.coding.codebook import load_yaml  # noqa: E402


def best_rate(fn, n: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return n / best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", default=os.environ.get("MIGRAHUB_SHARED", str(REPO.parent / "shared")))
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)
    shared = Path(a.shared)
    passages = json.loads((shared / "gold" / "passages.json").read_text(encoding="utf-8"))
    codes = json.loads((shared / "gold" / "codes.json").read_text(encoding="utf-8"))
    codebook = load_yaml(shared / "codebook" / "local-migration-governance.yaml")
    texts = [p["text"] for p in passages]
    many = texts * 10
    zs = AutoCoder(codebook)
    zs.suggest(texts[:5])  # fit vocabulary
    print(
        f"zero-shot suggest : {best_rate(lambda: zs.suggest(many), len(many), a.repeat):,.0f} passages/s "
        f"({len(many)} passages, {len(codebook.leaves())} codes)"
    )
    t0 = time.perf_counter()
    coder = AutoCoder(codebook).fit(texts, [codes[p["id"]] for p in passages])
    print(f"fit on {len(texts)} coded passages: {time.perf_counter() - t0:.1f} s")
    print(f"trained suggest   : {best_rate(lambda: coder.suggest(many), len(many), a.repeat):,.0f} passages/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
