"""Main text of a whole page, read twice and completed by fallbacks used only when a step yields too little:

1. the main container: the first element of the first tier of content markers (``page_rules.yaml``) whose pruned
   content yields more than one block; paragraphs, quotes and tables anywhere on the page when that is shorter than
   ``min_text``;
2. a second reading by text density (:mod:`.density`), which wins when it is much longer (the first reading's
   blocks it lacks stay in front);
3. a baseline: the article text a page declares in JSON-LD, its ``<article>`` elements, all its paragraphs, or all
   its text;
4. when the result still covers little of a page, step 1 again with loose text, lists and teasers kept;
5. the article text the page declares (JSON-LD ``articleBody``) when it is much longer than what the page shows.

Blocks that only point elsewhere (button labels, short paragraphs and headings made of links) are dropped at the end.
"""

from __future__ import annotations

import json
import re
import unicodedata
from copy import deepcopy
from html import unescape

from lxml import etree

from migrahub.model import Block
from migrahub.sources.page.density import content_nodes
from migrahub.sources.page.emit import Emitter, Seg, fold, spaced_text
from migrahub.sources.page.prune import NAMED, clean, prune, raw_text, remove_consent, text_of
from migrahub.sources.page.rules import TIER, Rules, rules

VERSION = "page/1"
_ESCALATE_BELOW = 3000  # characters: a longer reading is trusted
_ESCALATE_SHARE = 0.2  # of the page's text
_ESCALATE_GAIN = 1.5  # the recall reading must be this much longer to win
_BASELINE_MIN = 100
_JSON_TEXT_KEYS = ("articleBody", "reviewBody")
_JSON_HOWTO = ("HowTo", "Recipe")  # their description introduces the steps
_JSON_HOOKS = (*_JSON_TEXT_KEYS, "recipeInstructions", "acceptedAnswer", '"HowTo"', '"step"')
_P_TEXT = etree.XPath(".//p//text()", smart_strings=False)
_WILD = ("p", "blockquote", "pre", "table")  # read anywhere when no container yields enough
_LINK_LINE_MAX = 200  # characters: a longer paragraph mostly of links is a listing, left to the link-density rules
_ADDRESS = re.compile(r"@|://|\bwww\.")
_SECOND_GAIN = 2  # the density reading wins when it is this much longer
_SECOND_ALONE = 500  # or this long when the first reading found no paragraph
_DECLARED_GAIN = 2  # the article text a page declares wins when it is this much longer than the extraction
_DECLARED_HEAD = 5  # blocks of the page kept before it, at most
_FULL_PARAGRAPH = 100  # characters


def extract_blocks(root) -> tuple[Block, ...]:
    """The main text blocks of a parsed page (``root`` is changed: call it after reading the metadata)."""
    r = rules()
    body = root.find("body")
    if body is None:
        body = root
    declared, steps = _json_ld(root)
    etree.strip_elements(body, "script", "style", "template", "svg", with_tail=False)
    page_text = raw_text(body)  # folded only if the escalation below needs its length
    marks = clean(body, r)
    backup = deepcopy(body)
    second = content_nodes(body, r.density)
    segs = _cascade(body, backup, r, recall=False, marks=marks)
    text_len = _length(segs)
    if second and _second_may_win(second, segs, text_len):
        other = _second_reading(second, r, marks)
        if _prefer_second(segs, text_len, _length(other)):
            seen = "\n".join(s.text for s in other)
            segs = [s for s in segs if s.text not in seen] + other
            text_len = _length(segs)
    if text_len < r.min_text:
        base = _with_declared(segs, declared) if declared else _baseline(deepcopy(backup), steps, r)
        if _length(base) > text_len:
            segs, text_len = base, _length(base)
    if 0 < text_len < _ESCALATE_BELOW and text_len < _ESCALATE_SHARE * len(fold(page_text)):
        again = _cascade(deepcopy(backup), deepcopy(backup), r, recall=True)
        if _length(again) >= r.min_text and _length(again) > _ESCALATE_GAIN * text_len:
            segs, text_len = again, _length(again)
    if declared and _length(declared) > max(_DECLARED_GAIN * text_len, r.min_text):
        segs = _with_declared(segs, declared)
    return _finish(segs, r)


def _with_declared(segs: list[Seg], declared: list[Seg]) -> list[Seg]:
    """The page shows little of the article it declares (a paywall, a page its scripts render): the head of what it
    shows (up to its first full paragraph: title, lead) and then the declared article text."""
    head: list[Seg] = []
    for seg in segs[:_DECLARED_HEAD]:
        head.append(seg)
        if seg.kind == "paragraph" and len(seg.text) >= _FULL_PARAGRAPH:
            break
    body = "\n".join(s.text for s in declared)
    head = [s for s in head if s.text not in body]
    return head + declared


def _second_reading(nodes: list, r: Rules, marks: dict) -> list[Seg]:
    """The density reading's elements, pruned like a container, with their loose text."""
    segs: list[Seg] = []
    for node in nodes:
        if node.getparent() is None:
            continue
        prune(node, r, marks=marks)
        segs.extend(Emitter(loose=True).block(node))
    _drop_trailing_headings(segs)
    return segs


def _second_may_win(nodes: list, segs: list[Seg], length: int) -> bool:
    """Whether the density reading could win at all, judged by the text of its elements before pruning (an upper
    bound of what it yields, with room for the spaces put between blocks)."""
    bound = 1.1 * sum(len(text_of(n)) for n in nodes)
    if bound > _SECOND_GAIN * length:
        return True
    return bound > _SECOND_ALONE and not any(s.kind == "paragraph" and not s.loose for s in segs)


def _prefer_second(segs: list[Seg], length: int, other: int) -> bool:
    """The density reading wins when it is much longer, or long while the first reading found no paragraph."""
    if other == 0 or other == length or length > 2 * other:
        return False
    if length == 0 or other > _SECOND_GAIN * length:
        return True
    return other > _SECOND_ALONE and not any(s.kind == "paragraph" and not s.loose for s in segs)


def _length(segs: list[Seg]) -> int:
    return sum(len(s.text) for s in segs)


def _cascade(body, spare, r: Rules, recall: bool, marks: dict | None = None) -> list[Seg]:
    """Step 1: the first tier's container that yields more than one block, else paragraphs anywhere (in
    ``spare``, an unpruned copy). ``marks``: the rules the elements of ``body`` meet, when known."""
    segs: list[Seg] = []
    p_text = sum(map(len, _P_TEXT(body)))
    loose = recall or p_text < r.min_text * r.div_text_factor
    marks = marks if marks is not None else {el: r.verdicts(el) for el in NAMED(body)}
    marked = list(marks.items())
    for i, tier in enumerate(r.tiers):
        container = _first(body, tier, TIER << i, marked)
        if container is None:
            continue
        prune(container, r, teasers=not recall, marks=marks)
        if len(container) == 0 and not (container.text or "").strip():
            continue
        segs.extend(Emitter(loose).run(container))
        _drop_trailing_headings(segs)
        if len(segs) > 1:
            break
    if _length(segs) < r.min_text:
        segs = _wild(spare, segs, r, recall)
    return segs


def _first(body, tier, bit: int, marked: list):
    """The tier's first element still in the page (pruning may have removed some since ``marked`` was listed with
    the rules each element meets)."""
    candidates = body.iter(*tier.tags) if tier.plain else (el for el, found in marked if found & bit)
    root = body.getroottree().getroot()
    for el in candidates:
        if el.getroottree().getroot() is root:
            return el
    return None


def _wild(body, segs: list[Seg], r: Rules, recall: bool) -> list[Seg]:
    """Paragraphs, quotes and tables anywhere on the (pruned) page, after what was found so far."""
    prune(body, r, teasers=False)
    seen = {s.text for s in segs}
    existing = "\n".join(s.text for s in segs)
    found = list(segs)
    if recall:
        extra = Emitter(loose=True).run(body)
    else:
        extra = []
        for el in body.iter(*_WILD):
            if any(a.tag in _WILD for a in el.iterancestors()):
                continue
            extra.extend(Emitter(loose=True).block(el))
    for seg in extra:
        if seg.text in seen or (len(seg.text) > r.min_duplicate and seg.text in existing):
            continue
        found.append(seg)
        seen.add(seg.text)
    return found


def _json_ld(root) -> tuple[list[Seg], list[Seg]]:
    """The article text a page declares in JSON-LD (articleBody, reviewBody) and its other declared texts (recipe
    and how-to steps, answers), as paragraphs."""
    bodies: list[str] = []
    steps: list[str] = []
    for script in root.iter("script"):
        text = script.text
        if not text or (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        if not any(hook in text for hook in _JSON_HOOKS):
            continue
        try:
            declared = json.loads(text, strict=False)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser's stack: skipped
            continue
        _walk_json(declared, bodies, steps)
    return _paragraphs(bodies), _paragraphs(steps)


def _paragraphs(texts: list[str]) -> list[Seg]:
    out = []
    for text in texts:
        for part in _plain(text).split("\n"):
            part = fold(part)
            if part:
                out.append(Seg("paragraph", part))
    unique = list({s.text: s for s in out}.values())
    return unique if _length(unique) > _BASELINE_MIN else []


def _baseline(body, declared: list[Seg], r: Rules) -> list[Seg]:
    """The texts the page declares (JSON-LD), its <article> elements, its paragraphs, or all of its text."""
    if declared:
        return declared
    remove_consent(body, r)
    articles = [spaced_text(a) for a in body.iter("article") if not any(True for _ in a.iterancestors("article"))]
    articles = [a for a in articles if len(a) > _BASELINE_MIN]
    if articles:
        cutoff = max(map(len, articles)) / 5
        return [Seg("paragraph", a) for a in articles if len(a) >= cutoff]
    tags = ("p", "blockquote", "pre", "code")
    paragraphs = [spaced_text(p) for p in body.iter(*tags) if not any(a.tag in tags for a in p.iterancestors())]
    segs = [Seg("paragraph", t) for t in dict.fromkeys(paragraphs) if t]
    if _length(segs) > _BASELINE_MIN:
        return segs
    lines = [t for t in (fold(x) for x in body.itertext()) if t]
    return [Seg("paragraph", " ".join(lines))] if lines else []


def _walk_json(node, bodies: list[str], steps: list[str]) -> None:
    """The declared texts of JSON-LD objects and of those in their ``@graph`` and ``mainEntity``, depth first and in
    order, walked without recursion (JSON-LD may nest deeper than Python's stack)."""
    stack = _objects(node)[::-1]
    while stack:
        item = stack.pop()
        _declared_texts(item, bodies, steps)
        inner = [obj for container in ("@graph", "mainEntity") if container in item
                 for obj in _objects(item[container])]
        stack.extend(reversed(inner))


def _objects(value) -> list[dict]:
    return [item for item in _as_list(value) if isinstance(item, dict)]


def _declared_texts(item: dict, bodies: list[str], steps: list[str]) -> None:
    bodies.extend(item[k] for k in _JSON_TEXT_KEYS if isinstance(item.get(k), str) and item[k].strip())
    kinds = _as_list(item.get("@type"))
    if any(k in _JSON_HOWTO for k in kinds if isinstance(k, str)) and isinstance(item.get("description"), str):
        steps.append(item["description"])
    for key in ("recipeInstructions", "step"):
        for step in _as_list(item.get(key)):
            if isinstance(step, str):
                steps.append(step)
            elif isinstance(step, dict):
                for sub in (step, *_as_list(step.get("itemListElement"))):
                    if isinstance(sub, dict) and isinstance(sub.get("text"), str):
                        steps.append(sub["text"])
    answer = item.get("acceptedAnswer")
    if isinstance(answer, dict) and isinstance(answer.get("text"), str):
        steps.append(answer["text"])


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _plain(text: str) -> str:
    """Text that may hold (escaped) HTML, as text with a newline between blocks."""
    if "<" not in text and "&" not in text:
        return text
    text = unescape(text)
    if "<" not in text:
        return text
    try:
        frag = etree.fromstring("<div>" + text + "</div>", etree.HTMLParser(no_network=True, recover=True))
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return text
    if frag is None:
        return text
    return "\n".join(seg.text for seg in Emitter(loose=True).run(frag))


def _drop_trailing_headings(segs: list[Seg]) -> None:
    while segs and segs[-1].kind == "heading":
        segs.pop()


def _link_line(seg: Seg) -> bool:
    """A short paragraph or a heading that is mostly link text points to another page ("Read also: ...", a teaser's
    title); one whose link shows an address (a URL, an e-mail address) is information and stays."""
    if seg.kind == "list_item" or seg.links * 2 <= len(seg.text):
        return False
    if seg.kind == "paragraph" and len(seg.text) >= _LINK_LINE_MAX:
        return False
    return not _ADDRESS.search(seg.text)


def _finish(segs: list[Seg], r: Rules) -> tuple[Block, ...]:
    out: list[Block] = []
    previous = None
    for seg in segs:
        text = seg.text
        if "\xad" in text:  # soft hyphens: invisible hyphenation hints inside words
            text = fold(text.replace("\xad", ""))
        if not text.isascii() and not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        if not text or r.button_line.fullmatch(text) or _link_line(seg):
            continue
        if text == previous and len(text) > r.min_duplicate:
            continue
        previous = text
        out.append(Block(seg.kind, text, seg.level if seg.kind == "heading" else 0))
    while out and out[-1].kind == "heading":
        out.pop()
    return tuple(out)


__all__ = ["VERSION", "extract_blocks", "text_of"]
