"""Cheap text segmentation used by several stages: paragraphs, sentences, lines, URLs/e-mails, headings.

All offsets are code-point indices into the original text, end exclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'«»\]\)]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[\w-]+(?:\.[\w-]+)*\.(?:eu|org|com|net|int|gov|edu|info|de|fr|es|be|uk|nl|it|ch|at)(?:/[^\s<>\"'\)]*)?",
)
SENT_END_RE = re.compile(r"(?<=[.!?])[\"'”’»)]*\s+(?=[\"'“‘«(]*[A-ZÀ-ÖØ-Þ0-9¿¡])|\n")
ABBREV = (
    "Mr.",
    "Ms.",
    "Mrs.",
    "Dr.",
    "Prof.",
    "St.",
    "e.g.",
    "i.e.",
    "No.",
    "vs.",
    "U.S.",
    "U.K.",
    "Sr.",
    "Sra.",
    "Mme.",
)


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    text: str


def paragraphs(text: str) -> list[Segment]:
    """Blocks separated by blank lines (a line of only whitespace counts as blank)."""
    out = []
    for m in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", text):
        s, e = m.start(), m.end()
        while e > s and text[e - 1].isspace():
            e -= 1
        while s < e and text[s].isspace():
            s += 1
        if e > s:
            out.append(Segment(s, e, text[s:e]))
    return out


def lines(text: str) -> list[Segment]:
    out = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            out.append(Segment(pos + lead, pos + lead + len(stripped), stripped))
        pos += len(line) + 1
    return out


def sentences(text: str, start: int = 0, end: int | None = None) -> list[Segment]:
    """Sentences of ``text[start:end]``; a newline always ends a sentence."""
    end = len(text) if end is None else end
    chunk = text[start:end]
    out = []
    pos = 0
    for m in SENT_END_RE.finditer(chunk):
        before = chunk[pos : m.start()]
        if any(before.endswith(a) for a in ABBREV) or re.search(r"\b[A-Z]\.$", before):
            continue
        _add(out, chunk, pos, m.start(), start)
        pos = m.end()
    _add(out, chunk, pos, len(chunk), start)
    return out


def _add(out: list[Segment], chunk: str, s: int, e: int, offset: int) -> None:
    while s < e and chunk[s].isspace():
        s += 1
    while e > s and chunk[e - 1].isspace():
        e -= 1
    if e > s:
        out.append(Segment(offset + s, offset + e, chunk[s:e]))


def url_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in URL_RE.finditer(text)]


def overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


HEADING_RE = re.compile(r"^\s*#{1,6}\s*(.+?)\s*$")


def heading_text(line: str) -> str | None:
    """The text of a Markdown heading line, without ``#`` and ``**`` marks; None when not a heading."""
    m = HEADING_RE.match(line)
    if not m:
        return None
    return m.group(1).replace("**", "").strip()


def clean_inline(text: str) -> str:
    """Drop Markdown emphasis and HTML-ish tags that PDF/HTML converters leave in running text."""
    text = re.sub(r"</?(?:sup|sub|a|b|i|em|strong)[^>]*>", "", text)
    return text.replace("**", "").replace("__", "")


def word_count(text: str) -> int:
    return len(text.split())
