"""The scheduler against feeds and pages served from 127.0.0.1 that change over a simulated clock."""

from __future__ import annotations

import time

from monitorkit import T0, news, page, rss

from migrahub.monitor.schedule import FAILING_AFTER
from migrahub.services.monitor import watch
from migrahub.store import monitor as mstore


def run(conn, clock, **kw):
    kw.setdefault("extract_entities", False)
    return watch.poll_due(conn, clock=clock, **kw)


def test_interval_honoured_and_adaptive(feeds, conn, clock):
    items = news(3)
    url = feeds.serve("/a.rss", lambda: rss("A", items))
    w = watch.add(conn, url, "1h", clock=clock)
    assert w["interval_s"] == 3600
    first = run(conn, clock)
    assert [p.outcome for p in first.polls] == ["ok"] and first.polls[0].new_items == 3
    # new items: the next poll comes sooner (half the interval), never before it is due
    assert first.polls[0].next_due == T0 + 1800
    clock.advance(1799)
    assert run(conn, clock).polls == []
    clock.advance(1)
    quiet = run(conn, clock)
    assert [p.new_items for p in quiet.polls] == [0]
    assert quiet.polls[0].next_due == clock() + 3600  # quiet: back to the asked interval
    clock.advance(3599)
    assert run(conn, clock).polls == []
    assert feeds.hits("/a.rss") == 2


def test_conditional_get_counts_304(feeds, conn, clock):
    url = feeds.serve("/etag.rss", rss("E", news(2)), etag=True)
    watch.add(conn, url, "10m", clock=clock)
    run(conn, clock)
    for _ in range(3):
        clock.advance(3600)
        report = run(conn, clock)
        assert [p.outcome for p in report.polls] == ["not-modified"]
        assert [p.http_status for p in report.polls] == [304]
    assert all("If-None-Match" in h for p, h in feeds.requests[1:])
    health = watch.health(conn, clock=clock)[0]
    assert health["not_modified"] == 3 and health["polls"] == 4 and health["items"] == 2


def test_backoff_on_500_failing_and_recovery(feeds, conn, clock):
    state = {"status": 500}
    body = rss("B", news(2))

    def route(h):
        h.send_response(state["status"])
        data = body if state["status"] == 200 else b"server error"
        h.send_header("Content-Length", str(len(data)))
        h.send_header("Content-Type", "application/rss+xml")
        h.end_headers()
        h.wfile.write(data)

    feeds.routes["/dead.rss"] = route
    watch.add(conn, feeds.url("/dead.rss"), "10m", clock=clock)
    delays = []
    for n in range(1, FAILING_AFTER + 1):
        report = run(conn, clock)
        poll = report.polls[0]
        assert poll.outcome == "failed" and poll.http_status == 500 and "HTTP 500" in poll.error
        delays.append(poll.next_due - clock())
        assert poll.status == ("failing" if n >= FAILING_AFTER else "new")
        clock.now = poll.next_due
    assert delays == [1200, 2400, 4800]  # doubles with each consecutive failure
    assert mstore.get_watch(conn, 1)["status"] == "failing"
    assert watch.health(conn, clock=clock)[0]["consecutive_failures"] == FAILING_AFTER
    state["status"] = 200
    report = run(conn, clock)
    assert report.polls[0].outcome == "ok" and report.polls[0].status == "ok"
    w = mstore.get_watch(conn, 1)
    assert w["status"] == "ok" and w["consecutive_failures"] == 0 and w["last_success"] == clock()


def test_429_retry_after_is_honoured(feeds, conn, clock):
    url = feeds.serve("/busy.rss", b"slow down", "text/plain", status=429, headers={"Retry-After": "7200"})
    watch.add(conn, url, "10m", clock=clock)
    t = time.perf_counter()
    report = run(conn, clock)
    assert time.perf_counter() - t < 5  # not slept: scheduled
    poll = report.polls[0]
    assert poll.http_status == 429 and "Retry-After" in poll.error and poll.next_due == clock() + 7200
    clock.advance(7199)
    assert run(conn, clock).polls == []
    clock.advance(1)
    assert len(run(conn, clock).polls) == 1


def test_cache_control_max_age(feeds, conn, clock):
    url = feeds.serve("/cached.rss", rss("C", news(1)), headers={"Cache-Control": "public, max-age=10800"})
    watch.add(conn, url, "1h", clock=clock)
    assert run(conn, clock).polls[0].next_due == clock() + 10800


def test_page_without_feed_new_version_when_main_text_changes(feeds, conn, clock):
    text = {"main": "The city council adopted its welcome plan for newcomers. It funds language classes, "
                    "housing advice and a one-stop shop in the town hall for every new resident.",
            "nav": "Home · News"}
    feeds.serve("/plan.html", lambda: page("Welcome plan", text["main"], text["nav"]), "text/html; charset=utf-8")
    watch.add(conn, feeds.url("/plan.html"), "1h", clock=clock)
    assert run(conn, clock).polls[0].new_items == 1
    assert mstore.get_watch(conn, 1)["kind"] == "page"
    text["nav"] = "Home · News · Events · Jobs"  # boilerplate only: the main text is the same
    clock.advance(3600)
    assert run(conn, clock).polls[0].new_items == 0
    text["main"] += "\n\nUpdate: the one-stop shop now also opens on Saturday mornings for families."
    clock.advance(3600)
    assert run(conn, clock).polls[0].new_items == 1
    rows = conn.execute("SELECT id, supersedes_id, superseded FROM documents ORDER BY id").fetchall()
    assert len(rows) == 2 and rows[1]["supersedes_id"] == rows[0]["id"] and rows[0]["superseded"] == 1


def test_no_duplicates_after_50_polls(feeds, conn, clock):
    items = news(30)
    shown = {"n": 5}
    feeds.serve("/grow.rss", lambda: rss("G", items[: shown["n"]]))
    feeds.serve("/copy.rss", lambda: rss("G copy", items[:3]))  # the same items in a second feed
    watch.add(conn, feeds.url("/grow.rss"), "5m", clock=clock)
    watch.add(conn, feeds.url("/copy.rss"), "5m", clock=clock)
    polls = 0
    for i in range(50):
        if i % 5 == 4:
            shown["n"] += 2
        polls += len(run(conn, clock).polls)
        clock.advance(300)
    assert feeds.hits("/grow.rss") == 50 and polls == 100
    docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert docs == shown["n"] == 25
    arrivals = conn.execute("SELECT watch_id, count(*) FROM monitor_arrivals GROUP BY watch_id "
                            "ORDER BY watch_id").fetchall()
    assert [tuple(r) for r in arrivals] == [(1, 25), (2, 3)]
    assert conn.execute("SELECT count(*) FROM document_links").fetchone()[0] == 28


def test_hostile_sources_fail_clearly_and_never_stop_the_scheduler(feeds, conn, clock):
    from migrahub.sources import Limits

    def endless(h):
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.end_headers()
        h.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>')
        chunk = b"<item><title>again</title></item>" * 512
        while True:
            h.wfile.write(chunk)

    def loop(h):
        h.send_response(302)
        h.send_header("Location", "/loop.rss")
        h.send_header("Content-Length", "0")
        h.end_headers()

    feeds.routes["/endless.rss"] = endless
    feeds.routes["/loop.rss"] = loop
    feeds.serve("/html.rss", page("Not a feed", "Just a page that someone linked as a feed with enough words."),
                "text/html")
    feeds.serve("/bad.rss", b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title><<<</chan')
    feeds.serve("/good.rss", rss("Good", news(2)))
    for path in ("/endless.rss", "/loop.rss", "/html.rss", "/bad.rss", "/missing.rss", "/good.rss"):
        watch.add(conn, feeds.url(path), "1h", kind="feed", clock=clock)
    t = time.perf_counter()
    report = run(conn, clock, limits=Limits(max_bytes=1024 * 1024, timeout=5))
    assert time.perf_counter() - t < 30
    by = {p.url.rsplit("/", 1)[1]: p for p in report.polls}
    assert by["good.rss"].outcome == "ok" and by["good.rss"].new_items == 2
    assert "too large" in by["endless.rss"].error
    assert "too many redirects" in by["loop.rss"].error
    assert "expected an RSS or Atom feed" in by["html.rss"].error
    assert "malformed feed XML" in by["bad.rss"].error
    assert by["missing.rss"].error.startswith("HTTP 404")
    assert {p.outcome for u, p in by.items() if u != "good.rss"} == {"failed"}
    health = {h["url"].rsplit("/", 1)[1]: h for h in watch.health(conn, clock=clock)}
    assert health["loop.rss"]["last_error"] == by["loop.rss"].error and health["good.rss"]["last_success"] == T0


def test_bounded_concurrency(feeds, conn, clock):
    feeds.delay = 0.15
    for i in range(12):
        watch.add(conn, feeds.serve(f"/c{i}.rss", rss(f"C{i}", news(1, prefix=f"c{i}"))), "1h", clock=clock)
    report = run(conn, clock, concurrency=3)
    assert len(report.polls) == 12 and {p.outcome for p in report.polls} == {"ok"}
    assert 2 <= feeds.max_in_flight <= 3


def test_health_items_per_day_and_median_delay(feeds, conn, clock):
    items = [{"id": f"d{i}", "title": f"Delayed item {i} on reception policy", "published": T0 - 600 * (i + 1),
              "body": "Officers from several member cities met to compare their reception policies and agreed "
                      f"to meet again, number {i}."} for i in range(3)]
    watch.add(conn, feeds.serve("/d.rss", rss("D", items)), "1h", clock=clock)
    run(conn, clock)
    h = watch.health(conn, clock=clock)[0]
    assert h["items"] == 3 and h["median_delay_s"] == 1200.0 and h["items_per_day"] == 3.0
    assert h["last_success"] == T0 and h["consecutive_failures"] == 0


def test_opml_round_trip(conn, clock):
    opml = (b'<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>'
            b'<outline text="A" xmlUrl="https://a.example.org/feed.xml"/>'
            b'<outline text="B" xmlUrl="file:///etc/passwd"/></body></opml>')
    out = watch.import_opml(conn, opml, "list.opml", "2h", clock=clock)
    assert out[0]["watch"]["interval_s"] == 7200 and "http(s) URL" in out[1]["error"]
    exported = watch.export_opml(conn)
    from migrahub.sources.feeds import parse_opml

    assert parse_opml(exported.encode(), "x.opml") == ("https://a.example.org/feed.xml",)


def test_pause_remove_and_bad_input(conn, clock):
    import pytest

    from migrahub.store.monitor import MonitorError

    w = watch.add(conn, "https://a.example.org/feed.xml", "30m", clock=clock)
    assert watch.pause(conn, w["id"], clock=clock)["paused"] == 1
    assert mstore.due_watches(conn, clock() + 10**6, 10) == []
    assert watch.pause(conn, str(w["id"]), False, clock=clock)["paused"] == 0
    with pytest.raises(MonitorError, match="interval '5 parsecs'"):
        watch.add(conn, "https://b.example.org/", "5 parsecs", clock=clock)
    with pytest.raises(MonitorError, match="http\\(s\\) URL"):
        watch.add(conn, "/etc/hosts", clock=clock)
    watch.remove(conn, "https://a.example.org/feed.xml")
    with pytest.raises(MonitorError, match="no watched source"):
        watch.remove(conn, w["id"])


def test_run_forever_survives_a_busy_hub(conn, clock, monkeypatch):
    import sqlite3

    import pytest

    calls, reports = [], []

    def busy(*args, **kwargs):
        calls.append(1)
        raise sqlite3.OperationalError("database is locked")

    def stop(seconds):
        if len(calls) >= 2:
            raise KeyboardInterrupt
    monkeypatch.setattr(watch, "run_once", busy)
    with pytest.raises(KeyboardInterrupt):
        watch.run_forever(conn, clock=clock, sleep=stop, on_report=reports.append)
    assert len(calls) == 2 and reports[0].error == "hub busy: database is locked"
