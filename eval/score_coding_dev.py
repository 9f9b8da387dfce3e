#!/usr/bin/env python3
"""Auto-coding across gold sets: train on one set's human codings, code the other set's passages, score with the
shared ``score_coding.py`` — both ways, so a setting tuned on one set is checked on the other.

usage: .venv/bin/python eval/score_coding_dev.py [--shared PATH] [--direction seeds-to-dev|dev-to-seeds|both]
                                                 [--per-code] [--no-embeddings] [--save DIR]
                                                 [--embedding-cache FILE]

seeds-to-dev: train on ``gold/passages.json`` + ``gold/codes.json``, code ``gold/dev/passages.json``, score against
``gold/dev/codes.json``; dev-to-seeds the other way round. Training goes through ``train_and_suggest``, the call
behind ``migrahub code --train-passages ... --train-codes ...``. ``--save DIR`` keeps each prediction file;
``--embedding-cache FILE`` keeps the passages' embeddings in a file between runs (a hub keeps them in its database).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from migrahub.coding.autocode import VERSION, train_and_suggest  # noqa: E402
from migrahub.coding.codebook import load_yaml  # noqa: E402
from migrahub.coding.embed import FileCache, shared_encoder  # noqa: E402

SETS = {"seeds": "gold", "dev": "gold/dev"}


def run(shared: Path, train: str, test: str, per_code: bool, embeddings, save: Path | None) -> str:
    codebook = load_yaml(shared / "codebook" / "local-migration-governance.yaml")
    tr, te = shared / SETS[train], shared / SETS[test]
    train_passages = json.loads((tr / "passages.json").read_text(encoding="utf-8"))
    train_codes = json.loads((tr / "codes.json").read_text(encoding="utf-8"))
    passages = json.loads((te / "passages.json").read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    rows = train_and_suggest(codebook, passages, train_passages, train_codes, embeddings=embeddings)
    took = time.perf_counter() - t0
    pred = {pid: [s.code for s in row] for pid, row in rows.items()}
    out = (save or Path("/tmp")) / f"autocode-{train}-to-{test}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(pred), encoding="utf-8")
    cmd = [sys.executable, str(shared / "eval" / "score_coding.py"), str(te / "codes.json"), str(out)]
    res = subprocess.run(cmd + (["--per-code"] if per_code else []), capture_output=True, text=True, check=True)
    if save is None:
        out.unlink()
    lines = res.stdout.strip().splitlines()
    head = f"{VERSION} {train} -> {test} ({len(train_passages)} coded passages -> {len(passages)}, {took:.0f} s)"
    return "\n".join([head] + ([f"  {ln}" for ln in lines[:-1]] if per_code else []) + [f"  {lines[-1]}"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.environ.get("MIGRAHUB_SHARED", str(REPO.parent / "shared")))
    ap.add_argument("--direction", choices=["seeds-to-dev", "dev-to-seeds", "both"], default="both")
    ap.add_argument("--per-code", action="store_true")
    ap.add_argument("--no-embeddings", action="store_true", help="leave the multilingual embeddings out")
    ap.add_argument("--save", type=Path, help="folder to keep the prediction files in")
    ap.add_argument("--embedding-cache", type=Path, help="file keeping the passages' embeddings between runs")
    a = ap.parse_args(argv)
    pairs = {"seeds-to-dev": [("seeds", "dev")], "dev-to-seeds": [("dev", "seeds")]}
    embeddings = False if a.no_embeddings else None  # None: the shipped model
    if embeddings is None and a.embedding_cache and shared_encoder() is not None:
        embeddings = FileCache(shared_encoder(), a.embedding_cache)
    for train, test in pairs.get(a.direction, [("seeds", "dev"), ("dev", "seeds")]):
        print(run(Path(a.shared), train, test, a.per_code, embeddings, a.save), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
