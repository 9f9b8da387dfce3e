"""A second reading of a page, by text density (in the manner of readability): paragraphs score the elements that
hold them, link-dense elements lose their score, and the best element with its well-scoring siblings is the
content."""

from __future__ import annotations

import re

from migrahub.sources.page.emit import INLINE
from migrahub.sources.page.rules import DensityRules

_PARAGRAPHS = frozenset({"p", "pre", "td"})
_DOT_SPACE = re.compile(r"\.( |$)")
_SIBLING_MIN = 10
_SIBLING_SHARE = 0.2


class _Stats:
    __slots__ = ("text", "links", "block")

    def __init__(self) -> None:
        self.text = 0  # characters (white space excluded at the ends of text pieces)
        self.links = 0  # of which inside links
        self.block = False  # holds a block-level element


def content_nodes(body, d: DensityRules) -> list:
    """The best-scoring element and its siblings worth keeping, in document order; empty when nothing scores."""
    stats: dict = {}
    scores: dict = {}
    _visit(body, d, stats, scores, False)
    if not scores:
        return []
    for el in list(scores):
        s = stats.get(el)
        if s is None:  # above the walked element
            del scores[el]
        elif s.text:
            scores[el] *= 1 - min(1.0, s.links / s.text)
    if not scores:
        return []
    best = max(scores, key=scores.__getitem__)
    best_score = scores[best]
    if best_score <= 0:
        return []
    parent = best.getparent()
    if parent is None:
        return [best]
    threshold = max(_SIBLING_MIN, best_score * _SIBLING_SHARE)
    nodes = []
    for sibling in parent:
        if sibling is best:
            nodes.append(sibling)
        elif not isinstance(sibling.tag, str):
            continue
        elif sibling in scores and scores[sibling] >= threshold:
            nodes.append(sibling)
        elif sibling.tag == "p":
            s = stats.get(sibling)
            density = s.links / s.text if s is not None and s.text else 0.0
            own = sibling.text or ""
            if (len(own) > 80 and density < 0.25) or (len(own) <= 80 and density == 0 and _DOT_SPACE.search(own)):
                nodes.append(sibling)
    return nodes


def _weight(el, d: DensityRules) -> float:
    weight = d.tags.get(el.tag, 0)
    for value in (el.get("class"), el.get("id")):
        if value:
            if d.negative.search(value):
                weight -= 25
            if d.positive.search(value):
                weight += 25
    return weight


def _visit(el, d: DensityRules, stats: dict, scores: dict, in_link: bool) -> _Stats:
    s = _Stats()
    text = el.text
    if text:
        s.text += len(text.strip())
    link = in_link or el.tag == "a"
    for child in el:
        tag = child.tag
        if isinstance(tag, str):
            names = " ".join(filter(None, (child.get("class"), child.get("id"))))
            if len(names) > 1 and d.unlikely.search(names) and not d.maybe.search(names):
                pass  # skipped with what it holds
            else:
                c = _visit(child, d, stats, scores, link)
                s.text += c.text
                s.links += c.links
                if c.block or (tag not in INLINE and tag != "br"):
                    s.block = True
        tail = child.tail
        if tail:
            n = len(tail.strip())
            s.text += n
            if link:
                s.links += n
    if link:
        s.links = s.text
    stats[el] = s
    tag = el.tag
    if s.text >= d.min_paragraph and (tag in _PARAGRAPHS or (tag == "div" and not s.block)):
        _score(el, s, d, scores)
    return s


def _score(el, s: _Stats, d: DensityRules, scores: dict) -> None:
    parent = el.getparent()
    if parent is None:
        return
    grand = parent.getparent()
    commas = "".join(el.itertext()).count(",")
    points = 1 + commas + 1 + min(s.text / 100, 3)
    if parent not in scores:
        scores[parent] = _weight(parent, d)
    scores[parent] += points
    if grand is not None:
        if grand not in scores:
            scores[grand] = _weight(grand, d)
        scores[grand] += points / 2
