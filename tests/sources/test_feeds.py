"""Feeds (RSS 0.91, RSS 1.0/RDF, RSS 2.0, Atom) and OPML from files; hostile and broken XML; the shared feeds."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from source_samples import ENTITY_REASON, RSS20

from migrahub.model import Block, Extracted
from migrahub.sources import collect
from migrahub.sources.collect import child_unit
from migrahub.sources.errors import SourceError
from migrahub.sources.feeds import parse_opml

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

RSS091 = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
 "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Ville de Li\xe8ge</title><link>http://www.liege.be/</link>
<description>Actualit\xe9s</description><language>fr-be</language>
<item><title>Accueil des r\xe9fugi\xe9s</title><link>http://www.liege.be/actu/1</link>
<description>La ville ouvre un centre d'accueil &amp; d'orientation.</description></item>
<item><title>Cours de fran\xe7ais</title><link>http://www.liege.be/actu/2</link>
<description>Inscriptions ouvertes.</description></item>
</channel></rss>
"""

RSS10 = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://example.org/rss"><title>Migration observatory</title><link>http://example.org/</link>
<description>Notes</description><dc:language>de</dc:language>
<items><rdf:Seq><rdf:li rdf:resource="http://example.org/n/1"/></rdf:Seq></items></channel>
<item rdf:about="http://example.org/n/1"><title>Neue Beratungsstelle für Geflüchtete</title>
<link>http://example.org/n/1</link><description>Die Stadt eröffnet eine Beratungsstelle.</description>
<dc:date>2024-02-03T08:30:00Z</dc:date><dc:creator>Amt für Integration</dc:creator></item>
</rdf:RDF>
""".encode()


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="es">
<title>Observatorio</title><link href="https://obs.example/"/><id>urn:obs</id><updated>2024-01-01T00:00:00Z</updated>
<entry><title type="html">Acogida de personas &amp;amp; migrantes</title><link href="/noticias/1"/>
<id>urn:obs:1</id><published>2024-01-02T09:00:00+01:00</published><updated>2024-01-03T00:00:00Z</updated>
<author><name>Ana Pérez</name></author><summary>Resumen breve.</summary>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>El ayuntamiento abre una oficina.</p></div></content>
</entry></feed>
""".encode()


def feed_items(tmp_path: Path, name: str, data: bytes) -> tuple[Extracted, ...]:
    path = tmp_path / name
    path.write_bytes(data)
    result = collect(str(path))
    assert result.status == "ok", result.error
    assert result.kind == "feed"
    assert all(isinstance(i, Extracted) for i in result.items)
    return result.items


def test_rss_091_with_doctype_and_latin1(tmp_path):
    items = feed_items(tmp_path, "liege.rss", RSS091)
    assert [i.title for i in items] == ["Accueil des réfugiés", "Cours de français"]
    first = items[0]
    assert first.locator == f"{(tmp_path / 'liege.rss').resolve()}#http://www.liege.be/actu/1"
    assert first.source == str((tmp_path / "liege.rss").resolve())
    assert first.url == "http://www.liege.be/actu/1" and first.language_hint == "fr-be"
    assert first.blocks == (Block("heading", "Accueil des réfugiés", 1),
                            Block("paragraph", "La ville ouvre un centre d'accueil & d'orientation."))


def test_rss_10_rdf_detected_by_content_in_xml_file(tmp_path):
    (item,) = feed_items(tmp_path, "observatory.xml", RSS10)
    assert item.title == "Neue Beratungsstelle für Geflüchtete"
    assert item.published == "2024-02-03T08:30:00Z"
    assert item.author == "Amt für Integration"
    assert item.language_hint == "de"
    assert item.blocks[-1] == Block("paragraph", "Die Stadt eröffnet eine Beratungsstelle.")


def test_rss_20_content_html_becomes_text_blocks(tmp_path):
    first, second = feed_items(tmp_path, "city.rss", RSS20)
    assert first.locator.endswith("#city-0001")
    assert first.title == "Council adopts welcome plan"
    assert first.published == "2024-03-05T13:00:00Z"
    assert first.summary == "Short summary of the plan."
    assert first.author and "Press Office" in first.author
    assert first.content_type == "application/rss+xml"
    assert first.blocks == (
        Block("heading", "Council adopts welcome plan", 1),
        Block("heading", "Background", 2),
        Block("paragraph", "The council adopted the plan."),
        Block("list_item", "housing"),
        Block("list_item", "jobs"),
        Block("paragraph", "End."),
    )
    # no guid and no link: a stable hash of the title and summary
    assert "#sha1:" in second.locator
    assert second.locator == feed_items(tmp_path, "again.rss", RSS20)[1].locator.replace("again.rss", "city.rss")


def test_atom_entry_fields_and_relative_link(tmp_path):
    (entry,) = feed_items(tmp_path, "obs.atom", ATOM)
    assert entry.locator.endswith("#urn:obs:1")
    assert entry.title == "Acogida de personas & migrantes"
    assert entry.url == "https://obs.example/noticias/1"
    assert entry.published == "2024-01-02T08:00:00Z"
    assert entry.author == "Ana Pérez"
    assert entry.language_hint == "es"
    assert entry.content_type == "application/atom+xml"
    assert entry.blocks[-1] == Block("paragraph", "El ayuntamiento abre una oficina.")


def test_opml_lists_feed_urls_and_relative_paths(tmp_path):
    path = tmp_path / "subs.opml"
    path.write_text("""<?xml version="1.0"?><opml version="2.0"><head><title>s</title></head><body>
<outline text="News"><outline type="rss" text="A" xmlUrl="https://a.example/feed.xml"/>
<outline type="rss" text="B" xmlUrl="local/b.rss"/><outline type="rss" text="dup" xmlUrl="https://a.example/feed.xml"/>
<outline text="just a link" htmlUrl="https://c.example/"/></outline></body></opml>""")
    result = collect(str(path))
    assert result.status == "ok" and result.kind == "opml" and result.items == ()
    assert result.children == ("https://a.example/feed.xml", str((tmp_path / "local" / "b.rss").resolve()))


def test_opml_entries_are_resolved_without_reading_the_disk(tmp_path):
    """A relative entry of a local list becomes a path beside it, whether or not it exists; what may be read is the
    ingest's decision (tests/security/test_opml_local_files.py)."""
    path = tmp_path / "subs.opml"
    path.write_text('<?xml version="1.0"?><opml version="2.0"><body><outline xmlUrl="../nowhere/x.rss"/>'
                    '<outline xmlUrl="file:///etc/passwd"/><outline xmlUrl="ftp://example.org/f.xml"/></body></opml>')
    result = collect(str(path))
    assert result.children == (str(tmp_path.parent / "nowhere" / "x.rss"), "file:///etc/passwd",
                               "ftp://example.org/f.xml")


def test_item_links_are_kept_only_as_http_urls(tmp_path):
    """A feed's item link becomes the document's URL, which the hub shows as a link: only http(s) is kept."""
    links = ["javascript:alert(document.cookie)", "file:///etc/passwd", "data:text/html,<script>x()</script>",
             "https://city.example/news/1", "/news/2", "JavaScript:alert(2)"]
    items = "".join(f"<item><title>Item {i}</title><link>{link}</link><guid>g{i}</guid>"
                    f"<description>Item {i} text.</description></item>" for i, link in enumerate(links))
    data = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>c</title><link>https://city.example/</link>'
            f"{items}</channel></rss>").encode()
    urls = [item.url for item in feed_items(tmp_path, "links.rss", data)]
    assert urls == [None, None, None, "https://city.example/news/1", "https://city.example/news/2", None]


def test_malformed_xml_without_items_is_rejected(tmp_path):
    path = tmp_path / "broken.rss"
    path.write_bytes(b"<?xml version='1.0'?><rss version='2.0'><channel><title>x</titl")
    result = collect(str(path))
    assert result.status == "failed" and result.kind == "feed"
    assert result.error.startswith("malformed feed XML: ")


def test_malformed_xml_with_items_keeps_the_items(tmp_path):
    data = RSS20.replace(b"<description>d</description>", b"<description>d & unescaped</description>")
    items = feed_items(tmp_path, "sloppy.rss", data)
    assert len(items) == 2


def test_billion_laughs_is_refused(tmp_path):
    lol = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title></item></channel></rss>"""
    path = tmp_path / "lol.xml"
    path.write_bytes(lol)
    result = collect(str(path))
    assert result.status == "failed" and result.error == ENTITY_REASON


def test_xxe_is_refused_and_nothing_leaks(tmp_path):
    xxe = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title><item><title>leak</title><description>&xxe;</description></item>
</channel></rss>"""
    path = tmp_path / "xxe.rss"
    path.write_bytes(xxe)
    result = collect(str(path))
    assert result.status == "failed" and result.error == ENTITY_REASON
    assert "root:" not in repr(result)


def test_parameter_entity_xxe_is_refused(tmp_path):
    xxe = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>"""
    path = tmp_path / "pe.atom"
    path.write_bytes(xxe)
    assert collect(str(path)).error == ENTITY_REASON


def test_entity_text_inside_cdata_is_not_a_declaration(tmp_path):
    data = RSS20.replace(b"Short summary of the plan.", b"<![CDATA[How <!ENTITY attacks work]]>")
    items = feed_items(tmp_path, "article.rss", data)
    assert items[0].summary == "How <!ENTITY attacks work" or "attacks work" in items[0].summary


def test_character_references_to_no_character_are_read(tmp_path):
    """References beyond Unicode, to a surrogate or too large for any character become U+FFFD, in a well-formed
    feed and in one read by the lenient parser alike; a reference to a control character is dropped."""
    for tail in ("", "<item><title>unclosed"):
        data = ('<rss version="2.0"><channel><title>Harbour news</title><item><title>Ferry&#x110000; timetable'
                "&#xD800;&#99999999999999999999;&#1; update</title><guid>f1</guid></item>"
                f"{tail}</channel></rss>").encode()
        items = feed_items(tmp_path, "refs.rss", data)
        assert items[0].title == "Ferry\ufffd timetable\ufffd\ufffd update"


def test_a_second_byte_order_mark_does_not_hide_the_declaration(tmp_path):
    """The declaration behind a second BOM names a codec that is no character set: the feed reads as UTF-8."""
    data = (codecs.BOM_UTF8 * 2 + b'<?xml version="1.0" encoding="base64"?><feed xmlns="http://www.w3.org/2005/Atom">'
            b"<title>Dock log</title><entry><id>d1</id><title>Crane repaired</title></entry></feed>")
    (item,) = feed_items(tmp_path, "dock.atom", data)
    assert item.title == "Crane repaired"


def test_wide_text_read_as_utf8_is_refused_with_a_reason(tmp_path):
    """UTF-16 text without a BOM (every other byte NUL) naming a codec expat cannot use: refused, not a crash."""
    text = '<?xml version="1.0" encoding="utf_32_be"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>'
    path = tmp_path / "wide.atom"
    path.write_bytes(text.encode("utf-16-le"))
    result = collect(str(path))
    assert result.status == "failed" and result.kind == "feed" and result.error


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF8 * 2])
def test_a_feed_of_only_a_byte_order_mark_is_empty(tmp_path, bom):
    path = tmp_path / "nothing.rss"
    path.write_bytes(bom)
    result = collect(str(path))
    assert result.status == "failed" and result.error.startswith("empty feed")


def test_links_with_an_unclosed_ipv6_bracket_are_dropped(tmp_path):
    data = (b'<rss version="2.0"><channel><title>Ports</title><link>http://[fe80::7</link>'
            b"<item><title>Berth A</title><link>/berth/a</link><guid>a</guid></item>"
            b"<item><title>Berth B</title><link>https://[::9/b</link><guid>b</guid></item></channel></rss>")
    items = feed_items(tmp_path, "ports.rss", data)
    assert [(i.title, i.url) for i in items] == [("Berth A", None), ("Berth B", None)]


def test_opml_entries_with_an_unclosed_ipv6_bracket(tmp_path):
    """A list drops such an entry (from the web or the disk alike); child_unit refuses one with a reason."""
    data = (b'<opml version="2.0"><body><outline xmlUrl="http://[::1/feed"/><outline xmlUrl="/lists/ok.rss"/>'
            b"</body></opml>")
    assert parse_opml(data, "https://lists.example/l.opml") == ("https://lists.example/lists/ok.rss",)
    assert parse_opml(data, "/srv/lists/l.opml") == ("/lists/ok.rss",)
    with pytest.raises(SourceError, match="malformed URL"):
        child_unit("/srv/lists/l.opml", "http://[::1/feed", allow_local_files=True)


# -- the shared real feeds ----------------------------------------------------------------------------------------

EXPECTED = {"gdacs-rss.xml": 16, "guardian-us.rss": 55, "tpm-news.atom": 20, "uol-noticias.rss": 15}


@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shared_feeds_parse_every_item(shared_dir, name):
    path = shared_dir / "feeds" / name
    result = collect(str(path))
    assert result.status == "ok", result.error
    assert result.kind == "feed"
    items = result.items
    assert len(items) == EXPECTED[name]
    assert len({i.locator for i in items}) == len(items)  # stable, distinct locators
    for item in items:
        assert isinstance(item, Extracted)
        assert item.title and item.url and item.url.startswith("http")
        assert item.blocks and all("<" not in b.text or "&lt;" in b.text for b in item.blocks)


@pytest.mark.shared
def test_shared_latin1_feed_keeps_portuguese_accents(shared_dir):
    result = collect(str(shared_dir / "feeds" / "uol-noticias.rss"))
    text = " ".join(b.text for i in result.items for b in i.blocks)
    assert "simulações" in text and "ç" in text and "ã" in text
    assert "\ufffd" not in text and "Ã" not in text


@pytest.mark.shared
def test_shared_atom_relative_links_resolved_and_language(shared_dir):
    result = collect(str(shared_dir / "feeds" / "tpm-news.atom"))
    assert all(i.url.startswith("http://talkingpointsmemo.com/") for i in result.items)
    assert {i.language_hint for i in result.items} == {"en-US"}
    assert all(i.published and i.published.endswith("Z") for i in result.items)


@pytest.mark.shared
def test_shared_bom_feed_and_language(shared_dir):
    gdacs = collect(str(shared_dir / "feeds" / "gdacs-rss.xml")).items
    assert gdacs[0].title.startswith("Green alert for tropical cyclone")
    guardian = collect(str(shared_dir / "feeds" / "guardian-us.rss")).items
    assert {i.language_hint for i in guardian} == {"en-gb"}
