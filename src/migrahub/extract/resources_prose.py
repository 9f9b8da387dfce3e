"""Resources cited in running prose (EN/FR/ES/DE), with the cue lexicons of ``data/resources_cues.yaml``:

- a capitalised name ending in a publication noun: "the 6th Integrating Cities Report", "the City of Sanctuary
  Charter", "The Local Inclusion Action Tool, developed by OECD…", "Corporate Plan 2020-2023" is not (plans are
  policies), a publication noun followed by its quoted title: "die Broschüre „Flüchtlinge vor Ort …“", "our MOOC on
  “Localizing the Global Compacts …”";
- a released or published title: "today released Blueprints for Immigrant Integration";
- a video or page pointed to: "Retrouvez la vidéo de l'ouverture ici";
- the page itself when it is a publication's page ("Publication Date:", "This Toolkit is designed…") or a letter
  ("Dear members,"): its headline;
- the posts of a blog or news listing (cards under a "Blog" heading, or whose teaser says "In this blog"), and cards
  or link lines whose title names a publication ("… project report and Guidebook for Employers", "Template for
  collection of Good practices >>").
Each returns (title, author_or_org, year) triples; ``resources.py`` merges and de-duplicates them.
"""

from __future__ import annotations

import re

from .phrases import guess_language
from .prose import alternation, cards, cues, headline, word_re
from .resource_cites import cited, heads
from .segments import clean_inline, lines, paragraphs, sentences

C = cues("resources")
HEAD = alternation(C["heads"])
HEAD_RE = re.compile(rf"(?<![\w’-])({HEAD})(?![\w’-])", re.I)
HEAD_END_RE = re.compile(rf"(?:{HEAD})$", re.I)
RELEASE_RE = word_re(C["release_verbs"])
AUTHOR_RE = re.compile(rf"^,?\s*{alternation(C['author_links'])}\s+(?:the\s+)?", re.I)
WATCH_RE = word_re(C["watch_verbs"])
SELF_LABEL_RE = re.compile(rf"\b{alternation(C['self_labels'])}\s*:", re.I)
SELF_CUE_RE = word_re(C["self_cues"])
LETTER_RE = re.compile(rf"^\W*{alternation(C['letter_salutations'])}\b", re.I | re.M)
LISTING_RE = word_re(C["listing_headings"])
TEASER_RE = word_re(C["teaser_cues"])
QUOTE_RE = re.compile(
    r"“\s*([^”“]{6,250}?)\s*[”\"]|\"\s*([^\"“”]{6,250}?)\s*[\"”]|«\s*([^»«]{6,250}?)\s*»|„\s*([^“„]{6,250}?)\s*[“”]"
)
YEAR_RE = re.compile(r"\b((?:19|20)[0-9]{2})\b")
# policies and bodies are not publications even when named so ("Action Plan", "Committee")
NOT_RESOURCE_RE = re.compile(
    r"\b(?:plan|strategy|committee|council|network|programme|program|centre|center|institute|university|school|"
    r"department|office|event|conference|forum|summit|meeting|workshop)\b",
    re.I,
)
EVENT_WORD_RE = re.compile(r"event|conference|forum|summit|meeting|workshop|congress", re.I)
LEAD = {
    "the",
    "a",
    "an",
    "this",
    "its",
    "their",
    "our",
    "his",
    "her",
    "le",
    "la",
    "les",
    "l",
    "un",
    "une",
    "el",
    "los",
    "las",
    "der",
    "die",
    "das",
    "den",
    "ein",
    "eine",
    "in",
    "at",
    "of",
    "on",
    "as",
    "and",
    "et",
    "y",
    "und",
}
CONNECT = {
    "of",
    "for",
    "on",
    "and",
    "the",
    "to",
    "in",
    "de",
    "des",
    "du",
    "la",
    "le",
    "del",
    "der",
    "für",
    "und",
    "y",
    "et",
    "sur",
    "sobre",
    "para",
    "pour",
    "zur",
    "zum",
    "von",
    "&",
}


def _quote(m: re.Match) -> str:
    return next(g for g in m.groups() if g is not None).strip()


def prose_resources(text: str, ents=(), ne_mentions=(), language=None) -> list[tuple[str, str | None, int | None]]:
    """(title, author_or_org, year) of the resources cited in the prose of ``text``; ``ents`` and ``ne_mentions``
    are the organisations and initiatives found in it (the authors)."""
    out: list[tuple[str, str | None, int | None]] = []
    lang = language if language in ("en", "fr", "es", "de") else guess_language(text)
    by_key = {e.key: e for e in ents}
    named = sorted(
        (m.start, m.end, by_key[m.key].name, m.category == "organisations") for m in ne_mentions if m.key in by_key
    )
    for p in paragraphs(text):
        if not heads(lang).search(p.text) and not RELEASE_RE.search(p.text):
            continue
        for s in sentences(text, p.start, p.end):
            in_s = [(a - s.start, b - s.start, name, org) for a, b, name, org in named if s.start <= a < s.end]
            out += [(c.title, c.author, c.year) for c in cited(s.text, in_s, lang)]
            out += _named(s.text)
            out += _quoted(s.text)
            out += _released(s.text)
            out += _pointed(s.text)
    out += _self(text)
    out += _listed(text)
    return out


def _year(s: str) -> int | None:
    m = YEAR_RE.search(s)
    return int(m.group(1)) if m else None


def _author_after(s: str, pos: int) -> str | None:
    m = AUTHOR_RE.match(s[pos:])
    if not m:
        return None
    rest = s[pos + m.end() :]
    who = re.match(r"([A-ZÀ-Þ][^.;:()]{1,120}?)(?=,\s+(?:is|was|est|es|ist)\b|[.;:(]|$)", rest)
    return who.group(1).strip(" ,") if who else None


def _named(s: str) -> list:
    """ "the 6th Integrating Cities Report", "International Migrants Needs Assessment", "Local Inclusion Action
    Tool, developed by OECD…": capitalised words ending in a publication noun, the noun capitalised too."""
    out = []
    for m in HEAD_RE.finditer(s):
        noun = m.group(1)
        if not noun[:1].isupper():
            continue
        words = s[: m.start()].split()
        kept: list[str] = []
        for w in reversed(words):
            if w[-1:] in ',;:.!?)»”"' and not re.fullmatch(r"[0-9]+(?:st|nd|rd|th)\.?", w):
                break
            bare = w.strip('(“"«„‘')
            if bare[:1].isupper() or re.fullmatch(r"[0-9]+(?:st|nd|rd|th|e|er)?", bare):
                kept.insert(0, bare)
            elif bare.lower() in CONNECT and kept:
                kept.insert(0, bare)
            else:
                break
        while kept and kept[0].lower() in LEAD | CONNECT:
            kept.pop(0)
        # "… Peer-Learning Event Thematic Reference Document": the name starts after an event's noun
        cut = [i for i, w in enumerate(kept) if EVENT_WORD_RE.fullmatch(w)]
        kept = kept[cut[-1] + 1 :][-5:] if cut else kept[-5:]
        while kept and kept[0].lower() in LEAD | CONNECT:
            kept.pop(0)
        if not any(w[:1].isupper() for w in kept) or s[m.end() : m.end() + 1] in (":", ")"):
            continue
        title = " ".join([*kept, noun])
        year = re.match(r"\s+((?:19|20)[0-9]{2}(?:\s*[-–]\s*(?:19|20)[0-9]{2})?)", s[m.end() :])
        if year:
            title += " " + year.group(1)
        if NOT_RESOURCE_RE.search(title) or s[m.end() : m.end() + 2].startswith(("’s", "'s")) or title.isupper():
            continue
        out.append((title, _author_after(s, m.end() + (year.end() if year else 0)), _year(title)))
    return out


def _quoted(s: str) -> list:
    """ "die Broschüre „Flüchtlinge vor Ort …“", "a report “Cities of Welcome”", "MOOC on “Localizing …”"."""
    out = []
    for m in HEAD_RE.finditer(s):
        q = QUOTE_RE.search(s, m.end())
        gap = s[m.end() : q.start()] if q else ""
        if (
            q is None
            or len(gap) > 16
            or not re.fullmatch(
                r"\)?\s*(?:\([^)]{1,12}\))?\s*(?:(?:on|sur|sobre|über|zu|entitled|intitulée?|titulad[oa])\s*)?", gap
            )
        ):
            continue
        title = _quote(q)
        if len(title.split()) < 2 or title[:1].islower() or re.search(r"<|href|https?:", title):
            continue
        out.append((title, None, _year(s)))
    return out


TITLE_RUN_RE = re.compile(
    r"\s+((?:[A-ZÀ-Þ][\w’'-]*|[0-9]+)(?:\s+(?:(?:of|for|on|and|the|to|in|de|des|du|la|del|der|für|und|y|et)\s+)*"
    r"(?:[A-ZÀ-Þ][\w’'-]*|[0-9]+)){1,12})"
)


def _released(s: str) -> list:
    """ "today released Blueprints for Immigrant Integration to support cities…"."""
    out = []
    for m in RELEASE_RE.finditer(s):
        lead = re.match(r"(?:\s+(?:today|yesterday|its|their|the|a|new|aujourd'hui|hoy|heute))*", s[m.end() :])
        run = TITLE_RUN_RE.match(s, m.end() + lead.end())
        if run and sum(w[:1].isupper() for w in run.group(1).split()) >= 2:
            out.append((run.group(1), None, _year(s)))
    return out


def _pointed(s: str) -> list:
    """ "Retrouvez la vidéo de l'ouverture ici", "Watch the video of the opening here"."""
    out = []
    for m in HEAD_RE.finditer(s):
        if not re.fullmatch(r"v[ií]d[ée]os?|Videos?|documentar(?:y|ies)|podcasts?", m.group(1), re.I):
            continue
        if not WATCH_RE.search(s[max(0, m.start() - 30) : m.start()]):
            continue
        rest = re.match(r"[^.;:!?]{0,80}?(?=\s+(?:here|ici|aquí|hier)\b|[.;:!?]|$)", s[m.end() :])
        title = (m.group(1) + (rest.group(0) if rest else "")).strip()
        out.append((title[:1].upper() + title[1:], None, _year(s)))
    return out


def _self(text: str) -> list:
    """The page is a publication's own page or a letter: its headline is a resource."""
    h = headline(text)
    if h is None:
        return []
    head = text[:2000]
    if text[h.end - 3 : h.end] in ("...", "…") or text[h.end - 1 : h.end] == "…":
        return []  # a title cut short by the page is no title to file
    if SELF_LABEL_RE.search(head) or SELF_CUE_RE.search(head) or LETTER_RE.search(head):
        return [(h.text, None, _year(head))]
    return []


def _listed(text: str) -> list:
    """Posts of a blog or news listing; cards and link lines whose title names a publication."""
    out = []
    first = lines(text)[:3]
    listing = next(
        (clean_inline(s.text) for s in first if LISTING_RE.search(s.text) and len(s.text.split()) <= 6), None
    )
    for c in cards(text):
        title = clean_inline(c.title.text).strip()
        body = " ".join(b.text for b in c.body)
        if listing or TEASER_RE.search(body):
            out.append((title, listing, None))
        elif HEAD_RE.search(title) and not NOT_RESOURCE_RE.search(title):
            out.append((re.split(r"\s+[-–]\s+", title)[0], None, _year(body)))
    for seg in lines(text):
        t = clean_inline(seg.text).strip()
        link = re.fullmatch(r"(.{6,120}?)\s*(?:>>|»|→)", t)
        if link and HEAD_RE.search(link.group(1)):
            out.append((link.group(1), None, None))
        elif 3 <= len(t.split()) <= 8 and not t.endswith(".") and t[:1].isupper():
            # "Story map about ICC and Refugees": a link line naming a publication and its subject
            m = HEAD_RE.match(t)
            if m and re.match(r"\s+(?:about|on|of|for|sur|de|sobre|über|zu|zur|zum)\s", t[m.end() :]):
                out.append((t, None, None))
    return out
