"""Publication dates of pages and PDFs: what the document declares, believed only when plausible; unknown (None)
otherwise, never the day the hub read it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from migrahub.sources.html import iso_date, page_parts, parse_document
from migrahub.sources.page.dates import page_published, plausible
from migrahub.sources.pdf import read_pdf

pytestmark = pytest.mark.engine_free  # opens no hub: runs on the SQLite pass only (tests/backends/engine_free.py)

BODY = ("<body><article><h1>Language cafe moves to the library</h1><p>The weekly language cafe for newcomers meets "
        "in the reading room of the central library from now on, every Wednesday evening.</p></article></body>")


def page(head: str = "", body: str = BODY) -> str:
    return f"<!DOCTYPE html><html><head><title>Language cafe</title>{head}</head>{body}</html>"


@pytest.mark.parametrize("head, expected", [
    ('<meta property="article:published_time" content="2023-04-05T09:30:00+02:00">', "2023-04-05T09:30:00+02:00"),
    ('<meta name="DC.date.issued" content="2021-11-30">', "2021-11-30"),
    ('<meta name="citation_publication_date" content="2019/06/01">', "2019-06-01"),
    ('<meta name="pubdate" content="20220314">', "2022-03-14"),
    ('<meta itemprop="datePublished" content="2020-02-29">', "2020-02-29"),
    ('<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
     '{"@type": "WebSite", "name": "Riverton"}, {"@type": "NewsArticle", "headline": "Language cafe",'
     ' "datePublished": "2022-09-12T08:00:00Z", "dateModified": "2023-01-02T10:00:00Z"}]}</script>',
     "2022-09-12T08:00:00+00:00"),
])
def test_a_page_is_dated_by_its_metadata(head, expected):
    assert page_parts(page(head)).published == expected


def test_the_articles_own_json_ld_date_wins_over_other_items():
    head = ('<script type="application/ld+json">[{"@type": "Comment", "datePublished": "2024-01-03"},'
            '{"@type": "BlogPosting", "datePublished": "2023-12-24"}]</script>')
    assert page_parts(page(head)).published == "2023-12-24"


def test_json_ld_nested_deeper_than_the_parser_can_go_is_skipped():
    deep = '{"a": ' * 100_000 + '"datePublished"' + "}" * 100_000
    head = (f'<script type="application/ld+json">{deep}</script>'
            '<meta property="article:published_time" content="2023-04-05">')
    assert page_parts(page(head)).published == "2023-04-05"
    assert page_parts(page(f'<script type="application/ld+json">{deep}</script>')).published is None


def test_a_page_is_dated_by_its_marked_time_element():
    body = BODY.replace("<h1>", '<p class="meta">Posted <time class="entry-date published" '
                                'datetime="2018-07-19T12:00:00+00:00">19 July 2018</time></p><h1>')
    assert page_parts(page(body=body)).published == "2018-07-19T12:00:00+00:00"


def test_metadata_before_markup_and_placeholders_are_not_believed():
    head = ('<meta property="article:published_time" content="1970-01-01T00:00:00Z">'
            '<meta name="dcterms.created" content="2017-05-04">')
    assert page_parts(page(head)).published == "2017-05-04"


def test_a_future_date_is_not_believed():
    later = (datetime.now(UTC) + timedelta(days=40)).date().isoformat()
    assert page_parts(page(f'<meta property="article:published_time" content="{later}">')).published is None


def test_a_page_without_a_date_is_unknown_not_today():
    assert page_parts(page()).published is None


def test_the_url_dates_a_page_that_declares_nothing():
    html = page()
    assert page_parts(html, url="https://riverton.example/news/2016/03/21/language-cafe/").published == "2016-03-21"
    assert page_parts(html, url="https://riverton.example/news/language-cafe/").published is None


def test_a_guess_that_is_the_day_of_reading_is_not_believed():
    today = datetime.now(UTC).date()
    url = f"https://riverton.example/{today:%Y/%m/%d}/language-cafe/"
    assert page_published(parse_document(page()), page(), url) is None
    declared = page(f'<meta property="article:published_time" content="{today.isoformat()}">')
    assert page_parts(declared, url=url).published == today.isoformat()  # a declared date of today stands


def test_iso_dates_from_what_pages_and_feeds_write():
    assert iso_date("2024-05-02T10:00:00Z") == "2024-05-02T10:00:00+00:00"
    assert iso_date("Tue, 02 Apr 2024 08:00:00 GMT") == "2024-04-02T08:00:00+00:00"
    assert iso_date("20240402T0800Z") == "2024-04-02T08:00:00+00:00"
    assert iso_date("2024/4/2") == "2024-04-02"
    assert iso_date("2024-02-30") is None
    assert iso_date("soon") is None and iso_date("") is None


def test_plausible_dates():
    now = datetime(2024, 6, 1, tzinfo=UTC)
    assert plausible("2024-06-02", now) == "2024-06-02"  # a time zone ahead
    assert plausible("2024-06-05", now) is None
    assert plausible("1904-01-01", now) is None and plausible("1989-12-31", now) is None
    assert plausible("1990-01-01", now) == "1990-01-01"


# -- PDF ----------------------------------------------------------------------------------------------------------

def make_pdf(created: datetime | None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("Reception report")
    if created is not None:
        pdf.set_creation_date(created)
    pdf.add_page()
    pdf.set_font("helvetica", "", 11)
    pdf.multi_cell(0, 6, "The municipality received 120 asylum seekers this year. " * 3)
    return bytes(pdf.output())


def test_a_pdf_is_dated_by_its_creation_date():
    assert read_pdf(make_pdf(datetime(2021, 3, 15, 10, 0, tzinfo=UTC))).published == "2021-03-15"


@pytest.mark.parametrize("placeholder", [
    datetime(1970, 1, 1, tzinfo=UTC),  # Unix clock at zero
    datetime(1980, 1, 1, tzinfo=UTC),  # ZIP archives' zero
    datetime.now(UTC) + timedelta(days=400),  # a wrong clock
])
def test_a_pdf_with_a_placeholder_or_future_date_is_undated(placeholder):
    assert read_pdf(make_pdf(placeholder)).published is None


def test_a_pdf_without_dates_is_undated():
    data = make_pdf(datetime(2021, 3, 15, tzinfo=UTC))
    start = data.index(b"/CreationDate")
    end = data.index(b")", start) + 1
    data = data[:start] + b" " * (end - start) + data[end:]  # same length: the cross-reference table stays valid
    assert read_pdf(data).published is None
