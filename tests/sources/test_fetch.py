"""Feeds and pages over real HTTP from a local server: conditional GET, redirects, limits, timeouts, Retry-After."""

from __future__ import annotations

import time

import pytest
from source_samples import BOILERPLATE_PAGE, ENTITY_REASON, RSS20, make_pdf

from migrahub.model import Block, Extracted
from migrahub.sources import USER_AGENT, FetchState, Limits, collect

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

FAST = Limits(timeout=2.0)


def test_page_by_url_main_text_metadata_and_user_agent(http_server):
    url = http_server.static("/gent", BOILERPLATE_PAGE.encode("utf-8"), "text/html; charset=utf-8",
                             headers={"ETag": '"v1"'})
    result = collect(url, FAST)
    assert result.status == "ok" and result.kind == "page" and result.etag == '"v1"'
    (item,) = result.items
    assert item.locator == url and item.source == url and item.url == url and item.source_kind == "page"
    assert item.blocks[0] == Block("heading", "Onthaal van nieuwkomers", 1)
    assert item.language_hint == "nl-BE"
    assert "TRACKING" not in " ".join(b.text for b in item.blocks)
    assert http_server.requests[0][1]["User-Agent"] == USER_AGENT


def test_page_charset_from_http_header(http_server):
    body = "<html><body><p>Integração de imigrantes em Lisboa.</p></body></html>".encode("iso-8859-1")
    url = http_server.static("/pt", body, "text/html; charset=ISO-8859-1")
    assert collect(url, FAST).items[0].blocks == (Block("paragraph", "Integração de imigrantes em Lisboa."),)


def test_feed_sniffed_by_content_despite_wrong_content_type(http_server):
    url = http_server.static("/feed", RSS20, "text/html")
    result = collect(url, FAST)
    assert result.status == "ok" and result.kind == "feed"
    assert [i.locator for i in result.items][0] == url + "#city-0001"


def test_pdf_by_url(http_server):
    url = http_server.static("/doc", make_pdf(), "application/pdf")
    result = collect(url, FAST)
    assert result.status == "ok"
    assert result.items[0].content_type == "application/pdf"
    assert result.items[0].blocks[0] == Block("heading", "Integration Strategy 2024", 1)


def test_hostile_feed_by_url_is_refused(http_server):
    body = b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel>' \
           b"<item><title>&x;</title></item></channel></rss>"
    url = http_server.static("/xxe", body, "application/rss+xml")
    result = collect(url, FAST)
    assert result.status == "failed" and result.error == ENTITY_REASON


def test_conditional_get_with_etag_and_last_modified(http_server):
    stamp = "Wed, 01 May 2024 10:00:00 GMT"

    def route(h):
        if h.headers.get("If-None-Match") == '"abc"' or h.headers.get("If-Modified-Since") == stamp:
            h.send_response(304)
            h.send_header("ETag", '"abc"')
            h.end_headers()
            return
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("ETag", '"abc"')
        h.send_header("Last-Modified", stamp)
        h.send_header("Content-Length", str(len(RSS20)))
        h.end_headers()
        h.wfile.write(RSS20)

    http_server.routes["/cond.rss"] = route
    url = http_server.url("/cond.rss")
    first = collect(url, FAST)
    assert first.status == "ok" and len(first.items) == 2
    assert (first.etag, first.last_modified) == ('"abc"', stamp)

    again = collect(url, FAST, FetchState(etag=first.etag, last_modified=first.last_modified))
    assert again.status == "not-modified" and again.items == () and again.etag == '"abc"'
    assert again.last_modified == stamp  # kept from the state when the 304 does not repeat it
    sent = http_server.requests[-1][1]
    assert sent["If-None-Match"] == '"abc"' and sent["If-Modified-Since"] == stamp

    only_date = collect(url, FAST, FetchState(last_modified=stamp))
    assert only_date.status == "not-modified"


def test_redirects_followed_within_limit_and_refused_past_it(http_server):
    page = b"<html><body><p>Arrived after redirects.</p></body></html>"
    http_server.static("/final", page, "text/html")
    for i in range(3):
        target = "/final" if i == 2 else f"/hop{i + 1}"
        http_server.static(f"/hop{i}", b"", "text/plain", status=302, headers={"Location": target})
    ok = collect(http_server.url("/hop0"), Limits(timeout=2.0, max_redirects=3))
    assert ok.status == "ok" and ok.items[0].url == http_server.url("/final")
    assert ok.items[0].locator == http_server.url("/hop0")
    too_many = collect(http_server.url("/hop0"), Limits(timeout=2.0, max_redirects=2))
    assert too_many.status == "failed" and too_many.error == "too many redirects (more than 2)"


def test_redirect_loop_ends(http_server):
    http_server.static("/loop", b"", "text/plain", status=301, headers={"Location": "/loop"})
    result = collect(http_server.url("/loop"), FAST)
    assert result.status == "failed" and result.error == "too many redirects (more than 5)"


def test_redirect_to_file_scheme_is_refused(http_server):
    http_server.static("/evil", b"", "text/plain", status=302, headers={"Location": "file:///etc/passwd"})
    result = collect(http_server.url("/evil"), FAST)
    assert result.status == "failed" and result.error == "refused redirect to a non-HTTP URL: file:///etc/passwd"


def test_size_limit_by_content_length_and_by_streaming(http_server):
    big = b"<html><body><p>" + b"x" * 50_000 + b"</p></body></html>"
    declared = http_server.static("/big", big, "text/html")
    result = collect(declared, Limits(timeout=2.0, max_bytes=10_000))
    assert result.status == "failed"
    assert result.error == f"response too large: Content-Length {len(big):,} bytes exceeds the limit of 10,000 bytes"

    def no_length(h):  # no Content-Length: the body is streamed and cut past the limit
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.end_headers()
        for _ in range(100):
            h.wfile.write(b"<p>" + b"y" * 1000 + b"</p>")
        h.close_connection = True

    http_server.routes["/stream"] = no_length
    streamed = collect(http_server.url("/stream"), Limits(timeout=2.0, max_bytes=10_000))
    assert streamed.status == "failed"
    assert streamed.error == "response too large: more than the limit of 10,000 bytes"


def test_gzip_bomb_is_cut_at_the_limit(http_server):
    import gzip

    bomb = gzip.compress(b"<p>" + b"z" * 5_000_000 + b"</p>")
    http_server.static("/gz", bomb, "text/html", headers={"Content-Encoding": "gzip"})
    result = collect(http_server.url("/gz"), Limits(timeout=2.0, max_bytes=100_000))
    assert result.status == "failed" and "inflates past the limit of 100,000 bytes" in result.error


def test_timeout_on_a_server_that_sleeps(http_server):
    def sleepy(h):
        time.sleep(1.5)
        h.send_response(200)
        h.end_headers()

    http_server.routes["/sleep"] = sleepy
    t0 = time.monotonic()
    result = collect(http_server.url("/sleep"), Limits(timeout=0.3))
    assert time.monotonic() - t0 < 1.4
    assert result.status == "failed" and result.error.startswith("timed out after 0.3 s")


def test_retry_after_short_wait_is_honoured(http_server):
    calls = []

    def busy_then_ok(h):
        calls.append(time.monotonic())
        if len(calls) == 1:
            h.send_response(503)
            h.send_header("Retry-After", "1")
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        body = b"<html><body><p>Back in service.</p></body></html>"
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    http_server.routes["/busy"] = busy_then_ok
    result = collect(http_server.url("/busy"), FAST)
    assert result.status == "ok" and result.items[0].blocks == (Block("paragraph", "Back in service."),)
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.95


def test_retry_after_too_long_fails_naming_it(http_server):
    http_server.static("/later", b"", "text/plain", status=429, headers={"Retry-After": "3600"})
    t0 = time.monotonic()
    result = collect(http_server.url("/later"), FAST)
    assert time.monotonic() - t0 < 1
    assert result.status == "failed"
    assert result.error == "HTTP 429 with Retry-After '3600' (3600 s): longer than the 10 s we wait"


def test_http_errors_and_connection_refused(http_server):
    missing = collect(http_server.url("/missing"), FAST)
    assert missing.status == "failed" and missing.error.startswith("HTTP 404")
    import socket

    with socket.socket() as s:  # a port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    refused = collect(f"http://127.0.0.1:{port}/", FAST)
    assert refused.status == "failed"
    assert refused.error == "could not fetch: the address cannot be reached from this hub (unreachable or not allowed)"


def test_the_local_server_is_not_fetched_without_the_setting(http_server, monkeypatch):
    url = http_server.static("/page", b"<html><body><p>Inside.</p></body></html>", "text/html")
    monkeypatch.delenv("MIGRAHUB_EGRESS_ALLOW_HOSTS")
    result = collect(url, FAST)
    assert result.status == "failed" and "not allowed" in result.error
    assert http_server.requests == []


def test_unsupported_content_type(http_server):
    url = http_server.static("/bin", b"\x00\x01\x02" * 100, "application/octet-stream")
    result = collect(url, FAST)
    assert result.status == "failed" and "binary content" in result.error


def test_url_items_are_extracted(http_server):
    url = http_server.static("/plain", b"Plain text over HTTP.\n\nSecond.", "text/plain")
    (item,) = collect(url, FAST).items
    assert isinstance(item, Extracted) and item.content_type == "text/plain"
    assert [b.text for b in item.blocks] == ["Plain text over HTTP.", "Second."]
