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
            blocks.extend(Block("paragraph", row) for row in _table_rows(child, document))
    author, created, last_by, own_title, language = _core_properties(document)
    default_part = last_by == _TEMPLATE_AUTHOR and created is None
    if default_part and own_title == _DEFAULT_PART_TITLE:
        own_title = ""
    return WordParts(tuple(blocks), own_title or title, None if author == _TEMPLATE_AUTHOR else author or None,
                     _published(created), language or None)


def _table_rows(tbl, document) -> list[str]:
    """The text of each row of a table, its cells joined by " | ", read from the XML: every ``w:tc`` once, whatever
    the grid it claims (a cell spanning 2**31 columns costs what any cell costs), so that layouts python-docx cannot
    resolve (a vertical merge continued in the first row, a span that is not a number, a merge with no cell above)
    still give their text. A cell continuing a vertical merge repeats the text of the cell it continues, the cell
    starting at the same grid column in the row above; a cell spanning columns gives its text once, and neighbouring
    cells with the same text are read once."""
    from docx.text.paragraph import Paragraph

    rows: list[str] = []
    above: dict[int, str] = {}  # grid column where a cell of the row above starts -> that cell's text
    for tr in tbl.iterchildren(_W + "tr"):
        column = _grid_number(tr.find(f"{_W}trPr/{_W}gridBefore"), 0)
        here: dict[int, str] = {}
        cells: list[str] = []
        for tc in tr.iterchildren(_W + "tc"):
            merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            if merge is not None and merge.get(_W + "val", "continue") == "continue" and column in above:
                text = above[column]
            else:
                parts = (Paragraph(p, document).text.strip() for p in tc.iterchildren(_W + "p"))
                text = " ".join(part for part in parts if part)
            here[column] = text
            column += _grid_number(tc.find(f"{_W}tcPr/{_W}gridSpan"), 1)
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        above = here
        if cells:
            rows.append(" | ".join(cells))
    return rows


def _grid_number(element, default: int) -> int:
    """The ``w:val`` of a ``w:gridSpan`` or ``w:gridBefore``; ``default`` when absent, empty or not a count."""
    try:
        value = int(element.get(_W + "val")) if element is not None else default
    except (TypeError, ValueError):
        return default
    return value if value >= default else default


def _core_properties(document) -> tuple[str, dt.datetime | None, str, str, str]:
    """Author, creation date, last editor, title and language of the core properties; a property python-docx cannot
    parse (an empty or malformed date, a broken part) is unknown."""
    try:
        props = document.core_properties
    except Exception:  # noqa: BLE001 - a broken core properties part only costs us metadata
        return "", None, "", "", ""

    def get(name: str):
        try:
            return getattr(props, name)
        except Exception:  # noqa: BLE001 - python-docx raises TypeError, ValueError... on malformed values
            return None

    created = get("created")
    return ((get("author") or "").strip(), created if isinstance(created, dt.datetime) else None,
            get("last_modified_by") or "", (get("title") or "").strip(), (get("language") or "").strip())


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
