#!/usr/bin/env python3
"""Score the extractor on the seed and development corpora with shared/eval/score_entities.py (used as is).

usage: .venv/bin/python eval/score_seeds.py [--shared PATH] [--set seeds|dev|all] [--empty-registry | --both-registries]
                                            [--check] [--out DIR]

Extracts ``<shared>/corpus/seeds/*.txt`` (gold in ``<shared>/gold``) and ``<shared>/corpus/dev/*.txt`` (gold in
``<shared>/gold/dev``) through the product's door, ``migrahub.services.entities.extract_file`` (the source adapters
and the normaliser of ``migrahub ingest``/``migrahub extract``), writes one SCHEMA.md JSON per document to a
temporary folder (or --out DIR/<run>), runs the scorer with --docs-dir and prints per-category P/R/F1.

``--empty-registry`` runs without the shipped registry of organisations and initiatives (what the extractor finds
in documents by itself); ``--both-registries`` runs each set both ways. With --check, exits 1 when a category's F1
is below its floor in eval/baseline.json: ``f1_floors`` (seeds), ``dev_f1_floors`` (dev) and
``empty_registry_f1_floors`` (``seeds`` / ``dev``, registry emptied); --check alone runs every set both ways.
Floors are set at or below what was measured.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from migrahub.extract import registry  # noqa: E402
from migrahub.services.entities import extract_file  # noqa: E402

SETS = {"seeds": ("corpus/seeds", "gold"), "dev": ("corpus/dev", "gold/dev")}
FLOOR_KEYS = {("seeds", False): "f1_floors", ("dev", False): "dev_f1_floors"}


def score(shared: Path, name: str, empty_registry: bool, out: Path | None) -> dict:
    """Extract one set through the door and score it; returns the scorer's JSON plus words and seconds."""
    corpus, gold = shared / SETS[name][0], shared / SETS[name][1]
    scorer = shared / "eval" / "score_entities.py"
    registry.use_shipped(not empty_registry)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            pred = out or Path(tmp) / "pred"
            pred.mkdir(parents=True, exist_ok=True)
            gold_docs = Path(tmp) / "gold"  # the gold folder also holds codes.json, passages.json, dev/
            gold_docs.mkdir()
            words, t0 = 0, time.perf_counter()
            for f in sorted(corpus.glob("*.txt")):
                g = gold / (f.stem + ".json")
                if not g.exists():
                    continue
                (gold_docs / g.name).write_bytes(g.read_bytes())
                words += len(f.read_text(encoding="utf-8").split())
                record = extract_file(f)
                (pred / (f.stem + ".json")).write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")
            seconds = time.perf_counter() - t0
            r = subprocess.run(
                [sys.executable, str(scorer), str(gold_docs), str(pred), "--docs-dir", str(corpus), "--json"],
                capture_output=True,
                text=True,
                check=False,
            )
    finally:
        registry.use_shipped(True)
    if r.returncode != 0:
        raise RuntimeError(f"{scorer} failed: {r.stdout}{r.stderr}")
    res = json.loads(r.stdout[: r.stdout.rindex("}") + 1])
    res["_words"], res["_seconds"] = words, seconds
    return res


def floors_for(baseline: dict, name: str, empty_registry: bool) -> dict:
    if empty_registry:
        return baseline.get("empty_registry_f1_floors", {}).get(name, {})
    return baseline.get(FLOOR_KEYS[(name, False)], {})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=os.environ.get("MIGRAHUB_SHARED", str(REPO.parent / "shared")))
    ap.add_argument("--set", choices=("seeds", "dev", "all"), default="all", help="which corpus (default: both)")
    reg = ap.add_mutually_exclusive_group()
    reg.add_argument("--empty-registry", action="store_true", help="without the shipped registry")
    reg.add_argument("--both-registries", action="store_true", help="with and without the shipped registry")
    ap.add_argument("--check", action="store_true", help="fail when an F1 is below eval/baseline.json")
    ap.add_argument("--out", help="keep predictions in this folder (one subfolder per run)")
    a = ap.parse_args(argv)
    shared = Path(a.shared)
    for p in [shared / "eval" / "score_entities.py"] + [shared / c for c, _ in SETS.values()]:
        if not p.exists():
            print(f"error: {p} not found (pass --shared)", file=sys.stderr)
            return 2
    names = ["seeds", "dev"] if a.set == "all" else [a.set]
    both = a.both_registries or (a.check and a.set == "all")
    modes = [True] if a.empty_registry else [False, True] if both else [False]
    baseline = json.loads((REPO / "eval" / "baseline.json").read_text(encoding="utf-8"))
    bad = []
    for name in names:
        for empty in modes:
            run = name + (" (registry emptied)" if empty else "")
            out = Path(a.out) / (name + ("-empty-registry" if empty else "")) if a.out else None
            res = score(shared, name, empty, out)
            print(f"== {run}")
            for c, v in res.items():
                if isinstance(v, dict):
                    print(
                        f"{c:14s} P={v['precision']:.3f} R={v['recall']:.3f} F1={v['f1']:.3f}  "
                        f"(gold {v['gold']}, pred {v['pred']})"
                    )
            print(f"extracted {res['_words']} words in {res['_seconds']:.2f}s through extract_file")
            for c, floor in floors_for(baseline, name, empty).items():
                if res[c]["f1"] < floor:
                    bad.append(f"{run} {c}: F1 {res[c]['f1']:.3f} < floor {floor:.3f}")
    if a.check:
        if bad:
            print("BELOW BASELINE:\n  " + "\n  ".join(bad), file=sys.stderr)
            return 1
        print("all categories at or above the baseline floors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
