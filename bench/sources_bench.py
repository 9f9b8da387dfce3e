"""Source-adapter throughput alone (no normalise, no store): text files/s and HTML pages/s through ``collect``.

    .venv/bin/python bench/sources_bench.py --txt 3000 --html 400

HTML is timed with both extractors: the default lxml walk (``fast``) and trafilatura.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import write_corpus  # noqa: E402

from migrahub.sources import collect, expand  # noqa: E402


def rate(units: list[str]) -> tuple[float, int]:
    collect(units[0])  # warm imports outside the timing
    t0 = time.perf_counter()
    ok = sum(1 for u in units if collect(u).status == "ok")
    return len(units) / (time.perf_counter() - t0), ok


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--txt", type=int, default=3000)
    ap.add_argument("--html", type=int, default=400)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_corpus(work / "txt", args.txt, "txt")
        units = expand([str(work / "txt")])
        per_s, ok = rate(units)
        print(f"txt  5 KB          : {per_s:8.0f} files/s  ({ok}/{len(units)} ok)")
        for size in (20_000, 90_000):
            folder = work / f"html{size}"
            write_corpus(folder, args.html, "html", size)
            units = expand([str(folder)])
            avg = sum(os.path.getsize(u) for u in units) / len(units) / 1000
            for extractor in ("fast", "trafilatura"):
                os.environ["MIGRAHUB_HTML_EXTRACTOR"] = extractor
                n = units if extractor == "fast" else units[: max(20, len(units) // 4)]
                per_s, ok = rate(n)
                print(f"html {avg:4.0f} KB {extractor:11s}: {per_s:8.0f} pages/s ({ok}/{len(n)} ok)")
        os.environ.pop("MIGRAHUB_HTML_EXTRACTOR", None)


if __name__ == "__main__":
    main()
