#!/usr/bin/env python3
"""Score the extractor on the seed corpus with shared/eval/score_entities.py (used as is, via subprocess).

usage: .venv/bin/python eval/score_seeds.py [--shared PATH] [--check] [--out DIR]

Extracts ``<shared>/corpus/seeds/*.txt`` through the product's door, ``migrahub.services.entities.extract_file``
(the source adapters and the normaliser of ``migrahub ingest``/``migrahub extract``: NFC, white space folded inside
each block, blocks joined by a blank line), writes one SCHEMA.md JSON per document to a temporary folder (or --out),
runs the scorer with --docs-dir and prints its output. With --check, exits 1 when a
category's F1 is below its floor in eval/baseline.json (floors are set at or below what was measured).
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

from migrahub.services.entities import extract_file  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=os.environ.get("MIGRAHUB_SHARED", str(REPO.parent / "shared")))
    ap.add_argument("--check", action="store_true", help="fail when an F1 is below eval/baseline.json")
    ap.add_argument("--out", help="keep predictions in this folder")
    a = ap.parse_args(argv)
    shared = Path(a.shared)
    seeds = shared / "corpus" / "seeds"
    gold = shared / "gold"
    scorer = shared / "eval" / "score_entities.py"
    for p in (seeds, gold, scorer):
        if not p.exists():
            print(f"error: {p} not found (pass --shared)", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(a.out) if a.out else Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        words = 0
        t0 = time.perf_counter()
        for f in sorted(seeds.glob("*.txt")):
            words += len(f.read_text(encoding="utf-8").split())
            record = extract_file(f)
            (out / (f.stem + ".json")).write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        dt = time.perf_counter() - t0
        # the gold folder also holds non-document files (codes.json, passages.json): score the seeds' gold only
        gold_docs = Path(tmp) / "gold"
        gold_docs.mkdir()
        for f in sorted(seeds.glob("*.txt")):
            g = gold / (f.stem + ".json")
            if g.exists():
                (gold_docs / g.name).write_bytes(g.read_bytes())
        r = subprocess.run(
            [sys.executable, str(scorer), str(gold_docs), str(out), "--docs-dir", str(seeds), "--json"],
            capture_output=True,
            text=True,
            check=False,
        )
        if r.returncode != 0:
            print(r.stdout, r.stderr, file=sys.stderr)
            return 2
        text_out = r.stdout
        res = json.loads(text_out[: text_out.rindex("}") + 1])
    for c, v in res.items():
        if isinstance(v, dict):
            print(
                f"{c:14s} P={v['precision']:.3f} R={v['recall']:.3f} F1={v['f1']:.3f}  (gold {v['gold']}, pred {v['pred']})"  # noqa: E501
            )
    print(
        f"extracted {words} words in {dt:.2f}s through extract_file (reading, normalising, extracting; "
        "the first call includes loading the gazetteers)"
    )
    if a.check:
        floors = json.loads((REPO / "eval" / "baseline.json").read_text())["f1_floors"]
        bad = [f"{c}: F1 {res[c]['f1']:.3f} < floor {f:.3f}" for c, f in floors.items() if res[c]["f1"] < f]
        if bad:
            print("BELOW BASELINE:\n  " + "\n  ".join(bad), file=sys.stderr)
            return 1
        print("all categories at or above the baseline floors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
