"""The web doors of ingest (POST /api/ingest, /api/ingest/upload, /curate/ingest) under the egress policy: a
curator's URL on an internal address is never fetched, whatever form it takes and after a redirect, and an uploaded
OPML list cannot make the hub read and publish a file of its own disk."""

from __future__ import annotations

import socket
import threading
import time

import pytest

ALLOW = "MIGRAHUB_EGRESS_ALLOW_HOSTS"
NEUTRAL = "could not fetch: the address cannot be reached from this hub (unreachable or not allowed)"
LOCAL_REFUSED = "refused: a list may name only http(s) URLs here, not files of the hub's disk"
FORMS = ["127.0.0.1", "localhost", "2130706433", "0x7f000001", "127.1", "0177.0.0.1", "[::ffff:127.0.0.1]"]


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection (answering a page, or a redirect)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.sock = socket.create_server((host, 0))
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.host = host
        self.connections: list[str] = []
        self.redirect_to: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    request = conn.recv(65536)
                    self.connections.append(request.split(b"\r\n", 1)[0].decode("latin-1"))
                    if self.redirect_to:
                        conn.sendall(f"HTTP/1.1 302 Found\r\nLocation: {self.redirect_to}\r\nContent-Length: 0\r\n"
                                     "Connection: close\r\n\r\n".encode())
                    else:
                        body = b"Inside the hub's network: internal service page."
                        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                                     + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
                except OSError:
                    pass

    def url(self, host: str | None = None, path: str = "/") -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture()
def listener(monkeypatch):
    monkeypatch.delenv(ALLOW, raising=False)
    server = Listener()
    try:
        yield server
    finally:
        server.close()


def _api_ingest(client, raw: str, url: str) -> dict:
    r = client.post("/api/ingest", {"url": url}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200, r.content
    return r.json()


@pytest.mark.parametrize("host", FORMS)
def test_api_ingest_fetches_no_loopback_form(client, token, listener, host):
    data = _api_ingest(client, token("curator"), listener.url(host, "/admin"))
    time.sleep(0.1)
    assert listener.connections == []
    assert [f["reason"] for f in data["failed"]] == [NEUTRAL] and data["added"] == 0


def test_api_ingest_does_not_follow_a_redirect_inside(client, token, listener, monkeypatch):
    outside = Listener("127.0.0.2")  # stands for a public server: the setting allows it
    try:
        monkeypatch.setenv(ALLOW, "127.0.0.2")
        outside.redirect_to = listener.url("2130706433", "/internal")
        data = _api_ingest(client, token("curator"), outside.url(path="/go"))
        time.sleep(0.1)
        assert outside.connections == ["GET /go HTTP/1.1"] and listener.connections == []
        assert [f["reason"] for f in data["failed"]] == [NEUTRAL]
    finally:
        outside.close()


def test_api_ingest_reaches_a_host_the_setting_allows(client, token, listener, monkeypatch):
    monkeypatch.setenv(ALLOW, "127.0.0.1")
    data = _api_ingest(client, token("curator"), listener.url("127.1", "/intranet-page.txt"))
    assert listener.connections == ["GET /intranet-page.txt HTTP/1.1"]
    assert data["failed"] == [] and data["added"] + data["linked"] + data["unchanged"] == 1


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]"])  # those the URL field accepts
def test_the_curator_form_fetches_no_loopback_form(login, listener, host):
    c = login("curator")
    r = c.post("/curate/ingest", {"url": listener.url(host, "/x")})
    assert r.status_code == 302
    page = c.get("/curate/ingest").content.decode()
    assert NEUTRAL in page and "Connection refused" not in page
    time.sleep(0.1)
    assert listener.connections == []


def test_an_uploaded_opml_list_publishes_no_file_of_the_server(client, token, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    secret = tmp_path / "hub-secret.txt"
    secret.write_text("Wombatsecret: a private note on the server's disk.")
    refs = ["/etc/passwd", "../../../../../../../../etc/hostname", "file:///etc/passwd", str(secret),
            f"file://{secret}"]
    outlines = "".join(f'<outline type="rss" text="f{i}" xmlUrl="{ref}"/>' for i, ref in enumerate(refs))
    body = f'<?xml version="1.0"?><opml version="2.0"><head/><body>{outlines}</body></opml>'.encode()
    r = client.post("/api/ingest/upload", {"file": SimpleUploadedFile("subs.opml", body, content_type="text/x-opml")},
                    HTTP_AUTHORIZATION=f"Bearer {token('curator')}")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["added"] == 0 and len(data["failed"]) == len(refs)
    assert {f["reason"] for f in data["failed"]} == {LOCAL_REFUSED}
    for word in ("root", "Wombatsecret"):
        assert client.get("/api/search", {"q": word}).json()["items"] == []
