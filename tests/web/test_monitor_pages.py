"""The monitor's pages, outbound Atom feeds and API on the shared web hub."""

from __future__ import annotations

import pytest

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture()
def stories_ready(hub):
    from migrahub.services.monitor import stories
    from migrahub.store.database import connect

    conn = connect(hub.db)
    stories.assign_new(conn)
    story = conn.execute("SELECT story_id FROM monitor_story_members ORDER BY story_id LIMIT 1").fetchone()[0]
    entity = conn.execute("SELECT id FROM entities WHERE category = 'places' ORDER BY id LIMIT 1").fetchone()[0]
    conn.close()
    return story, entity


def _valid_atom(content: bytes, entries_at_least: int = 0):
    import feedparser
    from defusedxml import ElementTree

    parsed = feedparser.parse(content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    root = ElementTree.fromstring(content)
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{tag}") is not None, tag
    rels = {link.get("rel") for link in root.findall(f"{ATOM}link")}
    assert {"self", "alternate"} <= rels
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) >= entries_at_least
    for entry in entries:
        for tag in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{tag}") is not None, tag
    return parsed


def test_outbound_feeds_validate(client, stories_ready):
    story, entity = stories_ready
    for url, least in (("/monitor/feeds/latest.atom", 5), (f"/monitor/feeds/story/{story}.atom", 1),
                       (f"/monitor/feeds/entity/{entity}.atom", 1), ("/monitor/feeds/code/SERV.HOUSING.atom", 0)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
        _valid_atom(response.content, least)
    assert client.get("/monitor/feeds/story/999999999.atom").status_code == 404
    assert client.get("/monitor/feeds/alert/not-a-token.atom").status_code == 404


def test_story_pages_link_their_feeds(client, stories_ready):
    story, _ = stories_ready
    page = client.get("/monitor/stories/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'rel="alternate" type="application/atom+xml" href="/monitor/feeds/latest.atom"' in html
    assert f'href="/monitor/stories/{story}/"' in html
    one = client.get(f"/monitor/stories/{story}/").content.decode()
    assert "Timeline" in one and f'href="/monitor/feeds/story/{story}.atom"' in one
    assert client.get("/monitor/stories/999999999/").status_code == 404


def test_source_health_page_and_watch_form(login):
    curator = login("curator")
    added = curator.post("/monitor/sources/add", {"url": "https://feeds.example.org/news.xml", "every": "2h"})
    assert added.status_code == 302
    page = curator.get("/monitor/sources/").content.decode()
    assert "https://feeds.example.org/news.xml" in page and "Median delay" in page
    reader = login("reader")
    assert reader.post("/monitor/sources/add", {"url": "https://x.example.org/"}).status_code == 403
    assert 'name="url"' not in reader.get("/monitor/sources/").content.decode()


def test_alert_pages(login, client):
    reader = login("reader")
    assert client.get("/monitor/alerts/").status_code == 302  # sign in first
    bad = reader.post("/monitor/alerts/", {"name": "x", "entities": "Nowhereville Qzx", "frequency": "off"})
    assert bad.status_code == 400 and "no place, organisation" in bad.content.decode()
    ok = reader.post("/monitor/alerts/", {"name": "Eurocities on reception", "entities": "Eurocities",
                                          "words": "reception", "frequency": "off"})
    assert ok.status_code == 302
    page = reader.get("/monitor/alerts/").content.decode()
    assert "Eurocities on reception" in page and "Private Atom feed" in page
    other = login("coder")
    assert "Eurocities on reception" not in other.get("/monitor/alerts/").content.decode()


def test_monitor_api(client, token):
    reader = {"HTTP_AUTHORIZATION": f"Bearer {token('reader')}"}
    curator = {"HTTP_AUTHORIZATION": f"Bearer {token('curator')}"}
    assert client.get("/api/monitor/alerts").status_code == 401  # alerts belong to a signed-in user
    assert client.get("/api/monitor/sources", **reader).status_code == 200
    denied = client.post("/api/monitor/sources", {"url": "https://y.example.org/feed"},
                         content_type="application/json", **reader)
    assert denied.status_code == 403
    made = client.post("/api/monitor/sources", {"url": "https://y.example.org/feed", "every": "3h"},
                       content_type="application/json", **curator)
    assert made.status_code == 200 and made.json()["interval_s"] == 10800
    bad = client.post("/api/monitor/alerts", {"name": "x", "countries": ["Belgium"], "frequency": "off"},
                      content_type="application/json", **reader)
    assert bad.status_code == 400 and "two-letter" in bad.json()["detail"]
    alert = client.post("/api/monitor/alerts", {"name": "Belgium", "countries": ["BE"], "frequency": "off"},
                        content_type="application/json", **reader).json()
    assert "unsubscribe" not in alert and alert["feed_token"]
    assert "Belgium" in [a["name"] for a in client.get("/api/monitor/alerts", **reader).json()]
    assert client.get(f"/api/monitor/alerts/{alert['id']}/hits", **curator).status_code == 404  # not theirs
    assert client.get(f"/api/monitor/alerts/{alert['id']}/hits", **reader).json() == []
    assert client.delete(f"/api/monitor/alerts/{alert['id']}", **reader).status_code == 200
    assert client.get("/api/monitor/stories?limit=5", **reader).status_code == 200


def test_search_grouped_by_story(client, stories_ready, token):
    page = client.get("/monitor/search/?q=city")
    assert page.status_code == 200 and "Search by story" in page.content.decode()
    groups = client.get("/api/monitor/search?q=city",
                        HTTP_AUTHORIZATION=f"Bearer {token('reader')}").json()
    assert groups and all(g["hits"] for g in groups)
    stories = [g["story"] for g in groups]
    assert len(stories) == len(set(stories))  # one result per story
    assert client.get("/monitor/search/?q=%22unclosed").status_code in (200, 400)


def test_cluster_api(client, token, monkeypatch):
    monkeypatch.setenv("MIGRAHUB_EXTRACT_MODELS", "0")
    reader = {"HTTP_AUTHORIZATION": f"Bearer {token('reader')}"}
    items = [{"id": "a", "language": "en", "published": "2026-04-01T10:00:00Z", "title": "Oulu opens a welcome desk",
              "text": "The city of Oulu opened a welcome desk where newcomers register and find language courses."},
             {"id": "b", "language": "fr", "published": "2026-04-01T15:00:00Z",
              "title": "Oulu ouvre un guichet d'accueil",
              "text": "La ville d'Oulu a ouvert un guichet d'accueil où les nouveaux arrivants s'inscrivent et "
                      "trouvent des cours de langue."},
             {"id": "c", "language": "en", "text": "Porto's buses now carry bicycles on every line at weekends."}]
    got = client.post("/api/monitor/cluster", items, content_type="application/json", **reader)
    assert got.status_code == 200, got.content
    assert got.json() == {"a": "a", "b": "a", "c": "c"}
    bad = client.post("/api/monitor/cluster", [{"id": "x", "text": ""}], content_type="application/json",
                      **reader)
    assert bad.status_code == 400 and "field 'text'" in bad.json()["detail"]
