"""HTML to text blocks: main-text extraction for whole pages, plain conversion for fragments (feed content).

Two extractors share one output (headings with levels h1-h6, paragraphs, list items; never markup):

- ``fast`` (default): :mod:`migrahub.sources.page` — the page's content container found by its markers, boilerplate
  pruned by name, link density and visibility, a second reading by text density, and fallbacks to the article text
  the page declares (JSON-LD) and to all of its paragraphs. On real pages at least as good as trafilatura and more
  than twice as fast (``eval/score_pages.py``, ``bench/page_bench.py``).
- ``trafilatura``: trafilatura's XML output; falls back to ``fast`` when it finds nothing.

Choose with the ``extractor`` argument or the ``MIGRAHUB_HTML_EXTRACTOR`` environment variable. Publication dates
come from the page's metadata (:mod:`migrahub.sources.page.dates`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

from lxml import etree

from migrahub import config
from migrahub.model import Block
from migrahub.sources.page.dates import iso_date, meta_tags, page_published

__all__ = ["PageParts", "fragment_blocks", "html_to_text", "iso_date", "page_parts", "parse_document",
           "trafilatura_blocks"]

_DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "canvas", "video",
    "audio", "map", "head", "title", "meta", "link", "base", "nav", "aside", "footer", "button", "input", "select",
    "option", "textarea", "label", "dialog", "menu", "img", "picture", "source", "frame", "frameset", "applet",
})
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "blockquote", "pre", "address", "figure", "figcaption", "dl", "dt",
    "dd", "ul", "ol", "table", "thead", "tbody", "tfoot", "caption", "form", "fieldset", "center", "details",
    "summary", "hr", "body", "html", "header", "hgroup",
})
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_CONTROL = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])  # never inside a UTF-8 sequence: dropped as bytes
_SPACE = re.compile(r"\s+")
_MAX_DEPTH = 180


@dataclass(frozen=True)
class PageParts:
    """What an HTML page yields: its text blocks and the metadata it declares."""

    blocks: tuple[Block, ...]
    title: str | None = None
    published: str | None = None
    author: str | None = None
    language: str | None = None


def default_extractor() -> str:
    return config.get("MIGRAHUB_HTML_EXTRACTOR")


_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True, encoding="utf-8")


def parse_document(html: str):
    """Parse a whole page with lxml (plain etree elements: faster than lxml.html's); ``None`` when empty. Control
    characters (invalid in HTML, and refused by lxml where text is moved) are dropped."""
    html = _XML_DECL.sub("", html, count=1)
    if not html.strip():
        return None
    try:  # from UTF-8 bytes: faster than from a str, and the page's own charset declaration cannot mislead
        root = etree.fromstring(html.encode("utf-8", "replace").translate(None, _CONTROL), _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return root


def _all_text(el) -> str:
    return "".join(el.itertext())


def page_parts(html: str, extractor: str | None = None, url: str | None = None) -> PageParts:
    """Main text and metadata of a whole HTML page; ``url``, where the page was found, may date it."""
    root = parse_document(html)
    if root is None:
        return PageParts(())
    meta = _metadata(root, html, url)
    blocks: tuple[Block, ...] = ()
    if (extractor or default_extractor()) == "trafilatura":
        blocks = trafilatura_blocks(html)
    if not blocks:
        from migrahub.sources.page import extract_blocks

        blocks = extract_blocks(root)
    return PageParts(blocks, *meta)


def fragment_blocks(html: str) -> tuple[Block, ...]:
    """An HTML fragment (feed item content, raw HTML in Markdown) to blocks; no boilerplate removal beyond
    scripts, styles and other non-text elements."""
    if not html or not html.strip():
        return ()
    if "<" not in html:
        return tuple(Block("paragraph", t) for t in _paragraphs(unescape(html)))
    root = parse_document("<html><body>" + html + "</body></html>")
    body = root.find("body") if root is not None else None
    if body is None:
        return ()
    return _Walker().run(body)


def html_to_text(html: str) -> str:
    """An HTML snippet (a title, a summary) as one line of plain text."""
    if not html:
        return ""
    if "<" in html or "&" in html:
        html = " ".join(b.text for b in fragment_blocks(html))
    return _SPACE.sub(" ", html).strip()


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


class _Walker:
    """Depth-first walk of a fragment that keeps an inline buffer and emits a block at every block boundary."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.kind = "paragraph"
        self.level = 0

    def run(self, root) -> tuple[Block, ...]:
        self._walk(root, 0)
        self._flush()
        return tuple(self.blocks)

    def _flush(self) -> None:
        if not self.buf:
            return
        text = "".join(self.buf)
        self.buf = []
        if text.isspace():
            return
        text = _SPACE.sub(" ", text).strip()
        self.blocks.append(Block(self.kind, text, self.level if self.kind == "heading" else 0))

    def _walk(self, el, depth: int) -> None:
        tag = el.tag
        if not isinstance(tag, str):  # comment, processing instruction, entity
            return
        tag = tag.lower()
        if tag in _DROP_TAGS:
            return
        if depth > _MAX_DEPTH:
            self.buf.append(_all_text(el))
            return
        heading = _HEADINGS.get(tag)
        if heading or tag == "li" or tag == "dd":
            self._flush()
            saved = (self.kind, self.level)
            self.kind, self.level = ("heading", heading) if heading else ("list_item", 0)
            self._children(el, depth)
            self._flush()
            self.kind, self.level = saved
        elif tag == "tr":
            self._flush()
            cells = []
            for cell in el:
                if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th"):
                    sub = _Walker()
                    sub._walk(cell, depth + 1)
                    sub._flush()
                    cells.append(" ".join(b.text for b in sub.blocks))
            row = " | ".join(c for c in cells if c)
            if row:
                self.blocks.append(Block("paragraph", row))
        elif tag in _BLOCK_TAGS:
            self._flush()
            self._children(el, depth)
            self._flush()
        elif tag == "br":
            self.buf.append("\n")
        else:  # inline
            self._children(el, depth)
            if tag in ("td", "th"):
                self.buf.append(" ")

    def _children(self, el, depth: int) -> None:
        if el.text:
            self.buf.append(el.text)
        for child in el:
            self._walk(child, depth + 1)
            if child.tail:
                self.buf.append(child.tail)


# -- metadata ---------------------------------------------------------------------------------------------------

_AUTHOR_META = ("author", "article:author", "dc.creator", "dcterms.creator", "citation_author", "parsely-author",
                "sailthru.author")


def _metadata(root, html: str, url: str | None) -> tuple[str | None, str | None, str | None, str | None]:
    metas = meta_tags(root)
    title = metas.get("og:title") or metas.get("twitter:title") or metas.get("dc.title")
    if not title:
        t = root.find(".//title")
        title = _all_text(t) if t is not None else None
    if not title:
        h1 = root.find(".//h1")
        title = _all_text(h1) if h1 is not None else None
    title = _SPACE.sub(" ", title).strip() if title else None

    published = page_published(root, html, url, metas=metas)

    author = None
    for key in _AUTHOR_META:
        value = metas.get(key)
        if value and not value.startswith(("http://", "https://")):
            author = value
            break
    if not author:
        for el in root.xpath("//*[@rel='author'] | //*[@itemprop='author']"):
            value = _SPACE.sub(" ", _all_text(el)).strip()
            if value and len(value) < 120:
                author = value
                break

    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or metas.get(
        "content-language") or metas.get("og:locale") or metas.get("dc.language")
    lang = lang.strip().replace("_", "-") if lang and lang.strip() else None
    return title or None, published, author, lang


# -- trafilatura ------------------------------------------------------------------------------------------------

def trafilatura_blocks(html: str) -> tuple[Block, ...]:
    """Main text through trafilatura's XML output; empty when trafilatura finds nothing or fails."""
    try:
        import trafilatura

        xml = trafilatura.extract(html, output_format="xml", include_formatting=True, include_tables=True,
                                  include_comments=False, include_links=False, include_images=False,
                                  with_metadata=False)
    except Exception:  # noqa: BLE001 - a third-party extractor failing must not lose the page: fall back
        return ()
    if not xml:
        return ()
    try:
        doc = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return ()
    blocks: list[Block] = []
    _traf_walk(doc, blocks)
    return tuple(blocks)


def _own_text(el, skip: tuple[str, ...]) -> str:
    parts = [el.text or ""]
    for child in el:
        if child.tag not in skip:
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return _SPACE.sub(" ", "".join(parts)).strip()


def _traf_walk(el, blocks: list[Block]) -> None:
    for child in el:
        tag = child.tag
        if tag == "head":
            rend = child.get("rend") or "h2"
            level = int(rend[1]) if len(rend) == 2 and rend[0] == "h" and rend[1].isdigit() else 2
            text = _own_text(child, ())
            if text:
                blocks.append(Block("heading", text, level))
        elif tag in ("p", "quote", "code"):
            text = _own_text(child, ())
            if text:
                blocks.append(Block("paragraph", text))
        elif tag == "item":
            text = _own_text(child, ("list",))
            if text:
                blocks.append(Block("list_item", text))
            _traf_walk(child, blocks)
        elif tag == "row":
            cells = [_own_text(c, ()) for c in child if c.tag == "cell"]
            row = " | ".join(c for c in cells if c)
            if row:
                blocks.append(Block("paragraph", row))
        elif tag in ("list", "table", "main", "doc", "div", "comments"):
            if tag != "comments":
                _traf_walk(child, blocks)
