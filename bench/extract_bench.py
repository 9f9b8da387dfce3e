#!/usr/bin/env python3
"""Extraction throughput: words/s of migrahub.extract.extract over a repeated corpus.

usage: .venv/bin/python bench/extract_bench.py [--shared PATH] [--repeat N] [--workers N] [--pathological]

Uses the seed and development corpora of ../shared when present (each document with the language ingest detects,
so the statistical models run where they would), else a synthetic multilingual corpus. Gazetteers are loaded once
before timing (the cost of the first call is printed separately). With --workers N (default 2) the documents are
spread over N processes, as a server with N cores would run them. With --pathological, it times instead hostile
shapes of 10 MB through the product's door (``services.entities.extract_file``: reading, normalising, extracting),
10 MB without spaces first, and prints what the extraction budget left out.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from migrahub.extract import extract, nlp  # noqa: E402
from migrahub.pipeline.language import detect_language  # noqa: E402

SYNTHETIC = (
    "The International Organization for Migration (IOM) and UNHCR met city officials from Ghent, Zürich and "
    "Kingston, Jamaica on 25-26 June 2019. As Ms. Anna Weber, Director of Integration at the City of Vienna, said, "
    "the Mediterranean City-to-City Migration project (MC2CM) helps cities share practices.\n\n"
    "EXAMPLE OF GOOD PRACTICE: The city of Lisbon runs a one-stop shop for newcomers.\n\n"
    "L'OIM et le HCR ont organisé un atelier à Marrakech du 3 au 4 mars 2020 avec 40 participants.\n\n"
    "La OIM y el ACNUR celebraron un taller en Bogotá el 12 de diciembre de 2019.\n\n"
    "Die Tagung des Deutschen Städtetages fand am 5. Mai 2021 in Köln statt.\n\n"
)


def _work(texts: list[tuple[str, str | None]]) -> int:
    for lang in ("en", "fr", "es", "de"):
        extract("warm up in Vienna", doc="warm", language=lang)  # gazetteers, registry and models, loaded once
    n = 0
    for i, (t, lang) in enumerate(texts):
        extract(t, doc=f"d{i}", language=lang)
        n += len(t.split())
    return n


PATHOLOGICAL = {
    "10 MB without spaces": "a" * 10_000_000,
    "10 MB of dots": "." * 10_000_000,
    "10 MB of nested brackets": "(" * 5_000_000 + ")" * 5_000_000,
    "10 MB line of capitalised words": "Abc " * 2_500_000,
    "10 MB line of initials 'A. A. A.'": "A. " * 3_333_333,
    "10 MB of acronym pairs": "Abc (AB) " * 1_111_111,
}


def pathological() -> int:
    import tempfile

    from migrahub.services.entities import extract_file

    extract("warm up in Vienna", doc="warm")
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in PATHOLOGICAL.items():
            f = Path(tmp) / "hostile.txt"
            f.write_text(text, encoding="utf-8")
            t0 = time.perf_counter()
            record = extract_file(f)
            dt = time.perf_counter() - t0
            print(f"{name}: {dt:.2f}s through extract_file; notes: {'; '.join(record.get('notes', [])) or '-'}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.environ.get("MIGRAHUB_SHARED", str(REPO.parent / "shared")))
    ap.add_argument("--repeat", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--pathological", action="store_true", help="time hostile 10 MB shapes through extract_file")
    a = ap.parse_args()
    if a.pathological:
        return pathological()
    shared = Path(a.shared) / "corpus"
    files = sorted((shared / "seeds").glob("*.txt")) + sorted((shared / "dev").glob("*.txt"))
    raw = [p.read_text(encoding="utf-8") for p in files] or [SYNTHETIC * 200]
    # each document with its language, as ingest detects it (the models run for English, French and Spanish)
    texts = [(t, detect_language(t)) for t in raw]
    corpus = texts * a.repeat
    t0 = time.perf_counter()
    extract("warm up in Vienna", doc="warm")
    print(f"first call (loads gazetteers and registry): {time.perf_counter() - t0:.2f}s")
    for lang in ("en", "fr", "es"):
        t0 = time.perf_counter()
        extract("warm up in Vienna", doc="warm", language=lang)
        print(f"first {lang} call (loads its model{'' if nlp.available(lang) else ': none installed'}): "
              f"{time.perf_counter() - t0:.2f}s")
    t0 = time.perf_counter()
    words = _work(corpus)
    dt = time.perf_counter() - t0
    print(f"1 process: {words} words in {dt:.2f}s = {words / dt:,.0f} words/s")
    if a.workers > 1:
        chunks = [corpus[i :: a.workers] for i in range(a.workers)]
        with ProcessPoolExecutor(a.workers) as ex:
            list(ex.map(_work, [texts[:1]] * a.workers))  # start + warm the workers
            t0 = time.perf_counter()
            words = sum(ex.map(_work, chunks))
            dt = time.perf_counter() - t0
        print(f"{a.workers} processes: {words} words in {dt:.2f}s = {words / dt:,.0f} words/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
