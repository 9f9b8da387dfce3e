"""DOCX files through python-docx, after the archive itself is checked for zip bombs."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from migrahub.model import Block
from migrahub.sources.errors import SourceError

_HEADING_STYLE = re.compile(r"^(?:heading|überschrift|titre|título|titolo|kop)\s*(\d)$", re.IGNORECASE)
_MAX_RATIO = 200  # deflate of real documents stays well under 100:1; zeros reach 1000:1
_MAX_MEMBERS = 10_000
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass(frozen=True)
class WordParts:
    blocks: tuple[Block, ...]
    title: str | None
    author: str | None
    published: str | None
    language: str | None


def check_archive(data: bytes, max_unpacked: int) -> None:
    """Refuse archives that are not ZIPs, are not DOCX, or would unpack to too much (zip bombs)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SourceError(f"not a DOCX file: not a ZIP archive ({exc})") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > _MAX_MEMBERS:
            raise SourceError(f"DOCX looks like a zip bomb: {len(infos)} members (limit {_MAX_MEMBERS})")
        total = sum(i.file_size for i in infos)
        if total > max_unpacked:
            raise SourceError(f"DOCX looks like a zip bomb: it would unpack to {total:,} bytes "
                              f"(limit {max_unpacked:,})")
        for info in infos:
            if info.file_size > 1_000_000 and info.file_size > _MAX_RATIO * max(info.compress_size, 1):
                ratio = info.file_size // max(info.compress_size, 1)
                raise SourceError(f"DOCX looks like a zip bomb: {info.filename} expands {ratio:,}:1 "
                                  f"({info.compress_size:,} to {info.file_size:,} bytes)")
        if "word/document.xml" not in {i.filename for i in infos}:
            raise SourceError("not a DOCX file: the ZIP archive has no word/document.xml")


def read_docx(data: bytes, max_unpacked: int) -> WordParts:
    """Blocks and core properties of a DOCX; raises :class:`SourceError` for bad or dangerous archives."""
    check_archive(data, max_unpacked)
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises KeyError, ValueError, lxml errors...
        raise SourceError(f"corrupt DOCX: {str(exc)[:160] or type(exc).__name__}") from exc
    blocks: list[Block] = []
    title = None
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == _W + "p":
            block = _paragraph_block(Paragraph(child, document))
            if block:
                if block.kind == "heading" and title is None and block.level == 1:
                    title = block.text
                blocks.append(block)
        elif child.tag == _W + "tbl":
            for row in Table(child, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    text = " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())
                    if text and (not cells or cells[-1] != text):  # merged cells repeat
                        cells.append(text)
                if cells:
                    blocks.append(Block("paragraph", " | ".join(cells)))
    props = document.core_properties
    published = None
    for value in (props.created,):
        if value:
            published = value.date().isoformat()
    return WordParts(tuple(blocks), (props.title or "").strip() or title, (props.author or "").strip() or None,
                     published, (props.language or "").strip() or None)


def _paragraph_block(paragraph) -> Block | None:
    text = paragraph.text.strip()
    if not text:
        return None
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if style.lower() == "title":
        return Block("heading", text, 1)
    m = _HEADING_STYLE.match(style)
    if m:
        return Block("heading", text, max(1, min(int(m.group(1)), 6)))
    ppr = paragraph._p.pPr
    if style.lower().startswith("list") or (ppr is not None and ppr.numPr is not None):
        return Block("list_item", text)
    return Block("paragraph", text)
