"""Shared helpers of the prose stages (events, practices, resources): cue lexicons from data files, the document's
headline and dateline, and "cards" — the title + teaser + "Read more" blocks of listing pages.

Cue lexicons live in ``data/<name>_cues.yaml`` (regular-expression fragments per language); :func:`alternation`
joins a list of them into one group for a word-bounded pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from .dates import DateHit
from .segments import Segment, clean_inline, lines

DATA = Path(__file__).with_name("data")


@cache
def cues(name: str) -> dict:
    """The cue lexicon ``data/<name>_cues.yaml`` (loaded once)."""
    path = DATA / f"{name}_cues.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read the cue lexicon ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of cue lists")
    return data


def flat(value) -> list[str]:
    """Every string of a cue entry: a list, or a mapping of language -> list."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in flat(v)]
    if isinstance(value, list):
        return [s for v in value for s in flat(v)]
    return [str(value)]


def alternation(value) -> str:
    """The fragments of a cue entry as one regex alternation, longest first (so "press conference" wins over
    "conference"), grouped by their first letter ("l(?:aunched|ance|…)|o(?:ffers|…)") so that the engine tries a
    handful of branches at each position instead of every fragment (five times faster on large lexicons)."""
    parts = [p.replace(" ", r"\s+") for p in sorted(set(flat(value)), key=len, reverse=True)]
    groups: dict[str, list[str]] = {}
    other: list[str] = []
    for p in parts:
        if p[:1].isalpha() and p[1:2] not in ("?", "*", "+", "{"):
            groups.setdefault(p[0], []).append(p[1:])
        else:
            other.append(p)
    branches = [f"{c}(?:{'|'.join(rest)})" if len(rest) > 1 else c + rest[0] for c, rest in groups.items()]
    return "(?:" + "|".join(branches + other) + ")"


# quoted titles: “…”, "…", «…», „…“, ‚…‘ and '…' / ‘…’ — an apostrophe inside or at the end of a word ("Obama's
# Leaders' Summit") is not a quote mark
QUOTE_RE = re.compile(
    r"“\s*([^”“\n]{4,250}?)\s*[”\"]|\"\s*([^\"“”\n]{4,250}?)\s*[\"”]|«\s*([^»«\n]{4,250}?)\s*»|„\s*([^“„\n]{4,250}?)\s*[“”]|"
    r"(?<!\w)[‘']([^’'\n]{4,250}?)[’'](?!\w)"
)


def quoted(m: re.Match) -> str:
    """The text inside a match of :data:`QUOTE_RE`."""
    return next(g for g in m.groups() if g is not None).strip()


def word_re(value, flags: int = re.I) -> re.Pattern:
    return re.compile(r"(?<![\w’'-])" + alternation(value) + r"(?![\w’-])", flags)


# a line that only says when (and where) something happened: "20 June 2017", "18 November 2016 Ioannina, Greece"
MENU_RE = re.compile(r"^(?:skip to|menu|home|search|share|print|read more|lire la suite|leer más|weiterlesen)\b", re.I)
# "Read More" on a line of its own, or joined by the page to the next card's image caption
READ_MORE_RE = re.compile(
    r"^\W*(?:(?i:read more|continue reading|lire la suite|en savoir plus|leer más|seguir leyendo|ver más|weiterlesen|"
    r"mehr erfahren)(?:\W*$|\s+(?=[A-ZÀ-Þ]))|(?i:more|mehr|plus)\W*$)"
)


NOT_TITLE_RE = re.compile(r"^(?:if|please|click|share|print|skip)\b|\b(?:browser|cookies?|javascript)\b", re.I)


def headline(text: str) -> Segment | None:
    """The document's title: among its first lines, the first of 5-25 words (else of 3-4) that is not a menu item,
    a date, a link or a sentence of running text."""
    short = None
    for seg in lines(text)[:12]:
        if seg.start > 600:
            break
        t = clean_inline(seg.text).lstrip("#").strip()
        t = re.sub(r"\s*(?:\.\.\.|…)$", "", t)  # a title cut short by the page
        words = t.split()
        if not 3 <= len(words) <= 25 or MENU_RE.match(t) or NOT_TITLE_RE.search(t) or t.endswith((".", ":")):
            continue
        if len(re.findall(r"\b[^\W\d_]{3,}", t)) < 3 or sum(w[:1].isupper() for w in words) == 0:
            continue
        if len(words) >= 5:
            return Segment(seg.start, seg.end, t)
        short = short or Segment(seg.start, seg.end, t)
    return short


def doc_date(text: str, dates: list[DateHit]) -> DateHit | None:
    """The date the document gives itself: the first day-precise date in its first 400 characters."""
    for d in dates:
        if d.start > 400:
            break
        if len(d.date_start) == 10:
            return d
    return None


@dataclass(frozen=True)
class Card:
    """One entry of a listing page: its title line, the lines under it (meta, teaser) and where it ends."""

    title: Segment
    body: tuple[Segment, ...]
    end: int


def cards(text: str) -> list[Card]:
    """Entries of listing pages: a short title line, then one to three lines, then a "Read more" line."""
    segs = lines(text)
    out: list[Card] = []
    last = -1
    for i, seg in enumerate(segs):
        if not READ_MORE_RE.match(seg.text):
            continue
        # walk back to the title: the nearest short line (no final period) above the teaser, after the last card
        j = i - 1
        body: list[Segment] = []
        while j > last and len(body) < 3:
            t = clean_inline(segs[j].text).strip()
            if body and len(t.split()) <= 25 and not t.endswith((".", "…", "...", ":")) and not _meta(t):
                break
            body.insert(0, segs[j])
            j -= 1
        if j <= last or not body:
            last = i
            continue
        out.append(Card(segs[j], tuple(body), seg.end))
        last = i
    return out


META_OPEN_RE = re.compile(r"^(?:from|since|between|depuis|du|desde|entre|seit|von|ab|[0-9])", re.I)


def _meta(t: str) -> bool:
    """A card's meta line ("Norway Oslo 2013-", "20 June 2017", "From September 2014 to May 2015 (…)"): a year in
    a line of at most six words, or in a line that opens like a period of time."""
    if not re.search(r"(?:19|20)[0-9]{2}", t):
        return False
    return len(t.split()) <= 6 or bool(META_OPEN_RE.match(t))
