#!/usr/bin/env python3
"""Page extraction throughput: pages/s of MigraHub's page extractor beside trafilatura's, in the same run.

usage: .venv/bin/python bench/page_bench.py [--pages DIR] [--every K] [--rounds N] [--only NAME ...]

Reads the real pages of ``../shared/pages`` when present (every K-th page), else 300 synthetic news pages
(``bench/corpus.py``). Each runner gets the page's bytes: MigraHub decodes them and calls
``sources.html.page_parts`` (main text, title, author, language, publication date); trafilatura calls ``extract``
in its default mode and in fast mode (``eval/score_pages.py`` defines the runners and scores their quality). The
runners take turns page by page, so load from other processes falls on all of them alike; each round prints wall and
CPU pages/s and MigraHub's speed as a multiple of each trafilatura mode, and the last line gives the range over
rounds. Quality is not measured here: see ``eval/score_pages.py``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "eval"))
sys.path.insert(0, str(Path(__file__).parent))

import score_pages  # noqa: E402

RUNNERS = ("migrahub", "trafilatura", "trafilatura-fast")


def synthetic_pages(count: int = 300) -> list[bytes]:
    from corpus import html_document

    return [html_document(i).encode("utf-8") for i in range(count)]


def load(pages_dir: Path | None, every: int) -> tuple[str, list[bytes]]:
    pages_dir = pages_dir or score_pages.shared_pages()
    if (pages_dir / "evaldata.json").is_file():
        pages = score_pages.load_pages(pages_dir, every=every)
        return f"{len(pages)} real pages from {pages_dir}", [data for _, _, data in pages]
    pages = synthetic_pages()
    return f"{len(pages)} synthetic pages ({pages_dir} not found)", pages


def one_round(pages: list[bytes], runners: dict) -> dict[str, tuple[float, float]]:
    """(wall seconds, CPU seconds) per runner over all pages, the runners taking turns page by page."""
    wall = dict.fromkeys(runners, 0.0)
    cpu = dict.fromkeys(runners, 0.0)
    for data in pages:
        for name, run in runners.items():
            w0, c0 = time.perf_counter(), time.process_time()
            try:
                run(data)
            except Exception:  # noqa: BLE001 - a failing page still costs its time
                pass
            wall[name] += time.perf_counter() - w0
            cpu[name] += time.process_time() - c0
    return {n: (wall[n], cpu[n]) for n in runners}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=Path, help="folder with evaldata.json and html/ (default: ../shared/pages)")
    ap.add_argument("--every", type=int, default=3, help="time every K-th real page (default 3)")
    ap.add_argument("--rounds", type=int, default=1, help="repeat the timing N times and report the range")
    ap.add_argument("--only", nargs="+", choices=RUNNERS, default=list(RUNNERS))
    a = ap.parse_args(argv)
    what, pages = load(a.pages, max(1, a.every))
    megabytes = sum(map(len, pages)) / 1e6
    runners = {n: score_pages.RUNNERS[n]() for n in a.only}
    for run in runners.values():  # imports, compiled patterns, rule files
        run(pages[0])
    print(f"{what}, {megabytes:.1f} MB")
    ratios: dict[str, list[float]] = {}
    for r in range(1, a.rounds + 1):
        times = one_round(pages, runners)
        cells = [f"{n} {len(pages) / w:6.1f} pages/s ({len(pages) / c:6.1f} CPU)" for n, (w, c) in times.items()]
        line = f"round {r}: " + " | ".join(cells)
        if "migrahub" in times:
            for ref in (n for n in times if n != "migrahub"):
                ratio = times[ref][0] / times["migrahub"][0]
                ratios.setdefault(ref, []).append(ratio)
                line += f" | {ratio:.2f}x {ref}"
        print(line)
    for ref, values in ratios.items():
        print(f"migrahub vs {ref}: {min(values):.2f}x to {max(values):.2f}x over {len(values)} round(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
