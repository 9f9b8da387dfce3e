"""Cheap text segmentation used by several stages: paragraphs, sentences, lines, URLs/e-mails, headings.

All offsets are code-point indices into the original text, end exclusive.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

# URLs, e-mail addresses and bare domains. Linear time on any input: every alternative may start only where a run of
# the characters it consumes starts (look-behinds), and its quantifiers are possessive, so a failed attempt never
# restarts inside a run of word characters and nothing is ever given back (10 MB without spaces: one pass). A
# domain's labels are taken while a label follows their dot, then the last one must be a known top-level domain.
TLDS = "eu|org|com|net|int|gov|edu|info|de|fr|es|be|uk|nl|it|ch|at"
URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'«»\]\)]++"
    r"|(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)++"
    rf"|(?<![\w.@-])(?:[\w-]++\.(?=[\w-]))++(?:{TLDS})(?![\w-])(?:/[^\s<>\"'\)]*+)?",
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
    """Blocks separated by blank lines (a line of only whitespace counts as blank); linear time."""
    out = []
    start = None  # start of the current block
    last = 0  # end of the last non-blank line of the current block
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        stop = n if nl < 0 else nl
        if text[pos:stop].strip():
            if start is None:
                start = pos
            last = stop
        elif start is not None:
            _add(out, text, start, last, 0)
            start = None
        pos = stop + 1
    if start is not None:
        _add(out, text, start, last, 0)
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
        cut = m.start()
        # an abbreviation or an initial ("Mr.", "J.") does not end a sentence: look at the few characters before the
        # break only, so that a long run of abbreviations costs linear time
        if chunk[cut - 1 : cut] == "." and (chunk.endswith(ABBREV, pos, cut) or _initial_before(chunk, pos, cut)):
            continue
        _add(out, chunk, pos, cut, start)
        pos = m.end()
    _add(out, chunk, pos, len(chunk), start)
    return out


def _initial_before(chunk: str, pos: int, cut: int) -> bool:
    """``chunk[pos:cut]`` ends with a capital initial and its dot ("J."), the initial starting a word."""
    return (
        cut - pos >= 2
        and "A" <= chunk[cut - 2] <= "Z"
        and not (cut - 3 >= 0 and (chunk[cut - 3].isalnum() or chunk[cut - 3] == "_"))
    )


def _add(out: list[Segment], chunk: str, s: int, e: int, offset: int) -> None:
    while s < e and chunk[s].isspace():
        s += 1
    while e > s and chunk[e - 1].isspace():
        e -= 1
    if e > s:
        out.append(Segment(offset + s, offset + e, chunk[s:e]))


def url_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in URL_RE.finditer(text)]


class Spans:
    """A fixed set of ``(start, end)`` spans (they may overlap) answering "inside" and "overlaps" in O(log n)."""

    def __init__(self, spans=()) -> None:
        spans = sorted(spans)
        self.starts = [s for s, _ in spans]
        self.max_end = []  # the largest end among the spans up to each index
        top = -1
        for _, e in spans:
            top = max(top, e)
            self.max_end.append(top)

    def __len__(self) -> int:
        return len(self.starts)

    def inside(self, start: int, end: int) -> bool:
        """Some span holds all of ``[start, end)``."""
        i = bisect_right(self.starts, start) - 1
        return i >= 0 and self.max_end[i] >= end

    def overlaps(self, start: int, end: int) -> bool:
        """Some span shares a character with ``[start, end)``."""
        i = bisect_left(self.starts, end) - 1
        return i >= 0 and self.max_end[i] > start

    def first_start_within(self, start: int, end: int) -> int | None:
        """The first span start strictly between ``start`` and ``end``, if any."""
        i = bisect_right(self.starts, start)
        return self.starts[i] if i < len(self.starts) and self.starts[i] < end else None


def line_of(text: str, start: int, end: int) -> tuple[int, int]:
    """Start and end of the line(s) holding ``text[start:end]`` (line breaks excluded)."""
    line_end = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, len(text) if line_end < 0 else line_end


def add_window(spans: list[tuple[int, int]], text: str, start: int, end: int, width: int) -> None:
    """Add ``text[start:end]`` with up to ``width`` characters either side, kept within its line and cut at spaces,
    to ``spans`` (ordered by start), merged with the last span when they touch."""
    line_start, line_end = line_of(text, start, end)
    lo, hi = max(line_start, start - width), min(line_end, end + width)
    if lo > line_start:  # start and end on word boundaries
        lo = text.find(" ", lo, start) + 1 or start
    if hi < line_end:
        hi = max(end, text.rfind(" ", end, hi))
    if spans and lo <= spans[-1][1]:
        spans[-1] = (spans[-1][0], max(hi, spans[-1][1]))
    else:
        spans.append((lo, hi))


def as_spans(spans) -> Spans:
    return spans if isinstance(spans, Spans) else Spans(spans)


def overlaps(start: int, end: int, spans) -> bool:
    if isinstance(spans, Spans):
        return spans.overlaps(start, end)
    return any(start < e and s < end for s, e in spans)


def inside(start: int, end: int, spans) -> bool:
    if isinstance(spans, Spans):
        return spans.inside(start, end)
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
