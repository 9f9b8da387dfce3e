"""A real HTTP server on 127.0.0.1 for the fetch tests, and builders for the binary fixtures.

The hub fetches no loopback address unless its egress setting allows it: the tests that use the local server opt in
(``allow_loopback``), as an intranet hub would for its own hosts."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

Route = Callable[[BaseHTTPRequestHandler], None]


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.server.requests.append((self.path, dict(self.headers.items())))
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_error(404, "no such test route")
            return
        try:
            route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on purpose (size limit, timeout)

    def log_message(self, *args) -> None:  # keep the test output clean
        pass


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def static(self, path: str, body: bytes, content_type: str, status: int = 200, headers: dict | None = None):
        def route(h: BaseHTTPRequestHandler) -> None:
            h.send_response(status)
            h.send_header("Content-Type", content_type)
            h.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(body)

        self.routes[path] = route
        return self.url(path)


@pytest.fixture()
def allow_loopback(monkeypatch):
    """The egress setting allowing 127.0.0.1 (see migrahub.sources.egress)."""
    monkeypatch.setenv("MIGRAHUB_EGRESS_ALLOW_HOSTS", "127.0.0.1")


@pytest.fixture()
def http_server(allow_loopback):
    server = LocalServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
