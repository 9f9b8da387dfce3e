"""A second reading of a page, by text density (in the manner of readability): paragraphs score the elements that
hold them, link-dense elements lose their score, and the best element with its well-scoring siblings is the
content."""

from __future__ import annotations

import re

from lxml import etree

from migrahub.sources.page.prune import raw_text
from migrahub.sources.page.rules import DensityRules

# elements that make a <div> a layout element rather than a paragraph written as a <div>
_BLOCKS = ("address", "article", "aside", "blockquote", "dl", "div", "ol", "p", "table", "ul", "section", "pre",
           "h1", "h2", "h3", "h4", "h5", "h6", "li", "form")
_LINK_TEXT = etree.XPath(".//a//text()", smart_strings=False)
_DOT_SPACE = re.compile(r"\.( |$)")
_SIBLING_MIN = 10
_SIBLING_SHARE = 0.2
_VERDICTS: dict[str, bool] = {}  # names (class and id) to "unlikely to hold the content"
_SHORT = 80  # characters: a shorter sibling paragraph joins only without links and with a full stop


def content_nodes(body, d: DensityRules) -> list:
    """The best-scoring element and its siblings worth keeping, in document order; empty when nothing scores."""
    excluded: dict = {}
    scores: dict = {}
    for p in _paragraphs(body):
        parent = p.getparent()
        if parent is None or _excluded(p, body, d, excluded):
            continue
        text = raw_text(p)
        length = len(" ".join(text.split()))
        if length < d.min_paragraph:
            continue
        points = 1 + text.count(",") + 1 + min(length / 100, 3)
        grand = parent.getparent()
        if parent not in scores:
            scores[parent] = _weight(parent, d)
        scores[parent] += points
        if grand is not None:
            if grand not in scores:
                scores[grand] = _weight(grand, d)
            scores[grand] += points / 2
    best, best_score = _best(scores)
    if best is None or best is body or best.tag == "html":
        return []
    parent = best.getparent()
    threshold = max(_SIBLING_MIN, best_score * _SIBLING_SHARE)
    nodes = []
    for sibling in parent:
        if sibling is best:
            nodes.append(sibling)
        elif scores.get(sibling, -1) >= threshold:  # link density only lowers a score: test it when it could pass
            if scores[sibling] * (1 - _link_density(sibling)) >= threshold:
                nodes.append(sibling)
        elif sibling.tag == "p":
            own = sibling.text or ""
            density = _link_density(sibling)
            if (len(own) > _SHORT and density < 0.25) or (
                    len(own) <= _SHORT and density == 0 and _DOT_SPACE.search(own)):
                nodes.append(sibling)
    return nodes


def _best(scores: dict) -> tuple:
    """The element with the best score once scaled by (1 - link density), or (None, 0) when none scores above 0.
    Scaling only lowers a positive score, so candidates are scaled from the highest down until no unscaled score
    can beat the best scaled one."""
    best, best_score = None, 0.0
    for el in sorted(scores, key=scores.__getitem__, reverse=True):
        raw = scores[el]
        if raw <= best_score:
            break
        scaled = raw * (1 - _link_density(el))
        if scaled > best_score:
            best, best_score = el, scaled
    return best, best_score


def _excluded(el, body, d: DensityRules, known: dict) -> bool:
    """Whether ``el`` or an element above it is named like comments, menus, sidebars and the like (``known``
    remembers the answer for every element on the way up)."""
    chain = []
    node = el
    verdict = False
    while node is not None and node is not body:
        cached = known.get(node)
        if cached is not None:
            verdict = cached
            break
        chain.append(node)
        node = node.getparent()
    for node in reversed(chain):
        verdict = verdict or _unlikely(node, d)
        known[node] = verdict
    return verdict


def _paragraphs(body) -> list:
    """<p>, <pre> and <td> elements, and the <div>s that hold no block (pages that write paragraphs as <div>s), in
    document order."""
    layout = set()  # elements holding a block: every ancestor of one
    for block in body.iter(*_BLOCKS):
        for a in block.iterancestors():
            if a in layout:
                break
            layout.add(a)
    return [el for el in body.iter("p", "pre", "td", "div") if el.tag != "div" or el not in layout]


def _unlikely(el, d: DensityRules) -> bool:
    klass, ident = el.get("class"), el.get("id")
    if not klass and not ident:
        return False
    names = f"{klass or ''} {ident or ''}"
    verdict = _VERDICTS.get(names)
    if verdict is None:
        if len(_VERDICTS) > 50_000:
            _VERDICTS.clear()
        verdict = _VERDICTS[names] = len(names) > 2 and bool(d.unlikely.search(names)) and not d.maybe.search(names)
    return verdict


def _link_density(el) -> float:
    total = len(" ".join(raw_text(el).split()))
    if not total:
        return 0.0
    links = sum(len(t.strip()) for t in _LINK_TEXT(el))
    return min(1.0, links / total)


def _weight(el, d: DensityRules) -> float:
    weight = d.tags.get(el.tag, 0)
    for value in (el.get("class"), el.get("id")):
        if value:
            if d.negative.search(value):
                weight -= 25
            if d.positive.search(value):
                weight += 25
    return weight
