"""Builders for the feeds, pages and news items the monitor tests write themselves, and the simulated clock's start.
(Imported by name from the tests: a module called ``conftest`` would clash with other folders' conftest.)"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

T0 = 1_780_000_000.0  # the simulated clock's start (2026-05-28)


def rss(title: str, items: list[dict], link: str = "https://news.example.org/") -> bytes:
    """An RSS 2.0 feed: each item has ``id``, ``title``, ``body`` and optional ``published`` (epoch) and ``link``."""
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>{escape(title)}</title>'
             f"<link>{escape(link)}</link><description>test feed</description>"]
    for item in items:
        when = format_datetime(datetime.fromtimestamp(item.get("published", T0 - 3600), UTC), usegmt=True)
        parts.append(f"<item><guid isPermaLink=\"false\">{escape(item['id'])}</guid><title>{escape(item['title'])}"
                     f"</title><link>{escape(item.get('link') or link + item['id'])}</link>"
                     f"<pubDate>{when}</pubDate><description>{escape(item['body'])}</description></item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def page(title: str, main: str, nav: str = "Home · About · Contact") -> bytes:
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(title)}</title></head>"
            f"<body><nav>{escape(nav)}</nav><main><article><h1>{escape(title)}</h1>"
            + "".join(f"<p>{escape(p)}</p>" for p in main.split("\n\n"))
            + f"</article></main><footer>{escape(nav)} © City office</footer></body></html>").encode("utf-8")


def news(n: int, prefix: str = "item") -> list[dict]:
    """``n`` distinct news items written for these tests."""
    topics = ["a workshop on reception of newcomers", "a dialogue between mayors on labour inclusion",
              "a city-to-city project on language courses", "a declaration on local integration strategies",
              "a training for social workers on trauma", "a study visit on community sponsorship"]
    return [{"id": f"{prefix}-{i}", "title": f"{prefix.title()} {i}: {topics[i % len(topics)]}",
             "body": f"The city network held {topics[i % len(topics)]} with officers from {i + 3} member cities. "
                     f"Participants compared practices, funding and partnerships in session number {i} and agreed "
                     f"on follow-up meetings with civil society organisations and regional governments.",
             "published": T0 - 3600 * (i + 1)} for i in range(n)]
