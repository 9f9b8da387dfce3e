"""Events stage: meetings, workshops, conferences, summits, forums, hearings, launches… that are dated or placed.

Cue lexicons per language are in ``data/events_cues.yaml``. An event is found where
- a sentence has an event noun (EN/FR/ES/DE, German compounds such as "Arbeitstreffen") and a date, a city after
  "held/met/in", an organiser ("ICMPD organised a roundtable") or "took place / a eu lieu / tuvo lugar / fand statt";
- a council or committee decides ("the council passed a motion", "agreed at TECC committee September 2019");
- a report or brochure is presented in a city ("hat in Berlin die Broschüre … vorgestellt");
- an agenda line or a listing card gives a title with a date ("World Urban Forum, Kuala Lumpur, 7-13 February, 2017";
  "“Local Responses …”" over "14 - 15 November, 2023"), or a record says "Date of Meeting: 11th March 2021".
The title is the event's own name (a capitalised name around the noun, a quoted title), else a short noun phrase
("press conference in Los Angeles", "erste Arbeitstreffen in Rottenburg"), else the headline of a story that
says "the event took place…" — never the opening words of a sentence. Dates come from ``dates.py`` (a day named
without a year takes the year stated before it in the document; "today", "heute" take the document's dateline);
a press release's dateline ("The Hague, December 6, 2017 –") is neither the place nor the date of what it reports.
Place = first city (else region, else country) mentioned in the sentence; organisers = organisations/initiatives
mentioned in it; participants_count = a number before "participants/representatives/Teilnehmende/…".
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from .dates import DateHit, find_dates, find_yearless
from .event_titles import Title, event_title, is_name, owned_by
from .phrases import capitalise, guess_language
from .prose import QUOTE_RE, alternation, cues, doc_date, flat, headline, quoted, word_re
from .records import Event
from .segments import Segment, clean_inline, lines, paragraphs, sentences

STAGE = "extract/events@3"

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
ANAPHORIC_RE = word_re(C["anaphoric"])
TOOK_PLACE_RE = word_re(C["took_place"])
HELD_RE = word_re(C["held"])
ORGANISED_RE = re.compile(
    rf"\b{alternation(C['organised_verbs'])}\s+{alternation(C['articles'])}\s+(?:[\w-]+\s+){{0,3}}?"
    rf"(?P<noun>{NOUN_SPECIFIC}|{alternation(['meetings?', 'trainings?', 'sessions?', 'réunions?', 'rencontres?', 'reuniones?', 'reunión', 'Treffen', 'Sitzung(?:en)?'])})"  # noqa: E501
    r"(?![\w’-])",
    re.I,
)
BODY_RE = word_re(C["decision_bodies"])
DECISION_RE = word_re(C["decision_verbs"])
ORDINAL_RE = re.compile(rf"(?:{alternation(C['ordinals'])})(?:-ever)?\s+$", re.I)
COUNT_RE = re.compile(
    rf"\b(?:{alternation(C['count_prefixes'])}\s+)?([0-9]{{1,3}}(?:[,.][0-9]{{3}})?|[0-9]{{1,5}})\s+(?:[\w-]+\s+){{0,2}}"
    rf"{alternation(C['count_nouns'])}(?![\w])",
    re.I,
)
MEET_RE = word_re(C["meet_verbs"])
ANY_CUE_RE = word_re(
    [
        *flat(C["nouns"]),
        *C["took_place"],
        *C["decision_verbs"],
        *C["meet_verbs"],
        "presented",
        "launched",
        "unveiled",
        "présentée?s?",
        "presentó",
        "presentaron",
        "presentad[oa]",
        "vorgestellt",
        "präsentiert",
    ]
)
PUBLISHED_RE = re.compile(rf"{alternation(C['published_labels'])}\s*:?\s*$", re.I)
MEETING_LABEL_RE = re.compile(rf"^\W*{alternation(C['meeting_labels'])}\s*:?\s*", re.I)
TODAY_RE = word_re(C["today"])
PRESENT_RE = re.compile(
    r"\b(?:presented|launched|unveiled|présentée?s?|a présenté|ont présenté|presentó|presentaron|presentad[oa]|"
    r"vorgestellt|präsentiert)\b",
    re.I,
)
# a resource presented at an event ("presented the report", "die Broschüre … vorgestellt")
PRESENTED_THING_RE = re.compile(
    r"\b(?:report|study|brochure|guide|toolkit|handbook|strategy|plan|rapport|étude|guide|informe|estudio|guía|"
    r"Broschüre|Bericht|Studie|Leitfaden|Handreichung)\b",
    re.I,
)
# "Wed, 10 Jul 2019 17:04:48 +0200": a feed item's publication time stamp, not the date of an event
STAMP_RE = re.compile(
    r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\s+[0-3]?[0-9]\s+[A-Z][a-z]{2}\s+(?:19|20)[0-9]{2}\s+[0-2][0-9]:[0-5][0-9]"
    r"(?::[0-5][0-9])?(?:\s*(?:[+-][0-9]{4}|GMT|UTC|[A-Z]{3}))?"
)
CLAUSE_RE = re.compile(r";\s+|,\s+(?=and (?:the|a|an) )|,\s+(?=while )|,\s+(?=whereas )")
# "GFMD 2015", "World Refugee Day 2019": the yearly edition of a forum, summit, conference or day
EDITION_HEAD_RE = re.compile(
    r"\b(?:Forum|Summit|Conference|Congress|Day|Week|Foro|Sommet|Cumbre|Gipfel|Konferenz|"
    r"Tag|Woche|Journée|Semaine|Día|Semana)\b"
)
DAY_NOUN_RE = re.compile(r"\b(?:Day|Week|Journée|Semaine|Día|Semana|Tag|Woche)\b")
PLACE_PREP_RE = re.compile(r"\b(?:in|at|à|au|en|em|im|in der|in the city of|dans la ville de)\s+[(]?$", re.I)
# words that open a sentence or stand before a name without being part of it
LEAD = {
    "the",
    "a",
    "an",
    "this",
    "that",
    "these",
    "its",
    "their",
    "our",
    "at",
    "in",
    "on",
    "of",
    "for",
    "from",
    "during",
    "le",
    "la",
    "les",
    "l",
    "un",
    "une",
    "ce",
    "cette",
    "du",
    "des",
    "au",
    "aux",
    "el",
    "los",
    "las",
    "una",
    "este",
    "esta",
    "der",
    "die",
    "das",
    "den",
    "dem",
    "ein",
    "eine",
    "einer",
    "eines",
    "beim",
    "im",
    "am",
    "zum",
    "zur",
    "last",
    "next",
    "since",
    "after",
    "before",
    "following",
    "and",
    "et",
    "y",
    "und",
    "with",
    "to",
}


class _Doc:
    """What every rule needs about the document: sorted dates (datelines and stamps left out), mentions, the
    headline and the dateline."""

    def __init__(self, text, place_recs, place_mentions, ents, ne_mentions, language=None):
        self.text = text
        self.lang = language if language in ("en", "fr", "es", "de") else None
        self.place_by_key = {p.key: p for p in place_recs}
        self.ent_by_key = {e.key: e for e in ents}
        stamps = [(m.start(), m.end()) for m in STAMP_RE.finditer(text)]
        dates = [d for d in find_dates(text) if not any(a <= d.start < b for a, b in stamps)]
        self.date = doc_date(text, dates)
        # "Posted: 2019-11-26": the page's own date, not an event's
        dates = [d for d in dates if not PUBLISHED_RE.search(text[max(0, d.start - 30) : d.start])]
        self.datelines = _datelines(text, dates, place_mentions)
        self.dates = [d for d in dates if not _inside(d.start, self.datelines)]
        self.yearless = find_yearless(text, dates)
        # "20. und 21. Mai 2019": a place name inside a date is the month
        in_dates = [(d.start, d.end) for d in dates]
        self.pm = [m for m in place_mentions if not _inside(m.start, self.datelines) and not _inside(m.start, in_dates)]
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
        return self.lang or guess_language(self.text[max(0, sent.start - 300) : sent.end + 300])

    def blocked(self, sent: Segment) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Spans (in the sentence) of its dates and of its places, where a title stops."""
        dates = [(d.start - sent.start, d.end - sent.start) for d in self.dates_in(sent.start, sent.end)]
        places = [(m.start - sent.start, m.end - sent.start) for m in self.places_in(sent.start, sent.end)[1]]
        return dates, places

    def owner(self, s: int, e: int) -> str | None:
        """The organisation or initiative named last before ``e`` (from ``s``): the owner of "its conference"."""
        for m in reversed(self.ents_in(s, e)):
            ent = self.ent_by_key.get(m.key)
            if ent is not None:
                return ent.acronym or ent.name
        return None

    def organisers(self, s: int, e: int, skip: tuple[int, int] = (0, 0)) -> tuple[str, ...]:
        out: list[str] = []
        for m in self.ents_in(s, e):
            if skip[0] <= m.start < skip[1]:
                continue  # named inside the title: the event itself ("5th Global Mayoral Forum on …")
            ent = self.ent_by_key.get(m.key)
            if ent is not None:
                label = ent.acronym or ent.name
                if label not in out:
                    out.append(label)
        return tuple(out[:6])


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _datelines(text: str, dates: list[DateHit], place_mentions) -> list[tuple[int, int]]:
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


def extract_events(text, place_recs, place_mentions, ents, ne_mentions, language=None) -> list[Event]:
    doc = _Doc(text, place_recs, place_mentions, ents, ne_mentions, language)
    events: list[Event] = []
    events += _sentence_events(doc)
    events += _listed_events(doc)
    events += _editions(text, ents, ne_mentions, events)
    return _dedupe(events)


def _sentences(text: str, para: Segment) -> list[Segment]:
    """Sentences of a paragraph, a sentence break inside a quoted title undone („Sichere Häfen. Leinen los …“)."""
    out: list[Segment] = []
    for s in sentences(text, para.start, para.end):
        # "… fand am 1." + "Oktober 2019 … statt": a German ordinal day is not a sentence end
        if out and (_open_quote(out[-1].text) or re.search(r"(?<![\d.])[0-3]?[0-9]\.$", out[-1].text)):
            p = out[-1]
            out[-1] = Segment(p.start, s.end, text[p.start : s.end])
        else:
            out.append(s)
    return out


def _open_quote(t: str) -> bool:
    """A quote opened and not closed: German „…“, French «…», English “…”."""
    if "„" in t:
        return t.count("„") > t.count("“")
    return t.count("«") > t.count("»") or t.count("“") > t.count("”")


def _clauses(text: str, para: Segment) -> list[Segment]:
    out = []
    for sent0 in _sentences(text, para):
        pos = 0
        for m in CLAUSE_RE.finditer(sent0.text):
            out.append(Segment(sent0.start + pos, sent0.start + m.start(), sent0.text[pos : m.start()]))
            pos = m.end()
        out.append(Segment(sent0.start + pos, sent0.end, sent0.text[pos:]))
    return out


def _event_noun(s: str, anchor: int | None = None) -> re.Match | None:
    """The event noun of a sentence: the last one before its verb ("a special session … took place", "the forum,
    which was held") when ``anchor`` (the verb's offset) is given and one stands there, else the first one."""
    found = sorted([*EVENT_RE.finditer(s), *COMPOUND_RE.finditer(s)], key=lambda m: m.start())
    if not found:
        return None
    if anchor is not None:
        before = [m for m in found if m.end() <= anchor and anchor - m.end() <= 250]
        if before:
            return before[-1]
    return found[0]


def _sentence_events(doc: _Doc) -> list[Event]:
    text = doc.text
    events: list[Event] = []
    seen: set[tuple] = set()
    for para in paragraphs(text):
        if MEETING_LABEL_RE.match(para.text):
            events += _meeting_record(doc, para)
            continue
        if not ANY_CUE_RE.search(para.text) and not COMPOUND_RE.search(para.text):
            continue  # no event noun, no "took place", no decision, meeting or presentation: nothing to read
        clauses = _clauses(text, para)
        prev_noun = None
        n_before = len(events)
        for sent in clauses:
            words = sent.text.split()
            if len(words) < 3 or len(words) > 120:
                continue
            took = TOOK_PLACE_RE.search(sent.text)
            verb = took or HELD_RE.search(sent.text)
            ev = _event_noun(sent.text, verb.start() if verb else None)
            decision = _decision(doc, para, sent)
            if decision is not None:
                events.append(decision)
            presented = _presentation(doc, sent)
            if presented is not None:
                events.append(presented)
            if ev is None and not took:
                met = _meeting_of(doc, sent)
                if met is not None:
                    events.append(met)
                continue
            org_ev = ORGANISED_RE.search(sent.text)
            held = HELD_RE.search(sent.text)
            sd = [d for d in doc.dates_in(sent.start, sent.end) if d.date_end or len(d.date_start) > 4 or held or took]
            if not sd and TODAY_RE.search(sent.text) and doc.date and (held or took) and ev is not None:
                sd = [doc.date]
            cities_all, pm = doc.places_in(sent.start, sent.end)
            cities = _prefer_located([p for p in cities_all if p.type == "city"], pm, doc, sent)
            placed = cities and (held or took or _noun_in_city(text, sent, pm, doc.place_by_key))
            anaphor = took and ANAPHORIC_RE.search(sent.text)
            if not sd and not placed and not org_ev and not took:
                if ev is not None:
                    sub = _part_of(doc, sent, ev, events)
                    if sub is not None:
                        events.append(sub)
                    prev_noun = ev
                continue
            d = sd[0] if sd else None
            count = _count(sent.text)
            if not cities:
                regions = [p for p in cities_all if p.type == "region"]
                countries = [p for p in cities_all if p.type == "country"]
                cities_or = regions[:1] or countries[:1]
            else:
                cities_or = cities
            earlier = events[-1].title if len(events) > n_before else None
            found = _title(doc, sent, ev, anaphor, prev_noun, earlier)
            if ev is not None:
                prev_noun = ev
            title = found.text if found else None
            if not title or took and not (sd or placed or org_ev or anaphor or is_name(title)):
                continue
            inside = (sent.start + found.start, sent.start + found.end)
            evidence = " ".join(clean_inline(sent.text).split()[:12])
            plural = re.search(r"\b(?:meetings|workshops|events|sessions|réunions|reuniones|Treffen)\b", sent.text)
            targets = cities if len(cities) > 1 and plural else (cities_or[:1] or [None])
            for place in targets:
                key = (d.date_start if d else None, place.name if place else None, title)
                if key in seen:
                    continue
                seen.add(key)
                t = title if len(targets) == 1 else f"{title} in {place.name}"
                events.append(
                    Event(
                        f"event:{len(events)}",
                        t,
                        d.date_start if d else None,
                        d.date_end if d else None,
                        place.name if place else None,
                        place.country if place else None,
                        doc.organisers(sent.start, sent.end, skip=inside),
                        count,
                        evidence,
                        sent.start,
                    )
                )
    return events


def _prefer_located(cities, pm, doc: _Doc, sent: Segment):
    """Cities named after "in/at/à/en" first ("From Zürich to Bristol, mayors meet in Geneva")."""
    located = []
    for m in pm:
        p = doc.place_by_key.get(m.key)
        if p in cities and PLACE_PREP_RE.search(doc.text[max(sent.start, m.start - 12) : m.start]) and p not in located:
            located.append(p)
    return located + [p for p in cities if p not in located]


def _count(s: str) -> int | None:
    m = COUNT_RE.search(s)
    if not m:
        return None
    if re.fullmatch(r"(?:19|20)[0-9]{2}", m.group(1)):
        return None  # a year
    n = int(re.sub(r"[,.]", "", m.group(1)))
    return n if n < 100000 else None


def _noun_in_city(text: str, sent, pm, place_by_key) -> bool:
    """ "This workshop in Kingston…", "Academia Conference II … in Tunis": an event noun, then "in/at/à/en" + a city
    within a few words (not "a textiles workshop near X")."""
    for m in list(SPECIFIC_RE.finditer(sent.text)) + list(COMPOUND_RE.finditer(sent.text)):
        end = sent.start + m.end()
        for pmk in pm:
            if pmk.key in place_by_key and place_by_key[pmk.key].type == "city" and 0 <= pmk.start - end <= 100:
                if PLACE_PREP_RE.search(text[end : pmk.start]):
                    return True
    return False


# --- titles ------------------------------------------------------------------------------------------------------


def _title(doc: _Doc, sent: Segment, ev, anaphor, prev_noun, earlier=None) -> Title | None:
    """The event's title; ``earlier`` is the title of an event found before in the same paragraph, which "the
    event took place…" refers to (else the story's headline does)."""
    if anaphor and (ev is None or ev.group(0).lower() in ("event", "evento", "événement", "veranstaltung")):
        if earlier or doc.headline:
            return Title(earlier or doc.headline, 0, 0)
    if ev is None:
        noun = prev_noun.group(0) if prev_noun is not None else None
        return Title(capitalise(clean_inline(noun)), 0, 0) if noun else None
    dates, places = doc.blocked(sent)
    t = event_title(sent.text, (ev.start(), ev.end()), doc.lang_of(sent), dates, places)
    if t.owned:
        owner = doc.owner(sent.start, sent.start + t.start)
        return Title(owned_by(t, owner), t.start, t.end)
    return t


# --- meetings of a body, parts of an event ----------------------------------------------------------------------


def _meeting_of(doc: _Doc, sent: Segment) -> Event | None:
    """ "le Parlement Global des Maires s'est réuni à Palerme", "the board met in Vienna on 3 May 2019": a body that
    meets in a city holds a meeting there."""
    v = MEET_RE.search(sent.text)
    if not v:
        return None
    cities, pm = doc.places_in(sent.start + v.end(), sent.end)
    after = [m for m in pm if m.start - (sent.start + v.end()) <= 12]
    place = next((doc.place_by_key[m.key] for m in after if doc.place_by_key[m.key].type == "city"), None)
    who = [m for m in doc.ents_in(sent.start, sent.start + v.start())]
    if place is None or not who:
        return None
    d = next(iter(doc.dates_in(sent.start, sent.end)), None)
    name = who[-1].surface
    return Event(
        "event:v",
        f"Meeting of {name}",
        d.date_start if d else None,
        d.date_end if d else None,
        place.name,
        place.country,
        (name,),
        _count(sent.text),
        " ".join(clean_inline(sent.text).split()[:12]),
        sent.start,
    )


def _part_of(doc: _Doc, sent: Segment, ev: re.Match, events: list[Event]) -> Event | None:
    """ "La première table ronde était dédiée à …" after a colloquium: a numbered part of the event just reported
    (within 3,000 characters) takes its date and place."""
    lead = ORDINAL_RE.search(sent.text[: ev.start()])
    if lead is None or not SPECIFIC_RE.fullmatch(ev.group(0)) or not events:
        return None
    main = events[-1]
    if sent.start - main.start > 3000 or not (main.date_start or main.place):
        return None
    noun = lead.group(0) + ev.group(0)
    return replace(
        main,
        key="event:s",
        title=noun[:1].upper() + noun[1:],
        organisers=main.organisers,
        participants_count=None,
        evidence=" ".join(clean_inline(sent.text).split()[:12]),
        start=sent.start,
    )


# --- decisions, presentations, meeting records -------------------------------------------------------------------


def _decision(doc: _Doc, para: Segment, sent: Segment) -> Event | None:
    """ "Last night the council passed a motion", "accepted by the NICE committee in January 2018": a council or
    committee that decides holds a meeting; its place is the council's town."""
    v = DECISION_RE.search(sent.text)
    if not v:
        return None
    window = doc.text[max(para.start, sent.start - 200) : sent.end]
    offset = max(para.start, sent.start - 200)
    bodies = list(BODY_RE.finditer(window))
    if not bodies:
        return None
    pos = sent.start + v.start() - offset
    body = min(bodies, key=lambda b: abs(b.start() - pos))
    if abs(body.start() - pos) > 120:
        return None
    dates = [d for d in doc.dates_in(sent.start, sent.end) if len(d.date_start) > 4]
    # "approved by the Management Committee": a passive decision needs its date to be a meeting
    passive = re.search(
        r"\b(?:by|par|por|von|durch)\s+(?:the\s+|la\s+|le\s+|el\s+|dem\s+)?(?:[\w’'-]+\s+){0,6}$",
        window[: body.start()][-80:],
    )
    if (passive or body.start() > pos) and not dates:
        return None
    name = _body_name(doc, offset + body.start(), offset + body.end(), para)
    if not name:
        return None
    cities, _ = doc.places_in(sent.start, sent.end)
    place = next((p for p in cities if p.type == "city"), None)
    place_name = place.name if place else _town_of(name)
    d = dates[0] if dates else None
    return Event(
        "event:d",
        f"{name} meeting",
        d.date_start if d else None,
        d.date_end if d else None,
        place_name,
        place.country if place else None,
        (name,),
        None,
        " ".join(clean_inline(sent.text).split()[:12]),
        sent.start,
    )


def _body_name(doc: _Doc, s: int, e: int, para: Segment) -> str | None:
    """The name of the deciding body: an organisation mention around the word ("Sunderland Council"), an acronym or
    capitalised words before it ("NICE committee", "TECC committee"), else the nearest council named before."""
    for m in doc.ents_in(max(para.start, s - 80), e + 1):
        if m.start <= s and m.end >= e:
            return m.surface
    before = doc.text[max(para.start, s - 40) : s]
    acr = re.search(r"(?:\(([A-Z][A-Z0-9&]{1,9})\)|\b([A-Z][A-Z0-9&]{1,9})|((?:[A-Z][a-z]+ ){1,3}))\s*$", before)
    if acr:
        label = (acr.group(1) or acr.group(2) or acr.group(3)).strip()
        if label.lower() not in LEAD and label not in ("The", "That"):
            return f"{label} {doc.text[s:e]}"
    named = [m for m in doc.ents_in(para.start, s) if BODY_RE.search(m.surface)]
    return named[-1].surface if named else None


TOWN_RE = re.compile(
    r"^(?:the\s+)?(?P<town>[A-ZÀ-Þ][\w’'-]+(?:\s+[A-ZÀ-Þ][\w’'-]+){0,2}?)\s+(?:City\s+|County\s+|Borough\s+|District\s+)?"
    r"(?:Council|Committee|Assembly)$"
)


def _town_of(name: str) -> str | None:
    m = TOWN_RE.match(name)
    if not m or m.group("town") in ("City", "Full", "Town", "County", "Borough", "District", "Policy", "That"):
        return None
    return m.group("town")


def _presentation(doc: _Doc, sent: Segment) -> Event | None:
    """ "Der Deutsche Städtetag hat in Berlin die Broschüre … vorgestellt": a report presented in a city is an event
    of the document's date."""
    v = PRESENT_RE.search(sent.text)
    thing = PRESENTED_THING_RE.search(sent.text)
    if not v or not thing or _event_noun(sent.text):
        return None
    cities, _ = doc.places_in(sent.start, sent.end)
    place = next((p for p in cities if p.type == "city"), None)
    if place is None:
        return None
    dates = doc.dates_in(sent.start, sent.end) or ([doc.date] if doc.date else [])
    d = dates[0] if dates else None
    q = QUOTE_RE.search(sent.text, thing.end())
    what = thing.group(0) + (f" “{quoted(q)}”" if q and q.start() - thing.end() < 10 else "")
    return Event(
        "event:p",
        f"Presentation of the {what} in {place.name}",
        d.date_start if d else None,
        d.date_end if d else None,
        place.name,
        place.country,
        doc.organisers(sent.start, sent.end),
        None,
        " ".join(clean_inline(sent.text).split()[:12]),
        sent.start,
    )


def _meeting_record(doc: _Doc, para: Segment) -> list[Event]:
    """ "Date of Meeting: 11th March 2021": the meeting a committee report was written for."""
    after = doc.text[para.start : para.start + 200]
    dates = [d for d in find_dates(after) if len(d.date_start) > 4]
    if not dates or not doc.headline:
        return []
    d = dates[0]
    return [
        Event(
            "event:m",
            f"Meeting: {doc.headline}",
            d.date_start,
            d.date_end,
            None,
            None,
            (),
            None,
            " ".join(clean_inline(para.text).split()[:12]),
            para.start,
        )
    ]


# --- agenda lines and listing cards ------------------------------------------------------------------------------


def _listed_events(doc: _Doc) -> list[Event]:
    """Agenda lines ("Title, Place, 12-25 September 2017") when the document lists two or more, and listing cards
    whose title line stands over a date line ("“Local Responses …”" / "14 - 15 November, 2023")."""
    text = doc.text
    out: list[Event] = []
    agenda = []
    for seg in lines(text):
        a = _agenda_line(doc, seg)
        if a is not None:
            agenda.append(a)
    if len(agenda) >= 2 or any(_event_noun(a.title) for a in agenda):
        out += agenda
    segs = lines(text)
    for i in range(len(segs) - 1):
        t, dl = segs[i], segs[i + 1]
        tt = clean_inline(t.text).strip()
        if not 2 <= len(tt.split()) <= 25 or tt.endswith((".", ":")):
            continue
        d, place = _date_line(doc, dl)
        if d is None:
            continue
        quoted = re.fullmatch(r"[“\"«„](.{6,200})[”\"»“]", tt)
        above = " ".join(s.text for s in segs[max(0, i - 4) : i])
        if not (place or quoted and _event_noun(above) or _event_noun(tt) or DAY_NOUN_RE.search(tt)):
            continue
        title = quoted.group(1) if quoted else tt
        out.append(
            Event(
                "event:l",
                title,
                d.date_start,
                d.date_end,
                place.name if place else None,
                place.country if place else None,
                doc.organisers(t.start, dl.end + 200),
                None,
                " ".join(tt.split()[:12]),
                t.start,
            )
        )
    return out


def _agenda_line(doc: _Doc, seg: Segment) -> Event | None:
    t = seg.text
    if len(t.split()) > 30 or t.rstrip().endswith("."):
        return None
    ds = [d for d in doc.dates_in(seg.start, seg.end) if len(d.date_start) > 4]
    comma = t.find(",")
    if not ds or comma < 6 or ds[0].start - seg.start < comma:
        return None
    cities, pm = doc.places_in(seg.start, seg.end)
    # everything after the title is a place, a date or a linking word
    rest = list(t[comma:])
    for span in [(m.start, m.end) for m in pm] + [(d.start, d.end) for d in ds]:
        for k in range(max(span[0] - seg.start, comma), min(span[1] - seg.start, len(t))):
            rest[k - comma] = " "
    left = [w for w in re.findall(r"[^\W\d_]+", "".join(rest)) if w.lower() not in ("from", "to", "and", "du", "au")]
    if len(left) > 2:
        return None
    title = clean_inline(t[:comma]).strip()
    if not title[:1].isupper() or len(title.split()) < 2:
        return None
    place = next((p for p in cities if p.type == "city"), cities[0] if cities else None)
    d = ds[0]
    return Event(
        "event:a",
        title,
        d.date_start,
        d.date_end,
        place.name if place else None,
        place.country if place else None,
        doc.organisers(seg.start, seg.start + comma),
        None,
        " ".join(clean_inline(t).split()[:12]),
        seg.start,
    )


def _date_line(doc: _Doc, seg: Segment):
    """A line that only says when (and where): "20 June 2017", "18 November 2016 Ioannina, Greece"."""
    t = seg.text
    if len(t.split()) > 8:
        return None, None
    ds = [d for d in doc.dates_in(seg.start, seg.end) if len(d.date_start) > 4]
    if not ds:
        return None, None
    cities, pm = doc.places_in(seg.start, seg.end)
    rest = list(t)
    for span in [(m.start, m.end) for m in pm] + [(d.start, d.end) for d in ds]:
        for k in range(span[0] - seg.start, min(span[1] - seg.start, len(t))):
            rest[k] = " "
    if re.search(r"[^\W\d_]{2,}", "".join(rest)):
        return None, None
    place = next((p for p in cities if p.type == "city"), cities[0] if cities else None)
    return ds[0], place


# --- editions and merging ----------------------------------------------------------------------------------------


def _editions(text: str, ents, ne_mentions, events: list[Event]) -> list[Event]:
    """ "GFMD 2015", "World Refugee Day 2019": a forum/summit/conference/day named with a year is one occurrence."""
    ent_by_key = {e.key: e for e in ents}
    out: list[Event] = []
    seen = {(e.title.lower(), e.date_start) for e in events}
    for m in ne_mentions:
        e = ent_by_key.get(m.key)
        if e is None:
            continue
        y = re.match(r" ((?:19|20)[0-9]{2})(?![\w/-])", text[m.end : m.end + 6])
        if not y or not (EDITION_HEAD_RE.search(e.name) or getattr(e, "kind", "") == "forum"):
            continue
        title = f"{m.surface} {y.group(1)}"
        if (title.lower(), y.group(1)) in seen:
            continue
        seen.add((title.lower(), y.group(1)))
        s = text.rfind("\n", 0, m.start) + 1
        ev = " ".join(clean_inline(text[max(s, m.start - 120) : m.end + 200]).split()[:12])
        out.append(
            Event(f"event:e{len(out)}", title, y.group(1), None, None, None, (e.acronym or e.name,), None, ev, m.start)
        )
    return out


_STOP = {"the", "of", "and", "on", "in", "for", "a", "an", "to", "de", "la", "le", "el", "du", "des", "der", "die"}
GENERAL_RE = re.compile(rf"(?:{alternation(C['nouns']['general'])})", re.I)
GENERAL_OR_SPECIFIC_RE = re.compile(rf"(?:{alternation(C['ordinals'])}\s+)?(?:{NOUN_ALL})", re.I)


def _tokens(title: str, place: str | None = None) -> set[str]:
    """The words of a title, less function words, numbers and the words of its place ("Forum in Quezon City")."""
    drop = set(re.findall(r"\w+", place.lower())) if place else set()
    words = [w for w in re.findall(r"\w+", title.lower()) if w not in _STOP and not w.isdigit() and w not in drop]
    # a German genitive ("des Kongresses") is the word
    return {w[:-2] if w.endswith("sses") else w for w in words}


def _dedupe(events: list[Event]) -> list[Event]:
    """One record per occurrence: an event mentioned twice (a news headline and its story) is merged, keeping the
    more precise date and the place."""
    out: list[Event] = []
    for ev in events:
        tk = _tokens(ev.title, ev.place)
        for i, o in enumerate(out):
            ot = _tokens(o.title, o.place)
            shared = len(tk & ot) / min(len(tk), len(ot)) if tk and ot else 0.0
            same_title = shared >= 0.6
            # the same city, one of the two undated: the story repeats the occurrence its headline announced
            same_place = (
                bool(o.place) and o.place == ev.place and (not o.date_start or not ev.date_start) and shared > 0
            )
            # the same city and the same date, one of them named only by a common noun ("Meeting in Geneva")
            same_day = (
                bool(o.place)
                and o.place == ev.place
                and o.date_start == ev.date_start is not None
                and bool(GENERAL_RE.fullmatch(o.title) or GENERAL_RE.fullmatch(ev.title))
            )
            a, b = o.date_start or "", ev.date_start or ""
            if not same_title and not same_place and not same_day:
                continue
            # a bare noun ("Workshop") is the named event it shares a word with only nearby, or at its place or date
            if same_title and GENERAL_OR_SPECIFIC_RE.fullmatch(o.title) != GENERAL_OR_SPECIFIC_RE.fullmatch(ev.title):
                near = abs(o.start - ev.start) <= 600
                if not near and not (o.place and o.place == ev.place) and not (a and a == b):
                    continue
            # two lines of an agenda are two events, however alike; so are two places
            if o.key == ev.key == "event:a" or o.place and ev.place and o.place != ev.place:
                continue
            # a numbered part of an event (its first round table) is not the event
            if "event:s" in (o.key, ev.key) and not same_title:
                continue
            a, b = o.date_start or "", ev.date_start or ""
            if a and b and a[:4] != b[:4] or len(a) > 4 and len(b) > 4 and a[:7] != b[:7]:
                continue
            if len(a) == len(b) == 10 and a != b:
                continue
            if o.place and ev.place and o.place != ev.place and o.country != ev.country:
                continue
            best = o if len(a) >= len(b) else ev
            named = [t for t in (o.title, ev.title) if is_name(t)]
            out[i] = Event(
                o.key,
                named[0] if len(named) == 1 else o.title if len(ot) >= len(tk) else ev.title,
                best.date_start,
                best.date_end,
                o.place or ev.place,
                o.country if o.place else ev.country,
                tuple(dict.fromkeys(o.organisers + ev.organisers))[:6],
                o.participants_count or ev.participants_count,
                o.evidence,
                o.start,
            )
            break
        else:
            out.append(ev)
    return [replace(ev, key=f"event:{i}") for i, ev in enumerate(out)]
