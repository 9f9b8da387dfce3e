"""Server-rendered pages: search with facets and highlights, exports, document, feed items, sources, statistics."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from webhelpers import assert_inert, doc_id


def test_home_page_says_what_the_hub_holds_and_where_to_start(client):
    html = client.get("/").content.decode()
    assert "What the hub holds" in html and "Where to start" in html and "Latest documents" in html
    assert len(re.findall(r'<li><a href="/documents/\d+">', html)) >= 3  # the latest documents
    assert re.search(r'<span class="big">\d+</span> documents', html)
    assert 'id="stories-title"' in html  # the latest stories, or the place they will take


def test_browse_without_words_lists_documents_with_facet_counts(client):
    r = client.get("/search")
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="en">' in html
    assert "Municipal ID cards in European cities" in html
    # language facet: one French and one Spanish document, each with its count and a link that filters
    assert re.search(r'href="/\?lang=fr"[^>]*>.*?French \(fr\).*?<span class="count">1<', html, re.S)
    assert re.search(r'href="/\?lang=es"[^>]*>.*?Spanish \(es\).*?<span class="count">1<', html, re.S)
    assert re.search(r'href="/\?from=2019&amp;to=2019"', html)  # year facet
    assert 'href="/?type=feed-item"' in html  # document type facet


def test_search_highlights_escaped_snippets_and_counts(client):
    r = client.get("/", {"q": "city card"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "<mark>city</mark>" in html.lower() or "<mark>City</mark>" in html
    assert re.search(r"\d+ passages? in \d+ documents?", html)
    assert "Municipal ID cards in European cities" in html
    # the hit links to its passage anchor on the document page
    assert re.search(r'href="/documents/\d+#p-\d+"', html)


def test_facet_link_filters_and_marks_selection(client):
    html = client.get("/", {"q": "city", "lang": "fr"}).content.decode()
    assert "accueil des personnes migrantes" in html
    assert "Municipal ID cards" not in html
    # the chosen value is marked and its link removes the filter, keeping the words
    assert re.search(r'<a href="/\?q=city"[^>]*aria-current="true"', html)
    # other languages are still offered with their counts under the other filters
    assert 'href="/?q=city&amp;lang=en"' in html


def test_year_range_type_and_source_filters(client, hub):
    html = client.get("/", {"from": "2021", "to": "2023"}).content.decode()
    assert "accueil des personnes migrantes" in html and "welcome network" in html
    assert "Plan de acogida" not in html and "Municipal ID cards" not in html
    html = client.get("/", {"type": "feed-item"}).content.decode()
    assert "Mayors call for regularisation pathways" in html and "Municipal ID cards" not in html
    html = client.get("/", {"source": "network-notes.txt"}).content.decode()
    assert "Notes from the city network meeting" in html and "Plan de acogida" not in html


def test_bad_parameters_and_queries_are_reported_not_crashing(client):
    r = client.get("/", {"q": "card AND"})
    assert r.status_code == 400
    assert 'role="alert"' in r.content.decode() and "needs a term after it" in r.content.decode()
    r = client.get("/", {"from": "last year", "type": "nonsense"})
    assert r.status_code == 400
    html = r.content.decode()
    assert "must be a year" in html and "unknown document type" in html


def test_htmx_request_gets_the_results_fragment_with_out_of_band_filter_state(client):
    r = client.get("/", {"q": "city", "lang": "en"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200
    assert "<html" not in html and html.lstrip().startswith('<div id="results"')
    assert 'id="filter-state" hx-swap-oob="true"' in html and 'name="lang" value="en"' in html
    assert r["HX-Push-Url"] == "/?q=city&lang=en"  # the shareable URL, without empty parameters


def test_pagination_links(client, hub):
    # 'the' matches many passages of the fixture corpus; 20 per page
    r = client.get("/", {"q": "the OR la OR las"})
    html = r.content.decode()
    total = int(re.search(r"(\d+) passages? in", html).group(1))
    if total > 20:
        assert 'rel="next"' in html
        page2 = client.get("/", {"q": "the OR la OR las", "page": "2"}).content.decode()
        assert 'rel="prev"' in page2 and '<ol class="hit-list">' in page2 and 'showing 21–' in page2


def test_export_csv_and_json(client):
    r = client.get("/export.csv", {"q": "city card"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert "attachment" in r["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert rows and set(rows[0]) >= {"document_id", "passage_id", "title", "snippet", "score"}
    assert any("Municipal ID cards" in row["title"] for row in rows)
    r = client.get("/export.json", {"q": "city card", "lang": "fr"})
    data = json.loads(r.content)
    assert data["query"] == {"q": "city card", "lang": "fr"}
    assert data["count"] == len(data["results"]) >= 1
    assert {row["language"] for row in data["results"]} == {"fr"}
    # browse export (no words) lists documents
    data = json.loads(client.get("/export.json", {"type": "feed-item"}).content)
    assert data["count"] >= 2 and all(row["type"] == "feed-item" for row in data["results"])
    assert client.get("/export.xml").status_code == 404


def test_export_csv_neutralises_spreadsheet_formulas(client, hub):
    rows = list(csv.DictReader(io.StringIO(client.get("/export.csv").content.decode())))
    assert rows and not any(row["title"].startswith(("=", "+", "@")) for row in rows)


def test_document_page_shows_metadata_passages_by_section_and_source(client, hub):
    did = doc_id(hub, "Municipal ID cards in European cities")
    r = client.get(f"/documents/{did}")
    assert r.status_code == 200
    html = r.content.decode()
    assert '<h1 id="doc-title" lang="en">Municipal ID cards in European cities</h1>' in html
    assert "Working Group on Inclusive Services" in html and "2019-06-25" in html
    assert re.search(r'<h2 id="p-\d+" class="passage heading">Municipal ID cards</h2>', html)
    assert re.search(r'<h3 id="p-\d+" class="passage heading">(<a [^>]+>)?Ghent(</a>)? and (<a [^>]+>)?Zürich', html)
    assert "list-item" in html and "Access to libraries for all residents" in html
    assert "city-card.md</code>" in html  # where it was found (a file: shown, not linked)


def test_document_page_links_web_sources_and_404(client, hub):
    did = doc_id(hub, "Cities launch a welcome network")
    html = client.get(f"/documents/{did}").content.decode()
    assert 'href="https://news.example.org/2023/welcome-network" rel="noopener noreferrer nofollow"' in html
    assert client.get("/documents/999999").status_code == 404


def test_feed_page_lists_items_newest_first(client):
    html = client.get("/feed").content.decode()
    newer, older = html.find("Cities launch a welcome network"), html.find("Mayors call for regularisation")
    assert 0 < newer < older
    assert "2023-03-14" in html


def test_sources_and_stats_pages(client):
    html = client.get("/sources").content.decode()
    assert "news.rss" in html and "city-card.md" in html
    html = client.get("/stats").content.decode()
    assert "documents" in html and "<meter" in html and "French (fr)" in html
    assert "Latest ingest runs" in html


def test_security_headers_on_pages(client):
    r = client.get("/")
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp


def test_pages_load_nothing_from_other_origins_and_have_landmarks(client, hub):
    did = doc_id(hub, "Municipal ID cards")
    for url in ("/", "/search", "/?q=city", f"/documents/{did}", "/feed", "/sources", "/stats", "/accounts/login/",
                "/api/docs"):
        html = client.get(url).content.decode()
        assert not re.search(r'(?:src|href)="(?:https?:)?//', html.split("<main", 1)[0]), url
        assert not re.search(r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//', html), url
        assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html
        assert '<nav aria-label="Main" id="main-nav">' in html
        assert "<script>" not in html and " style=" not in html  # the CSP forbids inline code and styles
        assert_inert(html)


def test_search_form_fields_have_labels(client):
    html = client.get("/search").content.decode()
    for field in ("q", "from", "to"):
        assert f'<label for="{field}">' in html and f'id="{field}"' in html


def test_static_files_are_served_locally(client):
    from django.contrib.staticfiles import finders

    assert finders.find("web/htmx.min.js") and finders.find("web/hub.css")
    html = client.get("/").content.decode()
    assert '<script src="/static/web/htmx.min.js" defer></script>' in html


def test_entity_pages_city_country_and_document_links(client, hub):
    from webhelpers import sql

    if not sql(hub, "SELECT name FROM sqlite_master WHERE name = 'mentions'"):
        import pytest

        pytest.skip("this hub has no entity tables (store/migrations/003_entities.sql)")
    ghent = sql(hub, "SELECT id FROM entities WHERE category = 'places' AND name IN ('Ghent', 'Gent')")
    assert ghent, "the fixture corpus mentions Ghent"
    html = client.get(f"/entities/{ghent[0]['id']}").content.decode()
    assert "<h1" in html and "Municipal ID cards in European cities" in html and "<mark>" in html
    assert_inert(html)
    belgium = sql(hub, "SELECT id FROM entities WHERE category = 'places' AND json_extract(data, '$.type') = "
                       "'country' AND json_extract(data, '$.country') = 'BE'")
    if belgium:  # country → its cities
        assert f'href="/entities/{ghent[0]["id"]}"' in client.get(f"/entities/{belgium[0]['id']}").content.decode()
    did = doc_id(hub, "Municipal ID cards in European cities")
    page = client.get(f"/documents/{did}").content.decode()
    assert re.search(rf'<a class="entity entity-places" href="/entities/{ghent[0]["id"]}" title="place">Ghent</a>',
                     page)
    listing = client.get("/entities/places").content.decode()
    assert f'href="/entities/{ghent[0]["id"]}"' in listing
    assert client.get("/entities/nothing").status_code == 404
    assert client.get("/entities/999999").status_code == 404
    for category in ("organisations", "initiatives", "people"):
        assert client.get(f"/entities/{category}").status_code == 200


@given(q=st.text(max_size=40), source=st.one_of(st.none(), st.text(min_size=1, max_size=30)),
       lang=st.sampled_from([None, "en", "pt"]), page=st.one_of(st.none(), st.integers(1, 99)))
@settings(max_examples=200, deadline=None)
def test_facet_links_encode_as_urlencode_does(q, source, lang, page):
    """Links are built from cached quoted values (a page has ~90): the same text urlencode() writes."""
    from urllib.parse import urlencode

    from migrahub.services.documents import Query
    from migrahub.web.params import as_params, url_with

    query = Query(q=q, language=lang, source=source)
    expected = {**as_params(query), **({"page": str(page)} if page else {})}
    url = url_with("/", query, page=page, type=None)
    assert url == ("/?" + urlencode(expected) if expected else "/")


@pytest.mark.sqlite_only("FTS5's BM25 leaves very common words out of the score")
def test_a_search_of_words_too_common_to_rank_says_the_newest_come_first(client, monkeypatch):
    """The large-hub rule scaled down to the test hub: every word in at least 1 passage in 100 counts as common."""
    from migrahub.store import search as fts

    normal = client.get("/", {"q": "city card"}).content.decode()
    assert "too common to rank" not in normal
    monkeypatch.setattr(fts, "COMMON_SAMPLE", 10_000)
    monkeypatch.setattr(fts, "COMMON_SHARE", 0.0001)
    monkeypatch.setattr(fts, "COMMON_POSTINGS", 0)
    html = client.get("/", {"q": "city card"}).content.decode()
    assert "too common to rank by: the newest matches come first" in html
    assert "Municipal ID cards in European cities" in html  # the same matches, in another order


def test_statistics_and_the_network_show_what_another_process_ingested_at_once(client, hub, tmp_path):
    """The pages' caches are keyed on the hub's state: an ingest from the CLI (its own connection, as another
    process would) shows on the next request, not after the cache's time limit."""
    from migrahub.services.ingest import ingest

    def documents():
        return int(re.search(r'<span class="big">(\d+)</span> documents', client.get("/stats").content.decode())
                   .group(1))

    def nodes():
        return {n["label"] for n in client.get("/network.json", {"min": 1}).json()["nodes"]}

    before, network_before = documents(), nodes()
    assert documents() == before  # served from the cache the second time
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "twinning.md").write_text("# Twinning\n\nThe cities of Tampere and Bergen signed a twinning on the "
                                        "reception of newcomers with the Eurocities network.\n", encoding="utf-8")
    assert ingest([str(folder)], hub.db).added == 1
    assert documents() == before + 1
    assert {"Tampere", "Bergen"} <= nodes() - network_before
