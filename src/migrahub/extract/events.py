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

import re
from dataclasses import replace

from .event_doc import BODY_RE, COMPOUND_RE, NOUN_SPECIFIC, SPECIFIC_RE, C, EventDoc, event_noun
from .event_lists import announcements, editions, listed_events, meeting_record
from .event_merge import dedupe
from .event_titles import Title, event_title, is_name, owned_by
from .phrases import capitalise
from .prose import QUOTE_RE, alternation, flat, quoted, word_re
from .records import Event
from .segments import Segment, clean_inline, paragraphs, sentences

STAGE = "extract/events@3"

ANAPHORIC_RE = word_re(C["anaphoric"])
TOOK_PLACE_RE = word_re(C["took_place"])
HELD_RE = word_re(C["held"])
ORGANISED_RE = re.compile(
    rf"\b{alternation(C['organised_verbs'])}\s+{alternation(C['articles'])}\s+(?:[\w-]+\s+){{0,3}}?"
    rf"(?P<noun>{NOUN_SPECIFIC}|{alternation(['meetings?', 'trainings?', 'sessions?', 'réunions?', 'rencontres?', 'reuniones?', 'reunión', 'Treffen', 'Sitzung(?:en)?'])})"  # noqa: E501
    r"(?![\w’-])",
    re.I,
)
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
CLAUSE_RE = re.compile(r";\s+|,\s+(?=and (?:the|a|an) )|,\s+(?=while )|,\s+(?=whereas )")
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


def extract_events(text, place_recs, place_mentions, ents, ne_mentions, language=None) -> list[Event]:
    doc = EventDoc(text, place_recs, place_mentions, ents, ne_mentions, language)
    events: list[Event] = []
    events += _sentence_events(doc)
    events += listed_events(doc)
    events += announcements(doc)
    events += editions(text, ents, ne_mentions, events)
    return dedupe(events)


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


def _sentence_events(doc: EventDoc) -> list[Event]:
    text = doc.text
    events: list[Event] = []
    seen: set[tuple] = set()
    for para in paragraphs(text):
        if MEETING_LABEL_RE.match(para.text):
            events += meeting_record(doc, para)
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
            ev = event_noun(sent.text, verb.start() if verb else None)
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


def _prefer_located(cities, pm, doc: EventDoc, sent: Segment):
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


def _title(doc: EventDoc, sent: Segment, ev, anaphor, prev_noun, earlier=None) -> Title | None:
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


def _meeting_of(doc: EventDoc, sent: Segment) -> Event | None:
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


def _part_of(doc: EventDoc, sent: Segment, ev: re.Match, events: list[Event]) -> Event | None:
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


def _decision(doc: EventDoc, para: Segment, sent: Segment) -> Event | None:
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


def _body_name(doc: EventDoc, s: int, e: int, para: Segment) -> str | None:
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


def _presentation(doc: EventDoc, sent: Segment) -> Event | None:
    """ "Der Deutsche Städtetag hat in Berlin die Broschüre … vorgestellt": a report presented in a city is an event
    of the document's date."""
    v = PRESENT_RE.search(sent.text)
    thing = PRESENTED_THING_RE.search(sent.text)
    if not v or not thing or event_noun(sent.text):
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



