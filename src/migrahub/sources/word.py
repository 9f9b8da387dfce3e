"""DOCX files through python-docx, after the archive itself is checked for zip bombs (:mod:`.archive`)."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

from migrahub.model import Block
from migrahub.sources.archive import ArchiveLimits, LimitedZip
from migrahub.sources.errors import SourceError

_HEADING_STYLE = re.compile(r"^(?:heading|überschrift|titre|título|titolo|kop)\s*(\d)$", re.IGNORECASE)
# python-docx's default template stamps every document it creates with these core properties; a document that still
# carries them says nothing about its own date or author
_TEMPLATE_CREATED = dt.datetime(2013, 12, 23, 23, 15, tzinfo=dt.UTC)
_TEMPLATE_AUTHOR = "python-docx"
_DEFAULT_PART_TITLE = "Word Document"  # title python-docx gives the core properties it adds to a DOCX lacking them
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass(frozen=True)
class WordParts:
    blocks: tuple[Block, ...]
    title: str | None
    author: str | None
    published: str | None
    language: str | None


def check_archive(data: bytes, max_unpacked: int) -> None:
    """Refuse archives that are not ZIPs, are not DOCX, or would unpack to too much (zip bombs): the headers are
    checked first, then every member is inflated once by bounded streaming reads that do not trust them."""
    with LimitedZip(data, ArchiveLimits(max_unpacked=max_unpacked), "DOCX") as archive:
        if "word/document.xml" not in {i.filename for i in archive.infos}:
            raise SourceError("not a DOCX file: the ZIP archive has no word/document.xml")
        archive.verify_all()


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
    author = (props.author or "").strip()
    default_part = (props.last_modified_by or "") == _TEMPLATE_AUTHOR and props.created is None
    own_title = (props.title or "").strip()
    if default_part and own_title == _DEFAULT_PART_TITLE:
        own_title = ""
    return WordParts(tuple(blocks), own_title or title, None if author == _TEMPLATE_AUTHOR else author or None,
                     _published(props.created), (props.language or "").strip() or None)


def _published(created: dt.datetime | None) -> str | None:
    """The creation date of the core properties, unless it is python-docx's template stamp (then unknown)."""
    if created is None:
        return None
    stamp = created if created.tzinfo else created.replace(tzinfo=dt.UTC)
    return None if stamp == _TEMPLATE_CREATED else created.date().isoformat()


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
