"""The domain records that flow through the pipeline.

Every record is a frozen dataclass. Stages are pure functions from one record to another; a stage that cannot
produce its output returns a :class:`Rejection` naming the item and the reason, never ``None``.

Offsets everywhere are Unicode code-point indices into :attr:`NormalizedDoc.text`, end exclusive
(``text[start:end]``), the REFI-QDA convention.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "list_item"]


@dataclass(frozen=True)
class Block:
    """One structural unit of a source document, as its adapter read it.

    ``level`` is the heading depth (1 = top) for headings and 0 otherwise.
    """

    kind: BlockKind
    text: str
    level: int = 0


@dataclass(frozen=True)
class Extracted:
    """What a source adapter read from one item: a file, a feed item or a web page.

    ``locator`` identifies the item within its source and is stable across fetches: a resolved file path, a feed
    item's ``<feed url or path>#<guid or link>``, or a page URL. ``source`` is the locator of the source the item came
    from (the file itself, the feed, the page).
    """

    locator: str
    source: str
    source_kind: Literal["file", "feed", "page"]
    content_type: str
    blocks: tuple[Block, ...]
    title: str | None = None
    published: str | None = None  # ISO 8601 date or datetime, as precise as known
    author: str | None = None
    url: str | None = None
    summary: str | None = None
    language_hint: str | None = None  # from the source's own metadata (html lang, feed language, dc:language)


@dataclass(frozen=True)
class Rejection:
    """A stage could not produce its output for this item."""

    locator: str
    stage: str
    reason: str


@dataclass(frozen=True)
class Passage:
    """A paragraph, list item or heading of a normalised document.

    ``text == document.text[start:end]`` always holds. ``section`` is the path of headings above the passage.
    """

    seq: int
    start: int
    end: int
    kind: BlockKind
    text: str
    section: tuple[str, ...] = ()


@dataclass(frozen=True)
class NormalizedDoc:
    """One NFC-normalised document with its passages, ready to store."""

    locator: str
    source: str
    source_kind: str
    content_type: str
    text: str
    passages: tuple[Passage, ...]
    content_hash: str
    fingerprint: bytes  # MinHash signature of word shingles, for near-duplicate detection
    language: str | None
    title: str | None = None
    published: str | None = None
    author: str | None = None
    url: str | None = None
    summary: str | None = None
    provenance: tuple[str, ...] = field(default=())  # versioned names of the stages that produced it
