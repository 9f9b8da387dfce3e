"""Plain text, the byte decoder, Markdown (front matter included) and raw bytes behind every extension: each read
gives items that normalise with their invariants, or a SourceError with a reason."""

from __future__ import annotations

import codecs

import pytest
from fuzz_checks import check_blocks, check_source_result
from fuzz_samples import MARKDOWN, TEXT
from fuzz_strategies import (
    BOMS,
    DECLARED,
    NASTY,
    capped,
    deep,
    encoded,
    hostile_text,
    long_runs,
    mutated,
    seeded_bytes,
)
from fuzz_support import bounded, fuzz, raises_only
from hypothesis import example, given
from hypothesis import strategies as st

from migrahub.sources import Limits
from migrahub.sources.collect import read_bytes
from migrahub.sources.decode import decode
from migrahub.sources.errors import SourceError
from migrahub.sources.markdown import front_matter, markdown_blocks
from migrahub.sources.text import text_blocks

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

LOCATOR = "/srv/docs/report"


def read(data: bytes, ext: str, declared: str | None = None, content_type: str = ""):
    return raises_only(lambda: read_bytes(data, LOCATOR + ext, ext, Limits(), declared=declared,
                                          content_type=content_type), SourceError)


@fuzz(weight=1.5)
@given(data=st.one_of(seeded_bytes(), encoded(hostile_text()), mutated(TEXT.encode("utf-8"))),
       declared=st.none() | st.sampled_from(DECLARED), markup=st.booleans())
@example(data=b'<?xml version="1.0" encoding="hex"?><x>\xe9</x>', declared=None, markup=False)
@example(data=b"caf\xe9", declared="base64", markup=False)
@example(data=b"+2AA-caf\xe9", declared="utf-7", markup=False)
@example(data=b"\\ud800 caf\xe9", declared="unicode_escape", markup=False)
@example(data=b"a" * 100 + b"\xe9", declared="idna", markup=False)
def test_decode(data, declared, markup):
    """Bytes become text (no lone surrogates) or a SourceError; valid UTF-8 without a BOM stays itself unless a
    wide encoding is declared, and a BOM that fits wins."""
    with bounded("decode"):
        text = raises_only(lambda: decode(data, declared, markup=markup), SourceError)
    if isinstance(text, SourceError):
        return
    assert isinstance(text, str)
    text.encode("utf-8")  # no lone surrogates: the store could not write them
    if data.startswith(codecs.BOM_UTF8) and not data.startswith(codecs.BOM_UTF8 * 2):
        try:
            assert text == data[3:].decode("utf-8")
        except UnicodeDecodeError:
            pass  # a lying BOM
    wide = {declared or ""} & {"utf-16", "utf-16le", "utf-32", "ucs-2", "utf_32_be"}
    if not data.startswith(tuple(b for b in BOMS if b)) and not wide:
        try:
            utf8 = data.decode("utf-8")
        except UnicodeDecodeError:
            return
        from migrahub.sources.decode import declared_encoding

        if not (declared_encoding(data, markup) or "").startswith(("utf-16", "utf-32", "ucs")):
            assert text == utf8, "valid UTF-8 was decoded as something else"


@fuzz(weight=1.5)
@given(text=hostile_text(16).map(capped))
@example(text="- a\n- b\n" * 3 + "\t" * 5000)
def test_text_blocks(text):
    """Plain text splits into blocks (no empty ones, no blank line inside one) in linear time."""
    with bounded("text_blocks"):
        blocks = text_blocks(text)
    check_blocks(blocks, "text_blocks")
    for block in blocks:
        assert block.text.strip() and "\n\n" not in block.text.replace("\r", "")


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)) + "title: *i"
FRONT = st.one_of(
    hostile_text(4, 500),
    st.sampled_from([
        ALIAS_BOMB, "title: !!python/object/apply:os.system ['true']", "title: [" * 5000, "title: {" * 5000,
        "title: &a [*a]", "date: 2024-13-45", "date: 99999-01-01", "lang: [fr, en]", "title: 12", "author: null",
        "title: " + "x" * 100_000, "- a\n- b", "? [a, b]\n: c", "title: \x00", "title: '\ud7ff'", "%YAML 9.9\n---",
        "date: 2024-01-01T25:00:00", "title: &x {a: 1}\nauthor: *x", "<<: *nothing"]))


@st.composite
def markdown_document(draw) -> str:
    """Markdown with front matter (hostile YAML), headings, nested lists and quotes, tables, fences, raw HTML."""
    parts = []
    if draw(st.booleans()):
        close = draw(st.sampled_from(["---", "...", "", "--- x"]))
        parts.append(f"---\n{draw(FRONT)}\n{close}\n")
    pieces = st.one_of(
        hostile_text(6, 2000),
        st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 8), hostile_text(3, 200)),
        st.builds(lambda n, t: "".join("  " * i + "- " + t + "\n" for i in range(n)), st.integers(1, 300),
                  hostile_text(2, 50)),
        st.builds(lambda n: "> " * n + "quoted", st.integers(1, 5000)),
        st.builds(lambda n, t: "| " + " | ".join([t] * n) + " |\n|" + "---|" * n + "\n| " + " | ".join(["c"] * n)
                  + " |", st.integers(1, 500), hostile_text(2, 20)),
        st.builds(lambda t, closed: "```\n" + t + ("\n```" if closed else ""), hostile_text(3, 500), st.booleans()),
        st.builds(lambda n, inner: deep("div", n, inner, False), st.integers(1, 5000), hostile_text(2, 50)),
        st.builds(lambda n: "[" * n + "a" + "](b)" * n, st.integers(1, 2000)),
        st.builds(lambda n: "*" * n + "a" + "*" * n, st.integers(1, 5000)),
        st.builds(lambda n: "![" * n + "x" + "](y)" * n, st.integers(1, 2000)),
        st.sampled_from(NASTY), long_runs(),
    )
    parts += draw(st.lists(pieces, max_size=8))
    return capped("\n\n".join(parts))


@fuzz(weight=1.0)
@given(text=markdown_document())
@example(text="---\ntitle: " + "[" * 5000 + "\n---\nbody")
def test_markdown(text):
    """Front matter gives a dict (empty when refused) and the body; the body gives blocks."""
    with bounded("markdown"):
        meta, body = front_matter(text)
        blocks = markdown_blocks(body)
    assert isinstance(meta, dict) and isinstance(body, str) and text.endswith(body)
    check_blocks(blocks, "markdown")


@fuzz(weight=0.7)
@given(text=st.just("---\n").flatmap(lambda head: FRONT.map(lambda f: head + f + "\n---\n# Body\n\ntext")))
@example(text="---\n" + ALIAS_BOMB + "\n---\n# Body\n\ntext")
@example(text="---\ntitle: " + "[" * 5000 + "\n---\n# Body\n\ntext")
def test_markdown_front_matter_through_read_bytes(text):
    """Hostile front matter through the Markdown adapter: a document (the metadata it could read) or a
    SourceError, never an alias bomb expanded into a title."""
    with bounded("markdown file"):
        check_source_result(read(text.encode("utf-8"), ".md"), "markdown file")


@fuzz(weight=1.5)
@given(data=st.one_of(encoded(markdown_document()), mutated(MARKDOWN.encode("utf-8")), seeded_bytes(50_000)),
       ext=st.sampled_from([".md", ".markdown", ".txt", ""]),
       content_type=st.sampled_from(["", "text/markdown", "text/plain", "text/x-markdown"]))
def test_text_and_markdown_files(data, ext, content_type):
    with bounded("text file"):
        check_source_result(read(data, ext, content_type=content_type), "text file")


EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".xml", ".rss", ".atom", ".opml", ".rdf",
              "", ".exe", ".TXT")
CONTENT_TYPES = ("", "text/html", "application/pdf", "application/xml", "text/xml", "application/rss+xml",
                 "application/atom+xml", "text/plain", "application/octet-stream", "text/markdown",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "image/png")


MAGIC = st.sampled_from([b"%PDF-", b"PK\x03\x04", b"<?xml", b"<rss", b"<opml", b"<html", b"\xef\xbb\xbf", b"\xff\xfe",
                         b"---\n"])


def more_than_a_bom(data: bytes) -> bool:
    """Bytes that are more than byte-order marks (those alone are left to test_feeds_of_nothing_but_a_bom)."""
    return bool(data.replace(b"\xef\xbb\xbf", b"").replace(b"\xff\xfe", b"").replace(b"\xfe\xff", b"").strip())


@fuzz(weight=2.0)
@given(data=st.one_of(seeded_bytes(), MAGIC.flatmap(lambda head: seeded_bytes(20_000).map(lambda tail: head + tail)))
       .filter(more_than_a_bom),
       ext=st.sampled_from(EXTENSIONS), content_type=st.sampled_from(CONTENT_TYPES),
       declared=st.none() | st.sampled_from(DECLARED))
def test_random_bytes_behind_every_type(data, ext, content_type, declared):
    """Pure random bytes (and random bytes behind a format's magic) under every extension and content type."""
    with bounded("random bytes"):
        check_source_result(read(data, ext, declared, content_type), f"random bytes as {ext or content_type}")
