"""Stage ``atom/1``: Atom 1.0 (RFC 4287) documents written from frozen entries — the hub's outbound feeds.

Every feed and entry carries the elements the RFC requires (``id``, ``title``, ``updated``; an ``author`` on the
feed), a ``self`` link and an ``alternate`` link to the hub's page; text is escaped by the XML writer and characters
XML cannot hold are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

STAGE = "atom/1"
NS = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Entry:
    id: str  # an IRI (the hub's URL of the document, or a tag: URI)
    title: str
    updated: float  # epoch seconds
    link: str
    summary: str | None = None
    published: float | None = None
    language: str | None = None
    categories: tuple[str, ...] = ()


def stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clean(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{NS}}}{tag}", {k: _clean(v) for k, v in attrs.items()})
    if text is not None:
        el.text = _clean(text)
    return el


def feed(*, feed_id: str, title: str, self_url: str, alternate_url: str, entries: Sequence[Entry],
         subtitle: str | None = None, updated: float | None = None, author: str = "MigraHub") -> bytes:
    """The Atom document (UTF-8 bytes with an XML declaration)."""
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}feed")
    _sub(root, "id", feed_id)
    _sub(root, "title", title or "MigraHub")
    if subtitle:
        _sub(root, "subtitle", subtitle)
    newest = max((e.updated for e in entries), default=updated or 0.0)
    _sub(root, "updated", stamp(updated if updated is not None and not entries else newest))
    _sub(_sub(root, "author"), "name", author)
    _sub(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(root, "link", rel="alternate", type="text/html", href=alternate_url)
    _sub(root, "generator", "MigraHub")
    for e in entries:
        entry = _sub(root, "entry")
        _sub(entry, "id", e.id)
        _sub(entry, "title", e.title or "(untitled)")
        _sub(entry, "updated", stamp(e.updated))
        if e.published is not None:
            _sub(entry, "published", stamp(e.published))
        _sub(entry, "link", rel="alternate", type="text/html", href=e.link)
        if e.summary:
            summary = _sub(entry, "summary", e.summary)
            summary.set("type", "text")
        for term in e.categories:
            _sub(entry, "category", term=term)
        if e.language:
            entry.set("{http://www.w3.org/XML/1998/namespace}lang", e.language)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
