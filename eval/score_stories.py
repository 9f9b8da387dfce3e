"""Score story clustering (``migrahub stories cluster``) on a labelled set of news items.

The set: the items written for this evaluation (``eval/stories/written.jsonl``: the same events told in English,
French, Spanish and German, and events that look alike — the same city, the same theme — but are different stories)
plus every item of the real feeds in ``../shared/feeds`` (read at run time, never copied; each is its own story
unless two share a link). Items are passed to the command-line door without their labels; the script reports
B-cubed and pairwise precision, recall and F1 over all items, and pairwise figures over the pairs of items in two
different languages (the cross-language part).

    .venv/bin/python eval/score_stories.py [--shared ../shared] [--no-shared] [--items OUT.jsonl]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def written() -> list[dict]:
    with open(HERE / "stories" / "written.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def shared_items(folder: Path) -> list[dict]:
    """Items of the real feeds (text read now, not stored), each labelled by its link."""
    from migrahub.model import Rejection
    from migrahub.pipeline.normalize import normalize
    from migrahub.sources.feeds import parse_feed

    out = []
    for path in sorted((folder / "feeds").glob("*")):
        if path.suffix in (".md", ".source"):
            continue
        for item in parse_feed(path.read_bytes(), path.name):
            doc = normalize(item)
            if isinstance(doc, Rejection):
                continue
            out.append({"id": f"feed:{item.locator}", "story": f"link:{item.url or item.locator}",
                        "language": doc.language, "title": item.title, "published": item.published,
                        "text": doc.text})
    return out


def bcubed(gold: dict[str, str], pred: dict[str, str]) -> tuple[float, float, float]:
    by_gold: dict[str, set] = {}
    by_pred: dict[str, set] = {}
    for k in gold:
        by_gold.setdefault(gold[k], set()).add(k)
        by_pred.setdefault(pred[k], set()).add(k)
    p = sum(len(by_pred[pred[k]] & by_gold[gold[k]]) / len(by_pred[pred[k]]) for k in gold) / len(gold)
    r = sum(len(by_pred[pred[k]] & by_gold[gold[k]]) / len(by_gold[gold[k]]) for k in gold) / len(gold)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def pairwise(gold: dict[str, str], pred: dict[str, str], pairs) -> dict:
    tp = fp = fn = 0
    for a, b in pairs:
        same_gold, same_pred = gold[a] == gold[b], pred[a] == pred[b]
        tp += same_gold and same_pred
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 3),
            "gold_pairs": tp + fn, "predicted_pairs": tp + fp}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("MIGRAHUB_SHARED", REPO.parent / "shared")))
    ap.add_argument("--no-shared", action="store_true", help="Only the written items.")
    ap.add_argument("--items", type=Path, help="Also keep the unlabelled items file here.")
    args = ap.parse_args(argv)
    items = written()
    if not args.no_shared:
        if not (args.shared / "feeds").is_dir():
            print(f"no feeds at {args.shared / 'feeds'}: pass --shared or --no-shared", file=sys.stderr)
            return 2
        items += shared_items(args.shared)
    gold = {i["id"]: i["story"] for i in items}
    lang = {i["id"]: i["language"] for i in items}
    with tempfile.TemporaryDirectory() as tmp:
        path = args.items or Path(tmp) / "items.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            for i in items:
                fh.write(json.dumps({k: i[k] for k in ("id", "text", "language", "title", "published") if i.get(k)},
                                    ensure_ascii=False) + "\n")
        command = [sys.executable, "-m", "migrahub", "stories", "cluster", str(path), "--json"]
        t0 = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
        seconds = time.perf_counter() - t0
    if done.returncode:
        print(done.stderr, file=sys.stderr)
        return done.returncode
    pred = json.loads(done.stdout)
    ids = sorted(gold)
    pairs = list(itertools.combinations(ids, 2))
    cross = [(a, b) for a, b in pairs if lang[a] != lang[b]]
    written_ids = [i["id"] for i in items if not i["id"].startswith("feed:")]
    p, r, f = bcubed(gold, pred)
    wp, wr, wf = bcubed({k: gold[k] for k in written_ids}, {k: pred[k] for k in written_ids})
    report = {
        "command": "migrahub stories cluster ITEMS.jsonl --json",
        "items": len(items), "written_items": len(written_ids), "feed_items": len(items) - len(written_ids),
        "gold_stories": len(set(gold.values())), "predicted_stories": len(set(pred.values())),
        "languages": sorted({x for x in lang.values() if x}),
        "bcubed": {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)},
        "bcubed_written_only": {"precision": round(wp, 3), "recall": round(wr, 3), "f1": round(wf, 3)},
        "pairwise": pairwise(gold, pred, pairs),
        "pairwise_cross_language": pairwise(gold, pred, cross),
        "seconds": round(seconds, 1),
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
