"""Sample inputs shared by the source-adapter tests (built in code, nothing copied from elsewhere)."""

from __future__ import annotations

import io

ENTITY_REASON = "feed declares XML entities (possible entity-expansion or external-entity attack); refused"

RSS20 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>City news</title><link>https://city.example/</link><description>d</description><language>en</language>
<item><title>Council adopts &lt;b&gt;welcome&lt;/b&gt; plan</title><link>https://city.example/a</link>
<guid isPermaLink="false">city-0001</guid><pubDate>Tue, 05 Mar 2024 14:00:00 +0100</pubDate>
<author>press@city.example (Press Office)</author>
<description>Short summary of the plan.</description>
<content:encoded><![CDATA[<h2>Background</h2><p>The council <em>adopted</em> the plan.</p>
<ul><li>housing</li><li>jobs</li></ul><script>alert('x')</script><p onclick="x()">End.</p>]]></content:encoded>
</item>
<item><title>No guid, no link</title><description>Only text.</description></item>
</channel></rss>
"""

BOILERPLATE_PAGE = """<!DOCTYPE html>
<html lang="nl-BE"><head><meta charset="utf-8"><title>Nieuwkomers | Stad Gent</title>
<meta name="author" content="Dienst Integratie"><meta property="article:published_time" content="2024-05-02T10:00:00Z">
<script>var tracker = "TRACKING-SCRIPT";</script><style>body{color:red}</style></head>
<body onload="steal()">
<header><nav class="main-nav"><ul><li><a href="/">Home</a></li><li><a href="/news">Nieuws</a></li></ul></nav>
<div class="logo">Stad Gent portal logo</div></header>
<div id="cookie-banner"><p>Wij gebruiken cookies. Accepteer alle cookies om verder te gaan.</p></div>
<div class="breadcrumb"><a href="/">Home</a> &gt; <a href="/x">Welzijn</a></div>
<main><article>
<h1>Onthaal van nieuwkomers</h1>
<p>De stad Gent organiseert <b>onthaal</b> voor nieuwkomers, met taallessen en begeleiding naar werk.</p>
<h2>Wat bieden we aan?</h2>
<ul><li>Nederlandse taallessen</li><li>Begeleiding bij <a href="/huis">huisvesting</a> en werk</li></ul>
<p onclick="evil()">Inschrijven kan bij het <i>Agentschap Integratie en Inburgering</i>.</p>
<div class="share-buttons"><a href="#">Deel op Facebook</a> <a href="#">Deel op X</a></div>
<table><tr><th>Dag</th><th>Uur</th></tr><tr><td>Maandag</td><td>9-12</td></tr></table>
<img src="x.png" onerror="alert(1)">
</article>
<aside class="sidebar"><h3>Gerelateerd nieuws</h3><p>Ander artikel over iets anders.</p></aside>
</main>
<footer><p>© Stad Gent — contact — privacy</p></footer>
<script>document.write("INJECTED")</script>
</body></html>
"""


def make_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("Integration Strategy")
    pdf.set_author("City of Ghent")
    pdf.add_page()
    pdf.start_section("Integration Strategy 2024", level=0)
    pdf.set_font("helvetica", "B", 20)
    pdf.cell(0, 12, "Integration Strategy 2024", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 11)
    pdf.multi_cell(0, 6, "The city welcomes newcomers and supports their integration. " * 6,
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("helvetica", "B", 15)
    pdf.cell(0, 10, "Housing and reception", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 11)
    pdf.multi_cell(0, 6, "Reception centres are run together with the region. " * 5, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(0, 6, "- language courses", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, "- job coaching", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def make_docx() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "Reception report"
    document.core_properties.author = "Migration Office"
    document.core_properties.language = "en-GB"
    document.add_heading("Reception report", level=1)
    document.add_paragraph("The municipality received 120 asylum seekers this year.")
    document.add_heading("Measures", level=2)
    document.add_paragraph("language courses", style="List Bullet")
    document.add_paragraph("mentoring programme", style="List Number")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Year", "Arrivals"
    table.cell(1, 0).text, table.cell(1, 1).text = "2024", "120"
    document.add_paragraph("Closing remarks.")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
