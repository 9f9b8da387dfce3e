"""DOCX and PDF files whose layout or size a library cannot cope with: the file is read (or refused with a reason)
in bounded work, never a crash."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from migrahub.model import Block, Extracted
from migrahub.sources import Limits, collect

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CORE = ('<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{}</cp:coreProperties>')


def one(path) -> Extracted:
    result = collect(str(path), Limits())
    assert result.status == "ok", result.error
    (item,) = result.items
    assert isinstance(item, Extracted)
    return item


# -- DOCX ---------------------------------------------------------------------------------------------------------

def docx_with(tmp_path, body: str | None = None, core: str | None = None):
    """A DOCX written by python-docx whose document body and/or core properties are replaced by ``body``/``core``."""
    import docx

    document = docx.Document()
    document.add_paragraph("Shelter capacity by district.")
    buf = io.BytesIO()
    document.save(buf)
    with zipfile.ZipFile(buf) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    if body is not None:
        members["word/document.xml"] = f"<w:document {W}><w:body>{body}</w:body></w:document>".encode()
    if core is not None:
        members["docProps/core.xml"] = CORE.format(core).encode()
    path = tmp_path / "layout.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def cell(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def table(*rows: str) -> str:
    return "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>" + "".join(f"<w:tr>{r}</w:tr>" for r in rows) + \
        "</w:tbl>"


def test_docx_table_python_docx_cannot_lay_out_gives_its_text(tmp_path):
    # a vertical merge continued in the first row, a span that is no number, a merge with no cell above it
    body = table(cell("District", "<w:vMerge/>") + cell("Places", '<w:gridSpan w:val=""/>'),
                 cell("North", '<w:gridSpan w:val="x"/>') + cell("40"),
                 cell("South") + cell("", '<w:gridSpan w:val="3"/>') + cell("", '<w:vMerge w:val="continue"/>'))
    item = one(docx_with(tmp_path, body))
    assert item.blocks == (Block("paragraph", "District | Places"), Block("paragraph", "North | 40"),
                           Block("paragraph", "South"))


def test_docx_vertically_merged_cell_repeats_on_each_row(tmp_path):
    body = table(cell("North", '<w:vMerge w:val="restart"/>') + cell("40"),
                 cell("", "<w:vMerge/>") + cell("55"))
    assert one(docx_with(tmp_path, body)).blocks == (Block("paragraph", "North | 40"),
                                                      Block("paragraph", "North | 55"))


def test_docx_cell_spanning_two_billion_columns_is_read_once_quickly(tmp_path):
    body = table(cell("Total", '<w:gridSpan w:val="2147483647"/>') + cell("95"))
    path = docx_with(tmp_path, body)
    start = time.monotonic()
    item = one(path)
    assert time.monotonic() - start < 30
    assert item.blocks == (Block("paragraph", "Total | 95"),)


@pytest.mark.parametrize("created", ["", " ", "not a date"])
def test_docx_empty_or_malformed_creation_date_is_unknown(tmp_path, created):
    core = f'<dc:creator>Migration Office</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">{created}' \
           "</dcterms:created>"
    item = one(docx_with(tmp_path, core=core))
    assert item.published is None
    assert item.author == "Migration Office"
    assert item.blocks == (Block("paragraph", "Shelter capacity by district."),)
