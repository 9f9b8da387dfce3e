"""Ingest throughput: text documents/s (5 KB each) and HTML pages/s (~20 KB each) through `migrahub ingest`'s service,
without (`--no-extract`) and with entity extraction.

    .venv/bin/python bench/ingest_bench.py --txt 5000 --html 500

Targets on a 2-core machine: ≥ 1,000 text documents/s, ≥ 100 HTML pages/s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import write_corpus  # noqa: E402

from migrahub.services.ingest import ingest  # noqa: E402


def run(kind: str, docs: int, workdir: Path, entities: bool) -> float:
    folder = workdir / kind
    if not folder.exists():
        write_corpus(folder, docs, kind)
    label = f"{kind} {'with' if entities else 'without'} entity extraction"
    db = workdir / f"{kind}-{entities}.sqlite3"
    ingest([str(workdir / "warm")], db, extract_entities=entities)  # load models etc. outside the timing
    t0 = time.perf_counter()
    summary = ingest([str(folder)], db, extract_entities=entities)
    seconds = time.perf_counter() - t0
    assert summary.added == docs, summary.as_dict()
    rate = docs / seconds
    print(f"{label}: {docs} documents in {seconds:.2f}s = {rate:,.0f} documents/s")
    t0 = time.perf_counter()
    again = ingest([str(folder)], db, extract_entities=entities)
    print(f"{label}: re-ingest (idempotent, {again.added} added) in {time.perf_counter() - t0:.2f}s")
    return rate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--txt", type=int, default=5000)
    ap.add_argument("--html", type=int, default=500)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "warm").mkdir()
        (work / "warm" / "w.txt").write_text("A short warm-up document about a welcoming city network.\n")
        for entities in (False, True):
            if a.txt:
                run("txt", a.txt, work, entities)
            if a.html:
                run("html", a.html, work, entities)


if __name__ == "__main__":
    main()
