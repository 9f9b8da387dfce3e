"""Bench: the scheduler polls N local feeds (default 500) served from 127.0.0.1 with bounded concurrency.

Pass 1 fetches and stores every feed (3 items each, entity extraction off); pass 2 polls them again with
conditional GET (every answer 304). Prints seconds and requests per second of each pass.

    .venv/bin/python bench/monitor_poll.py [--feeds 500] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def feed(n: int) -> bytes:
    items = "".join(
        f"<item><guid>feed{n}-item{i}</guid><title>Feed {n}, item {i}: a workshop of city officers on reception "
        f"number {n * 10 + i}</title><link>https://news.example.org/{n}/{i}</link>"
        f"<pubDate>Mon, 02 Mar 2026 0{i}:00:00 GMT</pubDate><description>Officers from {n % 40 + 2} cities met "
        f"to compare reception, housing and language courses, session {n}-{i}.</description></item>"
        for i in range(3))
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed {n}</title>'
            f"<link>https://news.example.org/{n}</link><description>d</description>{items}</channel></rss>").encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802
        n = int(self.path.strip("/").split(".")[0])
        body = feed(n)
        tag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == tag:
            self.send_response(304)
            self.send_header("ETag", tag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", tag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feeds", type=int, default=500)
    ap.add_argument("--concurrency", type=int, default=16)
    args = ap.parse_args()
    os.environ["MIGRAHUB_EGRESS_ALLOW_HOSTS"] = "127.0.0.1"
    from migrahub.services.monitor import watch
    from migrahub.store.database import connect

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 256
    threading.Thread(target=server.serve_forever, daemon=True).start()
    clock = [1_780_000_000.0]
    with tempfile.TemporaryDirectory() as tmp:
        conn = connect(os.path.join(tmp, "hub.sqlite3"))
        for n in range(args.feeds):
            watch.add(conn, f"http://127.0.0.1:{server.server_address[1]}/{n}.rss", "1h", kind="feed",
                      clock=lambda: clock[0])
        out = {"feeds": args.feeds, "concurrency": args.concurrency, "cpus": os.cpu_count()}
        for name in ("first", "conditional"):
            t0 = time.perf_counter()
            report = watch.poll_due(conn, clock=lambda: clock[0], concurrency=args.concurrency,
                                    extract_entities=False)
            seconds = time.perf_counter() - t0
            outcomes: dict[str, int] = {}
            for p in report.polls:
                outcomes[p.outcome] = outcomes.get(p.outcome, 0) + 1
            out[name] = {"seconds": round(seconds, 2), "requests_per_s": round(len(report.polls) / seconds, 1),
                         "outcomes": outcomes, "new_documents": len(report.documents)}
            clock[0] += 7200
        conn.close()
    server.shutdown()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
