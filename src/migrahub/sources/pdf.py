"""PDF files through pypdf: text lines with their font sizes become headings, paragraphs and list items.

Headings come from the PDF outline (bookmarks, with their nesting as level) and from font size: lines set clearly
larger than the body text are headings, the largest size being level 1.

The work is bounded per document, not only per stream: pypdf parses a page's content streams for every page that
draws them, so pages sharing one stream (or arrays naming it again and again) make a small file cost hours. The
decoded content of the pages, counted once per page that draws it, may reach :data:`CONTENT_BASE` bytes plus
:data:`CONTENT_PER_BYTE` times the file's size (real files stay within 1-3 times their size); a file over that
budget is refused with a reason before the page that would pass it is parsed.
"""

from __future__ import annotations

import io
import logging
import math
import re
import warnings
from collections import Counter
from dataclasses import dataclass

from migrahub.model import Block
from migrahub.sources.errors import SourceError
from migrahub.sources.text import text_blocks

_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2023\u25e6\u2043\u25aa\u25cf\uf0b7]|\d{1,3}[.)])\s+")
_SPACE = re.compile(r"\s+")
CONTENT_BASE = 8 * 1024 * 1024  # decoded page content any PDF may have read, in bytes ...
CONTENT_PER_BYTE = 16  # ... plus this many bytes per byte of the file


@dataclass(frozen=True)
class PdfParts:
    blocks: tuple[Block, ...]
    title: str | None
    author: str | None
    published: str | None
    language: str | None


@dataclass
class _Line:
    text: str
    size: float
    y: float | None
    page: int


def read_pdf(data: bytes) -> PdfParts:
    """Blocks and metadata of a PDF; raises :class:`SourceError` for corrupt or password-protected files."""
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    if b"%PDF-" not in data[:1024]:
        raise SourceError("corrupt PDF: no %PDF- header (not a PDF file)")
    if b"%%EOF" not in data[-2048:]:
        raise SourceError("corrupt PDF: truncated file (no %%EOF end marker)")
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                try:
                    ok = reader.decrypt("")
                except (DependencyError, NotImplementedError) as exc:
                    raise SourceError(f"encrypted PDF (cannot decrypt: {exc})") from exc
                if not ok:
                    raise SourceError("encrypted PDF (password protected)")
            pages = list(reader.pages)
            outline = _outline(reader)
            meta = _metadata(reader)
        except SourceError:
            raise
        except FileNotDecryptedError as exc:
            raise SourceError("encrypted PDF (password protected)") from exc
        except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
                OSError, AssertionError, ZeroDivisionError) as exc:
            raise SourceError(f"corrupt PDF: {_short(exc)}") from exc
        lines: list[_Line] = []
        failed = 0
        budget = CONTENT_BASE + CONTENT_PER_BYTE * len(data)
        spent = 0
        for number, page in enumerate(pages):
            spent += _content_size(page, budget - spent)
            if spent > budget:
                raise SourceError(
                    f"PDF content too large to read: page {number + 1} of {len(pages)} brings the decoded content of "
                    f"its pages past {budget:,} bytes, the budget for a file of {len(data):,} bytes (content budget: "
                    f"{CONTENT_BASE // 1024 // 1024} MiB plus {CONTENT_PER_BYTE} times the file's size; pages sharing "
                    "a content stream count it once each)")
            try:
                lines.extend(_page_lines(page, number))
            except Exception:  # noqa: BLE001 - pypdf raises many types on damaged pages; count and go on
                failed += 1
        if pages and failed == len(pages):
            raise SourceError(f"corrupt PDF: no page could be read ({failed} pages)")
    return PdfParts(_blocks(lines, outline), *meta)


def _content_size(page, limit: int) -> int:
    """Bytes of decoded content stream the page draws (each entry of a ``/Contents`` array counted), stopping once
    past ``limit``; 0 when the contents cannot be decoded (reading the page then fails and is counted as such)."""
    from pypdf.generic import ArrayObject, StreamObject

    size = 0
    try:
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        for item in contents if isinstance(contents, ArrayObject) else (contents,):
            stream = item.get_object() if item is not None else None
            if isinstance(stream, StreamObject):
                size += len(stream.get_data())
                if size > limit:
                    break
    except Exception:  # noqa: BLE001 - pypdf raises many types on damaged streams; the page read reports them
        return 0
    return size


def _short(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) < 160 else text[:157] + "..."


def _metadata(reader) -> tuple[str | None, str | None, str | None, str | None]:
    info = reader.metadata or {}
    title = str(info.get("/Title") or "").strip() or None
    author = str(info.get("/Author") or "").strip() or None
    published = _published(reader, info)
    lang = None
    try:
        value = reader.trailer["/Root"].get("/Lang")
        lang = str(value).strip() or None if value else None
    except (KeyError, AttributeError, TypeError):
        lang = None
    return title, author, published, lang


def _published(reader, info) -> str | None:
    """The creation date the file states (document information, else XMP) when it is plausible: not a clock's
    placeholder (before 1990) and not in the future; otherwise unknown, never the day it was read."""
    from migrahub.sources.page.dates import plausible_datetime

    for read in (lambda: info.creation_date if hasattr(info, "creation_date") else None,
                 lambda: reader.xmp_metadata.xmp_create_date if reader.xmp_metadata is not None else None):
        try:
            stamp = read()
        except Exception:  # noqa: BLE001 - pypdf raises many types on malformed dates and XMP packets
            continue
        published = plausible_datetime(stamp)
        if published:
            return published
    return None


def _outline(reader) -> dict[str, int]:
    """Outline titles (white space folded, lower-cased) to heading levels."""
    found: dict[str, int] = {}

    def walk(items, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                title = _SPACE.sub(" ", str(getattr(item, "title", "") or "")).strip().lower()
                if title and title not in found:
                    found[title] = min(level, 6)

    try:
        walk(reader.outline, 1)
    except Exception:  # noqa: BLE001 - a broken outline only costs us heading hints
        return {}
    return found


def _page_lines(page, number: int) -> list[_Line]:
    lines: list[_Line] = []
    current: list[str] = []
    state = {"size": 0.0, "y": None}

    def end_line() -> None:
        text = "".join(current).strip()
        if text:
            lines.append(_Line(text, state["size"], state["y"], number))
        current.clear()
        state["size"], state["y"] = 0.0, None

    def visit(text, cm, tm, font_dict, font_size) -> None:
        parts = text.split("\n")
        for i, part in enumerate(parts):
            if i:
                end_line()
            if part.strip():
                scale = math.hypot(tm[2], tm[3]) * (math.hypot(cm[2], cm[3]) or 1.0) if tm else 1.0
                size = float(font_size or 0) * (scale or 1.0)
                state["size"] = max(state["size"], round(size, 1))
                if state["y"] is None and tm and (tm[4] or tm[5]):
                    state["y"] = tm[5] * (cm[3] or 1.0) + cm[5]
            current.append(part)

    page.extract_text(visitor_text=visit)
    end_line()
    if not lines:  # nothing came through the visitor: plain extraction, blank-line paragraphs
        plain = page.extract_text() or ""
        return [_Line(b.text, 0.0, None, number) for b in text_blocks(plain)]
    return lines


def _blocks(lines: list[_Line], outline: dict[str, int]) -> tuple[Block, ...]:
    if not lines:
        return ()
    weights: Counter[float] = Counter()
    for line in lines:
        weights[line.size] += len(line.text)
    body = weights.most_common(1)[0][0]
    heading_sizes = sorted({ln.size for ln in lines if body and ln.size >= body * 1.15}, reverse=True)
    size_level = {size: min(i + 1, 6) for i, size in enumerate(heading_sizes)}
    gaps = [a.y - b.y for a, b in zip(lines, lines[1:], strict=False)
            if a.page == b.page and a.y is not None and b.y is not None and a.size == b.size == body and a.y > b.y]
    spacing = sorted(gaps)[len(gaps) // 2] if gaps else None

    blocks: list[Block] = []
    kind, level, buf = "paragraph", 0, []
    prev: _Line | None = None

    def flush() -> None:
        nonlocal buf
        if buf:
            text = buf[0]
            for part in buf[1:]:
                if text.endswith("-") and len(text) > 1 and text[-2].isalpha() and part[:1].islower():
                    text = text[:-1] + part
                else:
                    text = text + " " + part
            text = _SPACE.sub(" ", text).strip()
            if kind == "list_item":
                text = _BULLET.sub("", text, count=1)
            if text:
                lvl = outline.get(text.lower(), level) if kind == "heading" else 0
                blocks.append(Block(kind, text, lvl))
        buf = []

    for line in lines:
        text = line.text
        outline_level = outline.get(_SPACE.sub(" ", text).strip().lower())
        is_heading = outline_level is not None or (line.size in size_level and len(text) <= 200
                                                    and any(c.isalpha() for c in text))
        new_kind = "heading" if is_heading else ("list_item" if _BULLET.match(text) else None)
        gap_break = False
        if prev is not None:
            if prev.page != line.page or prev.size != line.size:
                gap_break = True
            elif spacing and prev.y is not None and line.y is not None:
                gap = prev.y - line.y
                gap_break = gap < 0 or gap > spacing * 1.4
        if new_kind == "heading":
            if kind != "heading" or gap_break or level != (outline_level or size_level.get(line.size, 1)):
                flush()
            kind, level = "heading", outline_level or size_level.get(line.size, 1)
        elif new_kind == "list_item":
            flush()
            kind, level = "list_item", 0
        elif kind == "heading" or gap_break or prev is None:
            flush()
            kind, level = "paragraph", 0
        buf.append(text)
        prev = line
    flush()
    return tuple(blocks)
