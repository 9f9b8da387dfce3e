"""Load benchmark of the web hub: 20 concurrent clients against `migrahub serve` on a hub of 100k synthetic documents.

    .venv/bin/python bench/web_load.py [--docs 100000] [--requests 2000] [--clients 20] [--workers N] [--threads 1]
                                       [--db bench/out/web.sqlite3]

Builds the hub once (bulk SQL in large transactions, the FTS index filled by the store's index_pending(); synthetic
entities and mentions when the entity tables exist) and reuses it on later runs. Then starts the server
(`migrahub serve`, gunicorn), warms it up, fires the requests from 20 client processes, each waiting for its answer
before the next request (search with and without facets filters, document pages, entity pages) and prints
p50/p95/max latency per kind and overall. Target: p95 ≤ 150 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote_plus

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from migrahub.store import search as fts  # noqa: E402
from migrahub.store.database import connect, now, transaction  # noqa: E402

WORDS = ("city cities municipal migrant migrants refugee refugees reception housing integration council mayor "
         "network policy practice service services access health school language course shelter asylum status "
         "local governance welcome newcomer residents card library transport clinic advice legal aid employment "
         "training volunteer community dialogue inclusion participation office plan strategy funding project "
         "programme partnership exchange report survey data evidence rights firewall undocumented regularisation "
         "family children youth women labour market skills education intercultural diversity solidarity").split()
RARE = [f"term{i:04d}" for i in range(2000)]  # rarer vocabulary: each appears in ~1/2000 of the passages
LANGS = ("en", "en", "en", "fr", "de", "es", "it", "nl")
TYPES = ("txt", "md", "html", "pdf", "docx", "feed-item", "page")
CITIES = [f"Cityville{i}" for i in range(400)]
ORGS = [f"Organisation {i}" for i in range(300)]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 30))]
    words[rng.randrange(len(words))] = rng.choice(RARE)
    return " ".join(words).capitalize() + "."


def build(db: Path, n_docs: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    conn = connect(db)
    have = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    if have >= n_docs:
        print(f"reusing {db} ({have} documents)")
        _index(conn)
        conn.close()
        return
    t0 = time.perf_counter()
    entities = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'mentions'").fetchone() is not None
    stamp = now()
    city_ids, org_ids = [], []
    with transaction(conn):
        for s in range(20):
            conn.execute("INSERT OR IGNORE INTO sources(locator, kind, fetched_at, status, item_count) "
                         "VALUES (?, 'feed', ?, 'ok', 0)", (f"https://source{s}.example.org/feed.xml", stamp))
        sources = [r[0] for r in conn.execute("SELECT id FROM sources ORDER BY id")]
        if entities:
            for name in CITIES:
                city_ids.append(conn.execute(
                    "INSERT INTO entities(category, name, data, created_at, updated_at) VALUES ('places', ?, ?, ?, ?)",
                    (name, json.dumps({"name": name, "type": "city", "country": "BE", "surface": [name]}), stamp,
                     stamp)).lastrowid)
            for name in ORGS:
                org_ids.append(conn.execute(
                    "INSERT INTO entities(category, name, data, created_at, updated_at) "
                    "VALUES ('organisations', ?, ?, ?, ?)",
                    (name, json.dumps({"name": name, "kind": "ngo", "country": None, "surface": [name]}), stamp,
                     stamp)).lastrowid)
    batch = 5000
    for first in range(have, n_docs, batch):
        with transaction(conn):
            for i in range(first, min(first + batch, n_docs)):
                title = f"Report {i}: " + " ".join(rng.choice(WORDS) for _ in range(5))
                paras = [title] + [" ".join(_sentence(rng) for _ in range(rng.randint(1, 3)))
                                   for _ in range(rng.randint(3, 7))]
                city, org = rng.choice(range(len(CITIES))), rng.choice(range(len(ORGS)))
                paras[1] = f"{CITIES[city]} and {ORGS[org]} " + paras[1]
                text = "\n\n".join(paras)
                year = rng.randint(2005, 2025)
                doc_id = conn.execute(
                    "INSERT INTO documents(content_hash, text, title, published, language, content_type, "
                    "source_kind, doc_type, url, fingerprint, provenance, created_at) "
                    "VALUES (?, ?, ?, ?, ?, 'text/plain', 'feed', ?, ?, x'', '[\"bench/1\"]', ?)",
                    (hashlib.sha256(text.encode()).hexdigest(), text, title,
                     f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", rng.choice(LANGS),
                     rng.choice(TYPES), f"https://example.org/doc/{i}", stamp)).lastrowid
                pos, rows = 0, []
                for seq, p in enumerate(paras):
                    rows.append((doc_id, seq, pos, pos + len(p), "heading" if seq == 0 else "paragraph",
                                 "[]" if seq == 0 else json.dumps([title]), p))
                    pos += len(p) + 2
                conn.executemany('INSERT INTO passages(document_id, seq, start, "end", kind, section, text) '
                                 'VALUES (?, ?, ?, ?, ?, ?, ?)', rows)
                conn.execute("INSERT INTO document_links(locator, document_id, source_id, first_seen, last_seen) "
                             "VALUES (?, ?, ?, ?, ?)", (f"https://example.org/doc/{i}", doc_id,
                                                        sources[i % len(sources)], stamp, stamp))
                if entities:
                    pid = conn.execute("SELECT id FROM passages WHERE document_id = ? AND seq = 1",
                                       (doc_id,)).fetchone()[0]
                    start = rows[1][2]
                    conn.execute('INSERT INTO mentions(entity_id, document_id, passage_id, start, "end", surface, '
                                 "stage) VALUES (?, ?, ?, ?, ?, ?, 'bench')",
                                 (city_ids[city], doc_id, pid, start, start + len(CITIES[city]), CITIES[city]))
                    ostart = start + len(CITIES[city]) + 5
                    conn.execute('INSERT INTO mentions(entity_id, document_id, passage_id, start, "end", surface, '
                                 "stage) VALUES (?, ?, ?, ?, ?, ?, 'bench')",
                                 (org_ids[org], doc_id, pid, ostart, ostart + len(ORGS[org]), ORGS[org]))
        print(f"  {min(first + batch, n_docs)} documents ({time.perf_counter() - t0:.0f}s)", flush=True)
    _index(conn)
    conn.execute("PRAGMA optimize")
    conn.close()
    print(f"built {n_docs - have} documents in {time.perf_counter() - t0:.1f}s")


def _index(conn) -> None:
    """Fill the passages' facet tokens and the full-text index as ingest does (the store indexes in batches with
    ``index_pending``, not by trigger: a hub built by plain INSERTs has an empty index and every search finds
    nothing)."""
    if conn.execute("SELECT 1 FROM passages WHERE indexed = 0 LIMIT 1").fetchone() is None:
        return
    t0 = time.perf_counter()
    with transaction(conn):
        rows = conn.execute("SELECT id, language, doc_type, published FROM documents").fetchall()
        sources: dict[int, list[int]] = {}
        for document_id, source_id in conn.execute("SELECT DISTINCT document_id, source_id FROM document_links"):
            sources.setdefault(document_id, []).append(source_id)
        conn.executemany("UPDATE passages SET facets = ? WHERE document_id = ? AND indexed = 0",
                         [(fts.facet_tokens(r[1], r[2], r[3], tuple(sources.get(r[0], ()))), r[0]) for r in rows])
    n = fts.index_pending(conn)
    fts.optimize(conn)
    print(f"  indexed {n} passages for full-text search ({time.perf_counter() - t0:.0f}s)", flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request_plan(rng: random.Random, n_docs: int, entity_ids: Sequence[int] = (), *, rare: Sequence[str] = RARE,
                 common: Sequence[str] = WORDS, langs: Sequence[str] = ("en",)) -> list[tuple[str, str]]:
    """5,000 (kind, path) requests: a quarter searches of a rare word, 15% a common and a rare word with a language
    facet, 10% two common words, the rest document pages (and, when there are entities, a fifth entity pages)."""
    kinds = []
    for _ in range(5000):
        r = rng.random()
        if r < 0.25:
            kinds.append(("search-rare", f"/?q={quote_plus(rng.choice(rare))}"))
        elif r < 0.40:
            kinds.append(("search-common+facet", f"/?q={quote_plus(rng.choice(common))}+{quote_plus(rng.choice(rare))}"
                                                 f"&lang={rng.choice(langs)}"))
        elif r < 0.50:
            kinds.append(("search-common", f"/?q={quote_plus(rng.choice(common))}+{quote_plus(rng.choice(common))}"))
        elif r < 0.80 or not entity_ids:
            kinds.append(("document", f"/documents/{rng.randint(1, n_docs)}"))
        else:
            kinds.append(("entity", f"/entities/{rng.choice(entity_ids)}"))
    return kinds


def _client(port: int, plan: list[tuple[str, str]], seed: int, remaining, out) -> None:
    """One closed-loop client: request, wait for the whole response, request again, until the shared budget is spent."""
    local = random.Random(seed)
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    results = []
    while True:
        with remaining.get_lock():
            if remaining.value <= 0:
                break
            remaining.value -= 1
        kind, path = local.choice(plan)
        t = time.perf_counter()
        try:
            c.request("GET", path)
            resp = c.getresponse()
            resp.read()
            status = resp.status
        except (OSError, http.client.HTTPException):
            c.close()
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            status = 0
        results.append((kind, (time.perf_counter() - t) * 1000, status))
    out.put(results)


def run(db: Path, n_docs: int, clients: int, requests: int, threads: int, workers: int | None) -> dict:
    port = _free_port()
    env = {**os.environ, "MIGRAHUB_DB": str(db)}
    exe = Path(sys.executable).with_name("migrahub")
    cmd = [str(exe) if exe.exists() else sys.executable, *([] if exe.exists() else ["-m", "migrahub.cli"]),
           "serve", "--port", str(port), "--threads", str(threads),
           *(["--workers", str(workers)] if workers else [])]
    log = open(db.with_suffix(".serve.log"), "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("server did not start")
        conn = connect(db)
        entity_ids = ([r[0] for r in conn.execute("SELECT id FROM entities WHERE category IN "
                                                  "('places', 'organisations') LIMIT 1000")]
                      if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'entities'").fetchone() else [])
        conn.close()
        rng = random.Random(11)
        plan = request_plan(rng, n_docs, entity_ids)
        # warm up: every worker thread opens its connection, the page cache fills
        for _kind, path in plan[:60]:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.request("GET", path)
            c.getresponse().read()
        results, wall = drive(port, plan, clients, requests)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
    return {"documents": n_docs, "clients": clients, "server_workers": workers or os.cpu_count(),
            "server_threads": threads, "requests": len(results),
            "seconds": round(wall, 1), "requests_per_second": round(len(results) / wall, 1),
            "errors": sum(1 for _, _, s in results if s != 200), "kinds": by_kind(results)}


def drive(port: int, plan: list[tuple[str, str]], clients: int, requests: int) -> tuple[list, float]:
    """``requests`` requests from ``clients`` closed-loop client processes (as real browsers are: no client waits on
    another's interpreter lock); returns each (kind, ms, status) and the wall-clock seconds."""
    ctx = multiprocessing.get_context("fork")
    remaining, out = ctx.Value("i", requests), ctx.Queue()
    t0 = time.perf_counter()
    loaders = [ctx.Process(target=_client, args=(port, plan, i, remaining, out)) for i in range(clients)]
    for loader in loaders:
        loader.start()
    results: list[tuple[str, float, int]] = []
    for _ in loaders:
        results.extend(out.get())
    for loader in loaders:
        loader.join()
    return results, time.perf_counter() - t0


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def by_kind(results: list[tuple[str, float, int]]) -> dict:
    """p50, p95 and max per kind of page and for all, from :func:`drive`'s results."""
    kinds = {}
    for kind in sorted({k for k, _, _ in results}) + ["all"]:
        ms = [m for k, m, _ in results if kind in ("all", k)]
        kinds[kind] = {"n": len(ms), "p50_ms": round(statistics.median(ms), 1),
                       "p95_ms": round(_pct(ms, 0.95), 1), "max_ms": round(max(ms), 1)}
    return kinds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1, help="threads per server process")
    ap.add_argument("--workers", type=int, default=None, help="server processes (default: the server's, one per CPU)")
    ap.add_argument("--db", type=Path, default=REPO / "bench" / "out" / "web.sqlite3")
    args = ap.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    build(args.db.resolve(), args.docs)
    report = run(args.db.resolve(), args.docs, args.clients, args.requests, args.threads, args.workers)
    print(f"{report['requests']} requests, {report['clients']} clients, {report['server_workers']} server processes × "
          f"{report['server_threads']} thread{'' if report['server_threads'] == 1 else 's'} each, "
          f"{report['documents']} documents: {report['requests_per_second']} req/s, {report['errors']} errors")
    for kind, s in report["kinds"].items():
        print(f"  {kind:22s} n={s['n']:5d}  p50 {s['p50_ms']:7.1f} ms  p95 {s['p95_ms']:7.1f} ms  "
              f"max {s['max_ms']:7.1f} ms")
    print(json.dumps(report))
    p95 = report["kinds"]["all"]["p95_ms"]
    print(f"p95 {p95} ms: {'meets' if p95 <= 150 else 'misses'} the 150 ms target")


if __name__ == "__main__":
    main()
