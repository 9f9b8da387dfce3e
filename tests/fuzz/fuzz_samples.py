"""Valid inputs of every format, written for these tests, that the mutation strategies start from."""

from __future__ import annotations

import io
import zipfile
from functools import cache

RSS091 = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
 "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Ville de Test</title><link>https://ville.example/</link>
<description>Actualit\xe9s</description><language>fr</language>
<item><title>Accueil des nouveaux arrivants</title><link>https://ville.example/accueil</link>
<description>La ville ouvre un guichet unique pour les personnes r\xe9fugi\xe9es.</description></item>
</channel></rss>
"""

RSS10 = b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://city.example/rss"><title>City</title><link>https://city.example/</link>
<description>News</description><items><rdf:Seq><rdf:li rdf:resource="https://city.example/a"/></rdf:Seq></items>
</channel>
<item rdf:about="https://city.example/a"><title>Welcome plan adopted</title><link>https://city.example/a</link>
<description>The council adopted a welcome plan for newcomers.</description><dc:date>2024-03-05</dc:date></item>
</rdf:RDF>
"""

RSS20 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Stadt Nachrichten</title><link>https://stadt.example/</link><description>d</description><language>de</language>
<item><title>Neues Willkommenszentrum</title><link>https://stadt.example/zentrum</link>
<guid isPermaLink="false">stadt-17</guid><pubDate>Tue, 05 Mar 2024 14:00:00 +0100</pubDate>
<description>Kurz: ein Zentrum f\xc3\xbcr Gefl\xc3\xbcchtete.</description>
<content:encoded><![CDATA[<h2>Hintergrund</h2><p>Die Stadt er\xc3\xb6ffnet ein <b>Zentrum</b>.</p>
<ul><li>Wohnen</li><li>Arbeit</li></ul>]]></content:encoded></item>
<item><title>Zweite Meldung</title><description>Nur Text.</description></item>
</channel></rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="es"><title>Ciudad</title><id>urn:uuid:1</id>
<updated>2024-01-02T10:00:00Z</updated><link href="https://ciudad.example/"/>
<entry><title type="html">Plan de &lt;em&gt;acogida&lt;/em&gt;</title><id>urn:uuid:2</id>
<link href="/plan"/><updated>2024-01-02T10:00:00Z</updated>
<content type="html">&lt;p&gt;La ciudad aprueba un plan de acogida.&lt;/p&gt;</content></entry>
<entry><title type="text">Segunda</title><id>urn:uuid:3</id><updated>2024-01-03T10:00:00Z</updated>
<summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Texto <b>breve</b>.</p></div></summary></entry>
</feed>
"""

OPML = b"""<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0"><head><title>Feeds</title></head><body>
<outline text="Cities"><outline text="A" type="rss" xmlUrl="https://a.example/feed.xml"/>
<outline text="B" type="rss" xmlUrl="feeds/b.rss"/></outline>
<outline text="More" type="include" url="https://lists.example/more.opml"/>
</body></opml>
"""

HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Welcome desk | City</title>
<meta property="article:published_time" content="2024-05-02T10:00:00Z"><meta name="author" content="Press office">
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Welcome desk"}</script></head>
<body><header><nav class="menu"><a href="/">Home</a></nav></header>
<main><article><h1>A welcome desk for newcomers</h1>
<p>The city opens a welcome desk where newcomers find help with housing, language courses and work.</p>
<h2>What it offers</h2><ul><li>Language courses</li><li>Help with <a href="/h">housing</a></li></ul>
<table><tr><th>Day</th><th>Hours</th></tr><tr><td>Monday</td><td>9-12</td></tr></table>
</article></main><footer>Contact</footer></body></html>
"""

MARKDOWN = """---
title: Reception plan
date: 2024-02-01
lang: en
---
# Reception plan

The council adopted a **reception plan** for people seeking protection.

## Measures

- housing in small units
- language courses

| Measure | Budget |
|---|---|
| Housing | 2 M |

```
code block
```

<div><p>Raw HTML paragraph.</p></div>
"""

TEXT = """Integration strategy 2024

The city council agreed on a strategy for newcomers. It covers housing,
work and language courses, and it runs until 2027.

- housing
- work

Name\tRole\tPhone
Ana\tCoordinator\t123
"""

CODEBOOK_YAML = """name: Reception
version: 2
language: en
codes:
  - id: housing
    name: Housing
    description: Where people live.
    colour: "#E69F00"
    children:
      - id: housing.shelter
        name: Shelter
      - id: housing.private
        name: Private housing
  - id: work
    name: Work
    definition: Jobs and training.
"""


@cache
def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "Reception report"
    document.core_properties.author = "Office"
    document.add_heading("Reception report", level=1)
    document.add_paragraph("The office received newcomers and found them housing.")
    document.add_heading("Numbers", level=2)
    document.add_paragraph("Housing", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Year", "People"
    table.cell(1, 0).text, table.cell(1, 1).text = "2024", "120"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@cache
def docx_members() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as z:
        return {name: z.read(name) for name in z.namelist()}


@cache
def pdf_bytes() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("Strategy")
    pdf.set_author("City")
    pdf.add_page()
    pdf.start_section("Strategy 2024", level=0)
    pdf.set_font("helvetica", "B", 20)
    pdf.cell(0, 12, "Strategy 2024", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 11)
    pdf.multi_cell(0, 6, "The city welcomes newcomers and supports them. " * 4, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, "- language courses", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@cache
def codebook():
    from migrahub.coding.codebook import parse_yaml

    return parse_yaml(CODEBOOK_YAML.encode(), "reception.yaml")


@cache
def qdc_bytes() -> bytes:
    from migrahub.coding.codebook import to_qdc

    return to_qdc(codebook())


@cache
def qdpx_members() -> dict[str, bytes]:
    """The members of a valid ``.qdpx`` written by the exporter (project.qde and sources/*.txt)."""
    import tempfile
    from pathlib import Path

    from migrahub.coding.refiqda import Coding, Project, Source, User, export_qdpx

    user = User("0b0e5c6e-7d1a-4f3e-9b39-6a0b7c1d2e3f", "Ana")
    text = "Die Stadt eröffnet ein Zentrum. 🇸🇪 The council adopted a plan."
    source = Source("1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "report", text, user.guid, "2024-01-02T10:00:00Z",
                    variables=(("year", 2024), ("city", "Ghent")))
    codings = (Coding(source.guid, 0, 31, "housing", user.guid, "2024-01-02T10:00:00Z"),
               Coding(source.guid, 33, len(text), "work", user.guid, "2024-01-02T10:00:00Z"))
    project = Project("fuzz", codebook(), (source,), codings, (user,), created_by=user.guid,
                      created_at="2024-01-02T10:00:00Z")
    with tempfile.TemporaryDirectory() as tmp:
        path = export_qdpx(project, Path(tmp) / "p.qdpx")
        with zipfile.ZipFile(path) as z:
            return {name: z.read(name) for name in z.namelist()}
