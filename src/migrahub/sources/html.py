"""HTML to text blocks: main-text extraction for whole pages, plain conversion for fragments (feed content).

Two extractors share one output (headings with levels h1-h6, paragraphs, list items; never markup):

- ``fast`` (default): one lxml walk with boilerplate rules in the spirit of trafilatura — navigation, headers,
  footers, asides, scripts, styles, forms' controls, hidden elements, elements whose id/class name cookies, banners,
  menus, navigation, footers, sidebars, sharing, breadcrumbs and the like, and link-dense blocks are dropped, and the
  walk starts at ``<main>`` or the article when the page has one.
- ``trafilatura``: trafilatura's XML output; several times slower, falls back to ``fast`` when it finds nothing.

Choose with the ``extractor`` argument or the ``MIGRAHUB_HTML_EXTRACTOR`` environment variable.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from html import unescape

from lxml import etree

from migrahub.model import Block

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
_BOILERPLATE = re.compile(
    r"(?:^|[\s_-])(?:cookies?|cookiebar|consent|gdpr|banner|menu|menus|megamenu|nav|navbar|navigation|breadcrumbs?|"
    r"footer|sidebar|share|sharing|sharebar|social|socials|related|comments?|advert\w*|ads?|adslot|promo\w*|"
    r"newsletter|subscribe|subscription|popup|modal|skip|skiplink|masthead|toolbar|pagination|pager|widget|"
    r"sponsor\w*|disqus|login|signup|search|searchbox|teaser|outbrain|taboola|print|tags)(?:$|[\s_-])",
    re.IGNORECASE,
)
_DROP_ROLES = frozenset({
    "navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog", "menu", "menubar",
})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_KEEP_ALWAYS = frozenset({"html", "body", "main", "article"})
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
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
    return os.environ.get("MIGRAHUB_HTML_EXTRACTOR", "fast").strip().lower() or "fast"


_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True)


def parse_document(html: str):
    """Parse a whole page with lxml (plain etree elements: faster than lxml.html's); ``None`` when empty."""
    html = _XML_DECL.sub("", html, count=1)
    if not html.strip():
        return None
    try:
        root = etree.fromstring(html, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return root


def _all_text(el) -> str:
    return "".join(el.itertext())


def page_parts(html: str, extractor: str | None = None) -> PageParts:
    """Main text and metadata of a whole HTML page."""
    root = parse_document(html)
    if root is None:
        return PageParts(())
    meta = _metadata(root)
    blocks: tuple[Block, ...] = ()
    if (extractor or default_extractor()) == "trafilatura":
        blocks = trafilatura_blocks(html)
    if not blocks:
        blocks = _Walker(boilerplate=True).run(_content_root(root))
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
    return _Walker(boilerplate=False).run(body)


def html_to_text(html: str) -> str:
    """An HTML snippet (a title, a summary) as one line of plain text."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return _SPACE.sub(" ", html).strip()
    return " ".join(b.text for b in fragment_blocks(html)).strip()


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _is_boilerplate(el, tag: str) -> bool:
    if tag in _KEEP_ALWAYS:
        return False
    attrib = el.attrib
    if not attrib:
        return False
    if "hidden" in attrib or attrib.get("aria-hidden") == "true":
        return True
    role = attrib.get("role")
    if role and role.strip().lower() in _DROP_ROLES:
        return True
    style = attrib.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    names = " ".join(filter(None, (attrib.get("id"), attrib.get("class"))))
    return bool(names) and _BOILERPLATE.search(names) is not None


def _content_root(root):
    body = root.find("body")
    if body is None:
        body = root
    mains = body.xpath(".//main | .//*[@role='main']")
    if len(mains) == 1:
        return mains[0]
    articles = body.xpath(".//article")
    if len(articles) == 1:
        return articles[0]
    if articles:
        total = len(_all_text(body)) or 1
        best = max(articles, key=lambda a: len(_all_text(a)))
        if len(_all_text(best)) > 0.5 * total:
            return best
    return body


class _Walker:
    """Depth-first walk that keeps an inline buffer and emits a block at every block boundary."""

    def __init__(self, boilerplate: bool) -> None:
        self.boilerplate = boilerplate
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.link_chars = 0
        self.kind = "paragraph"
        self.level = 0
        self.header_depth = 0  # inside a page-level <header>: keep only its headings

    def run(self, root) -> tuple[Block, ...]:
        self._walk(root, 0, False)
        self._flush()
        return tuple(self.blocks)

    def _flush(self) -> None:
        if not self.buf:
            return
        text = "".join(self.buf)
        links = self.link_chars
        self.buf = []
        self.link_chars = 0
        if text.isspace():
            return
        text = _SPACE.sub(" ", text).strip()
        if self.boilerplate:
            if self.header_depth and self.kind != "heading":
                return
            if links and self.kind != "heading" and links > 0.7 * len(text) and (
                    self.kind == "list_item" or len(text) < 200):
                return  # link-dense: menus, tag lists, "read more"
        self.blocks.append(Block(self.kind, text, self.level if self.kind == "heading" else 0))

    def _text(self, text: str | None, in_link: bool) -> None:
        if text:
            self.buf.append(text)
            if in_link:
                self.link_chars += len(text.strip())

    def _walk(self, el, depth: int, in_link: bool) -> None:
        tag = el.tag
        if not isinstance(tag, str):  # comment, processing instruction, entity
            return
        tag = tag.lower()
        if tag in _DROP_TAGS or (self.boilerplate and _is_boilerplate(el, tag)):
            return
        if depth > _MAX_DEPTH:
            self._text(_all_text(el), in_link)
            return
        heading = _HEADINGS.get(tag)
        if heading:
            self._flush()
            saved = (self.kind, self.level)
            self.kind, self.level = "heading", heading
            self._children(el, depth, in_link)
            self._flush()
            self.kind, self.level = saved
        elif tag == "li" or tag == "dd":
            self._flush()
            saved = (self.kind, self.level)
            self.kind, self.level = "list_item", 0
            self._children(el, depth, in_link)
            self._flush()
            self.kind, self.level = saved
        elif tag == "tr":
            self._flush()
            cells = []
            for cell in el:
                if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th"):
                    sub = _Walker(self.boilerplate)
                    sub._walk(cell, depth + 1, in_link)
                    sub._flush()
                    cells.append(" ".join(b.text for b in sub.blocks))
            row = " | ".join(c for c in cells if c)
            if row:
                self.blocks.append(Block("paragraph", row))
        elif tag == "header" and self.boilerplate and not self._in_content(el):
            self._flush()
            self.header_depth += 1
            self._children(el, depth, in_link)
            self._flush()
            self.header_depth -= 1
        elif tag in _BLOCK_TAGS:
            self._flush()
            self._children(el, depth, in_link)
            self._flush()
        elif tag == "br":
            self.buf.append("\n")
        else:  # inline
            self._children(el, depth, in_link or tag == "a")
            if tag in ("td", "th"):
                self.buf.append(" ")

    def _children(self, el, depth: int, in_link: bool) -> None:
        self._text(el.text, in_link)
        for child in el:
            self._walk(child, depth + 1, in_link)
            self._text(child.tail, in_link)

    @staticmethod
    def _in_content(el) -> bool:
        parent = el.getparent()
        while parent is not None:
            if parent.tag in ("article", "main"):
                return True
            parent = parent.getparent()
        return False


# -- metadata ---------------------------------------------------------------------------------------------------

_DATE_META = ("article:published_time", "og:published_time", "datepublished", "date", "dc.date", "dc.date.issued",
              "dcterms.date", "dcterms.issued", "dcterms.created", "citation_publication_date", "pubdate",
              "publish-date", "publish_date", "sailthru.date", "parsely-pub-date")
_AUTHOR_META = ("author", "article:author", "dc.creator", "dcterms.creator", "citation_author", "parsely-author",
                "sailthru.author")


def _metadata(root) -> tuple[str | None, str | None, str | None, str | None]:
    metas: dict[str, str] = {}
    for m in root.iter("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or m.get("http-equiv") or "").strip().lower()
        content = (m.get("content") or "").strip()
        if key and content and key not in metas:
            metas[key] = content
    title = metas.get("og:title") or metas.get("twitter:title") or metas.get("dc.title")
    if not title:
        t = root.find(".//title")
        title = _all_text(t) if t is not None else None
    if not title:
        h1 = root.find(".//h1")
        title = _all_text(h1) if h1 is not None else None
    title = _SPACE.sub(" ", title).strip() if title else None

    published = None
    for key in _DATE_META:
        if key in metas:
            published = iso_date(metas[key])
            if published:
                break
    if not published:
        for el in root.xpath("//*[@itemprop='datePublished'] | //time[@datetime]"):
            published = iso_date(el.get("content") or el.get("datetime") or _all_text(el))
            if published:
                break

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


_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_date(value: str | None) -> str | None:
    """An ISO 8601 date or datetime from what pages and feeds write, or ``None``."""
    if not value:
        return None
    value = value.strip()
    if _DATE_ONLY.match(value):
        m = _DAY.search(value)
        try:
            return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3))).date().isoformat()
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    m = _DAY.search(value)
    if m:
        try:
            return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3))).date().isoformat()
        except ValueError:
            return None
    return None


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
