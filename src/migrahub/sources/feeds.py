"""RSS 0.9x / 1.0 (RDF) / 2.0 and Atom feeds through feedparser, after the bytes pass the XML guard; OPML lists."""

from __future__ import annotations

import hashlib
import io
import os
import re
import time
from urllib.parse import urljoin, urlsplit

from migrahub.model import Block, Extracted
from migrahub.sources.decode import decode
from migrahub.sources.errors import SourceError
from migrahub.sources.html import fragment_blocks, html_to_text
from migrahub.sources.text import text_blocks
from migrahub.sources.xmlguard import guard, utf8_xml

_ROOT = re.compile(r"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


def sniff_xml(data: bytes) -> str | None:
    """``"feed"``, ``"opml"`` or ``None`` from the root element name of (possibly XML) bytes."""
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head_text = head.decode("utf-16", "ignore")
    else:
        head_text = head.decode("latin-1")
    text = head_text.lstrip("\ufeff\xef\xbb\xbf \t\r\n")
    # skip the declaration, comments, processing instructions and the DOCTYPE
    pos = 0
    while True:
        m = _ROOT.search(text, pos)
        if not m:
            return None
        before = text[max(0, m.start() - 1): m.start()]
        if before == "!" or before == "?":
            pos = m.end()
            continue
        name = m.group(2).lower()
        if name in ("rss", "feed", "rdf", "channel"):
            return "feed"
        if name == "opml":
            return "opml"
        return None


def _text(value: str | None, detail: dict | None = None) -> str | None:
    """A feed text construct as plain text: HTML is converted, plain text only has its white space folded."""
    if not value:
        return None
    if detail and detail.get("type") == "text/plain":
        out = " ".join(value.split())
    else:
        out = html_to_text(value)
    return out or None


def _iso(struct) -> str | None:
    if not struct:
        return None
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", struct)
    except (TypeError, ValueError):
        return None


def _body(entry) -> tuple[Block, ...]:
    candidates = []
    for content in entry.get("content") or ():
        candidates.append((content.get("value") or "", content.get("type") or "text/html"))
    detail = entry.get("summary_detail") or {}
    if entry.get("summary"):
        candidates.append((entry.get("summary"), detail.get("type") or "text/html"))
    if not candidates:
        return ()
    value, kind = max(candidates, key=lambda c: len(c[0]))
    if kind == "text/plain":
        return text_blocks(value)
    return fragment_blocks(value)


def parse_feed(data: bytes, locator: str, *, declared: str | None = None, base_url: str | None = None
               ) -> tuple[Extracted, ...]:
    """All items of an RSS or Atom feed. Raises :class:`SourceError` when the feed is refused or unreadable."""
    import feedparser

    text = decode(data, declared, what="feed")
    guard(text, "feed")
    headers = {"content-type": "application/xml; charset=utf-8"}
    if base_url:
        headers["content-location"] = base_url
    # a stream, never bytes or a string: feedparser opens a string (even bytes) as a file name or URL when it can
    parsed = feedparser.parse(io.BytesIO(utf8_xml(text)), response_headers=headers, sanitize_html=True,
                              resolve_relative_uris=True)
    if parsed.bozo and not parsed.entries:
        exc = parsed.get("bozo_exception")
        raise SourceError(f"malformed feed XML: {str(exc)[:160] if exc else 'not well-formed'}")
    if not parsed.entries and not parsed.version:
        raise SourceError("not an RSS or Atom feed: no channel, feed or items found")
    feed = parsed.feed
    feed_link = feed.get("link") or base_url
    feed_lang = (feed.get("language") or "").strip() or None
    if not feed_lang:
        detail = feed.get("title_detail") or {}
        feed_lang = (detail.get("language") or "").strip() or None
    content_type = "application/atom+xml" if (parsed.version or "").startswith("atom") else "application/rss+xml"
    items: list[Extracted] = []
    seen: set[str] = set()
    for entry in parsed.entries:
        title = _text(entry.get("title"), entry.get("title_detail"))
        link = entry.get("link") or None
        if link and feed_link and not urlsplit(link).scheme:
            link = urljoin(feed_link, link)
        key = (entry.get("id") or "").strip() or link
        if not key:
            basis = (title or "") + "\n" + (entry.get("summary") or "")
            key = "sha1:" + hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]
        item_locator = f"{locator}#{key}"
        if item_locator in seen:
            continue
        seen.add(item_locator)
        body = _body(entry)
        blocks = ((Block("heading", title, 1),) if title else ()) + body
        lang = None
        for field in ("content", "summary_detail", "title_detail"):
            detail = entry.get(field)
            if isinstance(detail, list):
                detail = detail[0] if detail else None
            if detail and (detail.get("language") or "").strip():
                lang = detail["language"].strip()
                break
        author = entry.get("author") or None
        summary = _text(entry.get("summary"), entry.get("summary_detail"))
        items.append(Extracted(
            locator=item_locator,
            source=locator,
            source_kind="feed",
            content_type=content_type,
            blocks=blocks,
            title=title,
            # dict.get: feedparser's own get() maps a missing published_parsed to updated_parsed with a warning
            published=_iso(dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")),
            author=_text(author),
            url=_web_link(link),
            summary=summary if summary and len(summary) <= 2000 else (summary[:1997] + "..." if summary else None),
            language_hint=lang or feed_lang,
        ))
    return tuple(items)


def _web_link(link: str | None) -> str | None:
    """An item's link as the document's URL, which the hub shows as a link: http(s) only (never ``javascript:``,
    ``data:`` or ``file:``)."""
    return link if link and urlsplit(link.strip()).scheme.lower() in ("http", "https") else None


def parse_opml(data: bytes, locator: str, *, declared: str | None = None) -> tuple[str, ...]:
    """The entries an OPML list names (``xmlUrl``, or ``url`` of an include), in order, without duplicates.

    Entries are resolved against the list's own place without touching the disk: against its URL for a list from the
    web (so they stay URLs), against its folder for a local list (a relative path stays a path). What an entry may
    become — a URL to fetch, a local file, a refusal — is decided by
    :func:`migrahub.sources.collect.child_unit`, not here.
    """
    text = decode(data, declared, what="OPML list")
    root = guard(text, "OPML list")
    if root is None:
        raise SourceError("malformed OPML: the XML is not well-formed")
    if root.tag.lower() != "opml":
        raise SourceError(f"not an OPML list: root element is <{root.tag}>")
    children: list[str] = []
    is_url = locator.startswith(("http://", "https://"))
    for outline in root.iter("outline"):
        ref = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not ref and (outline.get("type") or "").lower() == "include":
            ref = (outline.get("url") or "").strip()
        if not ref:
            continue
        if is_url:
            ref = urljoin(locator, ref)
        elif len(urlsplit(ref).scheme) <= 1:  # a path (a one-letter "scheme" is a Windows drive letter)
            ref = os.path.normpath(os.path.join(os.path.dirname(locator), ref))
        if ref not in children:
            children.append(ref)
    return tuple(children)


__all__ = ["parse_feed", "parse_opml", "sniff_xml"]
