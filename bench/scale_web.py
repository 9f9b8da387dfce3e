"""Web latency at scale on SQLite and PostgreSQL, side by side: 20 clients against `migrahub serve` on each backend.

    .venv/bin/python bench/scale_web.py [--passages 700000] [--requests 2000] [--clients 20] [--workers N]
        [--backends sqlite,postgresql] [--pg-url postgresql://postgres@127.0.0.1:54329/postgres]

Uses (or builds) the hubs of ``bench/scale_search.py`` for ``--passages`` (700,000 passages are about 100,000
documents of synthetic multilingual text), starts one server per backend (`migrahub serve`, gunicorn, one process per
CPU by default; ``MIGRAHUB_DB`` names the file or the PostgreSQL URL), warms both up, then fires the requests from
``--clients`` closed-loop client processes with ``bench/web_load.py``'s ``drive`` in four alternating chunks per
backend, so both see the same load of the machine. The requests: searches of rare words, of common words, of a
common and a rare word with the language facet, and document pages. Prints p50/p95/max per kind and overall per
backend in one table. Target (issue 10): p95 ≤ 150 ms with 20 clients at 100k documents.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import scale_search  # noqa: E402
from corpus import VOCABULARY  # noqa: E402
from web_load import _free_port, by_kind, drive, request_plan  # noqa: E402

CHUNKS = 4  # alternating chunks of requests per backend


def plan(rng: random.Random, documents: int) -> list[tuple[str, str]]:
    """web_load.py's request mix over these hubs' vocabulary (no entity pages: these hubs have no entities)."""
    return request_plan(rng, documents, rare=VOCABULARY[5000:],  # Zipf ranks past 5,000: a few to a few hundred
                        common=VOCABULARY[:200], langs=("en", "fr", "es", "de", "it", "nl"))  # passages each


def start(target: str, log: Path, workers: int | None, threads: int) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    exe = Path(sys.executable).with_name("migrahub")
    cmd = [str(exe) if exe.exists() else sys.executable, *([] if exe.exists() else ["-m", "migrahub.cli"]),
           "serve", "--port", str(port), "--threads", str(threads), *(["--workers", str(workers)] if workers else [])]
    out = open(log, "w")  # noqa: SIM115 - closed when the server stops
    proc = subprocess.Popen(cmd, env={**os.environ, "MIGRAHUB_DB": target}, stdout=out, stderr=subprocess.STDOUT)
    for _ in range(600):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.2)
        if proc.poll() is not None:
            break
    proc.terminate()
    raise SystemExit(f"the server on {target} did not start: see {log}")


def warm(port: int, paths: list[tuple[str, str]]) -> None:
    for _kind, path in paths:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("GET", path)
        c.getresponse().read()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passages", type=int, default=700_000)
    ap.add_argument("--requests", type=int, default=2000, help="per backend")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1, help="threads per server process")
    ap.add_argument("--workers", type=int, default=None, help="server processes per backend (default: one per CPU)")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--pg-url", default=os.environ.get("MIGRAHUB_BENCH_PG", scale_search.DEFAULT_PG))
    ap.add_argument("--cache", type=Path, default=Path("/tmp/migrahub-scale-bench"))
    a = ap.parse_args()
    backends = [b.strip() for b in a.backends.split(",") if b.strip()]
    a.cache.mkdir(parents=True, exist_ok=True)
    targets = scale_search.hub_targets(backends, a.passages, a.cache, a.pg_url)
    print(f"load average before: {scale_search.loadavg()}")
    records = scale_search.build(targets, a.cache, a.passages, a.pg_url)
    documents = min(r["documents"] for r in records.values())
    paths = plan(random.Random(11), documents)
    servers = {}
    try:
        for name in backends:
            servers[name] = start(targets[name], a.cache / f"serve-{name}.log", a.workers, a.threads)
        for _proc, port in servers.values():
            warm(port, paths[:60])
        results: dict[str, list] = {name: [] for name in backends}
        walls = dict.fromkeys(backends, 0.0)
        for chunk in range(CHUNKS):
            for name in backends:
                share = a.requests // CHUNKS + (1 if chunk < a.requests % CHUNKS else 0)
                res, wall = drive(servers[name][1], paths, a.clients, share)
                results[name].extend(res)
                walls[name] += wall
    finally:
        for proc, _port in servers.values():
            proc.terminate()
            proc.wait(timeout=20)
    stats = {name: by_kind(res) for name, res in results.items()}
    print(f"\n{documents} documents ({a.passages} passages), {a.clients} clients, {a.requests} requests per backend, "
          f"server: {a.workers or os.cpu_count()} processes × {a.threads} thread(s) per backend")
    head = f"{'kind':20s} {'n':>5s}" + "".join(f" | {n + ' p50':>15s} {'p95':>8s} {'max':>8s}" for n in backends)
    print(head + "\n" + "-" * len(head))
    for kind in stats[backends[0]]:
        cells = "".join(f" | {s['p50_ms']:12.1f} ms {s['p95_ms']:5.0f} ms {s['max_ms']:5.0f} ms"
                        for s in (stats[name].get(kind, {"p50_ms": 0, "p95_ms": 0, "max_ms": 0})
                                  for name in backends))
        print(f"{kind:20s} {stats[backends[0]][kind]['n']:5d}{cells}")
    for name in backends:
        errors = sum(1 for _k, _ms, status in results[name] if status != 200)
        p95 = stats[name]["all"]["p95_ms"]
        print(f"{name}: {len(results[name]) / walls[name]:.1f} requests/s, {errors} errors, p95 {p95} ms "
              f"({'meets' if p95 <= 150 else 'misses'} the 150 ms target)")
    print(f"load average after: {scale_search.loadavg()}")


if __name__ == "__main__":
    main()
