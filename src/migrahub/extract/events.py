"""Events stage: meetings, workshops, conferences, summits, forums, trainings, launches… that are dated or placed.

A sentence with an event noun (EN/FR/ES/DE) and a date or a place mention becomes an event: date from
``dates.py``, place = first city (else country) mentioned in the sentence, organisers = organisations/initiatives
mentioned in it, participants_count = a number before "participants/representatives/leaders/…". A sentence naming
several places for one kind of event ("meetings were held in A, B and C") gives one event per place.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .dates import find_dates
from .records import Event
from .segments import clean_inline, paragraphs, sentences

STAGE = "extract/events@1"

EVENT_WORDS = (
    r"workshops?|conferences?|meetings?|summits?|seminars?|webinars?|congress(?:es)?|symposi(?:um|a)|"
    r"round-?tables?|trainings?|summer schools?|consultations?|hearings?|retreats?|launch(?:ed)?|"
    r"forums?|fora|sessions?|elections?|visits?|festivals?|exhibitions?|events?|celebrations?|"
    r"ateliers?|conférences?|réunions?|sommets?|séminaires?|rencontres?|colloques?|formations?|"
    r"taller(?:es)?|conferencias?|reuniones?|reunión|cumbres?|seminarios?|encuentros?|jornadas?|foros?|"
    r"Konferenz(?:en)?|Tagung(?:en)?|Treffen|Gipfel|Sitzung(?:en)?|Fachtag(?:e)?|Workshops?|Seminare?|"
    r"Veranstaltung(?:en)?"
)
EVENT_RE = re.compile(rf"\b({EVENT_WORDS})\b", re.I)
# event nouns specific enough to make a placed sentence an event without "held"/"took place" ("This workshop in
# Kingston will discuss…"); "event", "session", "visit", "launch", "election" need a verb or a date
SPECIFIC_RE = re.compile(
    r"\b(?:workshops?|conferences?|summits?|seminars?|webinars?|congress(?:es)?|symposi(?:um|a)|round-?tables?|"
    r"summer schools?|consultations?|forums?|ateliers?|conférences?|sommets?|séminaires?|colloques?|"
    r"taller(?:es)?|conferencias?|cumbres?|seminarios?|jornadas?|Konferenz(?:en)?|Tagung(?:en)?|Gipfel|Fachtag(?:e)?|"
    r"Seminare?)\b",
    re.I,
)
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
# quotes; an apostrophe inside or at the end of a word ("Obama's Leaders' Summit") is not a quote mark
QUOTE_RE = re.compile(r"(?:[“\"]|(?<!\w)[‘'])([^”\"’']{6,160})(?:[”\"]|[’'](?!\w))")
# "Wed, 10 Jul 2019 17:04:48 +0200": a feed item's publication time stamp, not the date of an event
STAMP_RE = re.compile(
    r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\s+[0-3]?[0-9]\s+[A-Z][a-z]{2}\s+(?:19|20)[0-9]{2}\s+[0-2][0-9]:[0-5][0-9]"
    r"(?::[0-5][0-9])?(?:\s*(?:[+-][0-9]{4}|GMT|UTC|[A-Z]{3}))?"
)
# "ICMPD organised a roundtable", "la ville a organisé un atelier", "el ayuntamiento organizó un taller",
# "die Stadt veranstaltete einen Workshop": an event stated with its organiser, even without date or place
ORGANISED_RE = re.compile(
    r"\b(?:organi[sz]ed|hosted|convened|held|co-organi[sz]ed|a organisé|ont organisé|a accueilli|organizó|"
    r"organizaron|celebró|acogió|veranstaltete|organisierte|richtete)\s+(?:an?|the|its|their|one of the|un|une|"
    r"le|la|el|los|las|einen?|eine|die|den|das)\s+(?:\w+\s+){0,3}?(?P<noun>"
    + EVENT_WORDS.replace("launch(?:ed)?|", "").replace("events?|", "").replace("visits?|", "")
    + r")\b",
    re.I,
)
# "GFMD 2015", "World Refugee Day 2019": the yearly edition of a forum, summit, conference or day
EDITION_HEAD_RE = re.compile(
    r"\b(?:Forum|Summit|Conference|Congress|Day|Week|Forum|Foro|Sommet|Cumbre|Gipfel|Konferenz|"
    r"Tag|Woche|Journée|Semaine|Día|Semana)\b"
)


def extract_events(text, place_recs, place_mentions, ents, ne_mentions) -> list[Event]:
    place_by_key = {p.key: p for p in place_recs}
    ent_by_key = {e.key: e for e in ents}
    stamps = [(m.start(), m.end()) for m in STAMP_RE.finditer(text)]
    dates = [d for d in find_dates(text) if not any(a <= d.start < b for a, b in stamps)]
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
            org_ev = ORGANISED_RE.search(sent.text)
            sd = [
                d
                for d in dates
                if sent.start <= d.start < sent.end
                and (d.date_end or len(d.date_start) > 4 or HELD_RE.search(sent.text))
            ]
            pm = [m for m in place_mentions if sent.start <= m.start < sent.end]
            cities = [place_by_key[m.key] for m in pm if place_by_key[m.key].type == "city"]
            placed = cities and (HELD_RE.search(sent.text) or _noun_in_city(text, sent, pm, place_by_key))
            if not sd and not placed and not org_ev:
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
            title = _title(sent.text, ev) if not (org_ev and not sd and not cities) else _np_title(sent.text, org_ev)
            evidence = " ".join(clean_inline(sent.text).split()[:12])
            targets = (
                cities
                if len(cities) > 1 and re.search(r"\b(?:meetings|workshops|events|sessions)\b", sent.text, re.I)
                else (cities[:1] or [None])
            )
            if not cities:
                # no city: the first region ("New York" the state), else the first country
                regions = [place_by_key[m.key] for m in pm if place_by_key[m.key].type == "region"]
                countries = [place_by_key[m.key] for m in pm if place_by_key[m.key].type == "country"]
                targets = regions[:1] or countries[:1] or [None]
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
    events += _editions(text, ents, ne_mentions, events)
    return _dedupe(events)


PLACE_PREP_RE = re.compile(r"\b(?:in|at|à|au|en|em|im|in der|in the city of|dans la ville de)\s+$", re.I)


def _noun_in_city(text: str, sent, pm, place_by_key) -> bool:
    """ "This workshop in Kingston…", "Academia Conference II … in Tunis": an event noun, then "in/at/à/en" + a city
    within a few words (not "a textiles workshop near X")."""
    for m in SPECIFIC_RE.finditer(sent.text):
        end = sent.start + m.end()
        for pmk in pm:
            if place_by_key[pmk.key].type == "city" and 0 <= pmk.start - end <= 100:
                if PLACE_PREP_RE.search(text[end : pmk.start]):
                    return True
    return False


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


def _tokens(title: str) -> set[str]:
    return {w for w in re.findall(r"\w+", title.lower()) if w not in _STOP and not w.isdigit()}


def _dedupe(events: list[Event]) -> list[Event]:
    """One record per occurrence: an event mentioned twice (a news headline and its story) is merged, keeping the
    more precise date and the place."""
    out: list[Event] = []
    for ev in events:
        tk = _tokens(ev.title)
        for i, o in enumerate(out):
            ot = _tokens(o.title)
            same_title = bool(tk and ot) and len(tk & ot) / min(len(tk), len(ot)) >= 0.6
            # the same city, one of the two undated: the story repeats the occurrence its headline announced
            same_place = bool(o.place) and o.place == ev.place and (not o.date_start or not ev.date_start)
            if not same_title and not same_place:
                continue
            a, b = o.date_start or "", ev.date_start or ""
            if a and b and a[:4] != b[:4] or len(a) > 4 and len(b) > 4 and a[:7] != b[:7]:
                continue
            if o.place and ev.place and o.place != ev.place and o.country != ev.country:
                continue
            best = o if len(a) >= len(b) else ev
            out[i] = Event(
                o.key,
                o.title if len(ot) >= len(tk) else ev.title,
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


def _np_title(sentence: str, m: re.Match) -> str:
    """The event noun phrase after "organised a …", up to the end of the clause ("roundtable discussion among …")."""
    rest = sentence[m.start("noun") :]
    rest = re.split(r"[.;:,(]|\s(?:to|which|that|where|who|in order|with the aim|pour|para|um)\s", rest)[0]
    words = clean_inline(rest).split()[:14]
    return " ".join(words)


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
    # capitalised words after the noun, with a linked topic: "Summit on Refugees", "Conférence sur la Migration"
    right = re.match(
        r"\s*((?:[A-Z0-9IVX][\w’'\-]*\s*){0,3}(?:(?:on|for|of|sur|pour|sobre|para|zu|zum|zur|über)\s+"
        r"(?:the |la |le |l'|el |die |der |den )?"
        r"(?:[A-ZÀ-Þ][\w’'\-]*\s*(?:(?:and|et|y|und|of|de)\s+)?){1,5})?)",
        sentence[ev.end() :],
    )
    head = (
        (m.group(1) if m else "")
        + ev.group(1)
        + (" " + right.group(1).strip() if right and right.group(1).strip() else "")
    )
    head = clean_inline(head).strip()
    if len(head.split()) >= 2:
        return head
    return " ".join(clean_inline(sentence).split()[:10])
