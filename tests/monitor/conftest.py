"""A programmable HTTP server on 127.0.0.1 whose feeds and pages change during a test, a simulated clock, and
builders for the feeds and pages the tests write themselves.

The hub fetches no loopback address unless its egress setting allows it: these tests opt in through
``MIGRAHUB_EGRESS_ALLOW_HOSTS`` (as an intranet hub would for its own hosts); the policy itself is unchanged."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from monitorkit import T0

Route = Callable[[BaseHTTPRequestHandler], None]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        server = self.server
        with server.lock:
            server.requests.append((self.path, dict(self.headers.items())))
            server.in_flight += 1
            server.max_in_flight = max(server.max_in_flight, server.in_flight)
        try:
            route = server.routes.get(self.path.split("?")[0])
            if route is None:
                self.send_error(404, "no such test route")
                return
            route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on purpose (size limit, timeout)
        finally:
            with server.lock:
                server.in_flight -= 1

    def log_message(self, *args) -> None:
        pass


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.delay = 0.0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)

    def serve(self, path: str, body: bytes | Callable[[], bytes], content_type: str = "application/rss+xml", *,
              status: int = 200, headers: dict | None = None, etag: bool = False) -> str:
        """Serve ``body`` (or what a callable returns now) at ``path``; with ``etag`` the answer carries an ETag
        of its content and a request naming it gets 304 Not Modified."""
        def route(h: BaseHTTPRequestHandler) -> None:
            if self.delay:
                time.sleep(self.delay)
            data = body() if callable(body) else body
            tag = f'"{hash(data) & 0xFFFFFFFF:x}"'
            if etag and h.headers.get("If-None-Match") == tag:
                h.send_response(304)
                h.send_header("ETag", tag)
                h.send_header("Content-Length", "0")
                h.end_headers()
                return
            h.send_response(status)
            h.send_header("Content-Type", content_type)
            h.send_header("Content-Length", str(len(data)))
            if etag:
                h.send_header("ETag", tag)
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(data)

        self.routes[path] = route
        return self.url(path)


@pytest.fixture()
def allow_loopback(monkeypatch):
    monkeypatch.setenv("MIGRAHUB_EGRESS_ALLOW_HOSTS", "127.0.0.1")


@pytest.fixture()
def feeds(allow_loopback):
    server = FeedServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class Clock:
    """A simulated clock: ``clock()`` is the time, ``clock.advance(s)`` moves it."""

    def __init__(self, start: float = T0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


@pytest.fixture()
def clock():
    return Clock()


@pytest.fixture()
def conn(tmp_path):
    from migrahub.store.database import connect

    c = connect(tmp_path / "hub.sqlite3")
    yield c
    c.close()


