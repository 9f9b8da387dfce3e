"""Safety: XSS documents render inert, CSRF on forms and session API writes, roles, anonymous access, throttling,
and the action log."""

from __future__ import annotations

import re
from html import escape, unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from webhelpers import PASSWORD, assert_inert, copy_hub, doc_id, sql

from tests.backends.postgresql import open_hub


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

    conn = open_hub(hub.db)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM actions")
    finally:
        conn.close()
    verbs = {r["verb"] for r in sql(hub, "SELECT DISTINCT verb FROM actions")}
    assert {"user.create"} <= verbs


# codebook names that break page addresses (issue 16, finding 8) ----------------------------------------------------

@pytest.fixture()
def odd_names(hub, tmp_path):
    """A copy of the hub that holds codebooks named as an older version allowed ("lmg/2024", ".."), a code id with a
    slash, and a coding with each on one document."""
    from django.test import override_settings

    from migrahub.coding.codebook import Code, Codebook
    from migrahub.store import codings
    from migrahub.store.database import connect, transaction

    db = copy_hub(hub.db, tmp_path / "odd.sqlite3")
    did = doc_id(hub, "Plan de acogida")
    passage = sql(db, "SELECT start, \"end\" FROM passages WHERE document_id = ? AND kind != 'heading' ORDER BY seq "
                      "LIMIT 1", (did,))[0]
    conn = connect(db)
    try:
        with transaction(conn):
            for name in ("lmg/2024", ".."):
                book = Codebook(name, (Code("HOUSING", "Housing"), Code("HOUSING/SOCIAL", "Social housing",
                                                                         parent="HOUSING")))
                codings.save_codebook(conn, book, name)
                codings.record(conn, codebook=name, document_id=did, start=passage["start"], end=passage["end"],
                               coder="coder1", action="add", code="HOUSING/SOCIAL")
    finally:
        conn.close()
    with override_settings(MIGRAHUB_DB=db):
        yield did


def _links(html: str, prefix: str) -> list[str]:
    return sorted({unescape(h) for h in re.findall(r'(?:href)="(' + re.escape(prefix) + r'[^"]*)"', html)})


def test_pages_of_a_hub_holding_a_codebook_named_with_a_slash_do_not_fail(client, odd_names):
    home = client.get("/code/")
    assert home.status_code == 200
    books = _links(home.content.decode(), "/code/codebooks/")
    assert len(books) >= 2, books
    for url in books:
        page = client.get(url)
        assert page.status_code == 200, url
        for link in _links(page.content.decode(), "/code/codebooks/"):
            assert client.get(link).status_code == 200, link  # the code pages, "HOUSING/SOCIAL" among them
    for name in ("lmg/2024", ".."):
        review = client.get("/code/review", {"codebook": name})
        assert review.status_code == 200 and escape(name) in review.content.decode()
        page = client.get(f"/code/{odd_names}", {"codebook": name})
        assert page.status_code == 200
        html = page.content.decode()
        for link in _links(html, "/code/colours/") + _links(html, "/code/codebooks/"):
            assert client.get(link).status_code == 200, link
        assert "Social housing" in html
    assert client.get("/code/codebooks/lmg%252F2024").content.decode().count("Social housing") >= 1


def test_api_refuses_unsafe_codebook_names_and_deep_yaml(client, token):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token('curator')}"}
    book = b"name: reception\ncodes:\n  - id: R\n    name: Reception\n"
    r = client.post("/api/codebooks", {"file": SimpleUploadedFile("cb.yaml", book), "name": "lmg/2024"}, **auth)
    assert r.status_code == 400 and r.json()["detail"].startswith("name: codebook name 'lmg/2024' is not allowed")
    own = book.replace(b"name: reception", b"name: lmg/2024")
    r = client.post("/api/codebooks", {"file": SimpleUploadedFile("cb.yaml", own)}, **auth)
    assert r.status_code == 400 and r.json()["detail"].startswith("file: cb.yaml: name: codebook name 'lmg/2024'")
    deep = b"name: deep\ncodes: " + b"[{id: c, children: " * 3000 + b"[]" + b"}]" * 3000 + b"\n"
    r = client.post("/api/codebooks", {"file": SimpleUploadedFile("deep.yaml", deep)}, **auth)
    assert r.status_code == 400
    assert r.json()["detail"] == "file: deep.yaml: line 2: nested more than 64 levels deep; refused"
    assert not [b for b in client.get("/api/codebooks").json() if b["name"] in ("lmg/2024", "reception", "deep")]


def test_deeply_nested_json_bodies_are_400_not_500(client, token):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token('curator')}"}
    body = '{"name": "x", "fields": {"a": ' + "[" * 50_000 + "]" * 50_000 + "}}"
    r = client.patch("/api/entities/1", body, content_type="application/json", **auth)
    assert r.status_code == 400, r.content[:300]


def test_admin_record_fields_nested_too_deeply_are_refused(login, hub):
    entity = sql(hub, "SELECT id FROM entities WHERE merged_into IS NULL ORDER BY id LIMIT 1")[0]["id"]
    c = login("curator")
    deep = '{"a": ' + "[" * 20_000 + "]" * 20_000 + "}"
    r = c.post(f"/admin/web/entity/{entity}/change/", {"name": "Renamed", "fields_json": deep})
    assert r.status_code == 200 and "Record fields: nested more than 32 levels deep; refused" in r.content.decode()
    assert sql(hub, "SELECT name FROM entities WHERE id = ?", (entity,))[0]["name"] != "Renamed"
