"""Answers cut into sentence segments with code-point offsets into the (redacted) answer text."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE = re.compile(r"[^\n.!?。！？]+(?:[.!?。！？]+(?=\s|$)|$|(?=\n))|[^\n]+", re.UNICODE)
MIN_CHARS = 12
MAX_CHARS = 600


@dataclass(frozen=True)
class Segment:
    submission: int
    question: int
    start: int
    end: int
    text: str


def segment(submission: int, question: int, text: str) -> list[Segment]:
    """Sentences of ``text`` (short fragments joined to the next one), ``text[start:end] == segment.text``."""
    out: list[Segment] = []
    pending: int | None = None
    for m in _SENTENCE.finditer(text):
        raw = m.group()
        lead = len(raw) - len(raw.lstrip())
        start, end = m.start() + lead, m.start() + len(raw.rstrip())
        if end <= start:
            continue
        if pending is not None:
            start = pending
        if end - start < MIN_CHARS:
            pending = start
            continue
        pending = None
        while end - start > MAX_CHARS:
            cut = text.rfind(" ", start, start + MAX_CHARS)
            cut = cut if cut > start else start + MAX_CHARS
            out.append(Segment(submission, question, start, cut, text[start:cut]))
            start = cut + 1
        out.append(Segment(submission, question, start, end, text[start:end]))
    if pending is not None:
        end = len(text.rstrip())
        if out and out[-1].end <= pending:
            last = out.pop()
            out.append(Segment(submission, question, last.start, end, text[last.start:end]))
        elif end > pending:
            out.append(Segment(submission, question, pending, end, text[pending:end]))
    return out
