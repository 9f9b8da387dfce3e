"""Accounts under attack, against a real `migrahub serve` on 127.0.0.1: every sign-in form is throttled (the admin's
too), the lock follows the client and not a reverse proxy's address, guessing across user names is limited, and API
writes without valid credentials answer 401.

The server trusts 127.0.0.2 as its reverse proxy (``MIGRAHUB_TRUSTED_PROXIES``); requests "through the proxy" are
sent from that source address, other clients from other loopback addresses (every 127.x.y.z is the loopback on
Linux). Each test uses its own user names and client addresses: failures persist in the hub for the lock window.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.backends.postgresql import open_hub

MIGRAHUB = [str(Path(sys.executable).with_name("migrahub"))]
PASSWORD = "correct-horse-battery-42"
PROXY = "127.0.0.2"
CLIENT_LIMIT = 8  # failures from one client across user names (the default is 20; fewer keep the test short)

SETUP = """
import json, sys
from migrahub.web import server
path = server.setup(sys.argv[1])
server.migrate(path)
from migrahub.web.accounts import create_token, create_user
users = json.loads(sys.argv[2])
tokens = {}
for name, role in users.items():
    create_user(name, role, sys.argv[3], actor="test")
    tokens[name] = create_token(name, "test", actor="test")
print(json.dumps(tokens))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HubServer:
    """`migrahub serve` (one gunicorn worker of two threads unless told) on a fresh hub in ``folder`` with ``users``
    (name → role); ``tokens`` holds an API token of each user. Extra environment variables go in ``env``."""

    def __init__(self, folder: Path, users: dict[str, str], env: dict[str, str] | None = None,
                 prepare: str = "", workers: int = 1, threads: int = 2) -> None:
        self.folder = folder
        self.db = folder / "hub.sqlite3"
        self.spool = folder / "spool"  # the server's temporary folder (TMPDIR): where Django spools uploads
        self.uploads = folder / "uploads"
        self.spool.mkdir()
        self.env = {**os.environ, "MIGRAHUB_SECRET_KEY": "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwx",
                    "MIGRAHUB_ALLOWED_HOSTS": "127.0.0.1,localhost", "MIGRAHUB_UPLOAD_DIR": str(self.uploads),
                    "MIGRAHUB_PASSWORD": PASSWORD, "TMPDIR": str(self.spool), "PYTHONBREAKPOINT": "0",
                    **(env or {})}
        for name in ("MIGRAHUB_DB", "DJANGO_SETTINGS_MODULE", "MIGRAHUB_ANONYMOUS_READ", "MIGRAHUB_DEBUG"):
            self.env.pop(name, None)
        done = subprocess.run([sys.executable, "-c", SETUP + prepare, str(self.db), json.dumps(users), PASSWORD],
                              env=self.env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        self.tokens = json.loads(done.stdout.strip().splitlines()[-1])
        self.port = _free_port()
        self.log = open(folder / "serve.log", "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([*MIGRAHUB, "--db", str(self.db), "serve", "--port", str(self.port),
                                      "--workers", str(workers), "--threads", str(threads)],
                                     env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.request("GET", "/healthz").status == 200:
                    break
            # not listening yet; a connection to a free local port can even meet itself and read its own request
            except (OSError, http.client.HTTPException):
                pass
            assert self.proc.poll() is None and time.monotonic() < deadline, (folder / "serve.log").read_text()
            time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.log.close()

    def connection(self, source: str = "127.0.0.1", timeout: float = 30) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout, source_address=(source, 0))

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                source: str = "127.0.0.1") -> Response:
        conn = self.connection(source)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def written(self) -> int:
        """Bytes the server's worker has written by system calls so far (files, sockets): ``wchar``."""
        total = 0
        for pid in self.worker_pids():
            io = Path(f"/proc/{pid}/io").read_text()
            total += int(re.search(r"^wchar: (\d+)", io, re.M).group(1))
        return total

    def sql(self, query: str, params=()) -> list[sqlite3.Row]:
        conn = open_hub(self.db)
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(query, params).fetchall()
        finally:
            conn.close()


class Response:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status, self.body = status, body
        self.headers: dict[str, str] = {}  # lower-case names; repeated headers (Set-Cookie) joined by ", "
        for name, value in headers:
            key = name.lower()
            self.headers[key] = f"{self.headers[key]}, {value}" if key in self.headers else value

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Browser:
    """A browser-like client: keeps cookies, reads the CSRF token of forms, sends from one source address and
    optionally an X-Forwarded-For header (as a reverse proxy would add)."""

    def __init__(self, hub: HubServer, source: str = "127.0.0.1", forwarded_for: str | None = None) -> None:
        self.hub, self.source, self.forwarded_for = hub, source, forwarded_for
        self.cookies: dict[str, str] = {}

    def headers(self, extra: dict | None = None) -> dict:
        h = dict(extra or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.forwarded_for:
            h["X-Forwarded-For"] = self.forwarded_for
        return h

    def send(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        r = self.hub.request(method, path, body, self.headers(headers), self.source)
        for name, value in re.findall(r"(?:^|, )(sessionid|csrftoken)=([^;]*)", r.headers.get("set-cookie", "")):
            self.cookies[name] = value
        return r

    def csrf(self, path: str) -> str:
        page = self.send("GET", path)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    def login(self, username: str, password: str, path: str = "/accounts/login/") -> Response:
        token = self.csrf(path)
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token}
        if path.startswith("/admin/"):
            form["next"] = "/admin/"
        return self.send("POST", path, urlencode(form).encode(), {
            "Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{self.hub.port}{path}"})


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    users = {"admin1": "admin", "admin2": "admin", "coder2": "coder", "curator1": "curator", "reader1": "reader",
             "victim1": "reader", "victim2": "reader", "guessed1": "reader"}
    server = HubServer(tmp_path_factory.mktemp("accounts"), users,
                       {"MIGRAHUB_TRUSTED_PROXIES": PROXY, "MIGRAHUB_LOGIN_MAX_CLIENT_FAILURES": str(CLIENT_LIMIT)})
    yield server
    server.stop()


def _signed_in(r: Response) -> bool:
    return r.status == 302 and "sessionid=" in r.headers.get("set-cookie", "")


# finding 4: /admin/login/ is throttled like /accounts/login/ --------------------------------------------------------

def test_admin_login_is_throttled_and_failures_are_recorded(hub):
    attacker = Browser(hub, "127.0.10.1")
    for i in range(4):
        r = attacker.login("admin1", f"wrong password {i}", "/admin/login/")
        assert r.status == 200 and "correct username and password" in r.text, r.status
    r = attacker.login("admin1", "wrong password 5", "/admin/login/")
    assert r.status == 429 and "Too many failed sign-ins" in r.text
    # locked: the right password is refused from that client, and no session is opened
    r = attacker.login("admin1", PASSWORD, "/admin/login/")
    assert r.status == 429 and not _signed_in(r)
    assert hub.sql("SELECT count(*) n FROM web_loginfailure WHERE username = 'admin1'")[0]["n"] == 5
    lock = hub.sql("SELECT actor, object_id, payload FROM actions WHERE verb = 'user.login_locked' "
                   "AND object_id = 'admin1'")
    assert len(lock) == 1 and lock[0]["actor"] == "anonymous@127.0.10.1"
    assert json.loads(lock[0]["payload"])["form"] == "/admin/login/"
    # the admin still signs in from their own address
    assert _signed_in(Browser(hub, "127.0.10.2").login("admin1", PASSWORD, "/admin/login/"))


def test_both_login_forms_share_one_count(hub):
    attacker = Browser(hub, "127.0.11.1")
    for i in range(3):
        assert attacker.login("admin2", f"wrong {i}").status == 200
    assert attacker.login("admin2", "wrong 3", "/admin/login/").status == 200
    assert attacker.login("admin2", "wrong 4", "/admin/login/").status == 429
    assert attacker.login("admin2", PASSWORD).status == 429


# finding 15: the lock follows the client, not a proxy; guessing across user names is limited ------------------------

def test_a_client_cannot_lock_others_out_through_the_reverse_proxy(hub):
    attacker = Browser(hub, PROXY, forwarded_for="203.0.113.5")
    for i in range(5):
        r = attacker.login("victim1", f"guess {i}")
    assert r.status == 429
    # the victim comes through the same proxy from another address: not locked
    victim = Browser(hub, PROXY, forwarded_for="198.51.100.7")
    assert _signed_in(victim.login("victim1", PASSWORD))
    # a forged left-hand entry does not help the attacker: the proxy appends the real client last
    forged = Browser(hub, PROXY, forwarded_for="198.51.100.7, 203.0.113.5")
    assert forged.login("victim1", PASSWORD).status == 429
    failures = {r["ip"] for r in hub.sql("SELECT ip FROM web_loginfailure WHERE username = 'victim1'")}
    assert failures == {"203.0.113.5"}


def test_forwarded_for_from_an_untrusted_client_is_ignored(hub):
    # talking to the hub directly, a client cannot pick a fresh address per guess
    for i in range(4):
        r = Browser(hub, "127.0.12.1", forwarded_for=f"192.0.2.{i + 1}").login("victim2", f"guess {i}")
        assert r.status == 200
    r = Browser(hub, "127.0.12.1", forwarded_for="192.0.2.99").login("victim2", "guess 5")
    assert r.status == 429
    assert {r["ip"] for r in hub.sql("SELECT ip FROM web_loginfailure WHERE username = 'victim2'")} == {"127.0.12.1"}


def test_guessing_across_user_names_locks_the_client(hub):
    attacker = Browser(hub, "127.0.13.1")
    for i in range(CLIENT_LIMIT - 1):  # each user name fails fewer times than its own lock needs
        r = attacker.login(f"someone{i}", "password123")
        assert r.status == 200, i
    r = attacker.login("someone-else", "password123")
    assert r.status == 429 and "from your address" in r.text
    # now even a real account with its right password is refused from that client, on every form
    assert attacker.login("guessed1", PASSWORD).status == 429
    assert attacker.login("guessed1", PASSWORD, "/admin/login/").status == 429
    lock = hub.sql("SELECT object_type, object_id, payload FROM actions WHERE verb = 'user.login_locked' "
                   "AND object_id = '127.0.13.1'")
    assert len(lock) == 1 and lock[0]["object_type"] == "client"
    assert json.loads(lock[0]["payload"])["scope"] == "client"
    # other clients are not affected
    assert _signed_in(Browser(hub, "127.0.13.2").login("guessed1", PASSWORD))


def test_password_sign_ins_are_logged_with_the_client(hub):
    assert _signed_in(Browser(hub, PROXY, forwarded_for="198.51.100.20").login("coder2", PASSWORD))
    assert _signed_in(Browser(hub, "127.0.15.1").login("curator1", PASSWORD, "/admin/login/"))
    rows = hub.sql("SELECT payload FROM actions WHERE verb = 'user.login' AND actor = 'coder2'")
    assert [json.loads(r["payload"]) for r in rows] == [{"ip": "198.51.100.20", "form": "/accounts/login/"}]
    rows = hub.sql("SELECT payload FROM actions WHERE verb = 'user.login' AND actor = 'curator1'")
    assert {"ip": "127.0.15.1", "form": "/admin/login/"} in [json.loads(r["payload"]) for r in rows]


# finding 14: API writes without valid credentials answer 401 ----------------------------------------------------

WRITES = [("POST", "/api/ingest", {"url": "https://example.org/"}),
          ("POST", "/api/codings", {"codebook": "x", "passage_id": 1, "action": "add", "code": "A"}),
          ("PATCH", "/api/entities/1", {"name": "Hacked"}),
          ("POST", "/api/entities/1/merge", {"into": 2})]


@pytest.mark.parametrize("method, path, body", WRITES)
def test_api_writes_without_credentials_answer_401(hub, method, path, body):
    browser = Browser(hub, "127.0.14.1")
    browser.send("GET", "/accounts/login/")  # an attacker holds a CSRF cookie: it must not change the answer
    assert "csrftoken" in browser.cookies
    data = json.dumps(body).encode()
    for headers in ({}, {"Authorization": "Bearer mh_not-a-real-token"}, {"Authorization": "Basic YTpi"}):
        r = browser.send(method, path, data, {"Content-Type": "application/json", **headers})
        assert r.status == 401, (headers, r.status, r.text)
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert "CSRF" not in r.text and r.json()["detail"] == "sign in or send an API token"


def test_api_writes_of_signed_in_users_without_the_role_are_403(hub):
    r = hub.request("POST", "/api/ingest", json.dumps({"url": "https://example.org/"}).encode(),
                    {"Content-Type": "application/json", "Authorization": f"Bearer {hub.tokens['reader1']}"})
    assert r.status == 403 and r.json()["detail"] == "your role (reader) does not allow this"
    assert "www-authenticate" not in r.headers


def test_session_api_writes_still_need_the_csrf_token(hub):
    curator = Browser(hub, "127.0.14.2")
    assert _signed_in(curator.login("curator1", PASSWORD))
    body = json.dumps({"url": "ftp://example.org/x"}).encode()
    r = curator.send("POST", "/api/ingest", body, {"Content-Type": "application/json"})
    assert r.status == 403 and "CSRF" in r.text
    r = curator.send("POST", "/api/ingest", body, {"Content-Type": "application/json",
                                                   "X-CSRFToken": curator.cookies["csrftoken"],
                                                   "Referer": f"http://127.0.0.1:{hub.port}/"})
    assert r.status == 400  # past authentication and CSRF: the URL itself is refused
