"""What every rule of the events stage reads about a document: the event nouns of ``data/events_cues.yaml``, the
document's dates (datelines, feed time stamps and "Posted:" dates left out), its place and entity mentions, its
headline and dateline, and the words of a sentence's title that are dates or places."""

from __future__ import annotations

import bisect
import re

from .dates import DateHit, find_dates, find_yearless
from .phrases import capitalise, guess_language, phrase, word_class
from .prose import alternation, cues, doc_date, flat, headline, word_re
from .segments import Segment

C = cues("events")
NOUN_SPECIFIC = alternation(C["nouns"]["specific"])
NOUN_ALL = alternation([*flat(C["nouns"]["specific"]), *flat(C["nouns"]["general"])])
EVENT_RE = re.compile(rf"(?<![\w’-])({NOUN_ALL})(?![\w’-])", re.I)
SPECIFIC_RE = re.compile(rf"(?<![\w’-])({NOUN_SPECIFIC})(?![\w’-])", re.I)
COMPOUND_RE = re.compile(
    r"\b(?!(?:"
    + "|".join(C["german_compound_stop"])
    + r")\b)[A-ZÄÖÜ][a-zäöüß]+-?"
    + "(?:"
    + "|".join(sorted(C["german_compound_heads"], key=len, reverse=True))
    + r")\b"
)
BODY_RE = word_re(C["decision_bodies"])
# "European Welcoming Cities Day", "Interkulturelle Woche", "Journée mondiale des réfugiés": a named day or week
NAMED_DAY_RE = re.compile(
    r"(?<=[\w’'-] )(?:Day|Week|Journée|Semaine|Día|Semana|Tag|Woche)(?![\w’-])"
    r"|(?<![\w’-])(?:Journée|Semaine|Día|Semana)"
    r"(?= (?:mondiale?|internationale?|nationale?|européenne|mundial|internacional|nacional|europea)\b)"
)


def _named_day(s: str, m: re.Match) -> bool:
    """A day or week named by a capitalised word before it ("World Refugee Day"; not "Diese Woche", "Am Tag")."""
    if s[m.start() - 1 : m.start()] != " ":
        return True  # "Journée mondiale …"
    prev = s[: m.start()].split()[-1]
    return prev[:1].isupper() and prev.lower() not in word_class("determiners") | word_class("stops")


def event_noun(s: str, anchor: int | None = None) -> re.Match | None:
    """The event noun of a sentence: the last one before its verb ("a special session … took place", "the forum,
    which was held") when ``anchor`` (the verb's offset) is given and one stands there, else the first one."""
    days = [m for m in NAMED_DAY_RE.finditer(s) if _named_day(s, m)]
    found = sorted([*EVENT_RE.finditer(s), *COMPOUND_RE.finditer(s), *days], key=lambda m: m.start())
    if not found:
        return None
    if anchor is not None:
        before = [m for m in found if m.end() <= anchor and anchor - m.end() <= 250]
        if before:
            return before[-1]
    return found[0]


# "Wed, 10 Jul 2019 17:04:48 +0200": a feed item's publication time stamp, not the date of an event
STAMP_RE = re.compile(
    r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\s+[0-3]?[0-9]\s+[A-Z][a-z]{2}\s+(?:19|20)[0-9]{2}\s+[0-2][0-9]:[0-5][0-9]"
    r"(?::[0-5][0-9])?(?:\s*(?:[+-][0-9]{4}|GMT|UTC|[A-Z]{3}))?"
)
PUBLISHED_RE = re.compile(rf"{alternation(C['published_labels'])}\s*:?\s*$", re.I)


class EventDoc:
    """What every rule needs about the document: sorted dates (datelines and stamps left out), mentions, the
    headline and the dateline."""

    def __init__(self, text, place_recs, place_mentions, ents, ne_mentions, language=None):
        self.text = text
        self.lang = language if language in ("en", "fr", "es", "de") else guess_language(text)
        self.place_by_key = {p.key: p for p in place_recs}
        self.ent_by_key = {e.key: e for e in ents}
        stamps = [(m.start(), m.end()) for m in STAMP_RE.finditer(text)]
        dates = [d for d in find_dates(text) if not any(a <= d.start < b for a, b in stamps)]
        self.date = doc_date(text, dates)
        # "Posted: 2019-11-26": the page's own date, not an event's
        dates = [d for d in dates if not PUBLISHED_RE.search(text[max(0, d.start - 30) : d.start])]
        self.datelines = sorted(datelines(text, dates, place_mentions))
        self.dates = [d for d in dates if not inside(d.start, self.datelines)]
        self.yearless = find_yearless(text, dates)
        # "20. und 21. Mai 2019": a place name inside a date is the month
        in_dates = sorted((d.start, d.end) for d in dates)
        self.pm = [m for m in place_mentions if not inside(m.start, self.datelines) and not inside(m.start, in_dates)]
        self.pm_starts = [m.start for m in self.pm]
        self.ne = list(ne_mentions)
        self.ne_starts = [m.start for m in self.ne]
        self.d_starts = [d.start for d in self.dates]
        h = headline(text)
        self.headline = h.text if h else None

    def places_in(self, s: int, e: int):
        i, j = bisect.bisect_left(self.pm_starts, s), bisect.bisect_left(self.pm_starts, e)
        return [self.place_by_key[m.key] for m in self.pm[i:j] if m.key in self.place_by_key], self.pm[i:j]

    def ents_in(self, s: int, e: int):
        i, j = bisect.bisect_left(self.ne_starts, s), bisect.bisect_left(self.ne_starts, e)
        return self.ne[i:j]

    def dates_in(self, s: int, e: int) -> list[DateHit]:
        i, j = bisect.bisect_left(self.d_starts, s), bisect.bisect_left(self.d_starts, e)
        out = self.dates[i:j]
        for y in self.yearless:
            if s <= y.start < e:
                out.append(self._with_year(y))
        return [d for d in out if d is not None]

    def _with_year(self, y: DateHit) -> DateHit | None:
        """A day without a year takes the year of the nearest date stated before it (within 1,500 characters)."""
        i = bisect.bisect_left(self.d_starts, y.start)
        for d in reversed(self.dates[:i]):
            if y.start - d.start > 1500:
                break
            year = d.date_start[:4]
            return DateHit(y.start, y.end, year + y.date_start[1:], year + y.date_end[1:] if y.date_end else None)
        return None

    def lang_of(self, sent: Segment) -> str | None:
        return self.lang

    def blocked(self, sent: Segment) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Spans (in the sentence) of its dates and of its places, where a title stops."""
        dates = [(d.start - sent.start, d.end - sent.start) for d in self.dates_in(sent.start, sent.end)]
        places = [(m.start - sent.start, m.end - sent.start) for m in self.places_in(sent.start, sent.end)[1]]
        return dates, places

    def owner(self, s: int, e: int) -> str | None:
        """Who owns "its conference", "seiner Sitzung" (the title starts at ``e``, its sentence at ``s``): a council
        or committee named before it ("Gemeinderat der Stadt Freiburg"), else the organisation or initiative named
        last before it."""
        bodies = list(BODY_RE.finditer(self.text, s, e))
        if bodies:
            b = bodies[-1]
            head = (b.start() - s, b.end() - s)
            lang = self.lang
            a, z = phrase(self.text[s:e], head, lang)
            return capitalise(self.text[s + a : s + z])
        for m in reversed(self.ents_in(s, e)):
            ent = self.ent_by_key.get(m.key)
            if ent is not None:
                return ent.acronym or ent.name
        return None

    def organisers(self, s: int, e: int, skip: tuple[int, int] = (0, 0)) -> tuple[str, ...]:
        out: list[str] = []
        for m in self.ents_in(s, e):
            if m.start < skip[1] and skip[0] < m.end:
                continue  # named inside the title: the event itself ("5th Global Mayoral Forum on …")
            ent = self.ent_by_key.get(m.key)
            if ent is not None:
                label = ent.acronym or ent.name
                if label not in out:
                    out.append(label)
        return tuple(out[:6])


def inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    """``pos`` lies in one of ``spans`` (sorted by start, not overlapping): a bisection, not a scan."""
    i = bisect.bisect_right(spans, (pos, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def datelines(text: str, dates: list[DateHit], place_mentions) -> list[tuple[int, int]]:
    """Spans of datelines: "The Hague, December 6, 2017 –", "DENVER (April 28, 2023)—", a letter's "Barcelona,
    22 November 2019" on a line of its own."""
    out = []
    for d in dates:
        ls = text.rfind("\n", 0, d.start) + 1
        head = text[ls : d.start]
        if len(head) > 40 or not re.fullmatch(r"[A-ZÀ-Þ][\w .’'-]{1,35}(?:,\s*|\s*\(\s*)", head):
            continue
        tail = re.match(r"[ \t]*(?:\n|$)|\s*(?:\)|–|—|-|:)", text[d.end : d.end + 6])
        if tail:
            out.append((ls, d.end + len(tail.group(0))))
    return out


