"""Dates stage: day/month/year expressions and ranges in English, French, Spanish and German → ISO partial dates.

Handles "25-26 June 2019", "29-30th September, 2016", "30 June to 6 July 2019", "May 26th 2019",
"between July and October 2019", "June 2019", "le 12 décembre 2019", "du 25 au 26 juin 2019",
"12 de diciembre de 2019", "del 25 al 26 de junio de 2019", "12. Dezember 2019", "25.–26. Juni 2019", ISO dates,
numeric dates "08.11.2016" and "4/12/2015" (day first, unless the second number cannot be a month).
Output: ``DateHit(start, end, date_start, date_end)`` with "YYYY-MM-DD", "YYYY-MM" or "YYYY"; end may be None.
``find_yearless`` finds days named without a year ("le 21 octobre", "Jeudi 1er mars", "June 26 and 27", "19 al 21
de abril"); their date is "--MM-DD" (ISO 8601's form for a day of no stated year), for the caller to place in a year
the document states.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .segments import line_of

STAGE = "extract/dates@1"

MONTHS = {
    # English
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
    # French
    "janvier": 1,
    "février": 2,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "août": 8,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
    "decembre": 12,
    # Spanish
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "setiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
    # German
    "januar": 1,
    "jänner": 1,
    "februar": 2,
    "märz": 3,
    "maerz": 3,
    "juni": 6,
    "juli": 7,
    "oktober": 10,
    "dezember": 12,
}
MONTH = r"(?P<{n}>" + "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True)) + r")\.?"
ORD = r"(?:st|nd|rd|th|er|ère|º|°|\.)?"
DAY = r"(?P<{n}>[0-3]?[0-9])" + ORD
YEAR = r"(?P<{n}>(?:19|20)[0-9]{{2}})"
SUP = r"(?:<sup>)?(?:st|nd|rd|th)?(?:</sup>)?"
DASH = r"\s*(?:-|–|—|to|au|al|bis|a|y|and|et|und)\s*"
OF = r"(?:\s+de|\s+del)?"

_d = lambda n: DAY.format(n=n)  # noqa: E731
_m = lambda n: MONTH.format(n=n)  # noqa: E731
_y = lambda n: YEAR.format(n=n)  # noqa: E731

PATTERNS = [
    # 30 June to 6 July 2019 / du 30 juin au 6 juillet 2019
    re.compile(
        rf"(?:from |du |del |vom )?{_d('d1')}{SUP}{OF}\s+{_m('m1')}{DASH}{_d('d2')}{SUP}{OF}\s+{_m('m2')},?{OF}\s+{_y('y')}",  # noqa: E501
        re.I,
    ),
    # 25-26 June 2019, 29-30th September, 2016, del 25 al 26 de junio de 2019, 25.–26. Juni 2019
    re.compile(
        rf"(?:from |du |del |vom )?{_d('d1')}{SUP}{DASH}{_d('d2')}{SUP}{OF}\s+{_m('m1')},?{OF}\s+{_y('y')}", re.I
    ),
    # 12 December 2019, 30th September, 2016, 12 de diciembre de 2019, 12. Dezember 2019
    re.compile(rf"\b{_d('d1')}{SUP}{OF}\s+{_m('m1')},?{OF}\s+{_y('y')}", re.I),
    # May 26th 2019, June 25, 2020
    re.compile(rf"\b{_m('m1')}\s+{_d('d1')}{SUP},?\s+{_y('y')}", re.I),
    # between July and October 2019 / July-October 2019 / entre juillet et octobre 2019
    re.compile(rf"(?:between |entre |zwischen )?{_m('m1')}{DASH}{_m('m2')}{OF}\s+{_y('y')}", re.I),
    # June 2019 / juin 2019 / junio de 2019
    re.compile(rf"\b{_m('m1')},?{OF}\s+{_y('y')}", re.I),
    # ISO
    re.compile(r"\b(?P<iso>(?:19|20)[0-9]{2}-[01][0-9]-[0-3][0-9])\b"),
    # 08.11.2016, 4/12/2015 (day first; 12/25/2019 month first)
    re.compile(
        r"(?<![\w./])(?P<n1>[0-3]?[0-9])(?P<sep>[./])(?P<n2>[0-3]?[0-9])(?P=sep)(?P<ny>(?:19|20)[0-9]{2})(?![\w/])"
    ),
]
YEARLESS = [
    # du 25 au 26 juin / del 19 al 21 de abril / 20. und 21. Mai / 1er mars (no year after)
    re.compile(
        rf"(?:from |du |del |vom )?\b{_d('d1')}(?:{DASH}{_d('d2')})?{OF}\s+{_m('m1')}"
        r"(?![\w,]*\s*,?\s*(?:de\s+|del\s+)?(?:19|20)[0-9]{2})",
        re.I,
    ),
    # June 26 and 27 / March 2 (English month first)
    re.compile(rf"\b{_m('m1')}\s+{_d('d1')}(?:{DASH}{_d('d2')})?\b(?!,?\s*(?:19|20)[0-9]{{2}})(?!\s*[0-9])", re.I),
]


MONTH_WORD_RE = re.compile(
    r"(?<!\w)(?:" + "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True)) + r")(?!\w)", re.I
)


@dataclass(frozen=True)
class DateHit:
    start: int
    end: int
    date_start: str
    date_end: str | None


def _iso(y: str, m: int | None, d: str | None) -> str:
    if m is None:
        return y
    if d is None:
        return f"{y}-{m:02d}"
    return f"{y}-{m:02d}-{int(d):02d}"


YEAR_ANY_RE = re.compile(r"(?:19|20)[0-9]{2}")


def find_dates(text: str) -> list[DateHit]:
    """Every date of ``text``, in order (the stages of one document share one reading: see :func:`_dates`)."""
    return list(_dates(text))


def _lines_with(rx: re.Pattern, text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each line of ``text`` holding a match of ``rx``, in order."""
    spans: list[tuple[int, int]] = []
    for m in rx.finditer(text):
        s, e = line_of(text, m.start(), m.end())
        if not spans or s > spans[-1][1]:
            spans.append((s, e))
    return spans


@lru_cache(maxsize=8)
def _dates(text: str) -> tuple[DateHit, ...]:
    hits: list[DateHit] = []
    occupied = bytearray(len(text) + 1)
    # every pattern ends in a year: scan only the lines that hold one (fast on long documents)
    spans = _lines_with(YEAR_ANY_RE, text)
    matches = []
    for rx in PATTERNS:
        for s, e in spans:
            matches.extend(rx.finditer(text, s, e))
        for m in matches:
            if any(occupied[m.start() : m.end()]):
                continue
            g = m.groupdict()
            if g.get("iso"):
                hit = DateHit(m.start(), m.end(), g["iso"], None)
            elif g.get("ny"):
                a, b = int(g["n1"]), int(g["n2"])
                day, month = (b, a) if b > 12 and a <= 12 and g["sep"] == "/" else (a, b)
                if not (1 <= day <= 31 and 1 <= month <= 12):
                    continue
                hit = DateHit(m.start(), m.end(), f"{g['ny']}-{month:02d}-{day:02d}", None)
            else:
                m1 = MONTHS.get(g["m1"].lower().rstrip("."))
                if m1 is None:
                    continue
                # "may" is also an English modal verb: require a day or a capital M
                if g["m1"].lower() == "may" and not g.get("d1") and not g["m1"][0].isupper():
                    continue
                m2 = MONTHS.get(g["m2"].lower().rstrip(".")) if g.get("m2") else None
                d1, d2 = g.get("d1"), g.get("d2")
                if d1 and not 1 <= int(d1) <= 31 or d2 and not 1 <= int(d2) <= 31:
                    continue
                y = g["y"]
                start = _iso(y, m1, d1)
                end = None
                if d2 and m2:
                    end = _iso(y, m2, d2)
                elif d2:
                    end = _iso(y, m1, d2)
                elif m2:
                    end = _iso(y, m2, None)
                hit = DateHit(m.start(), m.end(), start, end)
            occupied[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
            hits.append(hit)
        matches = []
    for m in re.finditer(r"(?<![\w/-])((?:19|20)[0-9]{2})(?![\w/-])", text):
        if not any(occupied[m.start() : m.end()]):
            hits.append(DateHit(m.start(), m.end(), m.group(1), None))
    return tuple(sorted(hits, key=lambda h: h.start))


def find_yearless(text: str, occupied: list[DateHit] = ()) -> list[DateHit]:
    """Days named without a year ("le 21 octobre", "June 26 and 27"), outside the spans of ``occupied`` (the hits of
    ``find_dates``): ``date_start`` = "--MM-DD", ``date_end`` = "--MM-DD" or None."""
    taken = [(h.start, h.end) for h in occupied]
    out: list[DateHit] = []
    # every pattern names a month: scan only the lines that hold one (fast on long documents)
    spans = _lines_with(MONTH_WORD_RE, text)
    for rx in YEARLESS:
        for m in (hit for s, e in spans for hit in rx.finditer(text, s, e)):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            g = m.groupdict()
            word = g["m1"]
            month = MONTHS.get(word.lower().rstrip("."))
            if month is None or not word[0].isupper() and (word.lower() == "may" or rx is YEARLESS[1]):
                continue
            d1, d2 = int(g["d1"]), int(g["d2"]) if g.get("d2") else None
            if not 1 <= d1 <= 31 or d2 is not None and not d1 < d2 <= 31:
                continue
            end = f"--{month:02d}-{d2:02d}" if d2 else None
            out.append(DateHit(m.start(), m.end(), f"--{month:02d}-{d1:02d}", end))
            taken.append((m.start(), m.end()))
    return sorted(out, key=lambda h: h.start)
