"""Fixtures for the hostile-input tests: a bare TCP listener that counts every connection it receives, a record of
every file the test process opens, and the egress setting switched on only where a test asks for it."""

from __future__ import annotations

import os
import socket
import sys
import threading
from pathlib import Path

import pytest

ALLOW = "MIGRAHUB_EGRESS_ALLOW_HOSTS"


class Listener:
    """A TCP listener that records each connection and answers every request with a small text page."""

    BODY = b"Listener page: the local service answered this request."

    def __init__(self, host: str = "127.0.0.1", family: int = socket.AF_INET, port: int = 0, tls=None) -> None:
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(16)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.connections: list[str] = []  # the request line of each connection ("" when none was sent)
        self.heads: list[bytes] = []  # the request head of each connection
        self.tls = tls  # an ssl.SSLContext: serve HTTPS
        self.server_names: list[str | None] = []  # the TLS server name (SNI) each client sent
        if tls is not None:
            tls.sni_callback = lambda _sock, name, _ctx: self.server_names.append(name)
        self.redirect_to: str | None = None  # answer every request with a redirect there
        self.content_type, self.body = "text/plain", self.BODY  # the answer to every path...
        self.routes: dict[str, tuple[str, bytes]] = {}  # ...but these (path → content type, body)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            if self.tls is not None:
                try:
                    conn.settimeout(2)
                    conn = self.tls.wrap_socket(conn, server_side=True)
                except OSError:  # the client refused the certificate
                    conn.close()
                    self.connections.append("")
                    continue
            with conn:
                conn.settimeout(2)
                data = b""
                try:
                    while b"\r\n\r\n" not in data and len(data) < 65536:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                except OSError:
                    pass
                line = data.split(b"\r\n", 1)[0].decode("latin-1")
                self.connections.append(line)
                self.heads.append(data)
                path = line.split(" ")[1] if line.count(" ") >= 2 else "/"
                if self.redirect_to:
                    head = f"HTTP/1.1 302 Found\r\nLocation: {self.redirect_to}\r\nContent-Length: 0\r\n"
                    body = b""
                else:
                    content_type, body = self.routes.get(path, (self.content_type, self.body))
                    head = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                try:
                    conn.sendall(head.encode("latin-1") + b"Connection: close\r\n\r\n" + body)
                except OSError:
                    pass

    def url(self, path: str = "/", host: str | None = None) -> str:
        host = host or self.sock.getsockname()[0]
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{f'[{host}]' if ':' in host else host}:{self.port}{path}"

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture()
def make_listener():
    """``make_listener(host="127.0.0.1", family=AF_INET, port=0, tls=None)`` → a :class:`Listener`, closed after the
    test."""
    made: list[Listener] = []

    def make(*args, **kwargs) -> Listener:
        made.append(Listener(*args, **kwargs))
        return made[-1]

    try:
        yield make
    finally:
        for server in made:
            server.close()


@pytest.fixture()
def listener(make_listener):
    return make_listener()


@pytest.fixture()
def listener_v6(make_listener):
    return make_listener("::1", socket.AF_INET6)


@pytest.fixture()
def no_egress_setting(monkeypatch):
    """The hub as installed: no internal host allowed."""
    monkeypatch.delenv(ALLOW, raising=False)


# -- every file the process opens ------------------------------------------------------------------------------------

class OpenLog:
    """Paths opened (``open`` audit events) while :meth:`watch` is active. An audit hook cannot be removed, so one
    is installed for the whole test session and records only while a test watches."""

    def __init__(self) -> None:
        self.active = False
        self.paths: list[str] = []

    def hook(self, event: str, args: tuple) -> None:
        if self.active and event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
            self.paths.append(os.fsdecode(args[0]))

    def watch(self):
        log = self

        class _Watch:
            def __enter__(self):
                log.paths = []
                log.active = True
                return log

            def __exit__(self, *exc):
                log.active = False

        return _Watch()

    def outside(self, allowed: list[Path]) -> list[str]:
        """Opened paths that are neither one of ``allowed`` (files or folders) nor the code, data and metadata of
        Python and its packages."""
        import migrahub

        roots = [Path(p).resolve() for p in (sys.prefix, sys.base_prefix, Path(migrahub.__file__).parent)]
        allowed = [Path(a).resolve() for a in allowed]
        found = []
        for raw in self.paths:
            path = Path(os.path.abspath(raw))
            real = path.resolve()
            if any(real == a or a in real.parents for a in allowed):
                continue
            if any(r in real.parents for r in roots):
                continue
            if any(p.suffix in (".dist-info", ".egg-info") for p in real.parents):
                continue  # an installed package's metadata (entry points a library looks up)
            found.append(raw)
        return found


_LOG = OpenLog()
sys.addaudithook(_LOG.hook)


@pytest.fixture()
def opened() -> OpenLog:
    return _LOG
