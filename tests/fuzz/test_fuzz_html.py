"""HTML pages (both extractors) and fragments (feed content, raw HTML in Markdown): blocks with their invariants or
a SourceError with a reason, within the bounds; metadata dates are ISO 8601 or nothing."""

from __future__ import annotations

import datetime as dt
import json
from xml.sax.saxutils import escape, quoteattr

import pytest
from fuzz_checks import check_blocks, check_source_result
from fuzz_samples import HTML
from fuzz_strategies import DECLARED, MAX_DOC, NASTY, capped, deep, encoded, hostile_text, mutated, xml_attr
from fuzz_support import SENTINEL, bounded, fuzz, raises_only
from hypothesis import example, given
from hypothesis import strategies as st

from migrahub.sources import Limits
from migrahub.sources.collect import read_bytes
from migrahub.sources.errors import SourceError
from migrahub.sources.html import fragment_blocks, html_to_text, iso_date, page_parts

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

TAGS = ("p", "div", "span", "a", "b", "i", "em", "h1", "h2", "h3", "h6", "ul", "ol", "li", "dl", "dt", "dd", "table",
        "thead", "tr", "td", "th", "main", "article", "nav", "header", "footer", "aside", "section", "br", "img",
        "script", "style", "noscript", "template", "svg", "math", "iframe", "form", "input", "button", "pre", "code",
        "blockquote", "time", "meta", "title", "html", "body", "head", "x-widget", "o:p", "frameset", "figure",
        "figcaption", "details", "summary", "font", "center", "label", "select", "option", "textarea", "hr")
CLASSES = ("content", "article-body", "main", "cookie-banner", "nav", "menu", "footer", "sidebar", "share", "related",
           "post", "entry-content", "hidden", "x" * 5000, "", "a b c d e f", "comments", "teaser", "print")
DATES = ("2024-05-02T10:00:00Z", "2024-02-30", "0000-01-01", "9999-12-31T23:59:59+23:59", "Tue, 99 Foo 99999",
         "2024-13-45T25:61:61", "yesterday", "", "1e309", "-1", "9" * 300, "2024-01-01T00:00:00+99:99",
         "Mon, 31 Dec 1969 23:59:59 GMT", "2024-01-02 03:04:05.123456789", "\x00", "2024-W01-1", "+002024-01-01")


ATTR_VALUE = st.sampled_from(CLASSES + ("display:none", "main", "navigation", "true", "datePublished", "articleBody")) \
    | hostile_text(2, 200)


def attrs(draw) -> str:
    out = []
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(("class", "id", "role", "hidden", "style", "itemprop", "datetime", "content",
                                     "lang", "aria-hidden", "href", "property", "name", "type", "onload")))
        value = draw(ATTR_VALUE)
        out.append(f" {name}={quoteattr(value)}")
    return "".join(out)


def element(draw, children: list[str]) -> str:
    tag = draw(st.sampled_from(TAGS))
    close = draw(st.sampled_from([True, True, True, False]))
    return f"<{tag}{attrs(draw)}>" + "".join(children) + (f"</{tag}>" if close else "")


@st.composite
def body_tree(draw, depth: int = 0) -> str:
    """A random element tree of page-like tags, attributes and hostile text."""
    if depth > 4 or draw(st.integers(0, 3)) == 0:
        text = draw(hostile_text(4, 3000))
        return escape(text) if draw(st.booleans()) else text
    return element(draw, [draw(body_tree(depth + 1)) for _ in range(draw(st.integers(0, 4)))])


JSON_LD = st.one_of(
    hostile_text(3, 500).map(lambda t: '{"@type": "NewsArticle", "articleBody": ' + json.dumps(t) + "}"),
    st.integers(1, 100).map(lambda n: '{"articleBody": "x", "@graph": ' + "[" * n + "]" * n + "}"),
    st.sampled_from(('{"articleBody": ', '{"articleBody": "\\ud800"}', '{"articleBody": 1e999}',
                     '{"recipeInstructions": [{"itemListElement": [1, null, {"text": 5}]}]}', '"articleBody"',
                     '{"@type": "HowTo", "description": ["x"], "step": "s"}', '{"acceptedAnswer": []}')),
)
# nested deeper than the stack allows: the target test_html_json_ld_nested_deeply (the declared text is skipped)
JSON_LD_DEEP = st.one_of(
    st.integers(1, 100_000).map(lambda n: '{"articleBody": "x", "@graph": ' + "[" * n + "]" * n + "}"),
    st.integers(1, 5_000).map(lambda n: '{"articleBody": "x", ' + '"@graph": {' * n + "}" * n + "}"),
    st.integers(1, 5_000).map(lambda n: '{"articleBody": "x", "mainEntity": ' + '{"mainEntity": ' * n + "1"
                              + "}" * (n + 1)),
)


@st.composite
def html_page(draw, json_ld=JSON_LD) -> str:
    """A whole page: prolog, <html lang>, head metadata (charset, title, dates, JSON-LD), a random body, and
    the shapes that break parsers (deep nesting, many siblings, unterminated comments and scripts)."""
    head = draw(st.sampled_from((
        "", "<!DOCTYPE html>", '<?xml version="1.0" encoding="hex"?>', "<?xml version='1.0'?>",
        f"<!DOCTYPE html [<!ENTITY xxe SYSTEM 'file://{SENTINEL}'>]>",
        "<!DOCTYPE html PUBLIC '-//W3C//DTD XHTML 1.0 Strict//EN' 'http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd'>")))
    metas = "".join((
        f'<meta charset="{draw(st.sampled_from(DECLARED))}">' if draw(st.booleans()) else "",
        f"<title>{escape(draw(hostile_text(3, 500)))}</title>" if draw(st.booleans()) else "",
        f'<meta property="article:published_time" content={quoteattr(draw(st.sampled_from(DATES)))}>',
        f'<meta name="author" content={draw(xml_attr(2000))}>',
        f'<time datetime={quoteattr(draw(st.sampled_from(DATES)))}>t</time>',
        f'<script type="application/ld+json">{draw(json_ld)}</script>' if draw(st.booleans()) else ""))
    body = draw(body_tree())
    shape = draw(st.sampled_from(("", "deep", "siblings", "comment", "script", "nul", "table", "attrs")))
    n = draw(st.integers(1, 50_000))
    extra = {
        "": "",
        "deep": deep(draw(st.sampled_from(("div", "b", "ul><li", "table><tr><td", "a", "font", "article", "main"))),
                     n, "deep text", draw(st.booleans())),
        "siblings": "<p>paragraph of text</p>" * n,
        "comment": "<!-- " + "x" * n,
        "script": "<script>" + "var a = '<p>';" * n,
        "nul": "<p>a\x00b</p>" * (n % 1000),
        "table": "<table>" + "<tr>" + "<td>c</td>" * (n % 3000) + "</tr>" + "</table>",
        "attrs": "<div " + " ".join(f'a{i}="{i}"' for i in range(n % 5000)) + ">x</div>",
    }[shape]
    lang = draw(xml_attr(100))
    page = f"{head}<html lang={lang}><head>{metas}</head><body>{body}{extra}</body></html>"
    return capped(page, MAX_DOC)


def read(data: bytes, ext: str, content_type: str = "", declared: str | None = None):
    return raises_only(lambda: read_bytes(data, "https://city.example/page" + ext, ext, Limits(), source_kind="page",
                                          declared=declared, content_type=content_type,
                                          url="https://city.example/page" + ext), SourceError)


@fuzz(weight=1.5)
@given(data=st.one_of(encoded(html_page()), mutated(HTML.encode("utf-8"))),
       ext=st.sampled_from([".html", ".htm", ""]), content_type=st.sampled_from(["", "text/html",
                                                                                 "application/xhtml+xml"]),
       declared=st.none() | st.sampled_from(DECLARED))
def test_html_pages(data, ext, content_type, declared):
    with bounded("HTML page"):
        check_source_result(read(data, ext, content_type, declared), "HTML page")


@fuzz(weight=0.3)
@given(page=html_page(JSON_LD_DEEP))
@example(page='<html><body><p>x</p><script type="application/ld+json">{"articleBody": "x", "@graph": '
         + "[" * 100_000 + "]" * 100_000 + "}</script></body></html>")
def test_html_json_ld_nested_deeply(page):
    with bounded("HTML page with deep JSON-LD"):
        check_source_result(read(page.encode("utf-8"), ".html"), "HTML page with deep JSON-LD")


@fuzz(weight=0.4)
@given(page=html_page())
def test_html_pages_with_trafilatura(page):
    """The trafilatura extractor (it falls back to the fast one when it finds nothing)."""
    with bounded("HTML page (trafilatura)"):
        parts = page_parts(page, extractor="trafilatura")
    check_blocks(parts.blocks, "trafilatura")
    for value in (parts.title, parts.author, parts.language, parts.published):
        assert value is None or isinstance(value, str)


FRAGMENTS = st.one_of(body_tree(), hostile_text(8), st.sampled_from(NASTY),
                      st.builds(lambda n: deep("b", n, "x", False), st.integers(1, 100_000)),
                      st.builds(lambda t: "a &amp;\n" + t, hostile_text(2, 50)))


@fuzz(weight=1.5)
@given(fragment=FRAGMENTS)
def test_html_fragments(fragment):
    """A fragment gives blocks, and ``html_to_text`` a string."""
    with bounded("HTML fragment"):
        blocks = fragment_blocks(fragment)
        line = html_to_text(fragment)
    check_blocks(blocks, "fragment_blocks")
    assert isinstance(line, str) and line == line.strip()


@fuzz(weight=0.5)
@given(fragment=FRAGMENTS)
@example(fragment="Tom &amp; Jerry\nand friends")
def test_html_to_text_is_one_line(fragment):
    """``html_to_text`` (feed titles and summaries) gives one line of text."""
    with bounded("html_to_text"):
        line = html_to_text(fragment)
    assert "\n" not in line and line == line.strip(), f"not one line: {line[:80]!r}"


@fuzz(weight=1.0)
@given(value=st.one_of(st.sampled_from(DATES), hostile_text(3, 100), st.text(max_size=40),
                       st.from_regex(r"\A[+-]?\d{1,6}-\d{1,3}-\d{1,3}([T ]\d{1,2}:\d{1,2}(:\d{1,2}(\.\d{1,12})?)?"
                                     r"(Z|[+-]\d{1,2}:?\d{2})?)?\Z")))
@example(value="Tue, 05 Mar 2024 14:00:00 +9999")
def test_iso_date(value):
    """Dates pages and feeds write become ISO 8601 (a date or a date-time) or nothing."""
    with bounded("iso_date"):
        out = raises_only(lambda: iso_date(value))
    assert out is None or isinstance(out, str)
    if out:
        if len(out) == 10:
            dt.date.fromisoformat(out)
        else:
            dt.datetime.fromisoformat(out)
