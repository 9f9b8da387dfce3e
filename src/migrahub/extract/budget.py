"""Bounded work for every document: pathological runs left out, a size budget, long lines broken, a deadline.

Extraction runs on text that any feed or page author controls, so its cost must not depend on the text's shape:

* a run of more than ``max_token`` characters without white space (10 MB of one letter, a base64 blob, a line of
  dots) cannot be a name, nor can a run of more than ``max_space`` white-space characters hold one: both are left
  out of the text the stages read (a run of characters becomes one space, a run of white space a line break), so no
  stage scans them (URLs and e-mail addresses of up to ``max_url`` characters are kept);
* at most ``max_chars`` code points of what is left are read (the rest is left out, and a note says so);
* a line longer than ``max_line`` characters is read as several lines (a space becomes a newline, at a sentence end
  where there is one), so that work bounded by a line stays bounded;
* a deadline of ``seconds`` is checked between stages and inside the long loops of the stages
  (:func:`checkpoint`): once it has passed, the remaining stages are skipped and the extraction keeps what the
  finished stages found, with a note.

:class:`Prepared` maps every offset of the text the stages read back to the document's own text
(:meth:`Prepared.original`), so mentions keep pointing into the stored text.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_right
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

from migrahub import config


@dataclass(frozen=True)
class Budget:
    max_chars: int = 300_000
    max_token: int = 300
    max_url: int = 4_096
    max_space: int = 32
    max_line: int = 5_000
    seconds: float = 10.0

    @classmethod
    def from_env(cls) -> Budget:
        """The default budget, with ``MIGRAHUB_EXTRACT_MAX_CHARS`` and ``MIGRAHUB_EXTRACT_SECONDS`` when set."""
        b = cls()
        chars, seconds = config.get("MIGRAHUB_EXTRACT_MAX_CHARS"), config.get("MIGRAHUB_EXTRACT_SECONDS")
        return replace(b, max_chars=b.max_chars if chars is None else chars,
                       seconds=b.seconds if seconds is None else seconds)


DEFAULT = Budget()
_RUNS_RE: dict[tuple[int, int], re.Pattern] = {}


class OutOfTime(Exception):
    """Raised by :func:`checkpoint` once the running extraction's deadline has passed."""


class Deadline:
    """A monotonic-clock deadline; :meth:`passed` is cheap enough to call between stages."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def passed(self) -> bool:
        return time.monotonic() > self._end


_CURRENT: ContextVar[Deadline | None] = ContextVar("migrahub_extract_deadline", default=None)
_calls = 0


def checkpoint() -> None:
    """Raise :class:`OutOfTime` when the running extraction's deadline has passed (a no-op outside one).

    A stage whose loop may run long on dense text calls this every few hundred items; :func:`migrahub.extract.extract`
    then keeps what the stages before it found and says where it stopped.
    """
    global _calls
    _calls += 1
    if _calls & 31:  # the clock is read every 32nd call: a call costs next to nothing in a tight loop
        return
    d = _CURRENT.get()
    if d is not None and d.passed():
        raise OutOfTime


@contextmanager
def running(deadline: Deadline):
    """Make ``deadline`` the one :func:`checkpoint` reads (per thread and task)."""
    token = _CURRENT.set(deadline)
    try:
        yield deadline
    finally:
        _CURRENT.reset(token)


@dataclass(frozen=True)
class Prepared:
    """The text the stages read, and how its offsets map to the document's text."""

    text: str
    notes: tuple[str, ...]
    # pieces of the document kept, in order: the piece starting at ``starts[i]`` of ``text`` is the document's text
    # from ``sources[i]`` on, for ``lengths[i]`` characters; between pieces stand the replacements of left-out runs
    starts: tuple[int, ...] = (0,)
    sources: tuple[int, ...] = (0,)
    lengths: tuple[int, ...] = (-1,)  # -1: the whole rest (the text was not compacted)

    @property
    def compacted(self) -> bool:
        return self.lengths != (-1,)

    def original(self, start: int, end: int) -> tuple[int, int] | None:
        """The document's offsets of ``text[start:end]``; None when the span crosses a left-out run."""
        if not self.compacted:
            return start, end
        i = bisect_right(self.starts, start) - 1
        if i < 0 or end - self.starts[i] > self.lengths[i]:
            return None
        delta = self.sources[i] - self.starts[i]
        return start + delta, end + delta


def _runs_re(max_token: int, max_space: int) -> re.Pattern:
    rx = _RUNS_RE.get((max_token, max_space))
    if rx is None:
        # each alternative starts only where its run starts and never gives back: one pass over any text
        rx = re.compile(rf"(?<!\S)\S{{{max_token + 1},}}+|(?<!\s)\s{{{max_space + 1},}}+")
        _RUNS_RE[(max_token, max_space)] = rx
    return rx


def _is_address(token: str, max_url: int) -> bool:
    return len(token) <= max_url and ("://" in token or "www." in token or "@" in token)


def prepare(text: str, budget: Budget = DEFAULT) -> Prepared:
    """The text the stages read: long runs left out, at most ``budget.max_chars`` long, long lines broken."""
    notes = []
    pieces: list[str] = []
    starts, sources, lengths = [], [], []
    pos = out_len = 0
    tokens = spaces = 0
    for m in _runs_re(budget.max_token, budget.max_space).finditer(text):
        if not m.group(0)[0].isspace():
            if _is_address(m.group(0), budget.max_url):
                continue
            tokens += 1
            repl = " "
        else:
            spaces += 1
            repl = "\n\n" if "\n" in m.group(0) else "\n"
        starts.append(out_len)
        sources.append(pos)
        lengths.append(m.start() - pos)
        pieces += [text[pos : m.start()], repl]
        out_len += m.start() - pos + len(repl)
        pos = m.end()
    if tokens:
        notes.append(f"left out {tokens:,} run(s) of more than {budget.max_token} characters without a space")
    if spaces:
        notes.append(f"read {spaces:,} run(s) of more than {budget.max_space} spaces as line breaks")
    if pieces:
        starts.append(out_len)
        sources.append(pos)
        lengths.append(len(text) - pos)
        pieces.append(text[pos:])
        text = "".join(pieces)
    if len(text) > budget.max_chars:
        cut = budget.max_chars
        space = text.rfind(" ", cut - 200, cut)  # do not end inside a word
        cut = space if space > 0 else cut
        notes.append(f"extracted the first {cut:,} of {len(text):,} characters (size budget)")
        text = text[:cut]
    text, broken = _break_long_lines(text, budget.max_line)
    if broken:
        notes.append(f"read {broken:,} line(s) longer than {budget.max_line:,} characters in pieces")
    if not pieces:
        return Prepared(text, tuple(notes))
    return Prepared(text, tuple(notes), tuple(starts), tuple(sources), tuple(lengths))


def _break_long_lines(text: str, max_line: int) -> tuple[str, int]:
    """Replace a space by a newline every ``max_line`` characters or less in longer lines (a sentence end first)."""
    cuts: list[int] = []
    broken = 0
    pos, n = 0, len(text)
    while pos < n:
        nl = text.find("\n", pos)
        stop = n if nl < 0 else nl
        if stop - pos > max_line:
            broken += 1
            start = pos
            while stop - start > max_line:
                lo, hi = start + max_line // 2, start + max_line
                cut = text.rfind(". ", lo, hi)
                cut = cut + 1 if cut >= 0 else text.rfind(" ", lo, hi)
                if cut < 0:  # no space in the window (a kept URL): look further on
                    cut = text.find(" ", hi, stop)
                    if cut < 0:
                        break
                cuts.append(cut)
                start = cut + 1
        pos = stop + 1
    if not cuts:
        return text, 0
    chars = []
    last = 0
    for c in cuts:
        chars += [text[last:c], "\n"]
        last = c + 1
    chars.append(text[last:])
    return "".join(chars), broken
