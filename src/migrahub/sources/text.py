"""Plain text files: paragraphs are separated by blank lines. Kept cheap: this is the bulk path."""

from __future__ import annotations

import re

from migrahub.model import Block

_BLANK_LINE = re.compile(r"\n[ \t\f\v\u00a0]*\n")
_BULLET = re.compile(r"^\s*(?:(?:[-*\u2022\u2023\u25e6\u2043\u00b7\u25aa\u2013]\s+)+|\d{1,3}[.)]\s+)")


_TAB_CELLS = re.compile(r"[ ]*\t[\t ]*")
_SENTENCE_END = (".", "!", "?", ";", ",", ":")
_WRAP_WIDTH = 100  # hard-wrapped text keeps its lines shorter than this


def _row(line: str) -> str:
    """A tab-separated line is a table row: its cells are joined with " | ", as table rows are in other formats."""
    return " | ".join(_TAB_CELLS.split(line.strip()))


def _is_line_structured(lines: list[str]) -> bool:
    """Lines that are records (a staff list, a table, an address), not prose hard-wrapped at some width: each has a
    tab, or is short and does not end like a sentence; and they do not read on from one line to the next."""
    if len(lines) < 2:
        return False
    if not all("\t" in line or (len(line) <= 60 and not line.rstrip().endswith(_SENTENCE_END)) for line in lines):
        return False
    continued = sum(1 for line in lines[1:] if line.lstrip()[:1].islower())
    return continued * 3 <= len(lines) - 1


def _line_block(line: str) -> Block:
    line = line.strip()
    if _BULLET.match(line):
        return Block("list_item", _BULLET.sub("", line, count=1).strip())
    return Block("paragraph", _row(line) if "\t" in line else line)


def _lines_are_blocks(lines: list[str]) -> bool:
    """Whether each line of a chunk is a block of its own rather than part of one hard-wrapped paragraph.

    True for text converted with one paragraph per line (some line is longer than any wrapping width), for
    bulleted lines, and for line-structured records (lists of names, tab-separated tables).
    """
    if len(lines) < 2:
        return False
    if max(len(line) for line in lines) > _WRAP_WIDTH:
        return True
    if sum(1 for line in lines if _BULLET.match(line)) >= 2:
        return True
    return _is_line_structured(lines)


def text_blocks(text: str) -> tuple[Block, ...]:
    """Split plain text into blocks (CRLF and CR line ends handled). Blank lines separate paragraphs; within a
    chunk, each line is its own block when the lines are paragraphs, bullets or records (see
    :func:`_lines_are_blocks`), so folding white space later never runs them together. Bullets become list items;
    tab-separated lines become table rows ("cell | cell")."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[Block] = []
    for chunk in _BLANK_LINE.split(text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if "\n" not in chunk:
            blocks.append(_line_block(chunk))
            continue
        lines = [line for line in chunk.split("\n") if line.strip()]
        if _lines_are_blocks(lines):
            blocks.extend(_line_block(line) for line in lines)
        else:
            blocks.append(Block("paragraph", chunk))
    return tuple(blocks)
