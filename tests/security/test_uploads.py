"""Uploads against a real `migrahub serve`: a body from a caller who may not upload is refused before the hub reads
it, and an allowed upload is refused while it streams once it passes the limit — nothing is spooled to disk first.

What the server writes is read from its worker's I/O counter (``wchar`` in ``/proc/PID/io``: every byte written by a
system call, to files and sockets alike), so a temporary file written and deleted during the request is seen too.
"""

from __future__ import annotations

import json
import select
import socket
import time
from pathlib import Path

import pytest
from test_accounts import PASSWORD, Browser, HubServer, Response

LIMIT = 8 * 1024 * 1024  # MIGRAHUB_UPLOAD_MAX_BYTES of the test server
HOSTILE = 32 * 1024 * 1024  # a body well over the limit and over what Django keeps in memory (5 MB)
SLACK = 1024 * 1024  # responses, logs and the database: far less than any spooled body

pytestmark = pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="reads the server's I/O counters in /proc")


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    server = HubServer(tmp_path_factory.mktemp("uploads"),
                       {"curator1": "curator", "reader1": "reader", "coder1": "coder"},
                       {"MIGRAHUB_UPLOAD_MAX_BYTES": str(LIMIT)})
    yield server
    server.stop()


def multipart(filename: str, size: int, fields: dict | None = None) -> tuple[bytes, str]:
    boundary = "----migrahub-test-boundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in (fields or {}).items()]
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: text/plain\r\n\r\n").encode()
    line = b"Migration governance notes for the upload test, one line of plain text.\n"
    content = (line * (size // len(line) + 1))[:size]
    body = b"".join(parts) + head + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def send_body(hub: HubServer, path: str, body: bytes, headers: dict, source: str = "127.0.0.1") -> Response:
    """POST ``body`` as a client would, reading the answer while still sending: a server that refuses early answers
    and closes before the body is through (a plain ``sendall`` would only see the broken pipe)."""
    sock = socket.create_connection(("127.0.0.1", hub.port), timeout=30, source_address=(source, 0))
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{hub.port}\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "Connection: close\r\n\r\n"
    data, sent, received = memoryview(head.encode() + body), 0, b""
    try:
        while True:
            readable, writable, _ = select.select([sock], [sock] if sent < len(data) else [], [], 30)
            if not readable and not writable:
                raise TimeoutError(f"no answer from {path}")
            if readable:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
                continue
            try:
                sent += sock.send(data[sent:sent + 256 * 1024])
            except (BrokenPipeError, ConnectionResetError):
                sent = len(data)  # the server stopped reading: its answer is what is left to read
    except ConnectionResetError:
        pass  # the server closed with unread body; what it answered before is in ``received``
    finally:
        sock.close()
    head_bytes, _, payload = received.partition(b"\r\n\r\n")
    lines = head_bytes.decode("latin-1").split("\r\n")
    assert lines and lines[0].startswith("HTTP/1."), received[:200]
    pairs = [tuple(line.split(": ", 1)) for line in lines[1:] if ": " in line]
    return Response(int(lines[0].split()[1]), pairs, payload)


def nothing_spooled(hub: HubServer) -> None:
    assert not list(hub.spool.iterdir()), list(hub.spool.iterdir())
    assert not hub.uploads.exists() or not [p for p in hub.uploads.rglob("*") if p.is_file()]


def _signed_in(hub: HubServer, username: str, source: str) -> Browser:
    browser = Browser(hub, source)
    assert browser.login(username, PASSWORD).status == 302
    return browser


def _csrf_fields(browser: Browser) -> dict:
    """A valid CSRF form field for this browser (anyone can get one: the cookie's token is accepted as is)."""
    if "csrftoken" not in browser.cookies:
        browser.send("GET", "/accounts/login/")
    return {"csrfmiddlewaretoken": browser.cookies["csrftoken"]}


def test_anonymous_uploads_are_refused_unread(hub):
    anonymous = Browser(hub, "127.0.20.1")
    fields = _csrf_fields(anonymous)  # an attacker can hold a valid CSRF cookie and token
    body, content_type = multipart("big.txt", HOSTILE, fields)
    for path, status in (("/curate/ingest", 302), ("/api/ingest/upload", 401), ("/api/codebooks", 401)):
        before = hub.written()
        r = send_body(hub, path, body, anonymous.headers({"Content-Type": content_type}), anonymous.source)
        assert r.status == status, (path, r.status, r.text[:300])
        assert hub.written() - before < SLACK, path
        nothing_spooled(hub)
    assert r.headers["www-authenticate"].startswith("Bearer")


def test_uploads_of_users_without_the_role_are_refused_unread(hub):
    reader = _signed_in(hub, "reader1", "127.0.20.2")
    body, content_type = multipart("big.txt", HOSTILE, _csrf_fields(reader))
    before = hub.written()
    r = send_body(hub, "/curate/ingest", body, reader.headers({"Content-Type": content_type}), reader.source)
    assert r.status == 403
    token = {"Authorization": f"Bearer {hub.tokens['coder1']}", "Content-Type": content_type}
    for path in ("/api/ingest/upload", "/api/codebooks"):
        r = send_body(hub, path, body, token)
        assert r.status == 403 and r.json()["detail"] == "your role (coder) does not allow this"
    assert hub.written() - before < SLACK
    nothing_spooled(hub)


def test_a_refused_body_is_not_waited_for(hub):
    """Headers announcing a large body, and no body: the refusal comes at once (nothing waits to read it)."""
    for headers, status in (({}, 401), ({"Authorization": f"Bearer {hub.tokens['reader1']}"}, 403),
                            ({"Authorization": f"Bearer {hub.tokens['curator1']}"}, 413)):
        conn = hub.connection("127.0.20.3", timeout=10)
        try:
            conn.putrequest("POST", "/api/ingest/upload")
            for name, value in {"Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(HOSTILE),
                                **headers}.items():
                conn.putheader(name, value)
            conn.endheaders()
            started = time.monotonic()
            r = conn.getresponse()
            assert r.status == status and time.monotonic() - started < 5
        finally:
            conn.close()


def test_an_upload_past_the_limit_is_cut_off_while_streaming(hub):
    headers = {"Authorization": f"Bearer {hub.tokens['curator1']}"}
    # announced as too large: refused from the Content-Length
    body, content_type = multipart("big.txt", HOSTILE)
    before = hub.written()
    r = send_body(hub, "/api/ingest/upload", body, {**headers, "Content-Type": content_type})
    assert r.status == 413 and str(f"{LIMIT:,}") in r.json()["detail"]
    assert hub.written() - before < SLACK
    # just past the limit (within the allowance for form fields): counted while streaming and dropped
    body, content_type = multipart("big.txt", LIMIT + 32 * 1024)
    before = hub.written()
    r = send_body(hub, "/api/ingest/upload", body, {**headers, "Content-Type": content_type})
    assert r.status == 413
    assert hub.written() - before < LIMIT + SLACK  # at most what streamed in before the limit
    nothing_spooled(hub)


def test_an_allowed_upload_is_ingested(hub):
    curator = _signed_in(hub, "curator1", "127.0.20.4")
    body, content_type = multipart("notes.txt", 6 * 1024 * 1024, _csrf_fields(curator))
    r = curator.send("POST", "/curate/ingest", body, {"Content-Type": content_type})
    assert r.status == 302, r.text[:500]
    token = {"Authorization": f"Bearer {hub.tokens['curator1']}"}
    body, content_type = multipart("small.txt", 20_000)
    r = hub.request("POST", "/api/ingest/upload", body, {**token, "Content-Type": content_type})
    assert r.status == 200 and r.json()["added"] == 1, r.text
    assert not list(hub.spool.iterdir())  # Django's temporary file is gone after the request
    runs = hub.sql("SELECT payload FROM actions WHERE verb = 'ingest'")
    assert len(runs) == 2 and all(json.loads(r["payload"])["added"] == 1 for r in runs)
