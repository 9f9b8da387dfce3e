"""Acronym ↔ expansion pairs stated in the text: "Long Name (ACR)", "ACR (Long Name)", "Long Name – ACR".

The matcher follows Schwartz & Hearst (2003): the expansion is the shortest run of words before the parenthesis
whose letters cover the acronym's letters in order, the first letter matching a word start. It works for any
Latin-script language ("Organisation internationale pour les migrations (OIM)").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .budget import checkpoint

STAGE = "extract/acronyms@1"

ACR = r"[A-Z][A-Za-z0-9]*[A-Z0-9](?:[-‐ ][A-Z0-9]+)?[a-z]?|[a-z][A-Z]{2,}[A-Za-z]*"
PAREN_AFTER_RE = re.compile(r"\((" + ACR + r")\)")
ACR_THEN_PAREN_RE = re.compile(r"\b(" + ACR + r")\s+\(([^()]{6,150})\)")
DASH_ACR_RE = re.compile(r"[ \t][-–—][ \t](" + ACR + r")\b")
WORD_RE = re.compile(r"[\w'’&.-]+", re.UNICODE)
MINOR = {
    "of",
    "for",
    "on",
    "and",
    "the",
    "in",
    "de",
    "la",
    "le",
    "les",
    "des",
    "du",
    "pour",
    "et",
    "para",
    "los",
    "las",
    "del",
    "y",
    "en",
    "und",
    "für",
    "der",
    "die",
    "das",
    "to",
    "with",
    "a",
    "an",
    "at",
    "&",
    "by",
    "d",
    "l",
    "e",
    "per",
    "di",
    "al",
    "el",
}


@dataclass(frozen=True)
class AcronymPair:
    acronym: str
    expansion: str
    acr_start: int
    acr_end: int
    exp_start: int
    exp_end: int


def _letters(acronym: str) -> str:
    return "".join(ch.lower() for ch in acronym if ch.isalnum())


def _covers(acronym: str, words: list[str]) -> bool:
    """Do the words' letters contain the acronym's letters in order, starting at the first word's initial?"""
    letters = "".join(ch for ch in _letters(acronym) if not ch.isdigit())  # "MC2CM": the 2 stands for "to"
    if not letters or not words:
        return False
    if words[0][0].lower() != letters[0]:
        return False
    text = " ".join(words).lower()
    pos = 0
    for ch in letters:
        pos = text.find(ch, pos)
        if pos < 0:
            return False
        pos += 1
    # most acronym letters should be word initials of major words
    initials = [w[0].lower() for w in words if w.lower() not in MINOR]
    hits = sum(1 for ch in letters if ch in initials)
    return hits >= max(1, min(len(initials), len([c for c in letters if c.isalpha()])) // 2)


BEFORE_WINDOW = 600  # an expansion is at most a few dozen words: read no further back, whatever the line's length


def _before(text: str, pos: int, window: int = BEFORE_WINDOW) -> tuple[int, str]:
    """(offset, text) of the line before ``pos``, at most ``window`` characters, starting on a word."""
    lo = max(0, pos - min(window, BEFORE_WINDOW))
    nl = text.rfind("\n", lo, pos)
    if nl >= 0:
        return nl + 1, text[nl + 1 : pos]
    if lo > 0:  # cut inside a long line: start after the next space
        sp = text.find(" ", lo, pos)
        lo = pos if sp < 0 else sp + 1
    return lo, text[lo:pos]


def find_pairs(text: str) -> list[AcronymPair]:
    pairs: list[AcronymPair] = []
    for m in PAREN_AFTER_RE.finditer(text):
        checkpoint()
        acr = m.group(1)
        if len(_letters(acr)) < 2 or acr.isdigit():
            continue
        n = len(_letters(acr))
        line_start, before = _before(text, m.start(), 30 * (n + 6))
        words = list(WORD_RE.finditer(before))
        best = None
        for k in range(1, min(len(words), n + 6) + 1):
            span = words[-k:]
            ws = [w.group(0) for w in span]
            if ws[0].lower() in MINOR or not ws[0][0].isupper() and not ws[0][0].isdigit():
                continue
            if _covers(acr, ws):
                best = span
                break
        if best is None:
            continue
        s = line_start + best[0].start()
        e = line_start + best[-1].end()
        exp = text[s:e].rstrip(" ,;:-–")
        e = s + len(exp)
        if exp == acr or len(exp) <= len(acr) or not plausible_name(exp, acr):
            continue
        pairs.append(AcronymPair(acr, exp, m.start(1), m.end(1), s, e))
    for m in ACR_THEN_PAREN_RE.finditer(text):
        acr, inner = m.group(1), m.group(2)
        words = inner.split()
        if _covers(acr, words) and inner[0].isupper() and plausible_name(inner.strip(), acr):
            pairs.append(
                AcronymPair(acr, inner.strip(), m.start(1), m.end(1), m.start(2), m.start(2) + len(inner.strip()))
            )
    for m in DASH_ACR_RE.finditer(text):
        checkpoint()
        acr = m.group(1)
        line_start, before = _before(text, m.start())
        words = list(WORD_RE.finditer(before))
        for k in range(1, min(len(words), len(_letters(acr)) + 6) + 1):
            span = words[-k:]
            ws = [w.group(0).strip("*") for w in span]
            if not ws[0] or ws[0].lower() in MINOR or not ws[0][0].isupper():
                continue
            if _covers(acr, ws):
                s = line_start + span[0].start()
                e = line_start + span[-1].end()
                exp = text[s:e].strip("*")
                s = text.find(exp, s)
                if not plausible_name(exp, acr):
                    break
                pairs.append(AcronymPair(acr, exp, m.start(1), m.end(1), s, s + len(exp)))
                break
    return pairs


def plausible_name(expansion: str, acronym: str = "") -> bool:
    """A proper-name expansion: no clause punctuation, and most major words capitalised."""
    if any(ch in expansion for ch in ";()[]") or expansion.count(",") > 1 or "\n" in expansion:
        return False
    major = [w for w in WORD_RE.findall(expansion) if w.lower() not in MINOR]
    if not major:
        return False
    caps = sum(1 for w in major if w[0].isupper() or w[0].isdigit())
    if caps / len(major) >= 0.6:
        return True
    # French/Spanish/German style names keep only the first word capitalised ("Organisation internationale pour
    # les migrations (OIM)"); accept when every acronym letter is a word initial and the acronym is not a plural
    initials = "".join(w[0].lower() for w in major)
    letters = _letters(acronym)
    return (
        bool(letters)
        and expansion[0].isupper()
        and not acronym.endswith("s")
        and len(major) <= 8
        and letters == initials
    )


def acronym_map(pairs: list[AcronymPair]) -> dict[str, str]:
    """acronym → its (first stated) expansion."""
    out: dict[str, str] = {}
    for p in pairs:
        out.setdefault(p.acronym, p.expansion)
    return out
