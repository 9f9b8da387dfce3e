"""Plain text files: paragraphs are separated by blank lines. Kept cheap: this is the bulk path."""

from __future__ import annotations

import re

from migrahub.model import Block

_BLANK_LINE = re.compile(r"\n[ \t\f\v\u00a0]*\n")
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2023\u25e6\u2043]|\d{1,3}[.)])\s+")


def text_blocks(text: str) -> tuple[Block, ...]:
    """Split plain text into paragraph blocks (CRLF and CR line ends handled); bulleted paragraphs become list items
    when every line of the paragraph starts with a bullet."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[Block] = []
    for chunk in _BLANK_LINE.split(text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if chunk[0] in "-*\u2022\u2023\u25e60123456789" and _BULLET.match(chunk):
            lines = chunk.split("\n")
            if all(_BULLET.match(line) for line in lines):
                blocks.extend(Block("list_item", _BULLET.sub("", line, count=1).strip()) for line in lines)
                continue
        blocks.append(Block("paragraph", chunk))
    return tuple(blocks)
