"""Ingest throughput of background jobs: documents per second with 1 and 2 worker processes, per backend.

    .venv/bin/python bench/jobs_ingest.py [--files 2000] [--jobs 8] [--workers 1,2] [--no-extract]
        [--backends sqlite[,postgresql]] [--pg-url postgresql://postgres@127.0.0.1:54329/postgres]

Writes ``--files`` small synthetic HTML notes (bench/corpus.py's sentences) in ``--jobs`` folders, and for each
backend and worker count: a fresh hub (SQLite: a new file; PostgreSQL: a new schema ``bench_jobs_wN``), one ingest
job per folder submitted to the queue, then ``migrahub worker --concurrency N --batch`` until the queue is empty.
Documents per second are counted from the first job's start to the last job's end as the queue recorded them
(worker start-up excluded; the wall time of the whole worker command is printed beside). Each ingest job reads its
files with the ingest's own reader processes (one per CPU), so 2 workers on 2 CPUs compete for the same cores; what
a second worker adds is a second writer. Entity extraction runs unless ``--no-extract`` (spaCy's recognisers follow
MIGRAHUB_EXTRACT_MODELS).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from corpus import sentence  # noqa: E402

MIGRAHUB = [sys.executable, "-m", "migrahub"]
DEFAULT_PG = "postgresql://postgres@127.0.0.1:54329/postgres"

SUBMIT = """
import json, sys
from migrahub.web import server
server.migrate(server.setup(sys.argv[1]))
from migrahub.services import jobs
for folder in sys.argv[2:]:
    jobs.submit("ingest", {"targets": [folder], "extract": %s}, "bench", trusted=True)
"""

TIMES = """
import json, sys
from migrahub.web import server
server.setup(sys.argv[1])
from migrahub.services import jobs
rows = jobs.listing(limit=1000)
print(json.dumps([{"status": j.status, "started": j.started_at.isoformat(), "finished": j.finished_at.isoformat(),
                   "added": (j.result or {}).get("added"), "worker": j.worker} for j in rows]))
"""


def write_corpus(folder: Path, files: int, jobs: int) -> list[Path]:
    rng = random.Random(7)
    folders = [folder / f"part-{k:02d}" for k in range(jobs)]
    for f in folders:
        f.mkdir(parents=True, exist_ok=True)
    for i in range(files):
        body = "".join(f"<p>{' '.join(sentence(rng) for _ in range(3))}</p>" for _ in range(4))
        (folders[i % jobs] / f"note-{i:05d}.html").write_text(
            f"<html><head><title>Note {i}</title></head><body><h1>Note {i} on local integration</h1>{body}"
            f"<p>Reference n{i}q.</p></body></html>", encoding="utf-8")
    return folders


def pg_target(url: str, workers: int) -> str:
    import psycopg

    schema = f"bench_jobs_w{workers}"
    with psycopg.connect(url, autocommit=True) as raw:
        raw.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def run(target: str, folders: list[Path], workers: int, extract: bool, env: dict) -> dict:
    subprocess.run([sys.executable, "-c", SUBMIT % extract, target, *map(str, folders)], env=env, check=True)
    t0 = time.perf_counter()
    subprocess.run([*MIGRAHUB, "--db", target, "worker", "--concurrency", str(workers), "--batch",
                    "--interval", "0.2"], env=env, check=True, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    done = json.loads(subprocess.run([sys.executable, "-c", TIMES, target], env=env, check=True,
                                     capture_output=True, text=True).stdout)
    bad = [j for j in done if j["status"] != "succeeded"]
    if bad:
        raise SystemExit(f"{len(bad)} jobs did not succeed: {bad[:2]}")
    start = min(datetime.fromisoformat(j["started"]) for j in done)
    end = max(datetime.fromisoformat(j["finished"]) for j in done)
    seconds = (end - start).total_seconds()
    added = sum(j["added"] for j in done)
    return {"documents": added, "seconds": seconds, "wall": wall, "per_second": added / seconds,
            "workers_seen": len({j["worker"] for j in done})}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=8, help="Ingest jobs the files are split into.")
    ap.add_argument("--workers", default="1,2", help="Worker process counts to measure.")
    ap.add_argument("--backends", default="sqlite", help="sqlite, postgresql or both (comma-separated).")
    ap.add_argument("--pg-url", default=DEFAULT_PG)
    ap.add_argument("--no-extract", action="store_true", help="Store documents without extracting entities.")
    args = ap.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    env = {**os.environ, "MIGRAHUB_SECRET_KEY": os.environ.get("MIGRAHUB_SECRET_KEY", "bench-only-secret-key")}
    env.pop("MIGRAHUB_DB", None)
    results: dict[tuple[str, int], dict] = {}
    with tempfile.TemporaryDirectory(prefix="migrahub-jobs-bench-") as tmp:
        folders = write_corpus(Path(tmp) / "corpus", args.files, args.jobs)
        for workers in counts:
            for backend in backends:
                target = (str(Path(tmp) / f"hub-w{workers}.sqlite3") if backend == "sqlite"
                          else pg_target(args.pg_url, workers))
                results[backend, workers] = run(target, folders, workers, not args.no_extract, env)
                r = results[backend, workers]
                print(f"  {backend}, {workers} worker(s): {r['documents']} documents in {r['seconds']:.1f} s "
                      f"({r['per_second']:.0f}/s; worker command {r['wall']:.1f} s; {r['workers_seen']} workers "
                      "took jobs)", file=sys.stderr)
    print(f"ingest jobs: {args.files} files in {args.jobs} jobs, extraction {'off' if args.no_extract else 'on'}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print("workers  " + "  ".join(f"{b + ' docs/s':>18s}" for b in backends))
    for workers in counts:
        print(f"{workers:7d}  " + "  ".join(f"{results[b, workers]['per_second']:18.0f}" for b in backends))


if __name__ == "__main__":
    main()
