"""DOCX and PDF files whose layout or size a library cannot cope with: the file is read (or refused with a reason)
in bounded work, never a crash."""

from __future__ import annotations

import io
import time
import zipfile
import zlib

import pytest

from migrahub.model import Block, Extracted
from migrahub.sources import Limits, collect

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

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


# -- PDF ----------------------------------------------------------------------------------------------------------

def pdf_file(objects: list[bytes]) -> bytes:
    """A PDF of numbered ``objects`` (1-based, the catalog first) with its cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pages_drawing(content: bytes, pages: int, contents: bytes = b"4 0 R") -> bytes:
    """``pages`` pages that all draw one compressed content stream (object 4) through ``/Contents contents``."""
    packed = zlib.compress(content, 9)
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents " + contents + \
        b" /Resources << /Font << /F1 3 0 R >> >> >>"
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    return pdf_file([b"<< /Type /Catalog /Pages 2 0 R >>",
                     b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
                     b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", stream] + [page] * pages)


TEXT = b"BT /F1 12 Tf 72 700 Td (Reception centres opened in 2024.) Tj ET\n"


def test_pdf_pages_sharing_a_huge_content_stream_are_refused_in_bounded_time(tmp_path):
    path = tmp_path / "shared.pdf"
    path.write_bytes(pages_drawing(TEXT + b" " * (60 << 20), 16))  # 60 MiB of content in a file of about 60 KB
    start = time.monotonic()
    result = collect(str(path), Limits())
    assert time.monotonic() - start < 30
    assert result.status == "failed" and result.items == ()
    assert "PDF content too large to read" in result.error and "page 1 of 16" in result.error
    assert "content budget" in result.error


def test_pdf_contents_naming_one_stream_again_and_again_are_refused(tmp_path):
    # 60 MiB of content once the array is joined: under pypdf's limit for a stream, far over the budget of the file
    path = tmp_path / "repeated.pdf"
    path.write_bytes(pages_drawing(TEXT + b" " * (1 << 20), 1, b"[" + b"4 0 R " * 60 + b"]"))
    result = collect(str(path), Limits())
    assert result.status == "failed"
    assert "PDF content too large to read: page 1 of 1" in result.error


def test_pdf_pages_sharing_a_content_stream_within_the_budget_are_all_read(tmp_path):
    path = tmp_path / "template.pdf"
    path.write_bytes(pages_drawing(TEXT + b" " * (1 << 20), 3))  # 3 MiB of content in all: within 8 MiB
    item = one(path)
    assert item.blocks == (Block("paragraph", "Reception centres opened in 2024."),) * 3
