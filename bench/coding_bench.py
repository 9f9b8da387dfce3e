#!/usr/bin/env python3
"""Timing of the auto-coder: model load time and memory, fit time and suggestions per second (definitions only and
trained), with and without the multilingual embeddings, on the gold passages.

usage: .venv/bin/python bench/coding_bench.py [--shared PATH] [--repeat 3] [--copies 2]

Passages whose embeddings are not cached yet ("new") cost the embedding model; "cached" ones (the same texts again,
as when a hub suggests again) only the rest. Each copy of the passages gets a marker so that its texts are new.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from migrahub.coding.autocode import AutoCoder  # noqa: E402
from migrahub.coding.codebook import load_yaml  # noqa: E402
from migrahub.coding.embed import shared_encoder  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best_rate(fn, items: list, repeat: int) -> float:
    """Items per second of ``fn(items)``, best of ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(items)
        best = min(best, time.perf_counter() - t0)
    return len(items) / best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", default=os.environ.get("MIGRAHUB_SHARED", str(REPO.parent / "shared")))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--copies", type=int, default=2, help="copies of the passages for the 'new' timings")
    a = ap.parse_args(argv)
    shared = Path(a.shared)
    passages = json.loads((shared / "gold" / "passages.json").read_text(encoding="utf-8"))
    codes = json.loads((shared / "gold" / "codes.json").read_text(encoding="utf-8"))
    codebook = load_yaml(shared / "codebook" / "local-migration-governance.yaml")
    texts = [p["text"] for p in passages]
    labels = [codes[p["id"]] for p in passages]
    groups = [p["doc"] for p in passages]
    n_codes = len(codebook.leaves())

    before = rss_mb()
    t0 = time.perf_counter()
    enc = shared_encoder()
    print(f"embedding model: {enc.name if enc else 'not installed'}, loaded in {time.perf_counter() - t0:.2f} s, "
          f"peak RSS {before:.0f} -> {rss_mb():.0f} MB")
    for label, emb in (("without embeddings", False), ("with embeddings", None)):
        zs = AutoCoder(codebook, embeddings=emb)
        zs.suggest(texts[:5])  # vocabulary
        fresh = [f"{t} [{k}]" for k in range(a.copies) for t in texts]
        print(f"[{label}] definitions-only suggest: new {best_rate(zs.suggest, fresh, 1):,.1f} "
              f"passages/s, cached {best_rate(zs.suggest, fresh, a.repeat):,.0f} passages/s "
              f"({len(fresh)} passages, {n_codes} codes)", flush=True)
        t0 = time.perf_counter()
        coder = AutoCoder(codebook, embeddings=emb).fit(texts, labels, groups=groups)
        print(f"[{label}] fit on {len(texts)} coded passages of {len(set(groups))} documents: "
              f"{time.perf_counter() - t0:.1f} s (texts embedded above)")
        print(f"[{label}] trained suggest: cached {best_rate(coder.suggest, fresh, a.repeat):,.0f}"
              f" passages/s; peak RSS {rss_mb():.0f} MB", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
