"""Dump, restore and copy of a large hub: a hub of synthetic documents (bench/corpus.py) with entities, codings, a
vector per passage and the web's tables is dumped to an archive, restored into a new hub and copied SQLite → SQLite,
and, given a PostgreSQL server, SQLite → PostgreSQL → SQLite. Every step prints its time; every table's count and
checksum is compared with the source's, and the run exits non-zero if any differs.

    .venv/bin/python bench/db_copy.py --documents 10000
    .venv/bin/python bench/db_copy.py --documents 10000 --postgresql postgresql://postgres@127.0.0.1:54329/postgres

``--postgresql`` (or ``MIGRAHUB_TEST_POSTGRESQL``) names a server where the benchmark may create and drop a database
of its own (``migrahub_bench_copy``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from corpus import write_corpus  # noqa: E402

from migrahub.coding.codebook import Code, Codebook  # noqa: E402
from migrahub.services import archive  # noqa: E402
from migrahub.services.ingest import ingest  # noqa: E402
from migrahub.store import archive as tables  # noqa: E402
from migrahub.store import codings, vectors  # noqa: E402
from migrahub.store.database import connect  # noqa: E402

WITH_ENTITIES = 0.1  # share of the documents ingested with entity extraction (rules only)
CODED = 2000  # passages given a machine coding, half of them accepted by a person
DIMENSIONS = 64  # of the synthetic passage vectors


def build(db: Path, documents: int, workdir: Path) -> None:
    """A hub of ``documents`` synthetic documents, written through the services and the store."""
    os.environ["MIGRAHUB_EXTRACT_MODELS"] = "0"
    with_entities = int(documents * WITH_ENTITIES)
    plain, rich = workdir / "plain", workdir / "rich"
    write_corpus(plain, documents - with_entities, "txt", size=2500)
    write_corpus(rich, with_entities, "txt", size=2500)
    for path in rich.iterdir():  # other content than the plain ones (the corpus is seeded by file number)
        path.write_text(path.read_text(encoding="utf-8") + "\nReported by the Kampala office.\n", encoding="utf-8")
    ingest([str(plain)], db, extract_entities=False)
    ingest([str(rich)], db, extract_entities=True)
    conn = connect(db)
    try:
        codes = (Code("housing", "Housing"), Code("language", "Language courses"), Code("health", "Health care"))
        codings.save_codebook(conn, Codebook(name="Reception", codes=codes))
        units = codings.codable_passages(conn)[:CODED]
        for i, unit in enumerate(units):
            code = codes[i % len(codes)].id
            codings.record(conn, codebook="Reception", document_id=unit["document_id"], start=unit["start"],
                           end=unit["end"], coder="autocode/1", coder_kind="machine", action="add", code=code,
                           confidence=round(0.5 + (i % 50) / 100, 4))
            if i % 2 == 0:
                codings.record(conn, codebook="Reception", document_id=unit["document_id"], start=unit["start"],
                               end=unit["end"], coder="curator", action="accept", code=code, about="autocode/1")
        ids = [row[0] for row in conn.execute("SELECT id FROM passages ORDER BY id")]
        vectors.write_vectors(conn, "bench-model", ids,
                              np.random.default_rng(3).normal(size=(len(ids), DIMENSIONS)).astype(np.float32))
    finally:
        conn.close()
    archive.create_web_tables(db)


def digests(db) -> dict[str, tuple[int, str]]:
    conn = connect(db)
    try:
        return tables.digests(conn)
    finally:
        conn.close()


def timed(label: str, fn, *args, **kwargs):
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    print(f"{label:<34} {time.perf_counter() - t0:8.1f} s", flush=True)
    return result


def compare(label: str, source: dict, other: dict) -> bool:
    differ = sorted(name for name in source.keys() | other.keys() if source.get(name) != other.get(name))
    rows = sum(count for count, _sha in other.values())
    print(f"  {label}: {len(other)} tables, {rows:,} rows, "
          + ("every count and checksum equal to the source's" if not differ else f"DIFFERENT: {differ}"))
    return not differ


def show(source: dict) -> None:
    print(f"{'table':<24} {'rows':>9}  sha256")
    for name in ("documents", "passages", "document_links", "entities", "mentions", "coding_actions", "actions",
                 "passage_vectors", "auth_permission"):
        if name in source:
            print(f"{name:<24} {source[name][0]:>9,}  {source[name][1]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--postgresql", default=os.environ.get("MIGRAHUB_TEST_POSTGRESQL"),
                        help="a PostgreSQL server URL (default: MIGRAHUB_TEST_POSTGRESQL); without it, SQLite only")
    parser.add_argument("--workdir", type=Path, help="keep the hubs and the archive here (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        source = work / "source.sqlite3"
        timed(f"build a hub of {args.documents:,} documents", build, source, args.documents, work)
        expected = digests(source)
        show(expected)
        ok = True
        timed("dump", archive.dump, source, work / "hub.zip", overwrite=True)
        print(f"  archive: {(work / 'hub.zip').stat().st_size / 1e6:.1f} MB, "
              f"hub file: {source.stat().st_size / 1e6:.1f} MB")
        timed("restore into a new hub", archive.restore, work / "hub.zip", work / "restored.sqlite3")
        ok &= compare("restored", expected, digests(work / "restored.sqlite3"))
        timed("copy SQLite → SQLite", archive.copy, source, work / "copy.sqlite3")
        ok &= compare("copy", expected, digests(work / "copy.sqlite3"))
        if args.postgresql:
            ok &= postgresql(args.postgresql, source, work, expected)
    print("OK" if ok else "FAILED: some table differs")
    return 0 if ok else 1


def postgresql(server: str, source: Path, work: Path, expected: dict) -> bool:
    import psycopg

    name = "migrahub_bench_copy"
    base = server.rsplit("/", 1)[0]
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = f"{base}/{name}"
        timed("copy SQLite → PostgreSQL", archive.copy, source, url)
        ok = compare("on PostgreSQL", expected, digests(url))
        timed("dump PostgreSQL", archive.dump, url, work / "pg.zip", overwrite=True)
        timed("restore that dump into SQLite", archive.restore, work / "pg.zip", work / "from-pg.sqlite3")
        ok &= compare("restored from PostgreSQL's dump", expected, digests(work / "from-pg.sqlite3"))
        timed("copy PostgreSQL → SQLite", archive.copy, url, work / "back.sqlite3")
        ok &= compare("back on SQLite", expected, digests(work / "back.sqlite3"))
        return ok
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
