"""Saved searches: conditions, name variants, themes in four languages, one hit per story, digests."""

from __future__ import annotations

import pytest

from migrahub.monitor.alerts import AlertQuery, DocumentFacts, EntityCondition, Resolved, digest_section, due, matches
from migrahub.services.monitor import alerts


def doc(text, language="en", **kw):
    return DocumentFacts(1, text, language, **kw)


def test_conditions_all_hold():
    q = AlertQuery(words=("reception", "one-stop shop"), languages=("en",), sources=("example.org",))
    r = Resolved(q, ())
    text = "The Reception of newcomers at the one-stop shop of the town hall."
    assert matches(r, doc(text, sources="https://news.example.org/feed.xml"))
    assert not matches(r, doc(text, language="fr", sources="https://news.example.org/feed.xml"))
    assert not matches(r, doc(text, sources="https://other.test/feed"))
    assert not matches(r, doc("The reception desk.", sources="https://news.example.org/"))


def test_entities_match_by_resolved_id_or_by_any_of_their_names():
    cond = EntityCondition("Ghent", ("place:city:BE:ghent",), ("Ghent", "Gent", "Gand"))
    r = Resolved(AlertQuery(entities=(cond,)), (frozenset({7}),))
    assert matches(r, doc("Une réunion à Gand sur le logement.", "fr"))
    assert matches(r, doc("A meeting on housing.", entity_ids=frozenset({7})))
    assert not matches(r, doc("A gentle meeting in Genta.", entity_ids=frozenset({8})))


def test_countries_and_themes():
    r = Resolved(AlertQuery(countries=("BE",), themes=("SERV.HOUSING",)), ())
    assert matches(r, doc("x", countries=frozenset({"BE"}), themes=frozenset({"SERV.HOUSING"})))
    assert not matches(r, doc("x", countries=frozenset({"NL"}), themes=frozenset({"SERV.HOUSING"})))


def test_build_query_resolves_names_and_themes(conn):
    q = alerts.build_query(conn, words='housing "rent support"', entities=["Gent"], themes=["housing"],
                           countries=["be"], languages=["FR"])
    assert q.words == ("housing", "rent support") and q.themes == ("SERV.HOUSING",)
    assert q.countries == ("BE",) and q.languages == ("fr",)
    assert "Ghent" in q.entities[0].names and q.entities[0].keys == ("place:city:BE:ghent",)
    eurocities = alerts.resolve_entity(conn, "Eurocities")
    assert any(k.startswith("registry:") for k in eurocities.keys)
    with pytest.raises(alerts.MonitorError, match="theme 'astrology'"):
        alerts.build_query(conn, themes=["astrology"])
    with pytest.raises(alerts.MonitorError, match="at least one condition"):
        alerts.build_query(conn)
    with pytest.raises(alerts.MonitorError, match="need an e-mail address"):
        alerts.create(conn, "ana", "x", q, frequency="daily")


def test_digest_schedule_and_sections():
    assert due("immediate", None, 0, 1)
    assert not due("daily", None, 0, 3600) and due("daily", None, 0, 86400)
    assert not due("weekly", 86400.0, 0, 86400 * 7) and due("weekly", 86400.0, 0, 86400 * 8)
    assert not due("off", None, 0, 10**9)
    assert digest_section("feed-item", {"events"}) == "Events"
    assert digest_section("pdf", set()) == "Resources"
    assert digest_section("feed-item", set()) == "News"


def test_daily_digest_groups_and_sends_once(conn, clock):
    from migrahub.model import Extracted
    from migrahub.pipeline.normalize import normalize
    from migrahub.sources import SourceResult
    from migrahub.store.documents import save_document, upsert_source

    q = alerts.build_query(conn, words="shelter")
    alert = alerts.create(conn, "ana", "Shelters", q, email="ana@example.org", frequency="daily", clock=clock)
    source = upsert_source(conn, SourceResult("https://n.example.org/feed", "feed", "ok"))
    ids = []
    for i, title in enumerate(("Winter shelter opens in Lyon", "Second shelter opens in Lille")):
        item = Extracted(f"https://n.example.org/feed#{i}", "https://n.example.org/feed", "feed",
                         "application/rss+xml", (), title, "2026-03-01T10:00:00Z",
                         summary=f"{title}: the shelter has 150 beds for people sleeping rough this winter.")
        from migrahub.model import Block

        item = Extracted(item.locator, item.source, item.source_kind, item.content_type,
                         (Block("heading", title, 1), Block("paragraph", item.summary)), title, item.published,
                         summary=item.summary)
        ids.append(save_document(conn, normalize(item), source)[1])
    assert alerts.match_new(conn, ids, clock=clock) == 2
    assert alerts.match_new(conn, ids, clock=clock) == 0  # one hit per story, recorded once
    sent = []
    assert alerts.send_due(conn, clock=clock, send=lambda *a: sent.append(a)) == 0  # a day has not passed
    clock.advance(86400)
    assert alerts.send_due(conn, clock=clock, send=lambda *a: sent.append(a)) == 1
    subject, body, to, headers = sent[0]
    assert to == ["ana@example.org"] and "Shelters" in subject and "and 1 more" in subject
    assert body.index("News") < body.index("Winter shelter") and "Stop these e-mails:" in body
    clock.advance(86400)
    assert alerts.send_due(conn, clock=clock, send=lambda *a: sent.append(a)) == 0  # nothing new
    assert alerts.unsubscribe(conn, alert["unsubscribe"])["frequency"] == "off"
    with pytest.raises(alerts.MonitorError, match="not valid"):
        alerts.unsubscribe(conn, "forged")


def test_atom_writer_escapes_and_requires():
    import feedparser

    from migrahub.monitor.atom import Entry, feed

    data = feed(feed_id="https://hub.example.org/x", title="A <b> & \x01 c", self_url="https://hub.example.org/x",
                alternate_url="https://hub.example.org/", entries=[
                    Entry("https://hub.example.org/documents/1", "Malmö 🇸🇪 & <Gent>", 1_780_000_000.0,
                          "https://hub.example.org/documents/1", "summary", language="sv")])
    parsed = feedparser.parse(data)
    assert not parsed.bozo and parsed.feed.title == "A <b> &  c"
    assert parsed.entries[0].title == "Malmö 🇸🇪 & <Gent>" and parsed.entries[0].updated == "2026-05-28T20:26:40Z"


def test_a_digest_that_cannot_be_sent_stays_due(conn, clock):
    from migrahub.model import Block, Extracted
    from migrahub.pipeline.normalize import normalize
    from migrahub.sources import SourceResult
    from migrahub.store.documents import save_document, upsert_source

    q = alerts.build_query(conn, words="shelter")
    alerts.create(conn, "ana", "Two\nlines", q, email="ana@example.org", frequency="immediate", clock=clock)
    source = upsert_source(conn, SourceResult("https://n.example.org/feed", "feed", "ok"))
    title = "Winter shelter opens\nin Lyon"
    item = Extracted("https://n.example.org/feed#1", "https://n.example.org/feed", "feed", "application/rss+xml",
                     (Block("heading", title, 1), Block("paragraph", "The shelter has 150 beds this winter.")),
                     title, "2026-03-01T10:00:00Z")
    doc_id = save_document(conn, normalize(item), source)[1]
    assert alerts.match_new(conn, [doc_id], clock=clock) == 1

    def refuse(*args):
        raise ConnectionRefusedError("no SMTP server")

    assert alerts.send_due(conn, clock=clock, send=refuse) == 0
    sent = []
    assert alerts.send_due(conn, clock=clock, send=lambda *a: sent.append(a)) == 1
    assert "\n" not in sent[0][0] and sent[0][0].startswith("[MigraHub] Two lines:")
