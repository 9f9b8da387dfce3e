"""Safety: XSS documents render inert, CSRF on forms and session API writes, roles, anonymous access, throttling,
and the action log."""

from __future__ import annotations

import re

import pytest
from webhelpers import PASSWORD, assert_inert, doc_id, sql


def _xss_docs(hub) -> list[int]:
    rows = sql(hub, "SELECT id FROM documents WHERE instr(text, 'Xsscanary') > 0 OR instr(title, 'Xsscanary') > 0 "
                    "OR id IN (SELECT l.document_id FROM document_links l WHERE instr(l.locator, '/xss/') > 0)")
    return [r["id"] for r in rows]


def test_xss_documents_were_ingested(hub):
    assert len(_xss_docs(hub)) >= 3


def test_xss_document_pages_render_inert_with_text_escaped(client, hub):
    for did in _xss_docs(hub):
        html = client.get(f"/documents/{did}").content.decode()
        assert_inert(html)
        # whatever the source said, it is shown as text
        for raw in ("<script>alert(", "<img src=x onerror", "<svg onload", "<iframe", "<b onmouseover"):
            assert raw not in html, (did, raw)


def test_xss_text_is_visible_as_escaped_text(client, hub):
    did = doc_id(hub, "Xsscanary report")
    html = client.get(f"/documents/{did}").content.decode()
    assert "&lt;script&gt;alert(&#x27;title-xss&#x27;)&lt;/script&gt; Xsscanary report" in html
    assert "&lt;img src=x onerror=alert(&#x27;author-xss&#x27;)&gt;" in html
    plain = client.get(f"/documents/{doc_id(hub, 'Xsscanary plain')}").content.decode()
    assert "&lt;script&gt;alert(&#x27;plain-xss&#x27;)&lt;/script&gt;" in plain


def test_xss_in_search_snippets_facets_feed_and_exports(client, hub):
    for url in ("/?q=Xsscanary", "/?q=alert", "/?q=script", "/", "/feed", "/sources", "/stats", "/?q=onerror"):
        html = client.get(url).content.decode()
        assert_inert(html)
        assert "<script>alert" not in html and "<img src=x" not in html
    html = client.get("/?q=Xsscanary").content.decode()
    assert "<mark>Xsscanary</mark>" in html  # highlights still work around escaped text
    # the feed item's javascript: link is not turned into a link anywhere
    item = doc_id(hub, "Xsscanary item")
    page = client.get(f"/documents/{item}").content.decode()
    assert "javascript:alert" not in re.sub(r">[^<]*<", "><", page)  # not inside any tag
    r = client.get("/export.json", {"q": "Xsscanary"})
    assert r["Content-Type"].startswith("application/json") and r["X-Content-Type-Options"] == "nosniff"


def test_csrf_required_on_login_and_ingest_forms(hub):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    assert c.post("/accounts/login/", {"username": "reader1", "password": PASSWORD}).status_code == 403
    page = c.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    ok = c.post("/accounts/login/", {"username": "reader1", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert ok.status_code == 302
    curator = Client(enforce_csrf_checks=True)
    curator.force_login(hub.users["curator"])
    assert curator.post("/curate/ingest", {"url": "https://example.org/"}).status_code == 403


def test_session_api_write_needs_csrf_but_token_does_not(hub, token):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(hub.users["curator"])
    r = c.post("/api/ingest", {"url": "ftp://example.org/x"}, content_type="application/json")
    assert r.status_code == 403  # CSRF refused before anything runs
    r = Client(enforce_csrf_checks=True).post("/api/ingest", {"url": "ftp://example.org/x"},
                                              content_type="application/json",
                                              HTTP_AUTHORIZATION=f"Bearer {token('curator')}")
    assert r.status_code == 400 and "only http" in r.json()["detail"]


@pytest.mark.parametrize("role, status", [("reader", 403), ("coder", 403), ("curator", 200), ("admin", 200)])
def test_ingest_page_by_role(login, role, status):
    assert login(role).get("/curate/ingest").status_code == status


def test_anonymous_cannot_reach_curator_or_admin_pages(client):
    r = client.get("/curate/ingest")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    r = client.get("/admin/")
    assert r.status_code == 302 and "/admin/login/" in r["Location"]


def test_admin_site_by_role(login, hub):
    assert login("reader").get("/admin/").status_code == 302  # not staff
    curator = login("curator")
    assert curator.get("/admin/").status_code == 200
    assert curator.get("/admin/web/document/").status_code == 200
    assert curator.get("/admin/auth/user/").status_code == 403  # accounts belong to admins
    assert login("admin").get("/admin/auth/user/").status_code == 200


def test_curator_edit_in_admin_is_logged(login, hub):
    did = doc_id(hub, "Plan de acogida")
    c = login("curator")
    form = c.get(f"/admin/web/document/{did}/change/").content.decode()
    assert "Plan de acogida de Barcelona" in form
    r = c.post(f"/admin/web/document/{did}/change/", {
        "title": "Plan de acogida de Barcelona (2017)", "published": "2017-11-10", "language": "es", "author": "",
        "summary": ""})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert sql(hub, "SELECT title FROM documents WHERE id = ?", (did,))[0]["title"] == \
        "Plan de acogida de Barcelona (2017)"
    action = sql(hub, "SELECT actor, verb, object_id, payload FROM actions WHERE verb = 'document.edit' "
                      "ORDER BY id DESC LIMIT 1")[0]
    assert (action["actor"], action["object_id"]) == ("curator1", str(did))
    assert "Plan de acogida de Barcelona (2017)" in action["payload"]


def test_reader_cannot_edit_documents_in_admin(login, hub):
    did = doc_id(hub, "Municipal ID cards")
    r = login("reader").post(f"/admin/web/document/{did}/change/", {"title": "hacked"})
    assert r.status_code == 302 and "/admin/login/" in r["Location"]
    assert sql(hub, "SELECT title FROM documents WHERE id = ?", (did,))[0]["title"] != "hacked"


def test_anonymous_read_can_be_switched_off(client, hub, token):
    from django.test import override_settings

    with override_settings(MIGRAHUB_ANONYMOUS_READ=False):
        r = client.get("/?q=city")
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/?next=")
        assert client.get("/api/documents").status_code == 401
        assert client.get("/accounts/login/").status_code == 200
        assert client.get("/api/documents", HTTP_AUTHORIZATION=f"Bearer {token('reader')}").status_code == 200
    assert client.get("/?q=city").status_code == 200


def test_login_throttling_locks_username_and_address(hub):
    from django.test import Client

    c = Client(REMOTE_ADDR="10.9.8.7")
    for _ in range(4):
        r = c.post("/accounts/login/", {"username": "coder1", "password": "wrong password"})
        assert r.status_code == 200 and "correct username and password" in r.content.decode()
    r = c.post("/accounts/login/", {"username": "coder1", "password": "wrong again"})
    assert r.status_code == 429
    # locked now: even the right password is refused from this address
    r = c.post("/accounts/login/", {"username": "coder1", "password": PASSWORD})
    assert r.status_code == 429 and "Too many failed sign-ins" in r.content.decode()
    assert "_auth_user_id" not in c.session
    # another address is not locked, and a success there clears nothing here
    other = Client(REMOTE_ADDR="10.1.1.1")
    assert other.post("/accounts/login/", {"username": "coder1", "password": PASSWORD}).status_code == 302
    assert c.post("/accounts/login/", {"username": "coder1", "password": PASSWORD}).status_code == 429
    assert sql(hub, "SELECT count(*) n FROM actions WHERE verb = 'user.login_locked' AND object_id = 'coder1'")[0]["n"]


def test_login_is_recorded_and_passwords_are_hashed(hub):
    from django.contrib.auth import get_user_model
    from django.test import Client

    c = Client(REMOTE_ADDR="10.2.2.2")
    assert c.post("/accounts/login/", {"username": "reader1", "password": PASSWORD}).status_code == 302
    assert sql(hub, "SELECT count(*) n FROM actions WHERE verb = 'user.login' AND actor = 'reader1'")[0]["n"] >= 1
    stored = get_user_model().objects.get(username="reader1").password
    assert stored.startswith("pbkdf2_sha256$") and PASSWORD not in stored


def test_logout_needs_post(login):
    c = login("reader")
    assert c.get("/accounts/logout/").status_code == 405
    assert c.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in c.session


def test_action_log_stays_append_only(hub):
    import sqlite3

    conn = sqlite3.connect(hub.db)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM actions")
    finally:
        conn.close()
    verbs = {r["verb"] for r in sql(hub, "SELECT DISTINCT verb FROM actions")}
    assert {"user.create"} <= verbs
