"""Events stage: meetings, workshops, conferences, summits, forums, trainings, launches… that are dated or placed.

A sentence with an event noun (EN/FR/ES/DE) and a date or a place mention becomes an event: date from
``dates.py``, place = first city (else country) mentioned in the sentence, organisers = organisations/initiatives
mentioned in it, participants_count = a number before "participants/representatives/leaders/…". A sentence naming
several places for one kind of event ("meetings were held in A, B and C") gives one event per place.
"""

from __future__ import annotations

import re

from .dates import find_dates
from .records import Event
from .segments import clean_inline, paragraphs, sentences

STAGE = "extract/events@1"

EVENT_WORDS = (
    r"workshops?|conferences?|meetings?|summits?|seminars?|webinars?|congress(?:es)?|symposi(?:um|a)|"
    r"round-?tables?|trainings?|summer schools?|consultations?|hearings?|retreats?|launch(?:ed)?|"
    r"forums?|fora|sessions?|elections?|visits?|festivals?|exhibitions?|events?|celebrations?|"
    r"ateliers?|conférences?|réunions?|sommets?|séminaires?|rencontres?|colloques?|formations?|"
    r"talleres?|conferencias?|reuniones?|reunión|cumbres?|seminarios?|encuentros?|jornadas?|foros?|"
    r"Konferenz(?:en)?|Tagung(?:en)?|Treffen|Gipfel|Sitzung(?:en)?|Fachtag(?:e)?|Workshops?|Seminare?|"
    r"Veranstaltung(?:en)?"
)
EVENT_RE = re.compile(rf"\b({EVENT_WORDS})\b", re.I)
TOOK_PLACE_RE = re.compile(
    r"\b(?:took place|takes place|will take place|was held|were held|will be held|a eu lieu|"
    r"aura lieu|s'est tenue?|tuvo lugar|tendrá lugar|se celebró|fand statt|findet statt)\b",
    re.I,
)
CLAUSE_RE = re.compile(r";\s+|,\s+(?=and (?:the|a|an) )|,\s+(?=while )|,\s+(?=whereas )")
HELD_RE = re.compile(
    r"\b(?:held|took place|take place|taking place|will be held|hosted|organi[sz]ed|convened|"
    r"gathered|met|launched|attended|a eu lieu|aura lieu|s'est tenu|se tiendra|organisé|"
    r"tuvo lugar|se celebró|tendrá lugar|celebrad[oa]|organizad[oa]|fand statt|findet statt|"
    r"stattfinden|veranstaltet)\b",
    re.I,
)
COUNT_RE = re.compile(
    r"\b(?:over |more than |around |some |about |almost |nearly |plus de |más de |über )?([0-9]{1,5})\s+"
    r"(?:\w+\s+){0,2}(?:participants|representatives|leaders|delegates|attendees|people|experts|"
    r"officials|mayors|participantes|personnes|Teilnehmende|Teilnehmer(?:innen)?)\b",
    re.I,
)
QUOTE_RE = re.compile(r"[“\"‘']([^”\"’']{6,160})[”\"’']")


def extract_events(text, place_recs, place_mentions, ents, ne_mentions) -> list[Event]:
    place_by_key = {p.key: p for p in place_recs}
    ent_by_key = {e.key: e for e in ents}
    dates = find_dates(text)
    events: list[Event] = []
    seen: set[tuple] = set()
    for para in paragraphs(text):
        clauses = []
        for sent0 in sentences(text, para.start, para.end):
            pos = 0
            for m in CLAUSE_RE.finditer(sent0.text):
                clauses.append(type(sent0)(sent0.start + pos, sent0.start + m.start(), sent0.text[pos : m.start()]))
                pos = m.end()
            clauses.append(type(sent0)(sent0.start + pos, sent0.end, sent0.text[pos:]))
        for sent in clauses:
            words = sent.text.split()
            if len(words) < 4 or len(words) > 120:
                continue
            ev = EVENT_RE.search(sent.text) or TOOK_PLACE_RE.search(sent.text)
            if not ev:
                continue
            sd = [
                d
                for d in dates
                if sent.start <= d.start < sent.end
                and (d.date_end or len(d.date_start) > 4 or HELD_RE.search(sent.text))
            ]
            pm = [m for m in place_mentions if sent.start <= m.start < sent.end]
            cities = [place_by_key[m.key] for m in pm if place_by_key[m.key].type == "city"]
            if not sd and not (cities and HELD_RE.search(sent.text)):
                continue
            d = sd[0] if sd else None
            orgs = []
            for m in ne_mentions:
                if sent.start <= m.start < sent.end:
                    e = ent_by_key.get(m.key)
                    if e is not None:
                        label = e.acronym or e.name
                        if label not in orgs:
                            orgs.append(label)
            cm = COUNT_RE.search(sent.text)
            count = int(cm.group(1)) if cm else None
            title = _title(sent.text, ev)
            evidence = " ".join(clean_inline(sent.text).split()[:12])
            targets = (
                cities
                if len(cities) > 1 and re.search(r"\b(?:meetings|workshops|events|sessions)\b", sent.text, re.I)
                else (cities[:1] or [None])
            )
            if not cities:
                countries = [place_by_key[m.key] for m in pm if place_by_key[m.key].type == "country"]
                targets = countries[:1] or [None]
            for place in targets:
                key = (
                    d.date_start if d else None,
                    place.name if place else None,
                    title if not d and not place else None,
                )
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
                        tuple(orgs[:6]),
                        count,
                        evidence,
                        sent.start,
                    )
                )
    return events


def _title(sentence: str, ev: re.Match) -> str:
    if TOOK_PLACE_RE.fullmatch(ev.group(0)):
        return " ".join(clean_inline(sentence).split()[:10])
    q = QUOTE_RE.search(sentence)
    if q and abs(q.start() - ev.start()) < 80:
        return f"{ev.group(1)} “{q.group(1).strip()}”"
    # capitalised phrase around the event word ("Academia Conference II", "Third Mayoral Forum")
    s = ev.start()
    left = sentence[:s]
    m = re.search(r"((?:[A-Z0-9][\w’'\-]*\s+){1,5})$", left)
    right = re.match(r"\s*((?:[A-Z0-9IVX][\w’'\-]*\s*){0,3})", sentence[ev.end() :])
    head = (
        (m.group(1) if m else "")
        + ev.group(1)
        + (" " + right.group(1).strip() if right and right.group(1).strip() else "")
    )
    head = clean_inline(head).strip()
    if len(head.split()) >= 2:
        return head
    return " ".join(clean_inline(sentence).split()[:10])
