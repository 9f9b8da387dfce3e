"""Search latency at scale: p50/p95 of `migrahub search` queries over a hub of N passages.

    .venv/bin/python bench/search_bench.py --passages 100000

Builds the hub directly through the store (one transaction per document, as ingest does), then times a mix of
word, phrase, boolean and filtered queries. Target on a 2-core machine: p95 ≤ 20 ms at 100k passages.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import paragraphs  # noqa: E402

from migrahub.model import Block, Extracted  # noqa: E402
from migrahub.pipeline.normalize import normalize  # noqa: E402
from migrahub.sources import SourceResult  # noqa: E402
from migrahub.store import documents as store  # noqa: E402
from migrahub.store.database import connect  # noqa: E402
from migrahub.store.search import SearchFilters, optimize, search  # noqa: E402

QUERIES = [
    ("city card", SearchFilters()),
    ('"city card"', SearchFilters()),
    ("shelter winter", SearchFilters()),
    ("mentoring OR consultation", SearchFilters()),
    ("refugees NOT housing", SearchFilters()),
    ("Ghent", SearchFilters(language="en")),
    ("legal advice", SearchFilters(since="2015", until="2020")),
    ("integration policy index", SearchFilters(doc_type="txt")),
    ("Zürich", SearchFilters(source="src-1")),
    ("peer-learning visit", SearchFilters()),
]


def build(db: Path, passages: int) -> None:
    conn = connect(db)
    sids = [store.upsert_source(conn, SourceResult(source=f"src-{k}", kind="file", status="ok")) for k in range(10)]
    made, i = 0, 0
    while made < passages:
        rng = random.Random(i)
        paras = paragraphs(rng, rng.randint(1500, 4000))
        doc = normalize(Extracted(locator=f"doc-{i}", source=f"src-{i % 10}", source_kind="file",
                                  content_type="text/plain", blocks=tuple(Block("paragraph", p) for p in paras),
                                  published=f"{rng.randint(2010, 2025)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                                  language_hint="en"))
        store.save_document(conn, doc, sids[i % 10])
        made += len(doc.passages)
        i += 1
    optimize(conn)  # as ingest does after a large run
    conn.close()
    print(f"built {made} passages in {i} documents")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passages", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--db", type=Path, help="reuse or keep the benchmark hub here")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = a.db or Path(tmp) / "bench.sqlite3"
        if not db.exists():
            t0 = time.perf_counter()
            build(db, a.passages)
            print(f"build took {time.perf_counter() - t0:.1f}s")
        conn = connect(db)
        times, per_query = [], {q: [] for q, _ in QUERIES}
        for _ in range(a.rounds):
            for q, f in QUERIES:
                t0 = time.perf_counter()
                search(conn, q, f)
                ms = (time.perf_counter() - t0) * 1000
                times.append(ms)
                per_query[q].append(ms)
        for q, ms in per_query.items():
            print(f"  {q:28s} median {statistics.median(ms):6.1f} ms, max {max(ms):6.1f} ms")
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"{len(times)} searches: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
              f"max {times[-1]:.1f} ms")


if __name__ == "__main__":
    main()
