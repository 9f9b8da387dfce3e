"""Watched feeds and pages: subscriptions, OPML import and export, the scheduler and source health.

The scheduler (:func:`poll_due`) takes every watch that is due on its clock (injectable: tests run it on a simulated
clock), fetches them in a pool of ``concurrency`` threads under the hub's egress policy (conditional GET with the
stored ETag and Last-Modified; a 429/503 with ``Retry-After`` is not waited for but scheduled), and stores what each
brought in this thread, one source after another, exactly as ingest stores it. One source's failure is recorded with
its reason and never stops the others. :func:`run_once` also clusters the new documents into stories and matches
the saved searches.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.sax.saxutils import quoteattr

from migrahub.monitor.schedule import Poll, WatchState, decide, max_age, parse_interval
from migrahub.services.ingest import store_result
from migrahub.sources import FetchState, Limits, SourceResult
from migrahub.sources.collect import collect_response, is_url
from migrahub.sources.errors import SourceError
from migrahub.sources.feeds import parse_opml
from migrahub.store import monitor as store
from migrahub.store.monitor import MonitorError

Clock = Callable[[], float]
WATCH_LIMITS = Limits(max_bytes=10 * 1024 * 1024, timeout=20.0)
DEFAULT_INTERVAL = "1h"
DEFAULT_CONCURRENCY = 8
KINDS = ("auto", "feed", "page")


@dataclass(frozen=True)
class Fetched:
    """What fetching one watch gave (no store access: computed in a worker thread)."""

    watch: dict
    result: SourceResult | None
    http_status: int | None = None
    retry_after: float | None = None
    max_age: float | None = None
    error: str | None = None
    seconds: float = 0.0


@dataclass
class PollReport:
    watch_id: int
    url: str
    outcome: str
    http_status: int | None
    new_items: int
    error: str | None
    next_due: float
    status: str

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class RunReport:
    polls: list[PollReport] = field(default_factory=list)
    documents: list[int] = field(default_factory=list)
    seconds: float = 0.0
    stories: int = 0
    alerts: int = 0
    mailed: int = 0
    error: str | None = None

    def as_dict(self) -> dict:
        outcomes: dict[str, int] = {}
        for p in self.polls:
            outcomes[p.outcome] = outcomes.get(p.outcome, 0) + 1
        return {"polled": len(self.polls), "outcomes": outcomes, "new_documents": len(self.documents),
                "stories": self.stories, "alert_hits": self.alerts, "mailed": self.mailed,
                "seconds": round(self.seconds, 3), "error": self.error, "polls": [p.as_dict() for p in self.polls]}


# -- subscriptions ------------------------------------------------------------------------------------------------

def check_url(url: str) -> str:
    url = (url or "").strip()
    if not is_url(url):
        raise MonitorError(f"{url[:200]!r}: a watched source must be an http(s) URL")
    return url


def add(conn: sqlite3.Connection, url: str, every: str | int = DEFAULT_INTERVAL, *, kind: str = "auto",
        actor: str | None = None, clock: Clock = time.time) -> dict:
    """Watch ``url`` (a feed or a page) every ``every`` (``"1h"``, ``"30m"``, seconds); first poll: now."""
    if kind not in KINDS:
        raise MonitorError(f"kind {kind!r}: expected one of {', '.join(KINDS)}")
    try:
        seconds = every if isinstance(every, int) else parse_interval(every)
    except ValueError as exc:
        raise MonitorError(str(exc)) from None
    return store.add_watch(conn, check_url(url), kind, seconds, clock(), actor)


def remove(conn: sqlite3.Connection, ref: str | int) -> dict:
    watch = store.get_watch(conn, ref)
    store.remove_watch(conn, watch["id"])
    return watch


def pause(conn: sqlite3.Connection, ref: str | int, paused: bool = True, *, clock: Clock = time.time) -> dict:
    watch = store.get_watch(conn, ref)
    store.set_paused(conn, watch["id"], paused, clock())
    return store.get_watch(conn, watch["id"])


def watches(conn: sqlite3.Connection) -> list[dict]:
    return store.list_watches(conn)


def health(conn: sqlite3.Connection, *, clock: Clock = time.time) -> list[dict]:
    return store.health(conn, clock())


def import_opml(conn: sqlite3.Connection, data: bytes, name: str, every: str = DEFAULT_INTERVAL, *,
                actor: str | None = None, clock: Clock = time.time) -> list[dict]:
    """Watch every http(s) feed an OPML list names (other entries are refused with the reason)."""
    try:
        refs = parse_opml(data, name)
    except SourceError as exc:
        raise MonitorError(f"{name}: {exc.reason}") from None
    out = []
    for ref in refs:
        try:
            out.append({"url": ref, "watch": add(conn, ref, every, kind="feed", actor=actor, clock=clock)})
        except MonitorError as exc:
            out.append({"url": ref, "error": str(exc)})
    return out


def export_opml(conn: sqlite3.Connection, title: str = "MigraHub watched sources") -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">',
             f"  <head><title>{_esc(title)}</title></head>", "  <body>"]
    for w in store.list_watches(conn):
        text = quoteattr(w["title"] or w["url"])
        kind = "rss" if w["kind"] != "page" else "link"
        attr = "xmlUrl" if kind == "rss" else "url"
        lines.append(f"    <outline type=\"{kind}\" text={text} title={text} {attr}={quoteattr(w['url'])} "
                     f"migrahubEvery=\"{w['interval_s']}\"/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- the scheduler ------------------------------------------------------------------------------------------------

def fetch_watch(watch: dict, limits: Limits = WATCH_LIMITS) -> Fetched:
    """Fetch and read one watched source; never raises (what went wrong is the ``error``)."""
    from migrahub.sources.fetch import HTTPStatusError, RetryLater, fetch

    t0 = time.perf_counter()

    def failed(error: str, status: int | None = None, retry: float | None = None) -> Fetched:
        return Fetched(watch, None, status, retry, None, error, time.perf_counter() - t0)

    state = FetchState(watch.get("etag"), watch.get("last_modified"))
    try:
        response = fetch(watch["url"], limits, state, wait_retry=False)
        if watch["kind"] == "feed" and response.status == 200 and _html_not_feed(response):
            return failed("expected an RSS or Atom feed, but the server answered 200 with an HTML page "
                          f"({response.content_type or 'no content type'})", response.status)
        result = collect_response(watch["url"], response, limits)
    except RetryLater as exc:
        return failed(exc.reason, exc.status, exc.seconds)
    except HTTPStatusError as exc:
        return failed(exc.reason, exc.status)
    except SourceError as exc:
        return failed(exc.reason)
    except Exception as exc:  # noqa: BLE001 - one source's bug never stops the scheduler
        return failed(f"unexpected error while reading: {type(exc).__name__}: {str(exc)[:200]}")
    seconds = time.perf_counter() - t0
    age = max_age(response.headers.get("cache-control"))
    if result.status == "failed":
        return Fetched(watch, result, response.status, None, age, result.error, seconds)
    error = _kind_error(watch["kind"], result)
    return Fetched(watch, result, response.status, None, age, error, seconds)


def _html_not_feed(response) -> bool:
    from migrahub.sources.feeds import sniff_xml

    if sniff_xml(response.body) is not None:
        return False
    head = response.body[:2048].lstrip().lower()
    return response.content_type in ("text/html", "application/xhtml+xml") or head.startswith((b"<!doctype html",
                                                                                               b"<html"))


def _kind_error(kind: str, result: SourceResult) -> str | None:
    if result.kind == "opml":
        return "an OPML list, not a feed or a page: import it with `migrahub watch import`"
    if result.status == "not-modified":
        return None
    if kind == "feed" and result.kind != "feed":
        return "expected an RSS or Atom feed, but the answer is a web page or document (watch it as a page?)"
    return None


def poll_due(conn: sqlite3.Connection, *, clock: Clock = time.time, concurrency: int = DEFAULT_CONCURRENCY,
             limits: Limits = WATCH_LIMITS, extract_entities: bool = True, max_polls: int = 10_000,
             fetcher: Callable[[dict, Limits], Fetched] = fetch_watch) -> RunReport:
    """Poll every watch due at ``clock()``: fetch at most ``concurrency`` at a time, store each as it comes."""
    t0 = time.perf_counter()
    report = RunReport()
    due = store.due_watches(conn, clock(), max_polls)
    if not due:
        return report
    with ThreadPoolExecutor(max(1, min(concurrency, len(due))), thread_name_prefix="monitor-poll") as pool:
        futures = [pool.submit(fetcher, w, limits) for w in due]
        for future in as_completed(futures):
            poll, documents = _store(conn, future.result(), clock(), extract_entities)
            report.polls.append(poll)
            report.documents.extend(documents)
    report.seconds = time.perf_counter() - t0
    return report


def _store(conn: sqlite3.Connection, fetched: Fetched, now: float, extract_entities: bool
           ) -> tuple[PollReport, list[int]]:
    watch, result = fetched.watch, fetched.result
    documents: list[int] = []
    if fetched.error is None and result is not None and result.status == "ok":
        summary = store_result(conn, result, extract_entities=extract_entities)
        documents = summary.documents
        published = store.document_times(conn, documents) if documents else {}
        store.record_arrivals(conn, watch["id"], [(d, now, _epoch(published.get(d))) for d in documents])
        outcome = "ok"
    elif fetched.error is None and result is not None:
        outcome = "not-modified"
    else:
        outcome = "failed"
    state = WatchState(watch["interval_s"], watch["current_s"], watch["consecutive_failures"], watch["status"])
    decision = decide(state, Poll(outcome, len(documents), fetched.retry_after, fetched.max_age), now)
    changes = {"next_due": decision.next_due, "current_s": decision.current_s,
               "consecutive_failures": decision.consecutive_failures, "status": decision.status}
    if result is not None and outcome != "failed":
        changes.update(etag=result.etag, last_modified=result.last_modified)
        if watch["kind"] == "auto" and result.kind in ("feed", "page"):
            changes["kind"] = result.kind
        title = _title(result)
        if title:
            changes["title"] = title
    store.record_poll(conn, watch["id"], now, outcome, http_status=fetched.http_status, new_items=len(documents),
                      seconds=round(fetched.seconds, 4), error=fetched.error, state=changes)
    return PollReport(watch["id"], watch["url"], outcome, fetched.http_status, len(documents), fetched.error,
                      decision.next_due, decision.status), documents


def _title(result: SourceResult) -> str | None:
    if result.kind == "page" and result.items:
        return getattr(result.items[0], "title", None)
    return None


def _epoch(iso: str | None) -> float | None:
    if not iso:
        return None
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def run_once(conn: sqlite3.Connection, *, clock: Clock = time.time, concurrency: int = DEFAULT_CONCURRENCY,
             limits: Limits = WATCH_LIMITS, extract_entities: bool = True, stories: bool = True,
             alerts: bool = True, send: Callable | None = None) -> RunReport:
    """One pass of the scheduler: poll what is due, cluster what arrived into stories, match the saved searches
    and send the e-mails that are due — immediate ones and the daily and weekly digests (``send``: the mail
    function; default Django's mail with the hub's SMTP settings)."""
    report = poll_due(conn, clock=clock, concurrency=concurrency, limits=limits, extract_entities=extract_entities)
    if report.documents and stories:
        from migrahub.services.monitor import stories as story_service

        report.stories = len(story_service.assign_new(conn, report.documents, clock=clock))
    if alerts:
        from migrahub.services.monitor import alerts as alert_service

        if report.documents:
            report.alerts = alert_service.match_new(conn, report.documents, clock=clock)
        report.mailed = alert_service.send_due(conn, clock=clock, send=send)
    return report


def run_forever(conn: sqlite3.Connection, *, clock: Clock = time.time, sleep: Callable[[float], None] = time.sleep,
                max_wait: float = 60.0, on_report: Callable[[RunReport], None] | None = None, **options) -> None:
    """The scheduler's loop (``migrahub watch run``): a pass, then sleep until the next watch is due (at most
    ``max_wait`` seconds, so new watches and digests are picked up)."""
    while True:
        try:
            report = run_once(conn, clock=clock, **options)
        except sqlite3.OperationalError as exc:  # the hub busy beyond the timeout: the next pass tries again
            report = RunReport(error=f"hub busy: {exc}")
        if on_report is not None:
            on_report(report)
        upcoming = store.next_due(conn)
        wait = max_wait if upcoming is None else min(max_wait, max(1.0, upcoming - clock()))
        sleep(wait)
