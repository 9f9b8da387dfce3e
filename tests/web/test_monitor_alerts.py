"""Alerts end to end: an item naming Gent with a housing passage arrives in a watched feed served from 127.0.0.1 →
exactly one e-mail to the subscriber of "Ghent + housing", received by a real SMTP server on 127.0.0.1, and one
entry in the alert's private Atom feed; the same story from a second feed and in French adds nothing; an unrelated
item adds nothing. Also the alert pages, the unsubscribe link, the outbound feeds and the monitor API."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime
from email import message_from_bytes
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

import pytest

T0 = 1_780_000_000.0


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        body = self.server.bodies.get(self.path)
        if body is None:
            self.send_error(404)
            return
        data = body()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture()
def feeds(monkeypatch):
    monkeypatch.setenv("MIGRAHUB_EGRESS_ALLOW_HOSTS", "127.0.0.1")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.bodies = {}
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def rss(items: list[dict]) -> bytes:
    parts = ['<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
             "<link>https://news.example.org/</link><description>d</description>"]
    for i in items:
        when = format_datetime(datetime.fromtimestamp(i["published"], UTC), usegmt=True)
        parts.append(f"<item><guid isPermaLink=\"false\">{i['id']}</guid><title>{escape(i['title'])}</title>"
                     f"<link>https://news.example.org/{i['id']}</link><pubDate>{when}</pubDate>"
                     f"<description>{escape(i['body'])}</description></item>")
    return ("".join(parts) + "</channel></rss>").encode()


GENT_EN = {"id": "gent-en", "published": T0 - 3600, "title": "Gent opens a housing desk for newly arrived families",
           "body": "The city of Gent has opened a housing desk for newly arrived families. Social workers help "
                   "refugees find rented flats, negotiate with landlords and apply for rent support."}
GENT_EN_COPY = {"id": "ghent-copy", "published": T0 - 1800,
                "title": "New Ghent service helps refugee families find a home to rent",
                "body": "Refugee families arriving in Ghent can now turn to a housing desk of the city. Social "
                        "workers support them in the search for a rented flat and in talks with landlords."}
GENT_FR = {"id": "gand-fr", "published": T0 - 1200,
           "title": "Gand ouvre un guichet logement pour les familles primo-arrivantes",
           "body": "La ville de Gand a ouvert un guichet logement pour les familles récemment arrivées. Des "
                   "travailleurs sociaux aident les réfugiés à trouver un appartement en location et à négocier "
                   "avec les propriétaires."}
UNRELATED = {"id": "porto-bus", "published": T0 + 600, "title": "Porto trains bus drivers in sign language",
             "body": "Porto's transport company trained its bus drivers in basic sign language so that deaf "
                     "passengers can ask for help on every line of the network."}


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's naming
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture()
def smtp():
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_ghent_housing_alert_one_mail_one_entry_per_story(hub, feeds, smtp, login, monkeypatch):
    import feedparser
    from django.test import override_settings

    from migrahub.services.monitor import alerts, watch
    from migrahub.store.database import connect

    monkeypatch.setenv("MIGRAHUB_EXTRACT_MODELS", "0")
    inbox, port = smtp
    clock = type("Clock", (), {"now": T0, "__call__": lambda self: self.now})()
    conn = connect(hub.db)
    shown_a = [GENT_EN]
    feeds.bodies["/a.rss"] = lambda: rss(shown_a)
    feeds.bodies["/b.rss"] = lambda: rss([GENT_EN_COPY, GENT_FR])
    query = alerts.build_query(conn, entities=["Ghent"], themes=["housing"])
    assert {"Gent", "Ghent", "Gand"} <= set(query.entities[0].names)
    alert = alerts.create(conn, "reader1", "Ghent + housing", query, email="reader@example.org",
                          frequency="immediate", clock=clock)
    watch.add(conn, f"http://127.0.0.1:{feeds.server_address[1]}/a.rss", "10m", clock=clock)
    with override_settings(EMAIL_HOST="127.0.0.1", EMAIL_PORT=port, EMAIL_USE_TLS=False, EMAIL_USE_SSL=False):
        first = watch.run_once(conn, clock=clock)
        assert first.alerts == 1 and first.mailed == 1
        assert len(inbox.messages) == 1
        rcpt, message = inbox.messages[0]
        assert rcpt == ["reader@example.org"] and "Ghent + housing" in message["Subject"]
        body = message.get_payload(decode=True).decode()
        assert "Gent opens a housing desk" in body and "/monitor/alerts/unsubscribe/" in body
        assert "/monitor/alerts/unsubscribe/" in message["List-Unsubscribe"]

        # the same story from a second feed, in English and in French: no second alert
        watch.add(conn, f"http://127.0.0.1:{feeds.server_address[1]}/b.rss", "10m", clock=clock)
        clock.now += 600
        second = watch.run_once(conn, clock=clock)
        assert len(second.documents) == 2 and second.alerts == 0 and second.mailed == 0
        story = {r[0] for r in conn.execute(
            "SELECT story_id FROM monitor_story_members WHERE document_id IN (SELECT document_id FROM document_links "
            "WHERE locator LIKE '%gent-en' OR locator LIKE '%ghent-copy' OR locator LIKE '%gand-fr')")}
        assert len(story) == 1

        # an unrelated item: nothing
        shown_a.append(UNRELATED)
        clock.now += 1200
        third = watch.run_once(conn, clock=clock)
        assert len(third.documents) == 1 and third.alerts == 0 and third.mailed == 0
    assert len(inbox.messages) == 1

    client = login("reader")
    atom = client.get(f"/monitor/feeds/alert/{alert['feed_token']}.atom")
    assert atom.status_code == 200 and atom["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(atom.content)
    assert not parsed.bozo and len(parsed.entries) == 1
    assert parsed.entries[0].title.startswith("Gent opens a housing desk")
    notes = client.get("/monitor/notifications/")
    assert notes.status_code == 200 and b"Gent opens a housing desk" in notes.content

    # revoking the feed's secret: the old address stops working
    revoked = alerts.revoke_feed(conn, alert["id"], "reader1")
    assert client.get(f"/monitor/feeds/alert/{alert['feed_token']}.atom").status_code == 404
    assert client.get(f"/monitor/feeds/alert/{revoked['feed_token']}.atom").status_code == 200
    # unsubscribing: GET asks, POST stops the e-mails
    link = f"/monitor/alerts/unsubscribe/{alert['unsubscribe']}/"
    assert b"Stop these e-mails" in client.get(link).content
    assert client.post(link).status_code == 200
    assert alerts.owned(conn, alert["id"], "reader1")["frequency"] == "off"
    conn.close()
