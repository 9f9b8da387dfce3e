"""Word-bounded multi-pattern matching over a text (Aho-Corasick), shared by the gazetteer stages.

A :class:`Gazetteer` maps exact surface strings to payloads. :meth:`Gazetteer.find` returns every occurrence that
starts and ends on a word boundary, longest match first where occurrences overlap. Matching is case-sensitive on
purpose: place and organisation names are proper nouns, and case keeps "Nice"/"nice" or "US"/"us" apart.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ahocorasick


def fold(text: str) -> str:
    """Strip diacritics (NFKD, drop combining marks) keeping length-independent ASCII-ish text."""
    if text.isascii():
        return text
    # per character, cached: the same as decomposing the whole text, since only the order of combining marks
    # (which are dropped) depends on their neighbours
    return unicodedata.normalize("NFC", text.translate(_FOLD))


class _FoldTable(dict):
    """``str.translate`` table computing (and keeping) each character's decomposition without combining marks."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(code))
        got = self[code] = "".join(c for c in decomposed if not unicodedata.combining(c))
        return got


_FOLD = _FoldTable()


def is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    surface: str
    payloads: tuple[Any, ...]


class Gazetteer:
    """An immutable-after-build Aho-Corasick automaton of surface strings → payload lists."""

    def __init__(self, entries: Iterable[tuple[str, Any]]):
        table: dict[str, list[Any]] = {}
        for surface, payload in entries:
            surface = surface.strip()
            if len(surface) < 2:
                continue
            table.setdefault(surface, []).append(payload)
        self._automaton = ahocorasick.Automaton()
        for surface, payloads in table.items():
            self._automaton.add_word(surface, (surface, tuple(payloads)))
        self._size = len(table)
        if table:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return self._size

    def find(self, text: str, overlapping: bool = False) -> list[Hit]:
        """Word-bounded occurrences in ``text`` (code-point offsets), longest-first, non-overlapping by default."""
        if not self._size:
            return []
        hits: list[Hit] = []
        n = len(text)
        for end_idx, (surface, payloads) in self._automaton.iter(text):
            start = end_idx - len(surface) + 1
            end = end_idx + 1
            if start > 0 and is_word_char(text[start - 1]) and is_word_char(surface[0]):
                continue
            if end < n and is_word_char(text[end]) and is_word_char(surface[-1]):
                continue
            hits.append(Hit(start, end, surface, payloads))
        if overlapping:
            return sorted(hits, key=lambda h: (h.start, -h.end))
        return select_longest(hits)


def select_longest(hits: list[Hit]) -> list[Hit]:
    """Greedy choice of non-overlapping hits, longer spans first, then leftmost."""
    if not hits:
        return []
    occupied = bytearray(max(h.end for h in hits))
    chosen: list[Hit] = []
    for h in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        if any(occupied[h.start : h.end]):
            continue
        chosen.append(h)
        occupied[h.start : h.end] = b"\x01" * (h.end - h.start)
    return sorted(chosen, key=lambda h: h.start)
