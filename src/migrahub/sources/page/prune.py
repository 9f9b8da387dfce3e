"""Cleaning a parsed page and pruning boilerplate out of a content container (lxml trees, changed in place)."""

from __future__ import annotations

import re

from lxml import etree

from migrahub.sources.page.rules import CAPTIONS, COMMENTS, DISCARD, HIDDEN, TEASER, Rules

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LINK_TEXT = etree.XPath(".//a//text()", smart_strings=False)
_COUNT_LINKS = etree.XPath("count(.//a)")


def NAMED(el) -> list:  # noqa: N802 - used like the compiled XPath expressions beside it
    """The elements below ``el`` that have attributes: the only ones a rule on names, roles, styles or visibility
    can match (a loop in Python is faster here than an XPath expression)."""
    return [e for e in el.iterdescendants("*") if e.keys()]


def raw_text(el) -> str:
    """The element's text as it stands (serialised by lxml, far faster than joining itertext in Python)."""
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def text_of(el) -> str:
    """The element's text with white space folded."""
    return " ".join(raw_text(el).split())


def raw_len(el) -> int:
    return len(raw_text(el))


def prose_len(el) -> int:
    """Characters of text outside links."""
    return raw_len(el) - sum(map(len, _LINK_TEXT(el)))


def visible_prose_len(el, r: Rules) -> int:
    """Characters of text outside links and outside hidden elements."""
    n = len((el.text or "").strip())
    for child in el:
        tag = child.tag
        if isinstance(tag, str) and tag != "a" and not _hidden(child, r):
            n += visible_prose_len(child, r)
        if child.tail:
            n += len(child.tail.strip())
    return n


def _hidden(el, r: Rules) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style) and r.hidden.style is not None and r.hidden.style.search(style) is not None


def remove(el) -> None:
    """Remove an element and what it holds; the text after it stays where it was."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        previous = el.getprevious()
        try:
            if previous is None:
                parent.text = (parent.text or "") + tail
            else:
                previous.tail = (previous.tail or "") + tail
        except ValueError:  # a control character from a character reference (&#x1F;): lxml refuses to set it
            if previous is None:
                parent.text = _CONTROL.sub("", (parent.text or "") + tail)
            else:
                previous.tail = _CONTROL.sub("", (previous.tail or "") + tail)
    parent.remove(el)


def clean(body, r: Rules) -> dict:
    """Drop non-text elements (media, navigation, forms, asides, ...) and reader comments. One of those elements
    that holds most of the page's visible text outside links is a layout wrapper or an element the markup left
    unclosed: it stays, as a plain container; so does a form holding most of what remains once the others are
    gone (pages built as one form). Returns the rules each remaining element with attributes meets
    (:meth:`Rules.verdicts`), for the pruning that follows."""
    total = prose_len(body)
    for el in body.iter(*r.drop_tags):
        if len(el) and raw_len(el) > total * r.wrapper_share and prose_len(el) > total * r.wrapper_share:
            if visible_prose_len(el, r) > visible_prose_len(body, r) * r.wrapper_share:
                el.tag = "div"
    forms = list(body.iter("form"))
    for form in forms:
        form.tag = "x-form"  # decided below, once the rest is gone
    etree.strip_elements(body, *r.drop_tags, with_tail=False)
    if forms:
        rest = raw_len(body)
        for form in forms:
            if form.getparent() is None:
                continue
            if rest and raw_len(form) > rest * r.wrapper_share:
                form.tag = "div"
            else:
                remove(form)
    doomed = []
    verdicts = r.verdicts
    marks = {}
    for el in NAMED(body):
        found = marks[el] = verdicts(el)
        if found & COMMENTS or el.get("hidden") is not None or el.get("aria-hidden") == "true":
            doomed.append(el)
    _remove_outermost(doomed)
    return marks


def _remove_outermost(elements: list) -> None:
    if not elements:
        return
    marked = set(elements)
    for el in elements:
        if not any(a in marked for a in el.iterancestors()):
            remove(el)


def remove_consent(body, r: Rules) -> None:
    """Cookie and consent banners and hidden elements (before a fallback reads the whole page)."""
    doomed = []
    for el in NAMED(body):
        if _hidden(el, r):
            doomed.append(el)
            continue
        for value in (el.get("class"), el.get("id")):
            if value and r.consent.search(value):
                doomed.append(el)
                break
    _remove_outermost(doomed)


def prune(container, r: Rules, *, teasers: bool = True, marks: dict | None = None) -> None:
    """Remove the boilerplate inside a content container: elements named like navigation, sharing, related links,
    bylines, ads or hidden (unless that would leave less than a seventh of the text), teasers, captions, link-dense
    blocks and link-dense tables."""
    verdicts = r.verdicts
    marks = marks or {}
    dropped = CAPTIONS | (TEASER if teasers else 0)
    matched = []
    teased = []
    for el in NAMED(container):
        found = marks.get(el)
        if found is None:
            found = verdicts(el)
        if found & (DISCARD | HIDDEN):
            matched.append(el)
        elif found & dropped:
            teased.append(el)
    if matched:
        marked = set(matched)
        outer = [el for el in matched if not any(a in marked for a in el.iterancestors())]
        total = raw_len(container)
        if total - sum(raw_len(el) for el in outer) > total / 7:
            for el in outer:
                remove(el)
    _remove_outermost(teased)  # one inside a removed element went with it: removing it again is harmless
    known: dict = {}
    for _ in range(2):
        _by_link_density(container, ("div",), True, known)
        _by_link_density(container, ("ul", "ol", "dl"), False, known)
        _by_link_density(container, ("p",), False, known)
    for table in [t for t in container.iter("table") if _link_dense_table(t, known)]:
        remove(table)


def _link_info(links, known: dict | None = None) -> tuple[int, int, int]:
    """(characters of link text, links with text, of which shorter than 10 characters); ``known`` caches each
    link's length across the tests of one container (nested blocks hold the same links)."""
    lengths = []
    for a in links:
        n = known.get(a) if known is not None else None
        if n is None:
            n = len(text_of(a))
            if known is not None:
                known[a] = n
        if n:
            lengths.append(n)
    return sum(lengths), len(lengths), sum(1 for n in lengths if n < 10)


def _paragraph_listing(links) -> bool:
    """Every link alone in its own paragraph: a document listing, not a link farm."""
    for a in links:
        parent = a.getparent()
        if parent is None or parent.tag != "p" or len(parent.findall(".//a")) > 1:
            return False
    return True


def link_dense(el, known: dict | None = None) -> tuple[bool, bool]:
    """(boilerplate, short with links): menus, tag clouds and "read more" blocks are mostly link text."""
    count = int(_COUNT_LINKS(el))
    if not count:
        return False, False
    text = text_of(el)
    if count == 1:
        linklen, _, _ = _link_info(el.findall(".//a"), known)
        if linklen > 100 and linklen > len(text) * 0.9:
            return True, False
    last = el.getnext() is None
    if el.tag == "p":
        limit = 60 if last else 30
    else:
        limit = 300 if last else 100
    if len(text) < limit:
        linklen, with_text, short = _link_info(el.findall(".//a"), known)
        if with_text == 0:
            return True, False
        return linklen > len(text) * 0.8 or (with_text > 1 and short / with_text > 0.8), True
    if count > 4 and sum(map(len, _LINK_TEXT(el))) > len(text) * 0.9:  # raw link text bounds the folded one
        links = el.findall(".//a")
        linklen, with_text, _ = _link_info(links, known)
        if linklen > len(text) * 0.9 and linklen < 100 * with_text and not _paragraph_listing(links):
            return True, False
    return False, False


def _by_link_density(container, tags: tuple[str, ...], backtracking: bool, known: dict) -> None:
    doomed = []
    for el in container.iter(*tags):
        dense, short_with_links = link_dense(el, known)
        if dense or (backtracking and short_with_links and len(el) >= 3 and len(text_of(el)) < 100):
            if el.tag == "p":
                parent = el.getparent()
                if parent is not None and parent.tag in ("li", "td", "th", "dd", "dt"):
                    continue
            doomed.append(el)
    for el in doomed:
        if el is not container:
            remove(el)


def _link_dense_table(table, known: dict) -> bool:
    links = table.findall(".//a")
    if not links:
        return False
    length = len(text_of(table))
    if length < 200:
        return False
    linklen, _, _ = _link_info(links, known)
    return linklen > 0.8 * length if length < 1000 else linklen > 0.5 * length
