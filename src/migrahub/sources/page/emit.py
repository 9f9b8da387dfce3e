"""A pruned content container to text blocks: headings, paragraphs, list items and table rows.

Text inside paragraphs, headings, list items, quotes, preformatted blocks and table cells is always kept. Text that
sits loose in layout elements (``<div>Text<br>more</div>``) is kept when the container has few paragraphs (pages
written with ``<div>`` and ``<br>`` only), when it follows a line break, or inside quotes.
"""

from __future__ import annotations

from dataclasses import dataclass

INLINE = frozenset({
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins",
    "kbd", "mark", "nobr", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "tt", "u", "var",
    "wbr", "time", "label", "img", "output", "ruby", "rb",
})
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
LISTS = frozenset({"ul", "ol", "dl"})
ITEMS = frozenset({"li", "dt", "dd"})
_CELL = frozenset({"td", "th"})
_CELL_BLOCKS = frozenset({"p", "div", "ul", "ol", "dl", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                          "section", "article", "pre"})


@dataclass
class Seg:
    """One block as the walk found it, before the page-level filters."""

    kind: str  # heading, paragraph, list_item
    text: str
    level: int = 0
    loose: bool = False  # loose text of a layout element
    links: int = 0  # characters inside links


def fold(text: str) -> str:
    return " ".join(text.split())


def spaced_text(el) -> str:
    """Text of an element with a space at every block boundary (minified pages write none)."""
    parts: list[str] = []
    _collect(el, parts)
    return fold("".join(parts))


def text_and_links(el) -> tuple[str, int]:
    """:func:`spaced_text` and the number of its characters inside links."""
    parts: list[str] = []
    links = [0]
    _collect(el, parts, links, el.tag == "a")
    return fold("".join(parts)), links[0]


def _collect(el, parts: list[str], links: list[int] | None = None, in_link: bool = False) -> None:
    if el.text:
        parts.append(el.text)
        if in_link:
            links[0] += len(el.text.strip())
    for child in el:
        tag = child.tag
        if isinstance(tag, str):
            if tag in INLINE:
                _collect(child, parts, links, in_link or (links is not None and tag == "a"))
            else:
                parts.append(" ")
                _collect(child, parts, links, in_link)
                parts.append(" ")
        if child.tail:
            parts.append(child.tail)
            if in_link:
                links[0] += len(child.tail.strip())


class _Run:
    __slots__ = ("parts", "links", "after_break")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.links = 0
        self.after_break = False


class Emitter:
    """Walks a container; ``loose`` keeps all loose text of layout elements as paragraphs."""

    def __init__(self, loose: bool) -> None:
        self.loose = loose
        self.segs: list[Seg] = []
        self.quoted = 0  # inside a quote, headings are quoted text

    def run(self, container) -> list[Seg]:
        """The blocks of a container (its own loose text included when ``loose``)."""
        self._container(container, self.loose)
        return self.segs

    def block(self, el) -> list[Seg]:
        """The blocks of one element read as a block of its own (a paragraph, a list, a table, a layout element)."""
        self._block(el, el.tag, self.loose)
        return self.segs

    # -- layout elements: text runs between blocks ------------------------------------------------------------

    def _container(self, el, keep: bool) -> None:
        run = _Run()
        self._flow(el, run, keep, 0)
        self._flush(run, keep)

    def _flow(self, el, run: _Run, keep: bool, in_link: int) -> None:
        if el.text:
            run.parts.append(el.text)
            if in_link:
                run.links += len(el.text.strip())
        for child in el:
            tag = child.tag
            if isinstance(tag, str):
                if tag in INLINE:
                    self._flow(child, run, keep, in_link + (tag == "a"))
                elif tag == "br":
                    self._flush(run, keep)
                    run.after_break = True
                else:
                    self._flush(run, keep)
                    run.after_break = False
                    self._block(child, tag, keep)
            tail = child.tail
            if tail:
                run.parts.append(tail)
                if in_link:
                    run.links += len(tail.strip())

    def _flush(self, run: _Run, keep: bool) -> None:
        if not run.parts:
            return
        text = fold("".join(run.parts))
        links = run.links
        run.parts = []
        run.links = 0
        if text and (keep or run.after_break):
            self.segs.append(Seg("paragraph", text, loose=True, links=links))

    # -- blocks -------------------------------------------------------------------------------------------------

    def _block(self, el, tag: str, keep: bool) -> None:
        level = HEADINGS.get(tag)
        if level:
            if self.quoted:
                self._add("paragraph", *text_and_links(el))
            else:
                self._add("heading", *text_and_links(el), level=level)
        elif tag == "p" or tag == "pre":
            self._add("paragraph", *text_and_links(el))
        elif tag in LISTS:
            self._list(el, keep)
        elif tag in ITEMS:
            self._item(el, keep)
        elif tag == "table":
            self._table(el, keep)
        elif tag == "blockquote":
            self.quoted += 1
            self._container(el, True)
            self.quoted -= 1
        elif tag == "hr":
            return
        else:
            self._container(el, keep)

    def _add(self, kind: str, text: str, links: int = 0, level: int = 0) -> None:
        if text:
            self.segs.append(Seg(kind, text, level, links=links))

    def _list(self, el, keep: bool) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag in ITEMS:
                self._item(child, keep)
            elif tag in LISTS:
                self._list(child, keep)
            else:
                self._block(child, tag, keep)

    def _item(self, el, keep: bool) -> None:
        nested = [c for c in el if isinstance(c.tag, str) and c.tag in LISTS]
        if not nested:
            self._add("list_item", *text_and_links(el))
            return
        parts: list[str] = [el.text or ""]
        for child in el:
            if child in nested:
                pass
            elif isinstance(child.tag, str):
                inner: list[str] = []
                _collect(child, inner)
                parts.append(" " + "".join(inner) + " ")
            parts.append(child.tail or "")
        self._add("list_item", fold("".join(parts)))
        for sub in nested:
            self._list(sub, keep)

    def _table(self, el, keep: bool) -> None:
        rows = [row for row in el.iter("tr") if _owner_table(row) is el]
        layout = any(d.tag in _CELL_BLOCKS for row in rows for cell in row if cell.tag in _CELL
                     for d in cell.iterdescendants("*"))
        for child in el:
            if child.tag == "caption":
                self._add("paragraph", spaced_text(child))
        for row in rows:
            cells = [c for c in row if c.tag in _CELL]
            if layout:
                for cell in cells:
                    self._container(cell, keep)
                continue
            texts = [t for t in (spaced_text(c) for c in cells) if t]
            if texts:
                self._add("paragraph", " | ".join(texts))


def _owner_table(row):
    for a in row.iterancestors("table"):
        return a
    return None
