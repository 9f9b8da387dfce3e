"""Publications cited in a sentence, with their title, author and year (EN/FR/ES/DE).

Around a publication noun of ``data/resources_cues.yaml`` (report, study, toolkit, policy brief, rapport, guide,
informe, estudio, Leitfaden, Positionspapier…):
- a quoted title right after it: "the report 'Cities for all: …'", "la guía «Municipios sin racismo»", "das
  Positionspapier „Integration vor Ort“", "une note d'analyse, « … »";
- a title announced by "titled / intitulé / titulado / mit dem Titel": "The study, titled Opening Doors: …";
- in English, a capitalised name set beside it: "the toolkit Welcoming Standard", "its new handbook, Building
  Inclusive Neighbourhoods,", "Our policy brief Local Housing Solutions for Refugees (2023)";
- a publication described by its author and year without a title: "el informe anual de CEAR de 2019".
The author is the organisation named after "by / published by / par / por / von / vom" or in the genitive after the
title ("des Deutschen Jugendinstituts"), else the organisation that publishes it in the sentence ("In 2020 Eurocities
published the report …", "Der Deutsche Städtetag hat … veröffentlicht"); the year is the one stated with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import MONTHS
from .phrases import capitalise, phrase, word_class
from .prose import QUOTE_RE, alternation, cues, quoted, word_re

C = cues("resources")
HEAD_RE = re.compile(rf"(?<![\w’-])({alternation(C['heads'])})(?![\w’-])", re.I)
# German: a capitalised compound ending in a publication noun ("Arbeitshilfe", "Jahresbericht")
DE_HEAD_RE = re.compile(
    rf"(?<![\w’-])({alternation(C['heads'])}|(?-i:(?=[A-ZÄÖÜ]))\w*(?:{'|'.join(C['german_compound_heads'])}))(?![\w’-])",
    re.I,
)


def heads(lang: str | None) -> re.Pattern:
    """The pattern of publication nouns for a document in ``lang``."""
    return DE_HEAD_RE if lang == "de" else HEAD_RE
TITLED_RE = re.compile(rf"^\W{{0,3}}{alternation(C['titled'])}\s*:?\s*", re.I)
PUBLISH_RE = word_re(C["publish_verbs"])
BY_RE = re.compile(rf"{alternation(C['author_links'])}\s+(?:the\s+|l['’]\s*|la\s+|le\s+|el\s+|den\s+|dem\s+)?$", re.I)
GENITIVE_RE = re.compile(r"[”“»«„\"’')\s]*(?:des|der|de la|de l['’]|du|de|del|of|of the)\s*", re.I)
YEAR_RE = re.compile(r"(?<![\w/-])((?:19|20)[0-9]{2})(?![\w/-])")
NAME_WORD = r"(?:[A-ZÀ-Þ0-9][\w’'&.-]*)"
NAME_LINK = r"(?:of|for|in|on|and|the|a|an|to|at|with|from|de|des|du|la|le|les|del|der|die|das|für|und|y|et|en)"
# "Opening Doors: Migrant Entrepreneurs in Mid-Sized Cities", "Welcoming Economies 2022"
NAME_RUN_RE = re.compile(
    rf"{NAME_WORD}(?:(?:\s+{NAME_LINK})*\s+{NAME_WORD}|:\s+{NAME_WORD}|\s*[–-]\s+{NAME_WORD})*"
)
NOT_TITLE_RE = re.compile(rf"^(?:{'|'.join(sorted(MONTHS, key=len, reverse=True))})\b", re.I)


@dataclass(frozen=True)
class Cite:
    title: str
    author: str | None
    year: int | None


def cited(s: str, ents: list[tuple[int, int, str]], lang: str | None) -> list[Cite]:
    """The publications cited in sentence ``s``; ``ents`` = organisations and initiatives named in it as (start, end,
    name, is an organisation)."""
    out: list[Cite] = []
    for h in heads(lang).finditer(s):
        span = _quoted_after(s, h.end()) or _titled(s, h.end())
        if span is None and lang in (None, "en") and h.group(0).islower():
            # "the toolkit Welcoming Standard" (a capitalised noun is part of a Title Case name: "A Comparative
            # Report Covering Germany, …")
            span = _beside(s, h.end(), ents)
        if span is not None:
            a, b, title = span
            author = _genitive(s[h.end() : a], ents, h.end()) or _author(s, h.start(), a, b, ents)
            out.append(Cite(title, author, _year(s, h.start(), a, b)))
            continue
        described = _described(s, h, ents, lang)
        if described is not None:
            out.append(described)
    return out


def _quoted_after(s: str, pos: int) -> tuple[int, int, str] | None:
    """A quoted title within a few words of the noun: adjectives, "(PDF)", "titled", a comma between."""
    q = QUOTE_RE.search(s, pos, pos + 60)
    if q is None:
        return None
    gap = s[pos : q.start()]
    words = re.findall(r"[\w’'-]+", gap)
    if re.search(r"[.;!?]", gap) or len(words) > 4 or any(w.lower() in word_class("verbs") for w in words):
        return None
    title = quoted(q)
    if len(title.split()) < 2 and not re.search(r"\d", title) or re.search(r"<|href|https?:", title):
        return None
    return q.start(), q.end(), title


def _titled(s: str, pos: int) -> tuple[int, int, str] | None:
    """ "The study, titled Opening Doors: Migrant Entrepreneurs in Mid-Sized Cities, draws …"."""
    m = TITLED_RE.match(s[pos:])
    if m is None:
        return None
    start = pos + m.end()
    q = QUOTE_RE.match(s, start)
    if q is not None:
        return q.start(), q.end(), quoted(q)
    run = NAME_RUN_RE.match(s, start)
    if run is None or len(run.group(0).split()) < 2:
        return None
    return run.start(), run.end(), _trim(run.group(0))


def _beside(s: str, pos: int, ents) -> tuple[int, int, str] | None:
    """English: "the toolkit Welcoming Standard,", "its new handbook, Building Inclusive Neighbourhoods,"."""
    m = re.match(r",?\s+", s[pos:])
    if m is None:
        return None
    start = pos + m.end()
    run = NAME_RUN_RE.match(s, start)
    if run is None:
        return None
    title = _trim(run.group(0))
    words = title.split()
    if len(words) < 2 or NOT_TITLE_RE.match(title):
        return None
    if any(a <= start < b and b - a >= len(title) - 1 for a, b, _, org in ents if org):
        return None  # an organisation's name: the report's author ("the report UNHCR published")
    if s[pos : pos + 1] == "," and not re.match(r"\s*(?:[,(]|$|by\b|on\b|in\b|at\b)", s[start + len(title) :]):
        return None  # "the report, The city …": a new clause, not an apposition
    return start, start + len(title), title


def _genitive(gap: str, ents, offset: int) -> str | None:
    """ "die Arbeitshilfe des Deutschen Vereins „…“": the author named between the noun and its title."""
    g = re.match(r"\s*(?:des|der|de la|de l['’]|du|de|del|of|of the|von|vom)\s+", gap, re.I)
    if g is None:
        return None
    for x, _, name, _ in ents:
        if x == offset + g.end():
            return name
    run = NAME_RUN_RE.match(gap, g.end())
    return _trim(run.group(0), years=True) if run else None


def _trim(run: str, years: bool = False) -> str:
    """A name run less the linking words it ended on ("… for Refugees and" -> "… for Refugees"), and less the year
    it ended on when ``years`` ("ANVITA en 2021" -> "ANVITA")."""
    words = run.split()
    while words and (re.fullmatch(NAME_LINK, words[-1], re.I) or years and YEAR_RE.fullmatch(words[-1])):
        words.pop()
    return " ".join(words)


def _described(s: str, h: re.Match, ents, lang) -> Cite | None:
    """ "el informe anual de CEAR de 2019", "the 2019 annual report of UNHCR": a publication named by its author
    and year (no title of its own)."""
    dates = [(m.start(), m.end()) for m in YEAR_RE.finditer(s)]
    a, b = phrase(s, (h.start(), h.end()), lang, dates)
    author = next((name for x, y, name, _ in ents if a <= x < b + 8 and x >= h.end()), None)
    if author is None:  # an acronym is an organisation's: "el informe anual de CEAR de 2019"
        acr = re.search(r"(?<![\w-])([A-ZÀ-Þ][A-ZÀ-Þ0-9&]{1,7})(?![\w-])", s[h.end() : b + 8])
        author = acr.group(1) if acr else None
    year = next((int(m.group(1)) for m in YEAR_RE.finditer(s, max(0, a - 12), b + 16)), None)
    if author is None or year is None or b - a <= len(h.group(0)):
        return None
    title = capitalise(s[a:b])
    if str(year) not in title:
        title = f"{title} {year}"
    return Cite(title, author, year)


def _author(s: str, head: int, a: int, b: int, ents) -> str | None:
    """Who wrote the publication whose title is ``s[a:b]`` (its noun at ``head``)."""
    for x, _, name, _ in ents:
        # "… developed by Welcoming America", "publié par l'ANVITA", "des Deutschen Jugendinstituts"
        if b <= x <= b + 60 and (BY_RE.search(s[b:x]) or GENITIVE_RE.fullmatch(s[b:x])):
            return name
    by = re.match(rf"[”“»«„\"’')\s,]*(?:{BY_RE.pattern[:-1]})", s[b : b + 40], re.I)
    if by is not None:  # "publié par l'ANVITA" where no organisation was recognised
        run = NAME_RUN_RE.match(s, b + by.end())
        if run is not None and _trim(run.group(0), years=True):
            return _trim(run.group(0), years=True)
    if PUBLISH_RE.search(s):
        subjects = [name for x, y, name, _ in ents if y <= head]
        if subjects:
            return subjects[-1]  # "In 2020 Eurocities published the report …"
        return _named_subject(s, head, a, b)
    return None


def _named_subject(s: str, head: int, a: int, b: int) -> str | None:
    """A name of two capitalised words or more (or an acronym) outside the title, before the publication's noun,
    else after its title: who publishes it where no organisation was recognised ("Der Deutsche Städtetag hat …
    veröffentlicht", "… untersucht die Bertelsmann Stiftung …")."""
    found = []
    for m in NAME_RUN_RE.finditer(s, max(0, head - 300), min(len(s), b + 300)):
        if a <= m.start() < b or m.start() <= head < m.end():
            continue
        words = [w for w in m.group(0).split() if not re.fullmatch(NAME_LINK, w, re.I)]
        while words and words[0].lower() in word_class("determiners") | word_class("place_preps"):
            words.pop(0)
        caps = [w for w in words if w[:1].isupper() and w.isalpha() or re.fullmatch(r"[A-Z][A-Z0-9&]{1,7}", w)]
        if len(caps) >= 2 or len(words) == 1 and re.fullmatch(r"[A-Z][A-Z0-9&]{1,7}", words[0]):
            found.append((m.start() > b, m.start(), " ".join(words)))
    before = [f for f in found if f[1] < head]
    pick = before[-1] if before else next((f for f in found if f[0]), None)
    return pick[2] if pick else None


def _year(s: str, head: int, a: int, b: int) -> int | None:
    """The year stated with the publication: in brackets after its title, else the nearest outside its title."""
    m = re.match(r"\s*\((?:[^()]{0,20}?,\s*)?((?:19|20)[0-9]{2})\)", s[b:])
    if m:
        return int(m.group(1))
    window = YEAR_RE.finditer(s, max(0, head - 300), min(len(s), b + 300))
    years = [(abs(y.start() - (b if y.start() >= b else head)), int(y.group(1))) for y in window
             if not a <= y.start() < b]
    if not years:  # "Welcoming Economies 2022": the year its title gives
        years = [(0, int(y.group(1))) for y in YEAR_RE.finditer(s, a, b)]
    return min(years)[1] if years else None

