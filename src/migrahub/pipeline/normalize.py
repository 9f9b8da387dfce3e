"""Stage ``normalize``: an adapter's blocks become one NFC text with passages and their code-point offsets.

Blocks are joined with a blank line. Inside a block, runs of white space (CR, LF, tabs, spaces) fold to one space,
so every passage is one line of the stored text and ``text[p.start:p.end] == p.text`` holds by construction.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from migrahub.model import Extracted, NormalizedDoc, Passage, Rejection
from migrahub.pipeline.fingerprint import STAGE as FINGERPRINT_STAGE
from migrahub.pipeline.fingerprint import minhash
from migrahub.pipeline.language import STAGE as LANGUAGE_STAGE
from migrahub.pipeline.language import detect_language

STAGE = "normalize/1"
_SPACE = re.compile(r"[\s\u00a0\u200b\ufeff]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
SEPARATOR = "\n\n"


def clean_block_text(text: str) -> str:
    """NFC-normalise one block and fold its white space; control characters are dropped and lone surrogates (which a
    damaged PDF or a UTF-7 source can yield, and which UTF-8 cannot store) become U+FFFD.

    Controls go before NFC: dropped after it, one between a letter and a combining mark ("e\\x01\\u0301") would
    leave the pair uncomposed and the text not NFC."""
    if not text.isascii() and _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "\u200b" not in text and "\ufeff" not in text:
        # str.split() breaks on what \s matches (no-break space included): exactly what _SPACE matches, but these two
        return " ".join(text.split())
    return _SPACE.sub(" ", text).strip()


def normalize(item: Extracted) -> NormalizedDoc | Rejection:
    """Turn one extracted item into a normalised document, or reject it when no text is left."""
    parts: list[str] = []
    passages: list[Passage] = []
    headings: list[tuple[int, str]] = []  # (level, text) stack of open headings
    offset = 0
    for block in item.blocks:
        text = clean_block_text(block.text)
        if not text:
            continue
        if block.kind == "heading":
            level = max(1, block.level)
            while headings and headings[-1][0] >= level:
                headings.pop()
            section = tuple(h for _, h in headings)
            headings.append((level, text))
        else:
            section = tuple(h for _, h in headings)
        if parts:
            offset += len(SEPARATOR)
        passages.append(Passage(len(passages), offset, offset + len(text), block.kind, text, section))
        parts.append(text)
        offset += len(text)
    if not passages:
        return Rejection(item.locator, STAGE, "no text left after extraction (empty or image-only document)")
    full = SEPARATOR.join(parts)
    title = clean_block_text(item.title) if item.title else None
    if not title:
        first = next((p for p in passages if p.kind == "heading"), passages[0])
        title = first.text[:200]
    sample = full[:3000]
    return NormalizedDoc(
        locator=item.locator,
        source=item.source,
        source_kind=item.source_kind,
        content_type=item.content_type,
        text=full,
        passages=tuple(passages),
        content_hash=hashlib.sha256(full.encode("utf-8")).hexdigest(),
        fingerprint=minhash(full),
        language=detect_language(sample, hint=item.language_hint),
        title=title,
        published=item.published,
        author=clean_block_text(item.author) if item.author else None,
        url=item.url,
        summary=clean_block_text(item.summary) if item.summary else None,
        provenance=(STAGE, LANGUAGE_STAGE, FINGERPRINT_STAGE),
    )
