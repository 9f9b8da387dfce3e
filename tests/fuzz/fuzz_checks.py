"""The documented invariants of each stage's output, asserted on whatever a fuzz example produced."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata

from fuzz_support import SENTINEL_TOKEN

from migrahub.model import Block, Extracted, NormalizedDoc, Rejection
from migrahub.pipeline.normalize import SEPARATOR, normalize
from migrahub.sources import SourceResult
from migrahub.sources.errors import SourceError

KINDS = ("heading", "paragraph", "list_item")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_blocks(blocks: tuple[Block, ...], where: str) -> None:
    assert isinstance(blocks, tuple), f"{where}: blocks are a {type(blocks).__name__}"
    for block in blocks:
        assert isinstance(block, Block) and block.kind in KINDS, f"{where}: odd block {block!r}"[:300]
        assert isinstance(block.text, str), f"{where}: block text is a {type(block.text).__name__}"
        assert SENTINEL_TOKEN not in block.text, f"{where}: a file of the disk was read into the text"
        if block.kind == "heading":
            assert 1 <= block.level <= 6, f"{where}: heading level {block.level}"
        else:
            assert block.level == 0, f"{where}: {block.kind} with level {block.level}"


def check_source_result(result: SourceResult | SourceError, where: str) -> list[NormalizedDoc]:
    """A read either failed with a reason or gave items that normalise into documents that keep the invariants."""
    if isinstance(result, SourceError):
        assert result.reason.strip(), f"{where}: SourceError without a reason"
        return []
    assert isinstance(result, SourceResult), f"{where}: returned a {type(result).__name__}"
    assert result.status in ("ok", "not-modified", "failed") and result.kind in ("file", "feed", "page", "opml")
    if result.status == "failed":
        assert result.error and result.error.strip(), f"{where}: failed without a reason"
    assert all(isinstance(c, str) and c for c in result.children), f"{where}: odd OPML entries {result.children!r}"
    assert len(set(result.children)) == len(result.children), f"{where}: OPML entries repeated"
    docs = []
    for item in result.items:
        if isinstance(item, Rejection):
            assert item.reason.strip()
            continue
        assert isinstance(item, Extracted), f"{where}: item is a {type(item).__name__}"
        check_blocks(item.blocks, where)
        for name in ("title", "author", "summary", "published", "url", "language_hint"):
            value = getattr(item, name)
            assert value is None or isinstance(value, str), f"{where}: {name} is a {type(value).__name__}"
            assert value is None or SENTINEL_TOKEN not in value, f"{where}: a file of the disk was read into {name}"
        doc = normalize(item)
        check_normalized(doc, item, where)
        if isinstance(doc, NormalizedDoc):
            docs.append(doc)
    return docs


def check_normalized(doc: NormalizedDoc | Rejection, item: Extracted, where: str) -> None:
    """``normalize``: a Rejection with a reason, or one NFC text whose passages are its blank-line separated lines,
    each at its code-point offsets (``text[start:end] == passage.text``)."""
    if isinstance(doc, Rejection):
        assert doc.reason.strip() and doc.locator == item.locator
        assert not any(clean_nonempty(b.text) for b in item.blocks), f"{where}: text left but rejected"
        return
    assert isinstance(doc, NormalizedDoc), f"{where}: normalize returned a {type(doc).__name__}"
    text = doc.text
    assert doc.passages, f"{where}: a document without passages"
    assert text == SEPARATOR.join(p.text for p in doc.passages), f"{where}: text is not the passages joined"
    position = 0
    for seq, p in enumerate(doc.passages):
        assert p.seq == seq and p.kind in KINDS
        assert 0 <= position <= p.start < p.end <= len(text), f"{where}: passage {seq} at {p.start}..{p.end}"
        assert text[p.start:p.end] == p.text, f"{where}: passage {seq} is not text[{p.start}:{p.end}]"
        assert p.text == p.text.strip() and "\n" not in p.text, f"{where}: passage {seq} {p.text[:60]!r}"
        assert all(isinstance(s, str) and s for s in p.section)
        position = p.end
    assert unicodedata.is_normalized("NFC", text), f"{where}: the stored text is not NFC"
    assert not _CONTROL.search(text), f"{where}: control character left in the text"
    encoded = text.encode("utf-8")  # what the store writes: no lone surrogates
    assert doc.content_hash == hashlib.sha256(encoded).hexdigest()
    assert isinstance(doc.title, str) and doc.title.strip(), f"{where}: title {doc.title!r}"
    assert doc.language is None or (len(doc.language) == 2 and doc.language.isalpha()), doc.language
    for value in (doc.title, doc.author, doc.summary):
        if value is not None:
            value.encode("utf-8")
            assert not _CONTROL.search(value), f"{where}: control character in {value[:60]!r}"


def clean_nonempty(text: str) -> bool:
    from migrahub.pipeline.normalize import clean_block_text

    return bool(clean_block_text(text))


def check_extraction(extraction, text: str, where: str) -> None:
    """``extract``: every mention is ``text[start:end] == surface`` with offsets in range; records serialise."""
    for m in extraction.mentions:
        assert 0 <= m.start < m.end <= len(text), f"{where}: mention {m.surface!r} at {m.start}..{m.end}"
        assert text[m.start:m.end] == m.surface, f"{where}: {text[m.start:m.end]!r} != surface {m.surface!r}"
        assert m.category and m.key and m.stage
    json.dumps(extraction.to_schema(), allow_nan=False)
    assert all(isinstance(n, str) for n in extraction.notes)
