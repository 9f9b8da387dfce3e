"""DOCX and PDF: mutated files, archives with odd members and lying headers, hostile WordprocessingML, and PDFs
written object by object with hostile content streams, fonts, outlines and page trees. Each read gives a document
that normalises with its invariants, or a SourceError with a reason, within the bounds."""

from __future__ import annotations

import zlib
from functools import cache
from xml.sax.saxutils import escape, quoteattr

import pytest
from fuzz_checks import check_source_result
from fuzz_samples import docx_bytes, docx_members, pdf_bytes
from fuzz_strategies import (
    ZIP_NAMES,
    build_zip,
    deep,
    hostile_text,
    mutated,
    patch_zip,
    prolog,
    xml_safe,
    zip_methods,
    zip_with_bomb,
    zlib_bomb,
)
from fuzz_support import bounded, fuzz, raises_only
from hypothesis import example, given
from hypothesis import strategies as st

from migrahub.sources import Limits
from migrahub.sources.collect import read_bytes
from migrahub.sources.errors import SourceError

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def read(data: bytes, ext: str, content_type: str = ""):
    return raises_only(lambda: read_bytes(data, f"/srv/docs/file{ext}", ext, Limits(), content_type=content_type),
                       SourceError)


# -- DOCX ---------------------------------------------------------------------------------------------------------

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
STYLES = ("Heading1", "Heading2", "Heading9", "Heading0", "Title", "ListBullet", "ListParagraph", "Normal", "",
          "x" * 2000, "Überschrift1", "Titre1", "heading 1")
SPANS = ("1", "2", "0", "-1")
MERGES = ("", '<w:vMerge w:val="restart"/>')
# what python-docx cannot lay out (test_docx_table_layouts_python_docx_cannot_resolve) and spans wide enough to cost
# hours through python-docx's grid (test_docx_tables_with_wide_spans) have targets of their own
BAD_SPANS = ("", "x", "1.5")
BAD_MERGES = ('<w:vMerge w:val="continue"/>', "<w:vMerge/>")


def w_text(draw) -> str:
    return escape(xml_safe(draw(hostile_text(4, 3000))))


def w_paragraph(draw) -> str:
    style = draw(st.sampled_from(STYLES))
    num = '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>' if draw(st.booleans()) else ""
    runs = "".join(f'<w:r><w:t xml:space="preserve">{w_text(draw)}</w:t></w:r>'
                   for _ in range(draw(st.integers(0, 3))))
    return f"<w:p><w:pPr><w:pStyle w:val={quoteattr(style)}/>{num}</w:pPr>{runs}</w:p>"


def w_table(draw, spans=SPANS, merges=MERGES) -> str:
    rows = []
    for _ in range(draw(st.integers(0, 3))):
        cells = []
        for _ in range(draw(st.integers(0, 3))):
            span = draw(st.sampled_from(spans))
            merge = draw(st.sampled_from(merges))
            cells.append(f'<w:tc><w:tcPr><w:gridSpan w:val="{span}"/>{merge}</w:tcPr>{w_paragraph(draw)}</w:tc>')
        rows.append("<w:tr>" + "".join(cells) + "</w:tr>")
    cols = "<w:gridCol/>" * draw(st.integers(0, 4))
    return f"<w:tbl><w:tblGrid>{cols}</w:tblGrid>{''.join(rows)}</w:tbl>"


@st.composite
def document_xml(draw, spans=SPANS, merges=MERGES) -> bytes:
    """WordprocessingML with hostile text, styles, numbering, tables (spans, vertical merges), deep nesting and
    entity declarations."""
    blocks = [draw(st.sampled_from([w_paragraph, w_paragraph, lambda d: w_table(d, spans, merges)]))(draw)
              for _ in range(draw(st.integers(0, 6)))]
    shape = draw(st.sampled_from(("", "", "", "", "deep", "many", "unclosed", "raw")))
    n = draw(st.integers(1, 20_000))
    if shape == "deep":
        blocks.append(deep("w:sdt><w:sdtContent", n % 300, w_paragraph(draw)))
    elif shape == "many":
        blocks.append(w_paragraph(draw) * (n % 5000))
    elif shape == "unclosed":
        blocks.append("<w:tbl><w:tr><w:tc>" * (n % 300) + "<w:p/>")
    elif shape == "raw":  # text with the characters XML forbids
        blocks.append(f"<w:p><w:r><w:t>{draw(hostile_text(4))}</w:t></w:r></w:p>")
    body = f"<w:document {W}><w:body>{''.join(blocks)}</w:body></w:document>"
    head = draw(prolog("w:document")) if draw(st.integers(0, 3)) == 0 else ""
    return (head + body).encode("utf-8", "replace")


CORE_DATES = ("2024-01-02T03:04:05Z", "2024-13-45T99:99:99Z", "0000-00-00", "x", "9999-12-31T23:59:59Z",
              "2024-01-02T03:04:05+99:00", "1" * 300)
# an empty <dcterms:created/> (python-docx raises TypeError on it) has its own target: test_docx_odd_core_properties


@st.composite
def core_xml(draw, dates=CORE_DATES) -> bytes:
    title = escape(xml_safe(draw(hostile_text(3, 2000))))
    created = escape(draw(st.sampled_from(dates)))
    return (draw(prolog("cp:coreProperties")) +
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{title}</dc:title><dc:creator>{escape(xml_safe(draw(hostile_text(2, 200))))}</dc:creator>"
            f"<dc:language>{escape(xml_safe(draw(hostile_text(1, 50))))}</dc:language>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created></cp:coreProperties>'
            ).encode("utf-8", "replace")


@st.composite
def docx_archive(draw, spans=SPANS, merges=MERGES, dates=CORE_DATES) -> bytes:
    """A DOCX rebuilt from a valid one with hostile parts, parts missing, odd members and odd compression."""
    members = dict(docx_members())
    members["word/document.xml"] = draw(document_xml(spans, merges))
    if draw(st.booleans()):
        members["docProps/core.xml"] = draw(core_xml(dates))
    if draw(st.integers(0, 3)) == 0:
        for name in draw(st.lists(st.sampled_from(sorted(members)), max_size=2)):
            if name != "word/document.xml":
                members.pop(name, None)
    extra = draw(st.lists(st.tuples(st.sampled_from(ZIP_NAMES), st.binary(max_size=64)), max_size=2))
    method = draw(zip_methods())
    return build_zip([(n, d, method) for n, d in members.items()] + [(n, d, method) for n, d in extra])


@fuzz(weight=1.0)
@given(data=mutated(docx_bytes()), content_type=st.sampled_from(["", DOCX]))
def test_docx_mutated(data, content_type):
    with bounded("mutated DOCX"):
        check_source_result(read(data, ".docx", content_type), "mutated DOCX")


@fuzz(weight=1.0)
@given(data=docx_archive())
def test_docx_hostile_parts(data):
    with bounded("hostile DOCX"):
        check_source_result(read(data, ".docx"), "hostile DOCX")


def one_table_docx(cells: str) -> bytes:
    members = dict(docx_members())
    members["word/document.xml"] = (f"<w:document {W}><w:body><w:tbl><w:tblGrid><w:gridCol/></w:tblGrid>{cells}"
                                    "</w:tbl></w:body></w:document>").encode()
    return build_zip([(name, data, 8) for name, data in members.items()])


@fuzz(weight=0.3)
@given(data=docx_archive(SPANS + BAD_SPANS, MERGES + BAD_MERGES))
@example(data=one_table_docx('<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc>'
                             "</w:tr>"))
def test_docx_table_layouts_python_docx_cannot_resolve(data):
    with bounded("DOCX table layouts"):
        check_source_result(read(data, ".docx"), "DOCX table layouts")


def core_docx(created: str) -> bytes:
    members = dict(docx_members())
    members["docProps/core.xml"] = (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created></cp:coreProperties>').encode()
    return build_zip([(name, data, 8) for name, data in members.items()])


@fuzz(weight=0.3)
@given(data=docx_archive(dates=CORE_DATES + ("", " ")))
@example(data=core_docx(""))
def test_docx_odd_core_properties(data):
    with bounded("DOCX with odd core properties"):
        check_source_result(read(data, ".docx"), "DOCX with odd core properties")


@fuzz(weight=0.2)
@given(data=docx_archive(("1", "2", "3000", "100000", "2147483647")))
@example(data=one_table_docx('<w:tr><w:tc><w:tcPr><w:gridSpan w:val="2147483647"/></w:tcPr><w:p><w:r><w:t>x</w:t>'
                             "</w:r></w:p></w:tc></w:tr>"))
def test_docx_tables_with_wide_spans(data):
    """Table cells spanning many grid columns (``w:gridSpan``), as a hostile file may declare (a 3 s bound: the
    file is small)."""
    with bounded("DOCX with wide spans", seconds=3):
        check_source_result(read(data, ".docx"), "DOCX with wide spans")


@cache
def docx_bomb(megabytes: int) -> bytes:
    return zip_with_bomb("word/document.xml", megabytes, docx_members())


@fuzz(weight=0.5)
@given(what=st.sampled_from(["size", "method", "flags", "count"]),
       value=st.sampled_from([0, 1, 8, 9, 12, 14, 99, 0xFFFF, 0xFFFFFFFF, 2**31, 1000]),
       bomb=st.sampled_from([0, 0, 64, 300, 1024]))
def test_docx_lying_zip_headers(what, value, bomb):
    """Headers that understate or overstate sizes, name unknown or unsupported methods, claim encryption or
    a member count; archives that inflate to hundreds of MB."""
    data = patch_zip(docx_bomb(bomb) if bomb else docx_bytes(), what, value)
    with bounded("DOCX with lying headers"):
        check_source_result(read(data, ".docx"), "DOCX with lying headers")


# -- PDF ----------------------------------------------------------------------------------------------------------

def pdf_file(objects: list[bytes], root: int = 1, info: int | None = None, xref_ok: bool = True,
             trailer_extra: bytes = b"") -> bytes:
    """A PDF of numbered ``objects`` (1-based) with a cross-reference table (right, or garbage)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % (off if xref_ok else off * 7 + 3)
    out += b"trailer\n<< /Size %d /Root %d 0 R" % (len(objects) + 1, root)
    if info:
        out += b" /Info %d 0 R" % info
    out += trailer_extra + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def pdf_string(text: str) -> bytes:
    raw = text.encode("latin-1", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


NUMBERS = (b"12", b"0", b"-1", b"1e308", b"99999999999", b"0.0000001", b"nan", b"-0", b"3.4e38", b"1 0 0",
           b"/Name", b"(s)", b"[]", b"<<>>")


@st.composite
def content_stream(draw) -> bytes:
    """Text operators with hostile sizes, positions, matrices, strings and arrays."""
    ops = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.integers(0, 7))
        num = draw(st.sampled_from(NUMBERS))
        if kind == 0:
            ops.append(b"/F1 " + num + b" Tf")
        elif kind == 1:
            ops.append(num + b" " + draw(st.sampled_from(NUMBERS)) + b" Td")
        elif kind == 2:
            ops.append(b" ".join(draw(st.lists(st.sampled_from(NUMBERS), min_size=6, max_size=6))) + b" Tm")
        elif kind == 3:
            ops.append(pdf_string(draw(hostile_text(3, 500))) + b" Tj")
        elif kind == 4:
            ops.append(b"[" + pdf_string(draw(hostile_text(2, 50))) + b" -250 " + num + b"] TJ")
        elif kind == 5:
            ops.append(b"<" + draw(st.binary(max_size=40)).hex().encode() + b"> Tj")
        elif kind == 6:
            n = draw(st.integers(1, 20_000))
            ops.append(b"[" * n + b"(deep)" + b"]" * draw(st.sampled_from((n, 0))) + b" TJ")
        else:
            ops.append(b"T* " + num + b" TL ' (next line) '")
    body = b"BT\n" + b"\n".join(ops) + b"\nET"
    if draw(st.booleans()):
        body = b"q " * draw(st.integers(0, 5000)) + body
    return body


@st.composite
def to_unicode(draw) -> bytes:
    pairs = draw(st.lists(st.tuples(st.integers(0, 255), st.sampled_from(
        ["0041", "D800", "DFFF", "FFFF", "00", "0041004200430044", "D83DDE00", "110000", ""])), max_size=6))
    chars = b"".join(b"<%02X> <%s>\n" % (a, b.encode()) for a, b in pairs)
    ranges = draw(st.sampled_from((b"", b"<0000> <FFFF> <0041>\n", b"<00> <FF> [<0041> <D800>]\n",
                                   b"<FF> <00> <0041>\n")))
    return (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n1 begincodespacerange\n<00> <FF>\n"
            b"endcodespacerange\n%d beginbfchar\n" % len(pairs) + chars + b"endbfchar\n1 beginbfrange\n" + ranges +
            b"endbfrange\nendcmap CMapName currentdict /CMap defineresource pop end end")


def stream(data: bytes, compress: bool) -> bytes:
    if compress:
        data = zlib.compress(data)
        return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


@cache
def flate_bomb(megabytes: int) -> bytes:
    data = zlib_bomb(megabytes)
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"


@st.composite
def pdf_document(draw) -> bytes:
    """Catalog, page tree (maybe cyclic, maybe with a lying count), pages with hostile content streams, a font
    with a hostile ToUnicode map, an outline (maybe cyclic), an Info dictionary with hostile strings."""
    n_pages = draw(st.integers(1, 3))
    # 1 catalog, 2 pages, 3 font, 4 tounicode, 5 outlines, 6 outline item, 7 info, 8.. page + content pairs
    kids = b" ".join(b"%d 0 R" % (8 + 2 * i) for i in range(n_pages))
    if draw(st.integers(0, 4)) == 0:
        kids += b" 2 0 R"  # the tree names itself
    count = draw(st.sampled_from((b"%d" % n_pages, b"0", b"-1", b"2147483647", b"99999999999999999999")))
    outline_next = draw(st.sampled_from((b"", b" /Next 6 0 R", b" /First 6 0 R /Count 1")))
    lang = pdf_string(draw(hostile_text(1, 50)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Outlines 5 0 R /Lang " + lang + b" >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count " + count + b" >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica" +
        (b" /ToUnicode 4 0 R" if draw(st.booleans()) else b"") + b" >>",
        stream(draw(to_unicode()), draw(st.booleans())),
        b"<< /Type /Outlines /First 6 0 R /Last 6 0 R /Count 1 >>",
        b"<< /Title " + pdf_string(draw(hostile_text(2, 300))) + b" /Parent 5 0 R" + outline_next + b" >>",
        b"<< /Title " + pdf_string(draw(hostile_text(2, 3000))) + b" /Author " +
        pdf_string(draw(hostile_text(1, 100))) + b" /CreationDate " +
        pdf_string(draw(st.sampled_from(["D:20240102030405+01'00'", "D:99999999999999", "D:2024", "x", "",
                                         "D:20241345256161Z"]))) + b" >>",
    ]
    bomb = draw(st.sampled_from((0,) * 9 + (50, 400, 2048)))  # MiB a content stream inflates to
    for i in range(n_pages):
        media = draw(st.sampled_from((b"[0 0 612 792]", b"[0 0 0 0]", b"[0 0 1e308 -1]", b"[]", b"[(a) /b]")))
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox " + media + b" /Contents %d 0 R" % (9 + 2 * i) +
                       b" /Resources << /Font << /F1 3 0 R >> >> >>")
        objects.append(flate_bomb(bomb) if bomb and i == 0 else stream(draw(content_stream()), draw(st.booleans())))
    return pdf_file(objects, info=7, xref_ok=draw(st.booleans()))


def pages_sharing(megabytes: int, pages: int) -> bytes:
    """A PDF of ``pages`` pages whose content is one stream inflating to ``megabytes`` MiB of zero bytes."""
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    page = b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 3 0 R >> >> >>"
    tree = b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    return pdf_file([b"<< /Type /Catalog /Pages 2 0 R >>", tree, font, flate_bomb(megabytes)] + [page] * pages)


@fuzz(weight=0.2)
@given(megabytes=st.sampled_from([20, 60]), pages=st.integers(2, 64))
@example(megabytes=60, pages=16)
def test_pdf_pages_sharing_a_large_content_stream(megabytes, pages):
    """A small file whose pages all draw one large content stream (a 5 s bound: the file is 65 KB)."""
    data = pages_sharing(megabytes, pages)
    with bounded("PDF pages sharing a content stream", seconds=5):
        check_source_result(read(data, ".pdf"), "PDF pages sharing a content stream")


@fuzz(weight=1.0)
@given(data=mutated(pdf_bytes()))
def test_pdf_mutated(data):
    with bounded("mutated PDF"):
        check_source_result(read(data, ".pdf"), "mutated PDF")


@fuzz(weight=1.5)
@given(data=pdf_document(), ext=st.sampled_from([".pdf", ""]))
def test_pdf_hostile_objects(data, ext):
    with bounded("hostile PDF"):
        check_source_result(read(data, ext, "application/pdf" if not ext else ""), "hostile PDF")
