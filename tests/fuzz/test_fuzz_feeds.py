"""Feeds (RSS 0.9x, 1.0, 2.0, Atom) and OPML lists: each read either gives items that normalise with their
invariants, or a SourceError with a reason — within the time and memory bounds, never reading a file of the disk."""

from __future__ import annotations

import pytest
from fuzz_checks import check_source_result
from fuzz_samples import ATOM, OPML, RSS091, RSS10, RSS20
from fuzz_strategies import (
    BOMS,
    DECLARED,
    MAX_DOC,
    TEXT_ENCODINGS,
    capped,
    deep,
    encode,
    encode_xml,
    hostile_text,
    many_attrs,
    mutated,
    prolog,
    valid_charrefs,
    xml_attr,
    xml_text,
)
from fuzz_support import SENTINEL, bounded, fuzz, raises_only
from hypothesis import example, given
from hypothesis import strategies as st

from migrahub.sources import Limits
from migrahub.sources.collect import child_unit, is_url, read_bytes
from migrahub.sources.errors import SourceError
from migrahub.sources.feeds import parse_opml

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

DATES = ("Tue, 05 Mar 2024 14:00:00 +0100", "Tue, 99 Foo 99999 99:99:99 +9999", "0000-00-00", "2024-02-30",
         "9999-12-31T23:59:59Z", "-1", "1e309", "", "Mon, 31 Dec 1969 23:59:59 GMT", "2024-13-45T25:61:61+25:00",
         "9" * 200, "Sat, 01 Jan 10000 00:00:00 GMT", "2024-01-02T10:00:00.999999999999Z", "\x00")
# URLs with an unclosed IPv6 bracket (also the target test_feeds_and_lists_with_unclosed_ipv6_brackets)
BAD_IPV6 = ("http://[::1", "https://[fe80::1/feed", "//[::1", "x://[::1")
LINKS = BAD_IPV6 + ("https://city.example/a", "/relative/path", "javascript:alert(1)", "file:///etc/passwd", f"file://{SENTINEL}",
         "http://%zz/", "//evil.example/x", "data:text/html,<script>x</script>", "", "mailto:a@b",
         "a" * 5000, "http://127.0.0.1:9/", "../../etc/hostname", "\\\\host\\share")
LOCATORS = ("/srv/feeds/city.rss", "https://feeds.example/news/city.rss")
# characters of a generated feed: feedparser's fallback parser (for feeds that are not well-formed) reads about
# 300 KB/s, so larger feeds would only spend the budget on the same shapes
FEED_DOC = 300_000
# declarations naming real, wrong and no character sets (also the target test_xml_declarations_the_guard_lets_through)
FEED_CHARSETS = DECLARED


def field(draw, tag: str, attrs: str = "") -> str:
    return f"<{tag}{attrs}>{draw(xml_text())}</{tag}>"


LINK = st.sampled_from(LINKS) | hostile_text(3, 200)


def link(draw) -> str:
    return draw(LINK)


def _escape_attr(value: str) -> str:
    from xml.sax.saxutils import quoteattr

    return quoteattr(value)


@st.composite
def rss_document(draw, version: str) -> str:
    """RSS 0.91/0.92/2.0: a channel with hostile fields, items with hostile titles, links, dates and content."""
    items = []
    for _ in range(draw(st.integers(0, 4))):
        parts = [field(draw, "title"), f"<link>{link(draw)}</link>",
                 f"<guid isPermaLink={_escape_attr(draw(st.sampled_from(['true', 'false', ''])))}>"
                 f"{draw(xml_text())}</guid>",
                 f"<pubDate>{draw(st.sampled_from(DATES))}</pubDate>", field(draw, "description"),
                 field(draw, "content:encoded"), field(draw, "author"),
                 f"<enclosure url={draw(xml_attr())} length={draw(xml_attr())} type=\"audio/mpeg\"/>"]
        items.append("<item>" + "".join(draw(st.permutations(parts))[: draw(st.integers(0, len(parts)))]) + "</item>")
    items = "".join(items)
    copies = draw(st.sampled_from((1, 1, 1, 2000)))  # many items: the same ones repeated
    channel = (field(draw, "title") + f"<link>{link(draw)}</link>" + field(draw, "description") +
               f"<language>{draw(st.sampled_from(['en', 'fr-BE', '', 'xx-notalang', 'a' * 300]))}</language>" +
               items * max(1, min(copies, FEED_DOC // max(1, len(items)))))
    attrs = " " + many_attrs(draw(st.integers(0, 3000))) if draw(st.booleans()) else ""
    ns = ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
    body = f'<rss version="{version}"{ns}{attrs}><channel>{channel}</channel></rss>'
    if draw(st.booleans()):
        body = body[: draw(st.integers(0, len(body)))]  # truncated
    return draw(prolog("rss", FEED_CHARSETS)) + capped(body, FEED_DOC)


@st.composite
def rdf_document(draw) -> str:
    """RSS 1.0 (RDF): channel, item list and items with Dublin Core dates."""
    items = "".join(
        f"<item rdf:about={draw(xml_attr())}>{field(draw, 'title')}<link>{link(draw)}</link>"
        f"{field(draw, 'description')}<dc:date>{draw(st.sampled_from(DATES))}</dc:date></item>"
        for _ in range(draw(st.integers(0, 3))))
    body = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<channel rdf:about="https://c.example/">{field(draw, "title")}<link>{link(draw)}</link>'
            f'<items><rdf:Seq><rdf:li rdf:resource={draw(xml_attr())}/></rdf:Seq></items></channel>'
            f"{items}</rdf:RDF>")
    return draw(prolog("rdf:RDF", FEED_CHARSETS)) + capped(body, FEED_DOC)


@st.composite
def atom_document(draw) -> str:
    """Atom: text constructs of every type (text, html, xhtml, other), xml:base and xml:lang, relative links."""
    def construct(tag: str) -> str:
        kind = draw(st.sampled_from(["text", "html", "xhtml", "application/octet-stream", "", "bogus"]))
        inner = draw(xml_text())
        if kind == "xhtml":
            inner = f'<div xmlns="http://www.w3.org/1999/xhtml">{inner}</div>'
        return f'<{tag} type="{kind}">{inner}</{tag}>'

    entries = "".join(
        f"<entry xml:lang={draw(xml_attr(50))} xml:base={draw(xml_attr(50))}>{construct('title')}"
        f"<id>{draw(xml_text())}</id><link href={draw(xml_attr())} rel=\"alternate\"/>"
        f"<updated>{draw(st.sampled_from(DATES))}</updated><published>{draw(st.sampled_from(DATES))}</published>"
        f"{construct('summary')}{construct('content')}<author><name>{draw(xml_text())}</name></author></entry>"
        for _ in range(draw(st.integers(0, 3))))
    body = (f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={draw(xml_attr(50))}>{construct("title")}'
            f'<id>urn:x</id><link href="{draw(st.sampled_from(LINKS)).replace(chr(34), "")}"/>{entries}</feed>')
    return draw(prolog("feed", FEED_CHARSETS)) + capped(body, FEED_DOC)


def read(data: bytes, ext: str, locator: str, declared: str | None = None, content_type: str = ""):
    web = is_url(locator)
    return raises_only(lambda: read_bytes(data, locator, ext, Limits(), source_kind="page" if web else "file",
                                          declared=declared, content_type=content_type,
                                          url=locator if web else None), SourceError)


declared = st.none() | st.sampled_from(DECLARED)
feed_ext = st.sampled_from([".rss", ".xml", ".atom", ".rdf", ""])


# Numeric character references beyond Unicode or to surrogates: also the target
# test_feeds_with_invalid_character_references.
rss = st.sampled_from(["0.91", "0.92", "2.0", "", "9.9"]).flatmap(rss_document)


@fuzz(weight=1.0)
@given(data=encode_xml(rss), ext=feed_ext,
       locator=st.sampled_from(LOCATORS), declared=declared)
def test_rss_091_092_20(data, ext, locator, declared):
    with bounded("RSS feed"):
        check_source_result(read(data, ext, locator, declared), "RSS feed")


@fuzz(weight=0.7)
@given(data=encode_xml(rdf_document()), ext=feed_ext,
       locator=st.sampled_from(LOCATORS))
def test_rss_10_rdf(data, ext, locator):
    with bounded("RSS 1.0 feed"):
        check_source_result(read(data, ext, locator), "RSS 1.0 feed")


@fuzz(weight=1.0)
@given(data=encode_xml(atom_document()), ext=feed_ext,
       locator=st.sampled_from(LOCATORS), declared=declared,
       content_type=st.sampled_from(["", "application/atom+xml", "text/xml", "application/feed+json"]))
def test_atom(data, ext, locator, declared, content_type):
    with bounded("Atom feed"):
        check_source_result(read(data, ext, locator, declared, content_type), "Atom feed")


INVALID_REFS = ("&#x110000;", "&#1114112;", "&#xD800;", "&#xDFFF;", "&#99999999999999999999;")


@fuzz(weight=0.3)
@given(data=st.tuples(st.one_of(rss, atom_document()), st.sampled_from(INVALID_REFS)).map(
    lambda d: d[0].replace("</title>", d[1] + "</title>", 1).encode("utf-8", "replace")), ext=feed_ext)
@example(data=b'<rss version="2.0"><channel><title>x</title><item><title>a&#x110000;</title></item></channel></rss>',
         ext=".rss")
def test_feeds_with_invalid_character_references(data, ext):
    with bounded("feed with invalid character references"):
        check_source_result(read(data, ext, LOCATORS[0]), "feed with invalid character references")


@fuzz(weight=1.0)
@given(sample=st.sampled_from([RSS091, RSS10, RSS20, ATOM, OPML]).flatmap(mutated), ext=feed_ext,
       locator=st.sampled_from(LOCATORS))
def test_mutated_feeds(sample, ext, locator):
    with bounded("mutated feed"):
        check_source_result(read(sample, ext, locator), "mutated feed")


REFS = ("https://a.example/feed.xml", "feeds/b.rss", "/etc/passwd", "../../etc/hostname", "file:///etc/passwd",
        f"file://{SENTINEL}", str(SENTINEL), "http://127.0.0.1/", "javascript:alert(1)", "C:\\feeds\\x.rss",
        "c:/x.rss", "\\\\host\\share\\x.rss", "", "  ", "feed://x.example/rss", "//x.example/rss",
        "~/secret.rss", "%2e%2e/%2e%2e/etc/passwd", "file:/etc/passwd", "FILE:///etc/passwd", "https:/x", "a" * 3000)
REF = st.sampled_from(REFS) | hostile_text(3, 100)


@st.composite
def opml_document(draw, ref_strategy=REF) -> str:
    """OPML with outlines (feeds and includes) naming hostile references, nested deeply or repeated."""
    def outline() -> str:
        ref = draw(ref_strategy)
        attr = draw(st.sampled_from(["xmlUrl", "xmlurl", "url", "htmlUrl"]))
        kind = draw(st.sampled_from(["rss", "include", "link", ""]))
        from xml.sax.saxutils import quoteattr

        return f"<outline text={draw(xml_attr(100))} type=\"{kind}\" {attr}={quoteattr(ref)}/>"

    outlines = "".join(outline() for _ in range(draw(st.integers(0, 6))))
    depth = draw(st.sampled_from((0, 0, 5, 200, 20_000)))
    outlines = deep("outline", depth, outlines)
    outlines *= max(1, min(draw(st.sampled_from((1, 1, 500))), MAX_DOC // max(1, len(outlines))))
    body = f'<opml version="2.0"><head>{field(draw, "title")}</head><body>{outlines}</body></opml>'
    return draw(prolog("opml", FEED_CHARSETS)) + capped(body)


@fuzz(weight=1.0)
@given(data=encode_xml(opml_document()), locator=st.sampled_from(LOCATORS + ("/srv/lists/l.opml",)),
       ext=st.sampled_from([".opml", ".xml", ""]), local=st.booleans())
def test_opml(data, locator, ext, local):
    """An OPML list gives entries or a SourceError; what an entry may become is an http(s) URL, or a local path only
    from a local list where local files were asked for — never a path from a list on the web."""
    with bounded("OPML list"):
        result = read(data, ext, locator)
        check_source_result(result, "OPML list")
        children = () if isinstance(result, SourceError) else result.children
        for ref in children:
            unit = raises_only(lambda ref=ref: child_unit(locator, ref, allow_local_files=local), SourceError)
            if isinstance(unit, SourceError):
                continue
            assert is_url(unit) or (local and not is_url(locator)), f"{locator} may not name {unit!r}"


@fuzz(weight=0.5)
@given(data=encode_xml(opml_document()), locator=st.sampled_from(LOCATORS))
def test_parse_opml_directly(data, locator):
    with bounded("parse_opml"):
        result = raises_only(lambda: parse_opml(data, locator), SourceError)
        if not isinstance(result, SourceError):
            assert isinstance(result, tuple) and all(isinstance(c, str) for c in result)
            if is_url(locator):
                assert not any(c.startswith("/") for c in result), "a web list's entry became a local path"


@pytest.mark.parametrize("sample", [RSS091, RSS10, RSS20, ATOM], ids=["rss091", "rss10", "rss20", "atom"])
def test_the_valid_samples_read(sample):
    """The mutation seeds are real feeds: each reads into items."""
    result = read(sample, ".xml", LOCATORS[0])
    assert not isinstance(result, SourceError) and check_source_result(result, "sample")


@fuzz(weight=0.3)
@given(document=st.one_of(rss, atom_document(), opml_document()), declared=st.sampled_from(DECLARED),
       encoding=st.sampled_from(TEXT_ENCODINGS), bom=st.sampled_from(BOMS))
@example(document='<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>', declared="base64",
         encoding="utf-8-sig", bom=b"\xef\xbb\xbf" * 2)
@example(document='<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>', declared="utf_32_be",
         encoding="utf-32-le", bom=b"\xff\xfe")
def test_xml_declarations_the_guard_lets_through(document, declared, encoding, bom):
    text = f'<?xml version="1.0" encoding="{declared}"?>' + valid_charrefs(document)
    with bounded("feed with an odd XML declaration"):
        check_source_result(read(bom + encode(text, encoding), "", LOCATORS[0]), "feed with an odd XML declaration")


@fuzz(weight=0.3)
@given(document=st.one_of(
    rss.map(lambda d: d.replace("<link>", "<link>http://[::1", 1)),
    atom_document().map(lambda d: d.replace('<link href="', '<link href="http://[::1', 1)),
    opml_document(st.sampled_from(BAD_IPV6))), locator=st.sampled_from(LOCATORS))
@example(document='<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><link href="http://[::1"/>'
         "<entry><title>x</title><id>1</id></entry></feed>", locator=LOCATORS[0])
def test_feeds_and_lists_with_unclosed_ipv6_brackets(document, locator):
    with bounded("feed with an unclosed IPv6 bracket"):
        result = read(valid_charrefs(document).encode("utf-8"), "", locator)
        check_source_result(result, "feed with an unclosed IPv6 bracket")
        for ref in () if isinstance(result, SourceError) else result.children:
            raises_only(lambda ref=ref: child_unit(locator, ref, allow_local_files=True), SourceError)


@fuzz(weight=0.2)
@given(bom=st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf" * 2]), ext=feed_ext,
       content_type=st.sampled_from(["", "application/rss+xml", "application/atom+xml"]))
@example(bom=b"\xef\xbb\xbf", ext=".rss", content_type="")
def test_feeds_of_nothing_but_a_bom(bom, ext, content_type):
    with bounded("feed of a BOM"):
        check_source_result(read(bom, ext, LOCATORS[0], content_type=content_type), "feed of a BOM")
