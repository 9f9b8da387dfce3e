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
_CHARREF = re.compile(r"&#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));")
_REPLACEMENT_REF = "&#xFFFD;"


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


def _xml_char(code: int) -> bool:
    """Whether XML 1.0 allows the character ``code`` (a tab, a line break or a printable plane character)."""
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def _fix_charref(match: re.Match) -> str:
    hex_digits, digits = match.groups()
    digits = (hex_digits or digits).lstrip("0")
    if len(digits) > 8:  # beyond any character (and beyond what int() should be asked to read)
        return _REPLACEMENT_REF
    code = int(digits or "0", 16 if hex_digits else 10)
    if _xml_char(code):
        return match.group(0)
    return "" if code < 0x20 else _REPLACEMENT_REF


def valid_charrefs(text: str) -> str:
    """``text`` with numeric character references to no character XML allows dropped (control characters) or
    replaced by one to U+FFFD (beyond Unicode, surrogates): the lenient parser that reads feeds that are not
    well-formed cannot cope with them, and the strict one refuses the whole feed for one of them."""
    return _CHARREF.sub(_fix_charref, text) if "&#" in text else text


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
    if not text.replace("\ufeff", "").strip():
        raise SourceError("empty feed: no text after the byte-order mark")
    text = valid_charrefs(text)
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
        link = _resolve(entry.get("link") or None, feed_link)
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


def _scheme(link: str) -> str | None:
    """The scheme of ``link`` ('' for a relative one), or ``None`` when it is no URL (an unclosed IPv6 bracket)."""
    try:
        return urlsplit(link.strip()).scheme.lower()
    except ValueError:
        return None


def _resolve(link: str | None, base: str | None) -> str | None:
    """``link`` made absolute against ``base`` (when it is relative and a base is known); ``None`` (the link dropped)
    when it, or what it resolves to, is no URL."""
    if not link or (scheme := _scheme(link)) is None:
        return None
    if scheme or not base:
        return link
    try:
        return urljoin(base, link)
    except ValueError:
        return None


def _web_link(link: str | None) -> str | None:
    """An item's link as the document's URL, which the hub shows as a link: http(s) only (never ``javascript:``,
    ``data:`` or ``file:``)."""
    return link if link and _scheme(link) in ("http", "https") else None


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
        scheme = _scheme(ref)
        if scheme is None:  # no URL (an unclosed IPv6 bracket): the entry is dropped
            continue
        if is_url:
            try:
                ref = urljoin(locator, ref)
            except ValueError:
                continue
        elif len(scheme) <= 1:  # a path (a one-letter "scheme" is a Windows drive letter)
            ref = os.path.normpath(os.path.join(os.path.dirname(locator), ref))
        if ref not in children:
            children.append(ref)
    return tuple(children)


__all__ = ["parse_feed", "parse_opml", "sniff_xml"]
