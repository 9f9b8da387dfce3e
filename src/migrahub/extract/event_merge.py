"""One record per event occurrence: an event mentioned twice in a document (a headline and its story, an agenda line
and the paragraph about it) is merged, keeping the more precise date, the place and the name."""

from __future__ import annotations

import re
from dataclasses import replace

from .event_doc import NOUN_ALL, C
from .event_titles import is_name
from .prose import alternation
from .records import Event

_STOP = {"the", "of", "and", "on", "in", "for", "a", "an", "to", "de", "la", "le", "el", "du", "des", "der", "die"}
GENERAL_RE = re.compile(rf"(?:{alternation(C['nouns']['general'])})", re.I)
GENERAL_OR_SPECIFIC_RE = re.compile(rf"(?:{alternation(C['ordinals'])}\s+)?(?:{NOUN_ALL})", re.I)


def _tokens(title: str, place: str | None = None) -> set[str]:
    """The words of a title, less function words, numbers and the words of its place ("Forum in Quezon City")."""
    drop = set(re.findall(r"\w+", place.lower())) if place else set()
    words = [w for w in re.findall(r"\w+", title.lower()) if w not in _STOP and not w.isdigit() and w not in drop]
    # a German genitive ("des Kongresses") is the word
    return {w[:-2] if w.endswith("sses") else w for w in words}


def dedupe(events: list[Event]) -> list[Event]:
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
