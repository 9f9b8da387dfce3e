#!/usr/bin/env python3
"""Timing of the research library: import, export and re-import of N invented references in each format
(CSL-JSON, RIS, BibTeX), with a tenth of them duplicates (same DOI or URL) to merge.

usage: .venv/bin/python bench/connect_library.py [--references 10000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from migrahub.connect import reading  # noqa: E402
from migrahub.connect.references import Name, Reference  # noqa: E402
from migrahub.services.connect import library  # noqa: E402
from migrahub.store.database import connect  # noqa: E402

CITIES = ["Bologna", "Ghent", "Malmö", "Utrecht", "Valencia", "Zurich", "Lyon", "Gdańsk", "Porto", "Leipzig"]
THEMES = ["housing", "identity-documents", "language", "labour", "health", "schools", "participation"]


def invented(n: int) -> list[tuple[str, Reference]]:
    out = []
    for i in range(n):
        dup = i % 10 == 9  # every tenth repeats the DOI of the one before (a duplicate to merge)
        j = i - 1 if dup else i
        out.append((f"ref{i}", Reference(
            title=f"Local migration governance study number {j}: {CITIES[j % 10]} and {THEMES[j % 7]}",
            type=["report", "article-journal", "book", "webpage"][j % 4], authors=(Name(f"Author{j}", "Ana"),),
            organisations=(f"Institute {j % 50}",), year=2000 + j % 25, doi=f"10.5555/bench.{j}",
            url=f"https://example.org/studies/{j}", container="Journal of Bench Studies" if j % 4 == 1 else "",
            abstract="An invented abstract for timing. " * 5, places=(CITIES[j % 10],),
            themes=(THEMES[j % 7], THEMES[(j + 3) % 7]))))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--references", type=int, default=10_000)
    args = parser.parse_args()
    refs = invented(args.references)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in reading.FORMATS:
            path = Path(tmp) / f"in.{fmt}"
            started = time.perf_counter()
            path.write_text(reading.write(refs, fmt), encoding="utf-8")
            written = time.perf_counter() - started
            conn = connect(Path(tmp) / f"{fmt}.sqlite3")
            started = time.perf_counter()
            result = library.import_file(conn, path)
            imported = time.perf_counter() - started
            started = time.perf_counter()
            text, count = library.export(conn, fmt)
            exported = time.perf_counter() - started
            again = Path(tmp) / f"again.{fmt}"
            again.write_text(text, encoding="utf-8")
            other = connect(Path(tmp) / f"{fmt}-again.sqlite3")
            library.import_file(other, again)
            stable = library.export(other, fmt)[0] == text
            results[fmt] = {"bytes": path.stat().st_size, "write_s": round(written, 2),
                            "import_s": round(imported, 2), "imported_per_s": round(len(refs) / imported),
                            "added": result.added, "merged": result.merged, "export_s": round(exported, 2),
                            "exported": count, "reimport_stable": stable}
            conn.close()
            other.close()
    print(json.dumps({"references": args.references, "formats": results}, indent=1))


if __name__ == "__main__":
    main()
