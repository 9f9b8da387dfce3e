"""Search latency at scale on SQLite and PostgreSQL, side by side, from one run on this machine.

    .venv/bin/python bench/scale_search.py --passages 100000 [--backends sqlite,postgresql] [--rounds 20]
        [--pg-url postgresql://postgres@127.0.0.1:54329/postgres] [--cache /tmp/migrahub-scale-bench]

Builds (once; later runs with the same N reuse it) a hub of N passages of synthetic multilingual text on each
backend: English from ``bench/corpus.py``, French, Spanish, German, Italian and Dutch from the word lists in
``bench/data/scale_words.json`` mixed with the corpus's Zipf-distributed vocabulary; documents of six types,
published 2005–2025, from 20 sources. Rows are written in bulk (SQLite: ``executemany``; PostgreSQL: ``COPY``) and
indexed by the store's own ``index_pending`` and ``optimize``, as an ingest does. The SQLite hub is a file in the
cache folder, the PostgreSQL hub a schema ``bench_scale_N`` on the server.

Then times a fixed mix of queries through ``migrahub.store.search.search`` (``bench/search_bench.py``'s mix plus rare
and common words, two words, phrases, OR, NOT, prefix* and filters on language, type, years and source), one warm-up
pass, then ``--rounds`` rounds with the backends interleaved, and prints p50/p95 per query kind and overall per
backend in one table. Targets (issue 10): p95 ≤ 20 ms on SQLite and ≤ 50 ms on PostgreSQL at 1M passages.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import json
import os
import random
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "src"))

import psycopg  # noqa: E402
from corpus import CITIES, VOCABULARY  # noqa: E402
from corpus import sentence as english_sentence  # noqa: E402
from search_bench import QUERIES as SEARCH_BENCH_QUERIES  # noqa: E402
from web_load import by_kind  # noqa: E402

from migrahub.store import search as fts  # noqa: E402
from migrahub.store.database import connect, now, transaction  # noqa: E402
from migrahub.store.search import SearchFilters  # noqa: E402

GENERATOR = 1  # bump when the corpus changes: cached hubs of another version are rebuilt
WORDS = json.loads((BENCH / "data" / "scale_words.json").read_text(encoding="utf-8"))
DEFAULT_PG = "postgresql://postgres@127.0.0.1:54329/postgres"
SOURCES = 20
BATCH = 2000  # documents per transaction

# Zipf's law over the corpus's vocabulary (rank k has weight 1/k); each language ranks it in its own order
_CUM = list(itertools.accumulate(1.0 / k for k in range(1, len(VOCABULARY) + 1)))
_LANGS = list(WORDS["share"])
_LANG_CUM = list(itertools.accumulate(WORDS["share"].values()))
_TYPES = list(WORDS["doc_types"])
_TYPE_CUM = list(itertools.accumulate(WORDS["doc_types"].values()))


def _ranked_vocabulary(language: str) -> list[str]:
    words = list(VOCABULARY)
    random.Random(f"vocabulary-{language}").shuffle(words)
    return words


_VOCAB = {lang: _ranked_vocabulary(lang) for lang in WORDS["languages"]}


def _pick(rng: random.Random, items: list, cum: list[float]):
    return items[bisect.bisect(cum, rng.random() * cum[-1])]


def sentence(rng: random.Random, language: str) -> str:
    """A sentence in ``language``: English from bench/corpus.py; otherwise Zipf words of the language's ranking with
    its function words every third word, one or two words of the field and, one time in six, a phrase of the field."""
    if language == "en":
        return english_sentence(rng)
    words = WORDS["languages"][language]
    out = rng.choices(_VOCAB[language], cum_weights=_CUM, k=rng.randint(7, 16))
    for i in range(1, len(out), 3):
        out[i] = rng.choice(words["function"])
    field = words["field"]
    for _ in range(rng.randint(1, 2)):
        out[rng.randrange(len(out))] = field[min(int(rng.paretovariate(1.0)) - 1, len(field) - 1)]
    if rng.random() < 1 / 6:
        out.insert(rng.randrange(len(out)), rng.choice(words["phrases"]))
    if rng.random() < 0.1:
        out.append(rng.choice(CITIES))
    return " ".join(out).capitalize() + "."


def document(i: int) -> dict:
    """The i-th synthetic document: its fields and its passages (a title heading, then 3–9 paragraphs)."""
    rng = random.Random(f"scale-{GENERATOR}-{i}")
    language = _pick(rng, _LANGS, _LANG_CUM)
    title = f"{i}: " + sentence(rng, language)[:80].rstrip(".")
    paras = [title] + [" ".join(sentence(rng, language) for _ in range(rng.randint(2, 5)))
                       for _ in range(rng.randint(3, 9))]
    year = rng.randint(*WORDS["years"])
    return {"id": i + 1, "language": language, "doc_type": _pick(rng, _TYPES, _TYPE_CUM), "title": title,
            "published": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "paragraphs": paras,
            "source": i % SOURCES}


def source_locator(k: int) -> str:
    return f"https://src-{k}.example.org/feed.xml"


def rows(docs: list[dict], first_passage: int, stamp: str) -> tuple[list, list, list]:
    """The documents, passages and document_links rows of ``docs`` (ids assigned here, passages from
    ``first_passage``)."""
    documents, passages, links = [], [], []
    pid = first_passage
    for d in docs:
        text = "\n\n".join(d["paragraphs"])
        url = f"https://src-{d['source']}.example.org/item/{d['id']}"
        documents.append((d["id"], hashlib.sha256(text.encode()).hexdigest(), text, d["title"], d["published"],
                          d["language"], "text/plain", "feed", d["doc_type"], url, b"", '["bench/scale"]', stamp))
        facets = fts.facet_tokens(d["language"], d["doc_type"], d["published"], (d["source"] + 1,))
        pos = 0
        for seq, para in enumerate(d["paragraphs"]):
            passages.append((pid, d["id"], seq, pos, pos + len(para), "heading" if seq == 0 else "paragraph",
                             "[]" if seq == 0 else json.dumps([d["title"]], ensure_ascii=False), para, facets, 1))
            pid += 1
            pos += len(para) + 2
        links.append((url, d["id"], d["source"] + 1, stamp, stamp))
    return documents, passages, links


DOC_COLS = ("id", "content_hash", "text", "title", "published", "language", "content_type", "source_kind",
            "doc_type", "url", "fingerprint", "provenance", "created_at")
PASSAGE_COLS = ("id", "document_id", "seq", "start", "end", "kind", "section", "text", "facets", "indexed")
LINK_COLS = ("locator", "document_id", "source_id", "first_seen", "last_seen")


class Writer:
    """Bulk writes of the benchmark's rows into one backend's hub (the bench's own SQL: it is not product code)."""

    def __init__(self, name: str, target: str):
        self.name, self.target = name, target
        self.conn = connect(target)
        self.seconds = 0.0
        stamp = now()
        with transaction(self.conn):
            for k in range(SOURCES):
                self.conn.execute("INSERT INTO sources(id, locator, kind, fetched_at, status, item_count) "
                                  "VALUES (?, ?, 'feed', ?, 'ok', 0)", (k + 1, source_locator(k), stamp))

    def write(self, documents: list, passages: list, links: list) -> None:
        t0 = time.perf_counter()
        if self.name == "sqlite":
            with transaction(self.conn):
                for table, cols, data in (("documents", DOC_COLS, documents), ("passages", PASSAGE_COLS, passages),
                                          ("document_links", LINK_COLS, links)):
                    names = ", ".join(f'"{c}"' for c in cols)
                    self.conn.executemany(f"INSERT INTO {table}({names}) VALUES ({', '.join('?' * len(cols))})",
                                          data)
        else:
            raw = self.conn.raw
            with raw.transaction(), raw.cursor() as cur:
                for table, cols, data in (("documents", DOC_COLS, documents), ("passages", PASSAGE_COLS, passages),
                                          ("document_links", LINK_COLS, links)):
                    names = ", ".join(f'"{c}"' for c in cols)
                    with cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                        for row in data:
                            copy.write_row(row)
        self.seconds += time.perf_counter() - t0

    def finish(self) -> dict:
        """Index the passages as an ingest does (``index_pending``, ``optimize``); return the timings."""
        t0 = time.perf_counter()
        if self.name == "postgresql":
            raw = self.conn.raw
            for table in ("documents", "passages", "sources"):
                raw.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        indexed = fts.index_pending(self.conn)
        fts.optimize(self.conn)
        if self.name == "postgresql":  # what autovacuum does on a live server: statistics and the visibility map
            for table in ("documents", "passages", "document_links", "passages_fts"):
                self.conn.raw.execute(f"VACUUM ANALYZE {table}")
        else:
            self.conn.execute("PRAGMA optimize")
        index_seconds = time.perf_counter() - t0
        self.conn.close()
        return {"write_s": round(self.seconds, 1), "index_s": round(index_seconds, 1), "indexed": indexed}


def pg_target(url: str, passages: int) -> tuple[str, str]:
    schema = f"bench_scale_{passages}_g{GENERATOR}"
    return schema, f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def hub_targets(backends: list[str], passages: int, cache: Path, pg_url: str) -> dict[str, str]:
    out = {}
    for name in backends:
        out[name] = (str(cache / f"hub-{passages}-g{GENERATOR}.sqlite3") if name == "sqlite"
                     else pg_target(pg_url, passages)[1])
    return out


def _marker(cache: Path, name: str, passages: int) -> Path:
    return cache / f"{name}-{passages}-g{GENERATOR}.json"


def _count(target: str) -> int:
    conn = connect(target)
    try:
        return conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    finally:
        conn.close()


def cached(name: str, target: str, cache: Path, passages: int) -> dict | None:
    """The build record of a hub already built for N (checked against the passages it holds), else ``None``."""
    marker = _marker(cache, name, passages)
    if not marker.exists():
        return None
    record = json.loads(marker.read_text())
    try:
        if _count(target) == record["passages"]:
            return record
    except Exception:  # noqa: BLE001 - a hub that cannot be opened is rebuilt
        pass
    return None


def drop(name: str, target: str, pg_url: str, passages: int) -> None:
    if name == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(target + suffix).unlink(missing_ok=True)
    else:
        with psycopg.connect(pg_url, autocommit=True) as raw:
            raw.execute(f"DROP SCHEMA IF EXISTS {pg_target(pg_url, passages)[0]} CASCADE")


def build(targets: dict[str, str], cache: Path, passages: int, pg_url: str) -> dict[str, dict]:
    """Build the hubs of ``targets`` not cached yet from one stream of generated documents."""
    records = {name: rec for name, target in targets.items() if (rec := cached(name, target, cache, passages))}
    todo = [name for name in targets if name not in records]
    if not todo:
        return records
    for name in todo:
        drop(name, targets[name], pg_url, passages)
    writers = [Writer(name, targets[name]) for name in todo]
    stamp, made, i, generate = now(), 0, 0, 0.0
    t_start = time.perf_counter()
    while made < passages:
        t0 = time.perf_counter()
        docs, first = [], made + 1
        while made < passages and len(docs) < BATCH:
            docs.append(document(i))
            made += len(docs[-1]["paragraphs"])
            i += 1
        batch = rows(docs, first, stamp)
        generate += time.perf_counter() - t0
        for writer in writers:
            writer.write(*batch)
        print(f"  {made} passages, {i} documents ({time.perf_counter() - t_start:.0f}s)", flush=True)
    for writer in writers:
        record = {"passages": made, "documents": i, "generate_s": round(generate, 1), **writer.finish()}
        record["build_s"] = round(record["generate_s"] + record["write_s"] + record["index_s"], 1)
        _marker(cache, writer.name, passages).write_text(json.dumps(record))
        records[writer.name] = record
        print(f"  {writer.name}: {record}", flush=True)
    return records


def queries() -> list[tuple[str, str, SearchFilters]]:
    """The fixed mix: (kind, query, filters). English words are ranked as bench/corpus.py draws them (VOCABULARY[k]
    has Zipf rank k + 1): ranks 1–2 are in most passages, ranks past 10,000 in a few dozen per 100k passages."""
    v = VOCABULARY
    mix = [
        ("word-rare", v[12000], SearchFilters()), ("word-rare", v[25000], SearchFilters()),
        ("word-rare", "médiation", SearchFilters()),
        ("word-common", v[0], SearchFilters()), ("word-common", v[1], SearchFilters()),
        ("word-common", "refugees", SearchFilters()), ("word-common", "Flüchtlinge", SearchFilters()),
        ("two-words", f"{v[0]} {v[12000]}", SearchFilters()), ("two-words", f"{v[40]} {v[60]}", SearchFilters()),
        ("two-words", "logement réfugiés", SearchFilters()),
        ("phrase", '"aide juridique"', SearchFilters()), ('phrase', '"emergency shelter"', SearchFilters()),
        ("or", f"{v[500]} OR {v[700]}", SearchFilters()), ("or", "vivienda OR albergue", SearchFilters()),
        ("not", f"{v[5]} NOT {v[6]}", SearchFilters()), ("not", "Wohnung NOT Asyl", SearchFilters()),
        ("prefix", v[300][:4] + "*", SearchFilters()), ("prefix", "integr*", SearchFilters()),
        ("filter-language", v[2], SearchFilters(language="fr")), ("filter-language", "asilo",
                                                                    SearchFilters(language="es")),
        ("filter-type", v[3], SearchFilters(doc_type="pdf")), ("filter-type", "housing",
                                                                SearchFilters(doc_type="feed-item")),
        ("filter-years", v[4], SearchFilters(since="2015", until="2018")),
        ("filter-years", "city card", SearchFilters(since="2019-03-01", until="2020-06")),
        ("filter-source", v[7], SearchFilters(source="src-7.")), ("filter-source", "integration",
                                                                   SearchFilters(source="src-1")),
    ]
    return mix + [(f"search_bench:{_kind_of(q, f)}", q, f) for q, f in SEARCH_BENCH_QUERIES]


def _kind_of(query: str, filters: SearchFilters) -> str:
    if filters.source:
        return "filter-source"
    if filters.language or filters.doc_type or filters.since or filters.until:
        return "filter"
    for word, kind in (('"', "phrase"), (" OR ", "or"), (" NOT ", "not")):
        if word in query:
            return kind
    return "words"


def measure(targets: dict[str, str], rounds: int) -> dict[str, list]:
    """(kind, ms, hits) of every timed search per backend: one warm-up pass, then ``rounds`` rounds with the
    backends interleaved so both see the same load of the machine."""
    conns = {name: connect(target, readonly=True) for name, target in targets.items()}
    mix = queries()
    results: dict[str, list] = {name: [] for name in targets}
    counts: dict[tuple[str, str], int] = {}
    for r in range(rounds + 1):
        for name, conn in conns.items():
            for kind, q, f in mix:
                t0 = time.perf_counter()
                hits = fts.search(conn, q, f)
                ms = (time.perf_counter() - t0) * 1000
                counts[(name, q + "".join(f" [{k}={v}]" for k, v in vars(f).items()
                                          if v and k not in ("limit", "offset")))] = len(hits)
                if r:
                    results[name].append((kind, ms, 200, q, f))
    for conn in conns.values():
        conn.close()
    empty = sorted(f"{name}: {q}" for (name, q), n in counts.items() if n == 0)
    if empty:
        print(f"  found nothing: {'; '.join(empty)}")
    return results


def table(results: dict[str, list]) -> str:
    stats = {name: by_kind([(kind.split(":")[-1] if kind.startswith("search_bench") else kind, ms, s)
                            for kind, ms, s, _q, _f in res]) for name, res in results.items()}
    names = list(stats)
    kinds = [k for k in stats[names[0]] if k != "all"] + ["all"]
    head = f"{'query kind':18s} {'n':>5s}" + "".join(f" | {n + ' p50':>15s} {'p95':>8s} {'max':>8s}" for n in names)
    lines = [head, "-" * len(head)]
    for kind in kinds:
        n = stats[names[0]][kind]["n"]
        cells = "".join(f" | {s[kind]['p50_ms']:12.1f} ms {s[kind]['p95_ms']:5.1f} ms {s[kind]['max_ms']:5.0f} ms"
                        for s in (stats[name] for name in names))
        lines.append(f"{kind:18s} {n:5d}{cells}")
    return "\n".join(lines)


def slowest(results: dict[str, list], top: int = 6) -> str:
    """The queries with the highest median per backend (what to look at with EXPLAIN ANALYZE)."""
    out = []
    for name, res in results.items():
        per: dict[str, list[float]] = {}
        for _kind, ms, _s, q, f in res:
            label = q + "".join(f" [{k}={v}]" for k, v in vars(f).items()
                                if v and k not in ("limit", "offset"))
            per.setdefault(label, []).append(ms)
        med = sorted(((sorted(v)[len(v) // 2], k) for k, v in per.items()), reverse=True)[:top]
        out.append(f"  {name}: " + "; ".join(f"{k} {m:.1f} ms" for m, k in med))
    return "slowest medians:\n" + "\n".join(out)


def size(name: str, target: str) -> str:
    if name == "sqlite":
        return f"{Path(target).stat().st_size / 2**20:.0f} MiB"
    conn = connect(target, readonly=True)
    try:
        total = conn.raw.execute("SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                                 "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'"
                                 ).fetchone()[0]
    finally:
        conn.close()
    return f"{int(total) / 2**20:.0f} MiB"


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passages", type=int, default=100_000)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--pg-url", default=os.environ.get("MIGRAHUB_BENCH_PG", DEFAULT_PG))
    ap.add_argument("--cache", type=Path, default=Path("/tmp/migrahub-scale-bench"))
    ap.add_argument("--rebuild", action="store_true", help="build the hubs again even when cached")
    a = ap.parse_args()
    backends = [b.strip() for b in a.backends.split(",") if b.strip()]
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown:
        raise SystemExit(f"--backends: unknown backend(s) {sorted(unknown)}; use sqlite and/or postgresql")
    a.cache.mkdir(parents=True, exist_ok=True)
    targets = hub_targets(backends, a.passages, a.cache, a.pg_url)
    if a.rebuild:
        for name in backends:
            _marker(a.cache, name, a.passages).unlink(missing_ok=True)
    print(f"load average before: {loadavg()}")
    records = build(targets, a.cache, a.passages, a.pg_url)
    for name in backends:
        rec = records[name]
        print(f"{name:10s} hub: {rec['passages']} passages in {rec['documents']} documents, {size(name, targets[name])}"
              f"; built in {rec['build_s']} s (generate {rec['generate_s']} s, write {rec['write_s']} s, "
              f"index {rec['index_s']} s)")
    print(f"load average after build: {loadavg()}")
    if a.rounds < 1:  # --rounds 0: build the hubs only
        return
    results = measure(targets, a.rounds)
    print(f"\n{a.passages} passages, {a.rounds} rounds of {len(queries())} queries per backend "
          f"(search(): window, rank, snippets of the first page of 10)")
    print(table(results))
    print(slowest(results))
    print(f"load average after searches: {loadavg()}")
    targets_ms = {"sqlite": 20, "postgresql": 50}
    for name, res in results.items():
        p95 = by_kind([(k, ms, s) for k, ms, s, _q, _f in res])["all"]["p95_ms"]
        print(f"{name}: p95 {p95} ms (target at 1M passages: ≤ {targets_ms[name]} ms)")


if __name__ == "__main__":
    main()
