"""The egress policy: no fetch of any ingest path reaches a loopback, private, link-local or otherwise internal
address — whatever form the address takes, and after every redirect — unless the hub's setting allows that host; one
neutral error for refused and unreachable targets."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest

from migrahub.services.ingest import ingest
from migrahub.sources import Limits, collect

ALLOW = "MIGRAHUB_EGRESS_ALLOW_HOSTS"
NEUTRAL = "could not fetch: the address cannot be reached from this hub (unreachable or not allowed)"
FAST = Limits(timeout=2.0)

# every way of writing the loopback address 127.0.0.1 (or a name for it) in a URL
LOOPBACK_V4_FORMS = ["127.0.0.1", "localhost", "localhost.", "2130706433", "0x7f000001", "127.1", "0177.0.0.1",
                     "0x7f.0.0.1", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:7f00:1]"]
# forms that reach the same listener without being 127.0.0.1 itself
UNSPECIFIED_FORMS = ["0.0.0.0", "0"]


def _url(host: str, port: int, path: str = "/") -> str:
    return f"http://{host}:{port}{path}"


def _settle() -> None:
    time.sleep(0.15)  # a connection the client made would have been accepted by now


@pytest.mark.parametrize("host", LOOPBACK_V4_FORMS + UNSPECIFIED_FORMS)
def test_no_form_of_a_loopback_address_is_fetched(listener, no_egress_setting, host):
    result = collect(_url(host, listener.port), FAST)
    _settle()
    assert listener.connections == []
    assert result.status == "failed" and result.error == NEUTRAL


def test_ipv6_loopback_is_not_fetched(listener_v6, no_egress_setting):
    result = collect(_url("[::1]", listener_v6.port), FAST)
    _settle()
    assert listener_v6.connections == [] and result.error == NEUTRAL


@pytest.mark.parametrize("host", LOOPBACK_V4_FORMS)
def test_an_allowed_address_is_fetched_in_every_form(listener, monkeypatch, host):
    monkeypatch.setenv(ALLOW, "127.0.0.1")
    if host.startswith("localhost"):
        monkeypatch.setenv(ALLOW, "localhost")  # a host name in the setting allows whatever it resolves to
    result = collect(_url(host, listener.port, "/note.txt"), FAST)
    assert result.status == "ok", result.error
    assert listener.connections == ["GET /note.txt HTTP/1.1"]
    assert result.items[0].blocks[0].text == listener.BODY.decode()


def test_an_allowed_ipv6_address_is_fetched(listener_v6, monkeypatch):
    monkeypatch.setenv(ALLOW, "::1")
    result = collect(_url("[::1]", listener_v6.port, "/v6.txt"), FAST)
    assert result.status == "ok" and listener_v6.connections == ["GET /v6.txt HTTP/1.1"]


def test_allowing_one_address_allows_no_other(listener, monkeypatch):
    monkeypatch.setenv(ALLOW, "intranet.example.org, 127.0.0.2")
    for host in ("127.0.0.1", "2130706433", "localhost", "0.0.0.0"):
        assert collect(_url(host, listener.port), FAST).error == NEUTRAL
    _settle()
    assert listener.connections == []


def test_a_network_in_the_setting_allows_its_addresses(listener, monkeypatch):
    monkeypatch.setenv(ALLOW, "127.0.0.0/30")
    assert collect(_url("127.1", listener.port), FAST).status == "ok"


@pytest.fixture()
def second_loopback(make_listener):
    """A listener on 127.0.0.2 (the loopback network holds the whole of 127/8 on Linux)."""
    return make_listener("127.0.0.2")


@pytest.mark.parametrize("form", ["127.0.0.1", "2130706433", "localhost", "[::ffff:127.0.0.1]"])
def test_a_redirect_to_a_refused_address_is_not_followed(listener, second_loopback, monkeypatch, form):
    monkeypatch.setenv(ALLOW, "127.0.0.2")  # the first hop is an allowed host...
    second_loopback.redirect_to = _url(form, listener.port, "/secret")  # ...that sends the fetch to a refused one
    result = collect(second_loopback.url("/start"), FAST)
    _settle()
    assert second_loopback.connections == ["GET /start HTTP/1.1"]
    assert listener.connections == []
    assert result.status == "failed" and result.error == NEUTRAL


def test_a_redirect_to_an_allowed_address_is_followed(listener, second_loopback, monkeypatch):
    monkeypatch.setenv(ALLOW, "127.0.0.2,127.0.0.1")
    second_loopback.redirect_to = _url("127.1", listener.port, "/next.txt")
    result = collect(second_loopback.url("/start"), FAST)
    assert result.status == "ok" and listener.connections == ["GET /next.txt HTTP/1.1"]


def test_refused_closed_and_unknown_targets_get_one_neutral_message(listener, monkeypatch):
    with socket.socket() as s:  # a port with nobody listening
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    monkeypatch.setenv(ALLOW, "127.0.0.1")
    refused_connection = collect(_url("127.0.0.1", closed), FAST).error
    monkeypatch.delenv(ALLOW)
    not_allowed = collect(_url("127.0.0.1", listener.port), FAST).error
    real = socket.getaddrinfo

    def unknown(host, *args, **kwargs):  # as the resolver answers for a name that does not exist
        if host == "no-such-host.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", unknown)
    unknown_host = collect("http://no-such-host.invalid/", FAST).error
    assert refused_connection == not_allowed == unknown_host == NEUTRAL


def test_http_errors_of_a_reachable_server_are_still_reported(listener, monkeypatch):
    monkeypatch.setenv(ALLOW, "127.0.0.1")
    listener.redirect_to = "ftp://127.0.0.1/file"
    result = collect(listener.url("/"), FAST)
    assert result.error == "refused redirect to a non-HTTP URL: ftp://127.0.0.1/file"


# -- HTTPS: the checked address is connected, the host name is verified -------------------------------------------

@pytest.fixture()
def tls_listener(tmp_path, make_listener):
    """An HTTPS listener on 127.0.0.1 whose self-signed certificate names only ``localhost``; returns it with the
    certificate's file (a trust store of one)."""
    import shutil
    import ssl

    if not shutil.which("openssl"):
        pytest.fail("the openssl command (Debian's openssl package) is needed to make the test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return make_listener(tls=context), cert


def test_https_connects_to_the_checked_address_and_verifies_the_host_name(tls_listener, monkeypatch):
    server, cert = tls_listener
    monkeypatch.setenv(ALLOW, "localhost")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # OpenSSL's trust store for this test: the one certificate
    result = collect(server.url("/secure.txt", host="localhost"), FAST)
    assert result.status == "ok", result.error
    assert server.server_names == ["localhost"]  # TLS names the host, not the address connected to
    assert f"Host: localhost:{server.port}".encode() in server.heads[0]


def test_https_refuses_a_certificate_for_another_name(tls_listener, monkeypatch):
    server, cert = tls_listener
    monkeypatch.setenv(ALLOW, "127.0.0.1")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    result = collect(server.url("/", host="127.0.0.1"), FAST)
    assert result.status == "failed"
    assert result.error.startswith("secure connection refused: the certificate of 127.0.0.1 is not valid")


def test_https_refuses_an_untrusted_certificate(tls_listener, monkeypatch):
    server, _cert = tls_listener
    monkeypatch.setenv(ALLOW, "localhost")
    result = collect(server.url("/", host="localhost"), FAST)
    assert result.error.startswith("secure connection refused: the certificate of localhost is not valid")


# -- through the ingest doors --------------------------------------------------------------------------------------

def test_ingest_of_a_loopback_url_records_the_neutral_failure(listener, no_egress_setting, tmp_path):
    urls = [_url(host, listener.port) for host in ("2130706433", "0x7f000001", "127.1", "[::ffff:127.0.0.1]")]
    summary = ingest(urls, tmp_path / "hub.sqlite3", workers=1)
    _settle()
    assert listener.connections == []
    assert [f["reason"] for f in summary.failed] == [NEUTRAL] * len(urls)
    assert summary.added == 0


def test_cli_ingest_of_a_loopback_url_fetches_nothing(listener, no_egress_setting, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "migrahub", "--db", str(tmp_path / "hub.sqlite3"), "ingest",
                           "--json", _url("0177.0.0.1", listener.port), _url("localhost", listener.port)],
                          capture_output=True, text=True, timeout=120)
    _settle()
    assert proc.returncode == 1 and listener.connections == []
    assert [f["reason"] for f in json.loads(proc.stdout)["failed"]] == [NEUTRAL, NEUTRAL]


def test_feeds_named_by_an_opml_list_are_fetched_under_the_same_policy(listener, second_loopback, monkeypatch,
                                                                       tmp_path):
    """A local list and a remote one (on an allowed host) both name feeds on refused addresses."""
    monkeypatch.setenv(ALLOW, "127.0.0.2")
    outlines = "".join(f'<outline type="rss" text="f" xmlUrl="{_url(h, listener.port, "/feed.rss")}"/>'
                       for h in ("127.0.0.1", "127.1", "2130706433", "localhost"))
    opml = f'<?xml version="1.0"?><opml version="2.0"><head/><body>{outlines}</body></opml>'.encode()
    local = tmp_path / "subs.opml"
    local.write_bytes(opml)
    second_loopback.content_type, second_loopback.body = "text/x-opml", opml
    summary = ingest([str(local), second_loopback.url("/subs.opml")], tmp_path / "hub.sqlite3", workers=1)
    _settle()
    assert listener.connections == []
    assert second_loopback.connections == ["GET /subs.opml HTTP/1.1"]
    assert [f["reason"] for f in summary.failed] == [NEUTRAL] * 4


# -- the address check itself (no connection is made: the socket's connect is replaced) --------------------------

@pytest.fixture()
def no_network(monkeypatch):
    """Record every connect() instead of making it, so that no test here sends a packet anywhere."""
    attempts: list[tuple] = []

    def fake_connect(self, address):
        attempts.append(address)
        raise ConnectionRefusedError(111, "Connection refused (test)")

    monkeypatch.setattr(socket.socket, "connect", fake_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", lambda self, address: fake_connect(self, address))
    monkeypatch.delenv(ALLOW, raising=False)
    return attempts


def _resolving(monkeypatch, answers: dict[str, list[str]]) -> list[str]:
    """Make host names resolve to ``answers`` (a list consumed one per lookup); return the log of lookups."""
    asked: list[str] = []
    real = socket.getaddrinfo

    def fake(host, port, family=0, type=0, proto=0, flags=0):
        if host not in answers:
            return real(host, port, family, type, proto, flags)
        asked.append(host)
        address = answers[host][min(len(asked), len(answers[host])) - 1]
        fam = socket.AF_INET6 if ":" in address else socket.AF_INET
        sockaddr = (address, port or 80, 0, 0) if fam == socket.AF_INET6 else (address, port or 80)
        return [(fam, socket.SOCK_STREAM, 6, "", sockaddr)]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return asked


REFUSED_ADDRESSES = [
    "10.0.0.1", "172.16.5.4", "192.168.1.1",  # private
    "169.254.169.254", "fe80::1",  # link-local (cloud metadata services live here)
    "100.64.0.1",  # shared address space (carrier-grade NAT)
    "224.0.0.1", "ff02::1",  # multicast
    "0.0.0.0", "::",  # unspecified
    "240.0.0.1", "255.255.255.255", "192.0.2.10", "198.18.0.1",  # reserved, broadcast, documentation, benchmarking
    "127.0.0.53", "::1",  # loopback
    "fc00::1", "fd12:3456::1",  # unique local
    "::ffff:10.0.0.1", "::ffff:169.254.169.254",  # IPv4-mapped
    "2002:a9fe:a9fe::1", "2002:7f00:1::1",  # 6to4 embedding 169.254.169.254 and 127.0.0.1
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo
    "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1",  # NAT64 embedding 169.254.169.254 and 127.0.0.1
    "fec0::1",  # site-local
]


@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_names_resolving_to_internal_addresses_are_refused_before_connecting(monkeypatch, no_network, address):
    _resolving(monkeypatch, {"internal.example": [address]})
    result = collect("https://internal.example/latest/meta-data/", FAST)
    assert result.error == NEUTRAL and no_network == []


def test_a_name_with_one_internal_address_among_public_ones_is_refused(monkeypatch, no_network):
    _resolving(monkeypatch, {"mixed.example": ["93.184.215.14"]})
    real = socket.getaddrinfo

    def both(host, port, *args, **kwargs):
        if host != "mixed.example":
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]

    monkeypatch.setattr(socket, "getaddrinfo", both)
    assert collect("http://mixed.example/", FAST).error == NEUTRAL and no_network == []


def test_the_host_is_resolved_once_and_the_checked_address_is_the_one_connected(monkeypatch, no_network):
    """DNS rebinding: a second lookup would answer with the metadata address; the fetch never asks again."""
    asked = _resolving(monkeypatch, {"rebind.example": ["93.184.215.14", "169.254.169.254"]})
    result = collect("http://rebind.example:8080/page", FAST)
    assert asked == ["rebind.example"]
    assert no_network == [("93.184.215.14", 8080)]
    assert result.error == NEUTRAL  # the fake connect refused: the same message as any unreachable target


def test_public_ipv6_address_is_connected_as_checked(monkeypatch, no_network):
    _resolving(monkeypatch, {"v6.example": ["2606:4700:4700::1111"]})
    collect("https://v6.example/", FAST)
    assert [a[0] for a in no_network] == ["2606:4700:4700::1111"]


@pytest.mark.parametrize("url", ["ftp://example.org/feed.xml", "file:///etc/passwd", "gopher://127.0.0.1:70/",
                                 "dict://127.0.0.1:11211/stat"])
def test_other_schemes_are_refused(no_network, url):
    from migrahub.sources.errors import SourceError
    from migrahub.sources.fetch import fetch

    with pytest.raises(SourceError, match="http and https only"):
        fetch(url, FAST)
    assert no_network == []
