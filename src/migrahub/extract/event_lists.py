"""Events stated by a page's layout rather than its sentences: committee records ("Date of Meeting: …"), agenda
lines ("World Urban Forum, Kuala Lumpur, 7-13 February, 2017"), listing cards (a title over a date line), event
announcements with labelled fields ("Date: …", "Lieu : …", "Organiza: …") and yearly editions ("GFMD 2015")."""

from __future__ import annotations

import re

from .dates import find_dates
from .event_doc import C, EventDoc, event_noun
from .prose import alternation
from .records import Event
from .segments import Segment, clean_inline, lines

# "GFMD 2015", "World Refugee Day 2019": the yearly edition of a forum, summit, conference or day
EDITION_HEAD_RE = re.compile(
    r"\b(?:Forum|Summit|Conference|Congress|Day|Week|Foro|Sommet|Cumbre|Gipfel|Konferenz|"
    r"Tag|Woche|Journée|Semaine|Día|Semana)\b"
)
FIELD_RES = {
    field: re.compile(rf"^\W*{alternation(labels)}\s*:\s*(?P<value>\S.*)$", re.I)
    for field, labels in C["field_labels"].items()
}
# "Online. Organised by the European Network of Welcoming Towns."
BY_RE = re.compile(rf"(?:^|[.;]\s+){alternation(C['field_labels']['organiser'])}\s+(?P<value>[^.;]+)", re.I)
OPENER_RE = re.compile(rf"^\W*{alternation(C['announcement_openers'])}\s*[:\-–—]?\s*", re.I)
DAY_NOUN_RE = re.compile(r"\b(?:Day|Week|Journée|Semaine|Día|Semana|Tag|Woche)\b")


def meeting_record(doc: EventDoc, para: Segment) -> list[Event]:
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


def listed_events(doc: EventDoc) -> list[Event]:
    """Agenda lines ("Title, Place, 12-25 September 2017") when the document lists two or more, and listing cards
    whose title line stands over a date line ("“Local Responses …”" / "14 - 15 November, 2023")."""
    text = doc.text
    out: list[Event] = []
    agenda = []
    for seg in lines(text):
        a = _agenda_line(doc, seg)
        if a is not None:
            agenda.append(a)
    if len(agenda) >= 2 or any(event_noun(a.title) for a in agenda):
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
        if not (place or quoted and event_noun(above) or event_noun(tt) or DAY_NOUN_RE.search(tt)):
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


def _agenda_line(doc: EventDoc, seg: Segment) -> Event | None:
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


def _date_line(doc: EventDoc, seg: Segment):
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


# --- announcements with labelled fields ----------------------------------------------------------------------


def announcements(doc: EventDoc) -> list[Event]:
    """A title line over labelled fields — "Date: 9 February 2023", "Lieu : Marseille", "Organiza: Fundación …",
    "Organised by …" — with a date: the announced event (its place and organisers from their fields)."""
    segs = lines(doc.text)
    out: list[Event] = []
    i = 0
    while i < len(segs):
        fields = _fields(segs[i].text)
        if not fields:
            i += 1
            continue
        j, block = i, {}
        while j < len(segs) and (j == i or _fields(segs[j].text) or j + 1 < len(segs) and _fields(segs[j + 1].text)):
            for name, value in _fields(segs[j].text).items():
                block.setdefault(name, (segs[j], value))
            j += 1
            if j - i > 8:
                break
        ev = _announced(doc, segs, i, block)
        if ev is not None:
            out.append(ev)
        i = j
    return out


def _fields(line: str) -> dict[str, str]:
    out = {}
    if ":" in line:
        for name, rx in FIELD_RES.items():
            m = rx.match(line)
            if m:
                out[name] = m.group("value")
    if "organiser" not in out and len(line) < 200 and len(line.split()) <= 20:
        by = BY_RE.search(line)
        if by:
            out["organiser"] = by.group("value")
    return out


def _announced(doc: EventDoc, segs: list[Segment], i: int, block: dict) -> Event | None:
    if "date" not in block:
        return None
    seg, value = block["date"]
    ds = [d for d in find_dates(value) if len(d.date_start) > 4]
    title_seg = next((s for s in reversed(segs[max(0, i - 2) : i]) if _title_line(s.text)), None)
    if not ds or title_seg is None:
        return None
    title = clean_inline(title_seg.text).strip()
    opened = OPENER_RE.match(title)
    title = title[opened.end() :] if opened else title
    if not title or not (opened or event_noun(title) or "place" in block or "organiser" in block):
        return None
    place = None
    if "place" in block:
        pseg = block["place"][0]
        cities, _ = doc.places_in(pseg.start, pseg.end)
        place = next((p for p in cities if p.type == "city"), cities[0] if cities else None)
    organisers: tuple[str, ...] = ()
    if "organiser" in block:
        oseg, who = block["organiser"]
        organisers = doc.organisers(oseg.start, oseg.end) or (
            re.sub(r"^(?:the|le|la|les|el|la|der|die|das)\s+", "", who.strip(" .")),
        )
    d = ds[0]
    return Event(
        "event:n",
        title[:1].upper() + title[1:],
        d.date_start,
        d.date_end,
        place.name if place else None,
        place.country if place else None,
        organisers,
        None,
        " ".join(title.split()[:12]),
        title_seg.start,
    )


def _title_line(t: str) -> bool:
    t = clean_inline(t).strip()
    return 2 <= len(t.split()) <= 25 and not t.endswith((".", ":")) and not _fields(t)


# --- editions and merging ----------------------------------------------------------------------------------------


def editions(text: str, ents, ne_mentions, events: list[Event]) -> list[Event]:
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
