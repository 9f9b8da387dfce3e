#!/usr/bin/env python3
"""Main-text extraction on real web pages: MigraHub's page extractor against trafilatura, same pages, same run.

usage: .venv/bin/python eval/score_pages.py [--pages DIR] [--limit N] [--every K] [--check] [--json]

The pages are ``<shared>/pages`` (``html/*.html.gz`` and ``evaldata.json``: for each page, snippets its main text
must contain, ``with``, and boilerplate it must not contain, ``without``). Scoring follows trafilatura's own
evaluation (tests/eval_common.py in adbar/trafilatura): the output and each snippet are white-space normalised
(runs of white space become one space, ends stripped) and a snippet counts when it is a substring of the output.
Each ``with`` snippet found is a true positive, missed a false negative; each ``without`` snippet found is a false
positive, absent a true negative; an extractor that raises scores a full miss. Precision, recall, F1 and accuracy
are over all snippets.

Runners (each gets the page's bytes, as a crawler has them):

- ``migrahub``: the product's path for a fetched page, ``sources.decode.decode`` then ``sources.html.page_parts``
  with the default extractor, blocks' text joined by newlines (decoding is timed);
- ``trafilatura``: ``trafilatura.extract`` with its default settings (``fast=False``: its own extraction, then
  the readability and jusText fallbacks when needed) and the settings of trafilatura's own evaluation
  (``include_comments=False, include_tables=True, include_formatting=False``) — the line the target compares with;
- ``trafilatura-fast``: the same with ``fast=True`` (no fallbacks; trafilatura's published floor on this set is
  F1 0.92 in this mode);
- ``trafilatura-bare``: ``trafilatura.extract(page)`` with no argument at all (it also keeps comments).

Pages are read and decompressed before timing; the runners take turns page by page so that load from other
processes on the machine falls on all of them alike. Pages/s are given by the clock and by the CPU time of this
process (on a loaded machine the clock also counts the waits for a core, which weigh more on the faster runner).
``--check`` exits 1 when MigraHub's F1 is below the F1 of ``trafilatura`` or its pages/s by the clock below twice
trafilatura's (both measured in this run).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

TARGET = "trafilatura"
SPEED_RATIO = 2.0
_WS = re.compile(r"\s+")


def norm(text: str) -> str:
    """White space folded as trafilatura's evaluation does before matching snippets."""
    return _WS.sub(" ", text).strip()


@dataclass
class Score:
    name: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    pages: int = 0
    errors: int = 0
    per_page: dict = field(default_factory=dict)

    def add(self, item: dict, result: str | None, seconds: float, key: str, cpu_seconds: float = 0.0) -> None:
        if isinstance(result, str):
            out = norm(result)
            tp = sum(1 for w in item["with"] if norm(w) in out)
            fp = sum(1 for w in item["without"] if norm(w) in out)
        else:
            tp = fp = 0
        fn, tn = len(item["with"]) - tp, len(item["without"]) - fp
        self.tp, self.fp, self.fn, self.tn = self.tp + tp, self.fp + fp, self.fn + fn, self.tn + tn
        self.seconds += seconds
        self.cpu_seconds += cpu_seconds
        self.pages += 1
        self.per_page[key] = (tp, fp, fn, tn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        d = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / d if d else 0.0

    @property
    def accuracy(self) -> float:
        total = self.tp + self.fp + self.fn + self.tn
        return (self.tp + self.tn) / total if total else 0.0

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def cpu_pages_per_s(self) -> float:
        return self.pages / self.cpu_seconds if self.cpu_seconds else 0.0

    def line(self) -> str:
        return (f"{self.name:<17} P {self.precision:.4f}  R {self.recall:.4f}  F1 {self.f1:.4f}  "
                f"acc {self.accuracy:.4f}  {self.pages_per_s:6.1f} pages/s ({self.cpu_pages_per_s:6.1f} on the CPU)  "
                f"({self.pages} pages, {self.seconds:.1f} s, {self.errors} errors)")

    def as_dict(self) -> dict:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1, "accuracy": self.accuracy,
                "pages_per_s": self.pages_per_s, "cpu_pages_per_s": self.cpu_pages_per_s, "pages": self.pages,
                "seconds": self.seconds, "cpu_seconds": self.cpu_seconds,
                "errors": self.errors, "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn}


def migrahub_runner(extractor: str | None = None):
    from migrahub.sources.decode import decode
    from migrahub.sources.html import page_parts

    def run(data: bytes) -> str:
        text = decode(data, markup=True, what="page")
        return "\n".join(b.text for b in page_parts(text, extractor=extractor).blocks)

    return run


def trafilatura_runner(fast: bool):
    from trafilatura import extract

    def run(data: bytes) -> str | None:
        return extract(data, fast=fast, include_comments=False, include_tables=True, include_formatting=False)

    return run


def trafilatura_bare_runner():
    from trafilatura import extract

    return extract


RUNNERS = {
    "migrahub": lambda: migrahub_runner(),
    "trafilatura": lambda: trafilatura_runner(fast=False),
    "trafilatura-fast": lambda: trafilatura_runner(fast=True),
    "trafilatura-bare": trafilatura_bare_runner,
}


def shared_pages() -> Path:
    shared = Path(os.environ.get("MIGRAHUB_SHARED", REPO.parent / "shared"))
    return shared / "pages"


def load_pages(pages: Path, limit: int | None = None, every: int = 1) -> list[tuple[str, dict, bytes]]:
    """(url, snippets, page bytes) in the order of evaldata.json; every k-th page, at most ``limit``."""
    evaldata = json.loads((pages / "evaldata.json").read_text(encoding="utf-8"))
    out = []
    for i, (url, item) in enumerate(evaldata.items()):
        if i % every:
            continue
        path = pages / "html" / (item["file"] + ".gz")
        if not path.is_file():
            raise SystemExit(f"error: {path}: listed in evaldata.json but missing")
        out.append((url, item, gzip.decompress(path.read_bytes())))
        if limit and len(out) >= limit:
            break
    return out


def score(pages: list[tuple[str, dict, bytes]], names: list[str]) -> dict[str, Score]:
    runners = {n: RUNNERS[n]() for n in names}
    for run in runners.values():  # warm up: imports, compiled patterns, caches
        try:
            run(pages[0][2])
        except Exception:  # noqa: BLE001 - a crash is scored below
            pass
    scores = {n: Score(n) for n in names}
    clock, cpu = time.perf_counter, time.process_time
    for url, item, data in pages:
        for n, run in runners.items():
            t0, c0 = clock(), cpu()
            try:
                result = run(data)
            except Exception:  # noqa: BLE001 - a crash counts as a full miss, as in trafilatura's evaluation
                result = None
                scores[n].errors += 1
            scores[n].add(item, result, clock() - t0, url, cpu() - c0)
    return scores


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=Path, default=None, help="folder with evaldata.json and html/ "
                    "(default: $MIGRAHUB_SHARED/pages or ../shared/pages)")
    ap.add_argument("--limit", type=int, default=None, help="score at most N pages")
    ap.add_argument("--every", type=int, default=1, help="score every K-th page only")
    ap.add_argument("--only", nargs="+", choices=sorted(RUNNERS), default=list(RUNNERS),
                    help="runners to score (default: all)")
    ap.add_argument("--check", action="store_true",
                    help=f"exit 1 unless MigraHub's F1 >= {TARGET}'s and its pages/s >= {SPEED_RATIO:g}x")
    ap.add_argument("--json", action="store_true", help="print the scores as JSON")
    ap.add_argument("--diff", type=Path, help="write per-page (tp, fp, fn, tn) of every runner to this JSON file")
    a = ap.parse_args(argv)
    pages_dir = a.pages or shared_pages()
    if not (pages_dir / "evaldata.json").is_file():
        print(f"skipped: no page set at {pages_dir} (needs ../shared/pages with evaldata.json and html/; "
              "set MIGRAHUB_SHARED or pass --pages)", file=sys.stderr)
        return 0
    names = list(dict.fromkeys(a.only + (["migrahub", TARGET] if a.check else [])))
    pages = load_pages(pages_dir, a.limit, max(1, a.every))
    scores = score(pages, names)
    if a.diff:
        a.diff.write_text(json.dumps({n: s.per_page for n, s in scores.items()}, ensure_ascii=False), "utf-8")
    if a.json:
        print(json.dumps({n: s.as_dict() for n, s in scores.items()}, indent=1))
    else:
        print(f"{len(pages)} pages from {pages_dir}")
        for s in scores.values():
            print(s.line())
    if "migrahub" in scores and TARGET in scores:
        mine, ref = scores["migrahub"], scores[TARGET]
        ratio = mine.pages_per_s / ref.pages_per_s if ref.pages_per_s else float("inf")
        cpu_ratio = mine.cpu_pages_per_s / ref.cpu_pages_per_s if ref.cpu_pages_per_s else float("inf")
        if not a.json:
            print(f"migrahub vs {TARGET}: F1 {mine.f1 - ref.f1:+.4f}, speed {ratio:.2f}x ({cpu_ratio:.2f}x on the CPU)")
        if a.check:
            failed = []
            if mine.f1 < ref.f1:
                failed.append(f"F1 {mine.f1:.4f} < {TARGET}'s {ref.f1:.4f}")
            if ratio < SPEED_RATIO:
                failed.append(f"speed {ratio:.2f}x < {SPEED_RATIO:g}x {TARGET}'s")
            if failed:
                print("check failed: " + "; ".join(failed), file=sys.stderr)
                return 1
            print("check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
