"""Noun-phrase chunking for titles in English, French, Spanish and German (word classes: data/phrases_cues.yaml).

A title is the phrase around a head noun: the words that modify it before ("housing forum", "5th Global Mayoral
Forum", "dritte Integrationskonferenz") and its complements after ("Conference on the inclusion of refugees in the
labour market", "Encuentro sobre vivienda para personas refugiadas", "Integrationsgipfel der Stadt Dortmund") — up
to a clause boundary: punctuation, a verb, a relative pronoun or conjunction, a date, or a place preposition before
a name ("… in Ghent", "… à l'Hôtel de Ville"). French and Spanish adjectives follow their noun ("cours de français
gratuits"); English and German ones precede it.

Spans are (start, end) offsets into the string given, end exclusive. The chunker is a few list look-ups per word:
it runs on the sentences the stages' cue patterns select, never on whole documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from .dates import MONTHS
from .prose import cues

W = cues("phrases")
ROMANCE = ("fr", "es")
WINDOW = 400  # characters read on either side of a head noun: a phrase is a dozen words at most
TOKEN_RE = re.compile(
    r"(?i:\b(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)['’](?=\w))"  # French elisions: l', d', qu', s'
    r"|\w+(?:[-’'.]\w+)*"  # words, hyphenated words, "Rhein-Neckar", "N@ve" splits
    r"|[^\w\s]"
)
ROMAN_RE = re.compile(r"^(?:[IVX]+|[0-9]{1,2}(?:st|nd|rd|th|e|er|ère|º|°|\.)?)$")
YEAR_RE = re.compile(r"^(?:19|20)[0-9]{2}$")
PARTICIPLE_RE = {
    "en": re.compile(r"\w{3,}ed$"),
    "fr": re.compile(r"\w{3,}(?:é|ée|és|ées)$"),
    "es": re.compile(r"\w{3,}(?:ado|ada|ados|adas|ido|ida|idos|idas)$"),
    "de": re.compile(r"^ge\w{3,}(?:t|en)$"),
}
# "im Rahmen des … veranstalteten Kongresses", "der abgehaltene Kongress": a verb made adjective opens a clause
GERMAN_PARTICIPLE_RE = re.compile(r"[a-zäöüß]\w*(?:t|en)(?:e|en|er|es|em)$")
AGENT = {"by", "par", "por", "von", "vom", "durch"}  # "organised by", "organisée par", "organizado por"


@dataclass(frozen=True)
class Tok:
    start: int
    end: int
    text: str
    low: str  # lower case, elision mark dropped ("l'" -> "l")

    @property
    def word(self) -> bool:
        return self.text[:1].isalnum()

    @property
    def capital(self) -> bool:
        return self.text[:1].isupper() or self.text[:1].isdigit()


def tokens(s: str) -> list[Tok]:
    return [Tok(m.start(), m.end(), m.group(0), m.group(0).lower().rstrip("'’")) for m in TOKEN_RE.finditer(s)]


@cache
def word_class(name: str, lang: str | None = None) -> frozenset[str]:
    v = W[name]
    words = v[lang] if isinstance(v, dict) and lang in v else list(v.values()) if isinstance(v, dict) else v
    words = [w for ws in words for w in ws] if words and isinstance(words[0], list) else words
    bad = [w for w in words if not isinstance(w, str)]
    if bad:  # YAML reads a bare on/off/yes/no as a boolean
        raise ValueError(f"data/phrases_cues.yaml: {name}: {bad[0]!r} is not a word (quote it)")
    return frozenset(words)


@lru_cache(maxsize=8)
def guess_language(text: str, limit: int = 20000) -> str | None:
    """The language of a text from its frequent function words (None when it has too few); reads at most
    ``limit`` characters."""
    counts: dict[str, int] = {}
    for w in re.findall(r"\w+", text[:limit].lower()):
        counts[w] = counts.get(w, 0) + 1
    best, score = None, 1
    for lang in ("en", "fr", "es", "de"):
        n = sum(counts.get(w, 0) for w in word_class("languages", lang))
        if n > score:
            best, score = lang, n
    return best


def _kind(t: Tok, lang: str | None) -> str:
    """A word's class for the chunker: det, link, place, conn, stop, verb, year or word (punctuation: punct)."""
    if not t.word:
        return "punct"
    w = t.low
    if w in word_class("determiners", lang):
        return "det"
    if w in word_class("linkers", lang):
        return "link"
    if w in word_class("place_preps"):
        return "place"
    if w in word_class("stops"):
        return "stop"
    if w in word_class("verbs") and not (lang is None and w in word_class("determiners")):
        return "verb"
    if w in word_class("connectors"):
        return "conn"
    if YEAR_RE.match(w):
        return "year"
    return "word"


def _blocked(t: Tok, blocked: list[tuple[int, int]]) -> bool:
    return any(a < t.end and t.start < b for a, b in blocked)


def premodifiers(s: str, head_start: int, lang: str | None, blocked=(), limit: int = 4) -> int:
    """Start of the words before a head noun that modify it ("housing forum", "5th Global Mayoral Forum", "neues
    Sprachcafé"): content words back to a determiner, preposition, verb, punctuation, date or place. Inside a name
    a preposition or article between capitalised words is kept ("Cities for Immigrant Integration conference")."""
    lo = max(0, head_start - WINDOW)
    toks = [Tok(t.start + lo, t.end + lo, t.text, t.low) for t in tokens(s[lo:head_start])]
    start = head_start
    kept: list[Tok] = []
    i = len(toks) - 1
    while i >= 0 and len(kept) < (8 if kept and all(t.capital for t in kept) else limit):
        t = toks[i]
        ordinal = t.low in word_class("ordinals") or ROMAN_RE.match(t.text)
        if _edition_year(toks, i, kept, blocked):
            kept.insert(0, t)  # "2023 Global Refugee Forum": the year of the edition opens its name
            break
        if _blocked(t, blocked) or _month(t) or lang == "de" and not ordinal and GERMAN_PARTICIPLE_RE.match(t.text):
            break
        k = _kind(t, lang)
        if k != "word" and not ordinal:
            # "Cities for Immigrant Integration": a function word between two capitalised words of a name
            left = toks[i - 1] if i > 0 else None
            if not (
                k in ("link", "conn", "det")
                and kept
                and all(u.text[:1].isupper() or ROMAN_RE.match(u.text) for u in kept)
                and left is not None
                and left.text[:1].isupper()
                and _kind(left, lang) == "word"
                and not _blocked(left, blocked)
                and not _month(left)
            ):
                break
        kept.insert(0, t)
        i -= 1
    while kept and _kind(kept[0], lang) not in ("word", "year") and not (
        kept[0].low in word_class("ordinals") or ROMAN_RE.match(kept[0].text)
    ):
        kept.pop(0)
    if kept:
        start = kept[0].start
    return start


def _edition_year(toks: list[Tok], i: int, kept: list[Tok], blocked) -> bool:
    """``toks[i]`` is a year standing alone right before a capitalised name (not "December 2018", "3 May 2019")."""
    t = toks[i]
    if not (YEAR_RE.match(t.text) and kept and kept[0].text[:1].isupper()):
        return False
    left = toks[i - 1] if i > 0 else None
    return left is None or not (_month(left) or left.text.isdigit() or left.text in ",.")


def _month(t: Tok) -> bool:
    return t.low.rstrip(".") in MONTHS


def complement(
    s: str,
    head_end: int,
    lang: str | None,
    blocked=(),
    limit: int = 12,
    practice: bool = False,
    names: bool = True,
    places=(),
) -> int:
    """End of the complements after a head noun ("… on reception of newcomers", "… des villes accueillantes de la
    Méditerranée", "… für Geflüchtete"), up to a clause boundary. ``blocked``: spans that end the phrase (dates);
    ``places``: spans of places, part of the phrase after "of/de/der…" ("Summit of the Americas"), not after a
    place preposition ("… in Ghent")."""
    toks = [Tok(t.start + head_end, t.end + head_end, t.text, t.low) for t in tokens(s[head_end : head_end + WINDOW])]
    linkers = word_class("linkers", lang) | (word_class("practice_linkers", lang) if practice else frozenset())
    end = head_end
    linked = False  # a linker seen: English and German then take any word of the complement
    capital_run = True  # a name so far ("Forum on Human Mobility, Migration and Development")
    n = 0
    for i, t in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if n >= limit:
            break
        if _blocked(t, blocked):
            # a year right after a capitalised head is the edition ("Oslo Global Mobility Forum 2013")
            if n == 0 and YEAR_RE.match(t.text) and s[end:t.start].strip() == "" and s[:head_end][-1:].isalpha():
                end = t.end
            break
        if t.low in ("http", "https", "www") or _month(t) or t.text.isdigit() and nxt is not None and _month(nxt):
            break  # a link, or a day the dates stage did not read ("on 3 May")
        if _blocked(t, places):
            prev = toks[i - 1] if i > 0 else None
            if n == 0 or prev is None or _kind(prev, lang) not in ("link", "det", "conn", "word"):
                break
            if _kind(prev, lang) == "det" and i > 1 and _kind(toks[i - 2], lang) == "place":
                break
        k = _kind(t, lang)
        if k == "punct":
            if t.text in "-–&/" and t.text != "–" and nxt is not None and s[t.end : nxt.start] == "":
                continue
            if t.text == "," and names and linked and capital_run and nxt is not None and nxt.capital:
                continue
            break
        if t.low in linkers:
            k = "link"
        if k in ("stop", "verb"):
            break
        if k == "place":
            ahead = next((u for u in toks[i + 1 :] if _kind(u, lang) != "det"), None)
            if ahead is None or ahead.capital or _blocked(ahead, blocked) or not ahead.word:
                break
            linked = True
        if k == "word" and _participle(t, nxt, lang):
            break
        if k == "word" and lang == "de" and not t.capital and (nxt is None or not nxt.capital):
            break  # a German verb at the end of its clause ("… für Geflüchtete eingerichtet")
        if k in ("word", "year") and not linked and lang not in ROMANCE:
            # English and German: a bare word after the head is no complement, save a number ("Conference II")
            if not ROMAN_RE.match(t.text):
                break
        if k == "link" or k == "conn" and practice:
            linked = True  # "housing and language classes": a practice's thing joins its parts
        if k == "word" and not t.capital and t.low not in linkers:
            capital_run = False
        n += 1
        end = t.end
    return _trim_end(s, head_end, end, lang)


def _participle(t: Tok, nxt: Tok | None, lang: str | None) -> bool:
    """A participle that opens a clause with its agent: "organised by", "organisée par", "organizado por" (not a noun
    that looks like one: "acogida en el medio rural")."""
    langs = [lang] if lang in PARTICIPLE_RE else list(PARTICIPLE_RE)
    if not any(PARTICIPLE_RE[g].search(t.low) for g in langs):
        return False
    return nxt is not None and nxt.low in AGENT


def _trim_end(s: str, head_end: int, end: int, lang: str | None) -> int:
    """Drop function words the phrase ended on ("forum on", "Workshop on the")."""
    toks = tokens(s[head_end:end])
    while toks and _kind(toks[-1], lang) in ("det", "link", "place", "conn", "stop", "punct"):
        toks.pop()
    return head_end + toks[-1].end if toks else head_end


def phrase(
    s: str, head: tuple[int, int], lang: str | None, blocked=(), practice: bool = False, places=()
) -> tuple[int, int]:
    """The noun phrase around ``head`` (premodifiers + head + complements) as a span of ``s``; ``blocked`` = spans
    of dates, ``places`` = spans of places (see :func:`complement`)."""
    start = premodifiers(s, head[0], lang, blocked)
    end = complement(s, head[1], lang, blocked, practice=practice, places=places)
    return start, end


def capitalise(t: str) -> str:
    t = " ".join(t.split())
    return t[:1].upper() + t[1:]
