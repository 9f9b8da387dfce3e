#!/usr/bin/env python3
"""Score the prose stages (events, practices, resources) on the invented challenge set.

usage: .venv/bin/python eval/score_challenge.py [--shared PATH] [--split tune|held-out|all] [--show] [--json] [--check]

The challenge set is ``tests/extract/data/challenge_prose.yaml``: short documents in four languages and many genres,
each with the events, practices and resources a reader expects, split into a "tune" half (looked at while improving
the rules) and a "held-out" half (scored only). Each document goes through the product's door
(``migrahub.services.entities.extract_file``); the records are scored by ``<shared>/eval/score_entities.py`` (run as
is, its matching rules untouched) and by a stricter title check: a match of the scorer that also names the record —
at least 60% of the expected title's words in the extracted title, and at least half of the extracted title's words
expected (a sentence fragment around the right words fails). ``--show`` lists each document's misses (tune split
only, unless --split held-out is asked for explicitly). ``--check`` exits 1 when an F1 is below the floors the
challenge file records (``floors``: per split, per category, ``<category>_title`` for the title check).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from migrahub.services.entities import extract_file  # noqa: E402

DATA = REPO / "tests" / "extract" / "data" / "challenge_prose.yaml"
CATS = ("events", "practices", "resources")
SPLITS = ("tune", "held-out")
COVER, PRECISE = 0.6, 0.5


def read(path: Path = DATA) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["documents"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: cannot read the challenge set ({exc})") from exc
    return data


def floors(path: Path = DATA) -> dict:
    return read(path).get("floors") or {}


def load(path: Path = DATA) -> list[dict]:
    """The challenge documents; a clear error naming the file and document when one is malformed."""
    docs = read(path)["documents"]
    seen = set()
    for i, d in enumerate(docs):
        where = f"{path}: document {d.get('id', i)!r}"
        for field in ("id", "lang", "genre", "split", "text"):
            if not d.get(field):
                raise ValueError(f"{where}: missing {field!r}")
        if d["split"] not in SPLITS:
            raise ValueError(f"{where}: split must be one of {', '.join(SPLITS)}")
        if d["id"] in seen:
            raise ValueError(f"{where}: duplicate id")
        seen.add(d["id"])
        for c in CATS:
            for r in d.get(c) or []:
                if not r.get("title"):
                    raise ValueError(f"{where}: a record of {c} without a title")
                if c == "practices" and r.get("evidence") and " ".join(r["evidence"].split()[:4]) not in d["text"]:
                    raise ValueError(f"{where}: practice evidence {r['evidence']!r} is not in the text")
    return docs


def scorer_module(shared: Path):
    spec = importlib.util.spec_from_file_location("score_entities", shared / "eval" / "score_entities.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def gold_record(doc: dict) -> dict:
    out = {"doc": doc["id"] + ".txt"}
    for c in CATS:
        out[c] = [dict(r) for r in doc.get(c) or []]
    return out


def title_ok(se, g: dict, p: dict) -> bool:
    gt, pt = se.tokens(g.get("title")), se.tokens(p.get("title"))
    if not gt or not pt:
        return False
    shared = len(gt & pt)
    return shared / len(gt) >= COVER and shared / len(pt) >= PRECISE


def prf(tp: int, ng: int, npred: int) -> dict:
    p = tp / npred if npred else 0.0
    r = tp / ng if ng else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 3)}


def score(shared: Path, docs: list[dict], show: bool = False) -> dict:
    """Extract the documents through the door, score them with the shared scorer and the title check."""
    se = scorer_module(shared)
    strict = {c: [0, 0, 0] for c in CATS}
    cover = {c: [] for c in CATS}
    with tempfile.TemporaryDirectory() as tmp:
        corpus, gold_dir, pred_dir = (Path(tmp) / n for n in ("corpus", "gold", "pred"))
        for d in (corpus, gold_dir, pred_dir):
            d.mkdir()
        for doc in docs:
            f = corpus / (doc["id"] + ".txt")
            f.write_text(doc["text"], encoding="utf-8")
            pred = extract_file(f)
            pred = {"doc": pred["doc"], **{c: pred[c] for c in CATS}}
            gold = gold_record(doc)
            (gold_dir / (doc["id"] + ".json")).write_text(json.dumps(gold, ensure_ascii=False), "utf-8")
            (pred_dir / (doc["id"] + ".json")).write_text(json.dumps(pred, ensure_ascii=False), "utf-8")
            text = doc["text"]
            for c in CATS:
                same = se.CATS[c](text)
                g, p = gold[c], pred[c]
                tp = se.match_sets(g, p, lambda a, b, same=same: same(a, b) and title_ok(se, a, b))
                strict[c][0] += tp
                strict[c][1] += len(g)
                strict[c][2] += len(p)
                used: set[int] = set()
                for gr in g:  # the scorer's own greedy pairs, for the coverage of the expected titles
                    for j, pr in enumerate(p):
                        if j not in used and same(gr, pr):
                            used.add(j)
                            gt = se.tokens(gr.get("title"))
                            cover[c].append(len(gt & se.tokens(pr.get("title"))) / len(gt) if gt else 1.0)
                            break
                if show and (tp < len(g) or tp < len(p)):
                    print(f"-- {doc['id']} {c}: expected {[r['title'] for r in g]}")
                    print(f"   {' ' * len(doc['id'])} {c}: got      {[_brief(c, r) for r in p]}")
        r = subprocess.run(
            [sys.executable, str(shared / "eval" / "score_entities.py"), str(gold_dir), str(pred_dir), "--docs-dir",
             str(corpus), "--json"],
            capture_output=True, text=True, check=False,
        )
    if r.returncode != 0:
        raise RuntimeError(f"score_entities.py failed: {r.stdout}{r.stderr}")
    res = json.loads(r.stdout[: r.stdout.rindex("}") + 1])
    out = {}
    for c in CATS:
        out[c] = dict(res[c])
        out[c]["title_strict"] = prf(*strict[c])
        out[c]["title_coverage"] = round(sum(cover[c]) / len(cover[c]), 3) if cover[c] else None
    out["documents"] = len(docs)
    return out


def _brief(c: str, r: dict) -> str:
    if c == "events":
        return f"{r['title']} | {r.get('date_start')} | {r.get('place')}"
    if c == "resources":
        return f"{r['title']} | {r.get('author_or_org')} | {r.get('year')}"
    return r["title"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=os.environ.get("MIGRAHUB_SHARED", str(REPO.parent / "shared")))
    ap.add_argument("--split", choices=(*SPLITS, "all"), default="all")
    ap.add_argument("--show", action="store_true", help="list each document's misses (tune split unless asked)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--check", action="store_true", help="fail when an F1 is below the recorded floors")
    a = ap.parse_args(argv)
    shared = Path(a.shared)
    if not (shared / "eval" / "score_entities.py").exists():
        print(f"error: {shared / 'eval' / 'score_entities.py'} not found (pass --shared)", file=sys.stderr)
        return 2
    docs = load()
    splits = list(SPLITS) if a.split == "all" else [a.split]
    results = {}
    for split in splits:
        part = [d for d in docs if d["split"] == split]
        results[split] = score(shared, part, show=a.show and (split == "tune" or a.split == split))
    bad = []
    for split, res in results.items():
        for key, floor in floors().get(split, {}).items():
            cat, _, title = key.partition("_")
            got = res[cat]["title_strict"]["f1"] if title else res[cat]["f1"]
            if got < floor:
                bad.append(f"{split} {key}: F1 {got:.3f} < floor {floor:.3f}")
    if a.json:
        print(json.dumps(results, indent=1))
        return 1 if a.check and bad else 0
    for split, res in results.items():
        print(f"== challenge {split} ({res['documents']} documents)")
        for c in CATS:
            v, s = res[c], res[c]["title_strict"]
            cov = "-" if v["title_coverage"] is None else f"{v['title_coverage']:.2f}"
            print(
                f"{c:10s} P={v['precision']:.3f} R={v['recall']:.3f} F1={v['f1']:.3f}  (gold {v['gold']}, pred "
                f"{v['pred']})  title-strict P={s['precision']:.3f} R={s['recall']:.3f} F1={s['f1']:.3f}  "
                f"title coverage {cov}"
            )
    if a.check:
        if bad:
            print("BELOW THE FLOORS:\n  " + "\n  ".join(bad), file=sys.stderr)
            return 1
        print("all categories at or above the challenge floors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
