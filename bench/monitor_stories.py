"""Bench: story clustering throughput on 2 cores.

Items: the evaluation items (``eval/stories/written.jsonl`` and, when ``../shared`` is there, the items of its real
feeds), repeated with their times moved by ten days per copy (so each copy is compared with its own window, as in a
hub that has run for months) up to ``--items``. Measured separately:

- features the hub computes once per document at ingest (MinHash, entities) and once per document for stories (the
  e5 vector of title and lead, kept in ``text_vectors``): items per second, cold;
- clustering proper (the :class:`~migrahub.monitor.stories.Clusterer` over stored features): items per second.

    .venv/bin/python bench/monitor_stories.py [--items 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--items", type=int, default=20000)
    args = ap.parse_args()
    sys.path.insert(0, str(REPO / "eval"))
    import score_stories

    from migrahub.monitor.stories import cluster, default_params
    from migrahub.services.monitor import stories

    items = score_stories.written()
    shared = Path(os.environ.get("MIGRAHUB_SHARED", REPO.parent / "shared"))
    if (shared / "feeds").is_dir():
        items += score_stories.shared_items(shared)
    records = stories.read_records([json.dumps({k: i.get(k) for k in ("id", "text", "language", "title",
                                                                      "published")}) for i in items], "bench")
    params = default_params()
    t0 = time.perf_counter()
    base = stories.record_items(records, params)
    features_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    stories.record_items(records, params, entities=False, encoder_leads=lambda leads: [None] * len(leads))
    minhash_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    stories.embed([stories.lead(r.get("title"), r["text"], params.lead_chars) + " " for r in records])
    embed_s = time.perf_counter() - t0
    many = []
    copies = -(-args.items // len(base))
    for c in range(copies):
        for item in base:
            at = (item.at or 1_772_000_000.0) + c * 10 * 86400
            many.append(replace(item, id=f"{c}:{item.id}", at=at))
    many = many[: args.items]
    t0 = time.perf_counter()
    groups = cluster(many, params)
    cluster_s = time.perf_counter() - t0
    print(json.dumps({
        "items": len(many), "distinct_items": len(base), "stories": len(set(groups.values())),
        "cpus": os.cpu_count(),
        "clustering_items_per_s": round(len(many) / cluster_s), "clustering_seconds": round(cluster_s, 2),
        "features_cold_items_per_s": round(len(base) / features_s, 1),
        "embedding_cold_items_per_s": round(len(base) / embed_s, 1),
        "minhash_only_items_per_s": round(len(base) / minhash_s, 1),
    }, indent=2))


if __name__ == "__main__":
    main()
