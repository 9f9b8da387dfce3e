"""File adapters on real bytes: txt, Markdown, HTML, PDF, DOCX, directories, and every kind of bad file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from source_samples import BOILERPLATE_PAGE, make_docx, make_pdf

from migrahub.model import Block, Extracted
from migrahub.sources import Limits, collect, expand

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)


def one(path: Path | str, limits: Limits = Limits()) -> Extracted:
    result = collect(str(path), limits)
    assert result.status == "ok", result.error
    assert len(result.items) == 1
    item = result.items[0]
    assert isinstance(item, Extracted)
    return item


def failure(path: Path | str, limits: Limits = Limits()) -> str:
    result = collect(str(path), limits)
    assert result.status == "failed", result
    assert result.items == ()
    assert result.error
    return result.error


# -- plain text ---------------------------------------------------------------------------------------------------

def test_txt_paragraphs_split_on_blank_lines_with_crlf(tmp_path):
    path = tmp_path / "note.txt"
    path.write_bytes(b"First paragraph\r\nstill first.\r\n\r\nSecond paragraph.\r\n  \r\n- one\r\n- two\r\n")
    item = one(path)
    assert item.locator == str(path.resolve()) and item.source_kind == "file"
    assert item.content_type == "text/plain"
    assert item.blocks == (
        Block("paragraph", "First paragraph\nstill first."),
        Block("paragraph", "Second paragraph."),
        Block("list_item", "one"),
        Block("list_item", "two"),
    )


def test_txt_utf8_bom_and_accents(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffRéfugiés à Liège.".encode("utf-8"))
    assert one(path).blocks == (Block("paragraph", "Réfugiés à Liège."),)


def test_txt_iso_8859_1_without_declaration(tmp_path):
    path = tmp_path / "latin1.txt"
    text = "A prefeitura de São Paulo anunciou ações de integração para migrantes e refugiados na região."
    path.write_bytes(text.encode("iso-8859-1"))
    assert one(path).blocks[0].text == text


def test_html_with_wrong_declared_encoding_still_decodes(tmp_path):
    # declares ISO-8859-1 but the bytes are UTF-8: the valid UTF-8 wins over the label
    page = ('<html><head><meta charset="iso-8859-1"><title>t</title></head><body><main>'
            "<p>Göteborg välkomnar nyanlända och flyktingar till staden.</p></main></body></html>")
    path = tmp_path / "wrong.html"
    path.write_bytes(page.encode("utf-8"))
    assert one(path).blocks == (Block("paragraph", "Göteborg välkomnar nyanlända och flyktingar till staden."),)


def test_html_declared_latin1_is_honoured(tmp_path):
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head><body>'
            "<p>Acolhimento de migrantes: informação e orientação.</p></body></html>")
    path = tmp_path / "latin.htm"
    path.write_bytes(page.encode("iso-8859-1"))
    assert one(path).blocks[0].text == "Acolhimento de migrantes: informação e orientação."


def test_empty_and_whitespace_only_files_are_rejected(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_bytes(b"  \r\n\t\n")
    assert failure(tmp_path / "empty.txt") == "empty file"
    assert failure(tmp_path / "blank.md") == "empty file"


def test_binary_behind_txt_extension(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    assert failure(path) == "binary content behind a .txt extension"


def test_file_over_size_limit_names_size_and_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"word " * 400)  # 2,000 bytes
    reason = failure(path, Limits(max_bytes=1000))
    assert reason == "file too large: 2,000 bytes exceeds the limit of 1,000 bytes"


def test_missing_file_fails_with_reason_not_exception(tmp_path):
    missing = str(tmp_path / "nowhere" / "gone.txt")
    units = expand([missing])
    assert units == [missing]
    assert failure(units[0]) == "file not found"


def test_unsupported_scheme_fails_cleanly():
    result = collect("ftp://example.org/file.txt")
    assert result.status == "failed" and "unsupported URL scheme" in result.error


# -- Markdown -----------------------------------------------------------------------------------------------------

def test_markdown_headings_paragraphs_lists_and_front_matter(tmp_path):
    path = tmp_path / "plan.md"
    path.write_text(
        "---\ntitle: Local integration plan\ndate: 2024-03-01\nlang: en\n---\n"
        "# Integration plan\n\nThe **city** adopts a [plan](http://x.org) for newcomers.\n\n"
        "## Housing\n\n- social housing quota\n- rent guarantees\n\n1. first step\n2. second step\n\n"
        "### Details <em>here</em>\n\n<div onclick=\"alert(1)\"><script>alert(2)</script>Raw html text</div>\n",
        encoding="utf-8")
    item = one(path)
    assert item.content_type == "text/markdown"
    assert item.title == "Local integration plan" and item.published == "2024-03-01" and item.language_hint == "en"
    assert item.blocks == (
        Block("heading", "Integration plan", 1),
        Block("paragraph", "The city adopts a plan for newcomers."),
        Block("heading", "Housing", 2),
        Block("list_item", "social housing quota"),
        Block("list_item", "rent guarantees"),
        Block("list_item", "first step"),
        Block("list_item", "second step"),
        Block("heading", "Details here", 3),
        Block("paragraph", "Raw html text"),
    )


# -- HTML files ---------------------------------------------------------------------------------------------------



def test_html_main_text_without_boilerplate(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(BOILERPLATE_PAGE, encoding="utf-8")
    item = one(path)
    assert item.content_type == "text/html"
    assert item.title == "Nieuwkomers | Stad Gent"
    assert item.language_hint == "nl-BE"
    assert item.author == "Dienst Integratie"
    assert item.published == "2024-05-02T10:00:00+00:00"
    assert item.blocks == (
        Block("heading", "Onthaal van nieuwkomers", 1),
        Block("paragraph", "De stad Gent organiseert onthaal voor nieuwkomers, met taallessen en begeleiding naar "
                           "werk."),
        Block("heading", "Wat bieden we aan?", 2),
        Block("list_item", "Nederlandse taallessen"),
        Block("list_item", "Begeleiding bij huisvesting en werk"),
        Block("paragraph", "Inschrijven kan bij het Agentschap Integratie en Inburgering."),
        Block("paragraph", "Dag | Uur"),
        Block("paragraph", "Maandag | 9-12"),
    )
    flat = " ".join(b.text for b in item.blocks)
    for leaked in ("TRACKING", "INJECTED", "cookies", "Facebook", "Home", "©", "Gerelateerd", "alert", "<", "evil"):
        assert leaked not in flat


def test_html_trafilatura_extractor_keeps_structure(tmp_path):
    from migrahub.sources.html import page_parts

    parts = page_parts(BOILERPLATE_PAGE, extractor="trafilatura")
    kinds = [(b.kind, b.level) for b in parts.blocks]
    assert ("heading", 1) in kinds and ("heading", 2) in kinds and ("list_item", 0) in kinds
    flat = " ".join(b.text for b in parts.blocks)
    assert "Nederlandse taallessen" in flat
    assert "TRACKING" not in flat and "INJECTED" not in flat and "<" not in flat


def test_html_without_main_text_is_rejected(tmp_path):
    path = tmp_path / "nav.html"
    path.write_text("<html><body><nav><a href='/'>Home</a></nav><script>x()</script></body></html>")
    assert failure(path) == "no main text found in the HTML page"


# -- PDF ----------------------------------------------------------------------------------------------------------



def test_pdf_headings_paragraphs_and_list_items(tmp_path):
    path = tmp_path / "strategy.pdf"
    path.write_bytes(make_pdf())
    item = one(path)
    assert item.content_type == "application/pdf"
    assert item.title == "Integration Strategy" and item.author == "City of Ghent"
    assert item.blocks[0] == Block("heading", "Integration Strategy 2024", 1)
    assert item.blocks[1].kind == "paragraph"
    assert item.blocks[1].text.startswith("The city welcomes newcomers")
    assert item.blocks[1].text.count("integration.") == 6  # the wrapped lines joined into one paragraph
    assert item.blocks[2] == Block("heading", "Housing and reception", 2)
    assert item.blocks[-2:] == (Block("list_item", "language courses"), Block("list_item", "job coaching"))


def test_truncated_pdf_is_rejected_as_corrupt(tmp_path):
    data = make_pdf()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 2])
    assert failure(path).startswith("corrupt PDF: ")


def test_garbage_with_pdf_extension_is_rejected_as_corrupt(tmp_path):
    path = tmp_path / "fake.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x00garbage\xff" * 50 + b"\n%%EOF\n")
    assert failure(path).startswith("corrupt PDF: ")


def test_encrypted_pdf_is_rejected(tmp_path):
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(make_pdf()))
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    path = tmp_path / "locked.pdf"
    path.write_bytes(buf.getvalue())
    assert failure(path) == "encrypted PDF (password protected)"


def test_pdf_with_owner_password_only_is_read(tmp_path):
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(make_pdf()))
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    path = tmp_path / "restricted.pdf"
    path.write_bytes(buf.getvalue())
    assert one(path).blocks[0].text == "Integration Strategy 2024"


# -- DOCX ---------------------------------------------------------------------------------------------------------



def test_docx_headings_lists_tables(tmp_path):
    path = tmp_path / "report.docx"
    path.write_bytes(make_docx())
    item = one(path)
    assert item.title == "Reception report" and item.author == "Migration Office"
    assert item.language_hint == "en-GB"
    assert item.blocks == (
        Block("heading", "Reception report", 1),
        Block("paragraph", "The municipality received 120 asylum seekers this year."),
        Block("heading", "Measures", 2),
        Block("list_item", "language courses"),
        Block("list_item", "mentoring programme"),
        Block("paragraph", "Year | Arrivals"),
        Block("paragraph", "2024 | 120"),
        Block("paragraph", "Closing remarks."),
    )


def test_docx_zip_bomb_is_refused_before_opening(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            zeros = b"\0" * (1 << 20)
            for _ in range(300):  # 300 MB of zeros, streamed: about 300 KB on disk
                member.write(zeros)
    assert path.stat().st_size < 2_000_000
    reason = failure(path)
    assert reason.startswith("DOCX looks like a zip bomb: ")
    assert "314,572,8" in reason  # names the unpacked size


def test_docx_high_ratio_member_is_refused_under_the_size_limit(tmp_path):
    path = tmp_path / "ratio.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (20 << 20))
    reason = failure(path)
    assert reason.startswith("DOCX looks like a zip bomb: word/document.xml expands ")


def test_docx_that_is_not_a_zip(tmp_path):
    path = tmp_path / "fake.docx"
    path.write_bytes(b"This is just text pretending to be a Word file.")
    assert failure(path).startswith("not a DOCX file: not a ZIP archive")


def test_zip_without_document_xml(tmp_path):
    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert failure(path) == "not a DOCX file: the ZIP archive has no word/document.xml"


# -- directories --------------------------------------------------------------------------------------------------

def test_expand_directories_recursively_sorted_supported_only(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "deep").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    for rel in ("b/z.txt", "a/deep/y.md", "a/x.HTML", "a/notes.csv", "a/.hidden.txt", ".git/config.txt",
                "feed.rss", "list.opml"):
        (tmp_path / rel).write_text("hello world")
    units = expand([str(tmp_path), "https://example.org/feed", str(tmp_path / "b" / "z.txt")])
    root = tmp_path.resolve()
    assert units == [
        str(root / "a" / "deep" / "y.md"),
        str(root / "a" / "x.HTML"),
        str(root / "b" / "z.txt"),
        str(root / "feed.rss"),
        str(root / "list.opml"),
        "https://example.org/feed",
    ]


def test_expand_gives_a_linked_file_its_target_path_and_does_not_follow_linked_folders(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "inner").mkdir(parents=True)
    (elsewhere / "report.md").write_text("# Report")
    (elsewhere / "inner" / "deep.txt").write_text("deep")
    hub = tmp_path / "hub"
    hub.mkdir()
    (hub / "own.txt").write_text("own")
    (hub / "linked.md").symlink_to(elsewhere / "report.md")
    (hub / "folder").symlink_to(elsewhere / "inner", target_is_directory=True)
    (hub / "gone.txt").symlink_to(tmp_path / "missing.txt")
    units = expand([str(hub)])
    root = tmp_path.resolve()
    assert units == [str(root / "elsewhere" / "report.md"), str(root / "hub" / "own.txt"), str(root / "missing.txt")]
    assert failure(root / "missing.txt") == "file not found"


def test_collect_on_a_directory_fails_cleanly(tmp_path):
    assert failure(tmp_path).startswith("is a directory")


def test_mixed_directory_collects_every_type(tmp_path):
    (tmp_path / "a.txt").write_text("plain words here")
    (tmp_path / "b.md").write_text("# Title\n\ntext")
    (tmp_path / "c.html").write_text("<html><body><p>page text</p></body></html>")
    (tmp_path / "d.pdf").write_bytes(make_pdf())
    (tmp_path / "e.docx").write_bytes(make_docx())
    results = [collect(u) for u in expand([str(tmp_path)])]
    assert [r.status for r in results] == ["ok"] * 5
    assert [r.items[0].content_type for r in results] == [
        "text/plain", "text/markdown", "text/html", "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]


@pytest.mark.parametrize("name", ["x.xml"])
def test_xml_that_is_not_a_feed(tmp_path, name):
    path = tmp_path / name
    path.write_text('<?xml version="1.0"?><catalog><book>t</book></catalog>')
    assert failure(path) == "XML that is neither an RSS/Atom feed nor an OPML list"


def test_utf16_with_bom_is_text_not_binary(tmp_path):
    path = tmp_path / "wide.txt"
    path.write_bytes("Ελληνικά κείμενα για την ένταξη.\n\nSecond paragraph.".encode("utf-16"))
    assert [b.text for b in one(path).blocks] == ["Ελληνικά κείμενα για την ένταξη.", "Second paragraph."]


def test_deeply_nested_html_does_not_crash(tmp_path):
    path = tmp_path / "deep.html"
    path.write_text("<html><body>" + "<div>" * 5000 + "<p>deep text</p>" + "</div>" * 5000 + "</body></html>")
    result = collect(str(path))
    assert result.status in ("ok", "failed")
    if result.status == "ok":
        assert "deep text" in " ".join(b.text for b in result.items[0].blocks)


def test_text_lines_that_are_blocks_stay_apart():
    """Folding white space must never run a staff list, a table or one-paragraph-per-line text together."""
    from migrahub.sources.text import text_blocks

    staff = "Team\n\nAna Lima\tDirector\nJonas Berg\tPolicy Analyst\nSara Pérez\tOffice Manager"
    assert [b.text for b in text_blocks(staff)] == ["Team", "Ana Lima | Director", "Jonas Berg | Policy Analyst",
                                                    "Sara Pérez | Office Manager"]
    long_line = "The council adopted a plan for reception that covers housing, schools and health care for all. " * 2
    blocks = text_blocks(f"{long_line}\n{long_line}\n- one item\n- · another item")
    assert [b.kind for b in blocks] == ["paragraph", "paragraph", "list_item", "list_item"]
    assert blocks[3].text == "another item"
    wrapped = "This paragraph was hard wrapped\nat a narrow width by an e-mail\nclient and continues here."
    assert [b.text for b in text_blocks(wrapped)] == [wrapped]
    names = "Participants\n\nUrban Welcome Alliance\nCity of Leeds\nRefugee Action Kent"
    assert len(text_blocks(names)) == 4
