"""The coding workspace: codebook browser, document coding view, review queue, coding actions (roles, CSRF, the
append-only log), span coding in code points, escaped memos, code labels on the document page and the coding API."""

from __future__ import annotations

import re

import pytest
from webhelpers import DEMO, assert_inert, sql

BOOK = "Demo local governance"
SPAN_DOC = ("# Plimsoll-Malmö välkomnar\n\n"
            "Malmö 🇸🇪 öppnar ett välkomstcenter för nyanlända flyktingar i Plimsoll-Malmö.\n\n"
            "Kommunen samarbetar med föreningar om språkkurser och bostäder.\n")


@pytest.fixture(scope="module")
def coded(hub, tmp_path_factory):
    """The demo codebook loaded into the test hub, a Swedish document with an emoji flag, and machine suggestions."""
    from migrahub.services import coding
    from migrahub.services.ingest import ingest

    loaded = coding.load_codebook_file(hub.db, DEMO / "codebook.yaml")
    assert loaded["codebook"] == BOOK and loaded["leaves"] == 12
    folder = tmp_path_factory.mktemp("coding-docs")
    (folder / "plimsoll-malmo.md").write_text(SPAN_DOC, encoding="utf-8")
    assert ingest([str(folder)], hub.db).added == 1
    result = coding.suggest(hub.db, BOOK)
    assert result["suggestions"] > 0, result
    span_doc = sql(hub, "SELECT document_id FROM passages WHERE instr(text, 'öppnar ett') > 0")[0][0]
    return {"span_doc": span_doc}


def _passages(hub, document_id: int) -> list:
    return sql(hub, "SELECT id, start, \"end\", text, kind FROM passages WHERE document_id = ? AND kind != 'heading' "
                    "ORDER BY seq", (document_id,))


def _current(hub, document_id: int, status: str | None = None) -> list:
    from migrahub.services import coding

    return coding.codings(hub.db, BOOK, document_id=document_id, **({"status": status} if status else {}))


def _log(hub, coder: str) -> list:
    return sql(hub, "SELECT a.* FROM coding_actions a JOIN coders c ON c.id = a.coder_id WHERE c.name = ? "
                    "ORDER BY a.id", (coder,))


def _suggestion(hub) -> dict:
    from migrahub.services import coding

    taken = {(r["document_id"], r["start"]) for r in sql(hub, "SELECT document_id, start FROM coding_actions a JOIN "
                                                              "coders c ON c.id = a.coder_id WHERE c.kind = 'person'")}
    for s in coding.codings(hub.db, BOOK, status="suggested"):
        if s["passage_id"] and (s["document_id"], s["start"]) not in taken:
            return s
    pytest.fail("no pending suggestion left on an untouched passage")


def _post(client, document_id: int, **fields):
    headers = {k: fields.pop(k) for k in list(fields) if k.startswith("HTTP_")}
    return client.post(f"/code/{document_id}/act", {"codebook": BOOK, **fields}, **headers)


def test_coding_home_and_codebook_page_show_the_tree_with_counts(login, coded, hub):
    c = login("coder")
    home = c.get("/code/")
    assert home.status_code == 200 and BOOK in home.content.decode()
    page = c.get(f"/code/codebooks/{BOOK}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Cooperation between places" in html and "City card and local documents" in html  # category and leaf
    assert html.count('class="code-tree') >= 4  # nested: the root list and one per category
    assert re.search(r"\d+ suggested</a>", html)  # counts link to the coded passages
    link = re.search(r'href="(/code/codebooks/[^"]+/codes/[^"?]+)\?status=suggested"', html).group(1)
    listing = c.get(link + "?status=suggested")
    assert listing.status_code == 200 and "<blockquote>" in listing.content.decode()
    css = c.get(re.search(r'href="(/code/colours/[^"]+\.css)"', html).group(1))
    assert css.status_code == 200 and css["Content-Type"].startswith("text/css")
    assert re.search(r"\.code-b\d+-c\d+ \{ --code-colour: #[0-9A-F]{6}; \}", css.content.decode())
    assert "Suggest codes" in html
    assert_inert(html)
    assert c.get("/code/codebooks/No such book").status_code == 404


def test_document_coding_view_shows_passages_with_forms_for_coders_only(login, client, coded, hub):
    did = coded["span_doc"]
    html = login("coder").get(f"/code/{did}", {"codebook": BOOK}).content.decode()
    for p in _passages(hub, did):
        assert f'id="p-{p["id"]}"' in html and f'data-start="{p["start"]}"' in html
    assert 'name="code"' in html and "City card and local documents" in html  # the leaf codes to choose from
    assert "Save memo" in html and "/static/web/coding.js" in html
    assert_inert(html)
    for reader in (login("reader"), client):
        read_only = reader.get(f"/code/{did}", {"codebook": BOOK})
        assert read_only.status_code == 200
        assert "Add code" not in read_only.content.decode() and "Accept" not in read_only.content.decode()
    assert client.get("/code/999999", {"codebook": BOOK}).status_code == 404


def test_coder_adds_a_code_to_a_passage_and_the_log_records_it(login, coded, hub):
    did = coded["span_doc"]
    p = _passages(hub, did)[1]
    before = len(_log(hub, "coder1"))
    r = _post(login("coder"), did, passage=p["id"], action="add", code="COOP.CIVIL", start=p["start"], end=p["end"])
    assert r.status_code == 302 and r["Location"].endswith(f"#p-{p['id']}")
    rows = _log(hub, "coder1")
    assert len(rows) == before + 1 and rows[-1]["action"] == "add" and rows[-1]["code_id"] == "COOP.CIVIL"
    assert rows[-1]["passage_id"] == p["id"]
    assert any(c["code_id"] == "COOP.CIVIL" and c["coder"] == "coder1" and c["status"] == "applied"
               for c in _current(hub, did))
    logged = sql(hub, "SELECT * FROM actions WHERE actor = 'coder1' AND verb = 'coding.add' ORDER BY id DESC LIMIT 1")
    assert logged and logged[0]["object_id"] == str(did)
    # the document page now shows the code as a read-only label on that passage
    page = login("reader").get(f"/documents/{did}").content.decode()
    assert re.search(r'class="code-label code-b\d+-c\d+"[^>]*>Partnership with civil society</li>', page)
    # and the coder can withdraw it again (a new row: the log is append-only)
    r = _post(login("coder"), did, passage=p["id"], action="remove", code="COOP.CIVIL", start=p["start"],
              end=p["end"])
    assert r.status_code == 302
    assert not any(c["code_id"] == "COOP.CIVIL" for c in _current(hub, did))
    assert [row["action"] for row in _log(hub, "coder1")[-2:]] == ["add", "remove"]


def test_htmx_add_returns_the_passage_block(login, coded, hub):
    did = coded["span_doc"]
    p = _passages(hub, did)[0]
    r = _post(login("coder"), did, passage=p["id"], action="add", code="OFFER.WELCOME", HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and re.match(rf'<section class="code-passage [\w -]*" id="p-{p["id"]}"', html.lstrip())
    assert 'id="undo-box" class="undo-box" hx-swap-oob="true"' in html  # the side panel's undo, out of band
    assert "Welcome and orientation" in html and "coder1" in html and "<html" not in html
    bad = _post(login("coder"), did, passage=p["id"], action="add", code="OFFER", HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and "is a category" in bad.content.decode()  # shown in the block, nothing saved
    assert not any(c["code_id"] == "OFFER" for c in _current(hub, did))


def test_accept_and_reject_suggestions(login, coded, hub):
    c = login("coder")
    s = _suggestion(hub)
    r = _post(c, s["document_id"], passage=s["passage_id"], action="accept", code=s["code_id"], about=s["coder"],
              start=s["start"], end=s["end"])
    assert r.status_code == 302
    now = _current(hub, s["document_id"])
    assert any(x["code_id"] == s["code_id"] and x["coder"] == "coder1" and x["status"] == "applied"
               and x["start"] == s["start"] for x in now)
    assert not any(x["code_id"] == s["code_id"] and x["status"] == "suggested" and x["start"] == s["start"]
                   for x in now)
    assert _log(hub, "coder1")[-1]["action"] == "accept"
    s2 = _suggestion(hub)
    r = _post(c, s2["document_id"], passage=s2["passage_id"], action="reject", code=s2["code_id"], about=s2["coder"],
              start=s2["start"], end=s2["end"], view="review", HTTP_HX_REQUEST="true")
    html = r.content.decode()
    name = sql(hub, "SELECT name FROM codes WHERE code_id = ?", (s2["code_id"],))[0][0]
    assert r.status_code == 200 and re.search(rf"Rejected “{re.escape(name)}” on passage \d+ of ", html)
    assert 'name="action_id"' in html and ">Undo</button>" in html  # says what, with an undo
    now = _current(hub, s2["document_id"])
    assert not any(x["code_id"] == s2["code_id"] and x["start"] == s2["start"] for x in now)
    assert _log(hub, "coder1")[-1]["action"] == "reject"
    # accepting it again is refused: it is no longer pending
    again = _post(c, s2["document_id"], passage=s2["passage_id"], action="accept", code=s2["code_id"],
                  about=s2["coder"], start=s2["start"], end=s2["end"])
    assert again.status_code == 302
    assert _log(hub, "coder1")[-1]["action"] == "reject"


def test_review_queue_lists_pending_suggestions(login, client, coded, hub):
    html = login("coder").get("/code/review", {"codebook": BOOK}).content.decode()
    total = len(_current_all(hub, "suggested"))
    assert f"{total} machine suggestion" in html
    assert html.count('class="review-item"') == min(total, 50)
    assert 'value="accept"' in html and "confidence" in html
    assert_inert(html)
    anon = client.get("/code/review", {"codebook": BOOK}).content.decode()
    assert 'value="accept"' not in anon


def _current_all(hub, status):
    from migrahub.services import coding

    return coding.codings(hub.db, BOOK, status=status)


def test_memo_with_markup_is_stored_and_rendered_escaped(login, coded, hub):
    did = coded["span_doc"]
    p = _passages(hub, did)[1]
    memo = "<script>alert('memo-xss')</script> <img src=x onerror=alert(1)> check the housing figures"
    r = _post(login("coder"), did, passage=p["id"], action="memo", memo=memo)
    assert r.status_code == 302
    assert _log(hub, "coder1")[-1]["memo"] == memo
    html = login("reader").get(f"/code/{did}", {"codebook": BOOK}).content.decode()
    assert "&lt;script&gt;alert(&#x27;memo-xss&#x27;)&lt;/script&gt;" in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert_inert(html)
    empty = _post(login("coder"), did, passage=p["id"], action="memo", memo="   ", HTTP_HX_REQUEST="true")
    assert "memo: write some text" in empty.content.decode()


def test_span_coding_uses_code_point_offsets(login, coded, hub):
    did = coded["span_doc"]
    text = sql(hub, "SELECT text FROM documents WHERE id = ?", (did,))[0][0]
    p = next(x for x in _passages(hub, did) if "🇸🇪" in x["text"])
    word = "välkomstcenter"
    start = text.index(word)  # Python indexes code points: the flag before it counts 2, not 4 (UTF-16)
    end = start + len(word)
    assert text.encode("utf-16-le").decode("utf-16-le")[start:end] == word
    assert len(text[:start].encode("utf-16-le")) // 2 == start + 2  # the UTF-16 offset differs by the flag's 2 units
    r = _post(login("coder"), did, passage=p["id"], action="add", code="OFFER.WELCOME", start=start, end=end,
              HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and f'<q class="span-text">{word}</q>' in html
    row = _log(hub, "coder1")[-1]
    assert (row["start"], row["end"], row["passage_id"]) == (start, end, None)
    assert any(c["start"] == start and c["end"] == end and c["code_id"] == "OFFER.WELCOME" for c in _current(hub, did))
    outside = _post(login("coder"), did, passage=p["id"], action="add", code="OFFER.WELCOME", start=0, end=3,
                    HTTP_HX_REQUEST="true")
    assert "is not inside passage" in outside.content.decode()
    assert _log(hub, "coder1")[-1]["id"] == row["id"]


def test_readers_and_anonymous_cannot_write(login, client, coded, hub):
    did = coded["span_doc"]
    p = _passages(hub, did)[0]
    count = sql(hub, "SELECT count(*) FROM coding_actions")[0][0]
    for who in (login("reader"), client):
        assert _post(who, did, passage=p["id"], action="add", code="OFFER.ID").status_code == 403
        assert _post(who, did, passage=p["id"], action="memo", memo="hi").status_code == 403
        assert who.post("/code/suggest", {"codebook": BOOK}).status_code == 403
    assert sql(hub, "SELECT count(*) FROM coding_actions")[0][0] == count
    assert login("coder").get(f"/code/{did}/act").status_code == 405  # writes are POST only


def test_csrf_is_enforced_on_coding_forms(hub, coded):
    from django.test import Client

    did = coded["span_doc"]
    p = _passages(hub, did)[0]
    c = Client(enforce_csrf_checks=True)
    c.force_login(hub.users["coder"])
    assert _post(c, did, passage=p["id"], action="add", code="OFFER.ID").status_code == 403
    page = c.get(f"/code/{did}", {"codebook": BOOK}).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    ok = _post(c, did, passage=p["id"], action="add", code="OFFER.ID", csrfmiddlewaretoken=token)
    assert ok.status_code == 302
    assert _log(hub, "coder1")[-1]["code_id"] == "OFFER.ID"


def test_suggest_button_runs_the_autocoder(login, coded, hub):
    r = login("coder").post("/code/suggest", {"codebook": BOOK, "next": "https://evil.example.org/"}, follow=True)
    assert r.status_code == 200 and r.redirect_chain[-1][0].startswith("/code/review")  # no open redirect
    assert "new suggestions on" in r.content.decode()
    assert sql(hub, "SELECT 1 FROM actions WHERE actor = 'coder1' AND verb = 'coding.suggest'")


def test_coding_api(client, coded, hub, token):
    books = client.get("/api/codebooks").json()
    book = next(b for b in books if b["name"] == BOOK)
    assert len(book["codes"]) == 15 and {"id", "colour", "applied", "suggested"} <= set(book["codes"][0])
    did = coded["span_doc"]
    codings = client.get(f"/api/documents/{did}/codings", {"codebook": BOOK}).json()
    assert codings["codebook"] == BOOK and all(c["document_id"] == did for c in codings["codings"])
    pending = client.get("/api/suggestions", {"codebook": BOOK, "limit": 5}).json()
    assert pending["count"] >= len(pending["items"]) and all(i["status"] == "suggested" for i in pending["items"])
    p = _passages(hub, did)[-1]
    body = {"codebook": BOOK, "passage_id": p["id"], "action": "add", "code": "OFFER.LEARN"}
    assert client.post("/api/codings", body, content_type="application/json").status_code == 401
    denied = client.post("/api/codings", body, content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {token('reader')}")
    assert denied.status_code == 403
    ok = client.post("/api/codings", body, content_type="application/json",
                     HTTP_AUTHORIZATION=f"Bearer {token('coder')}")
    assert ok.status_code == 200, ok.content
    assert ok.json()["start"] == p["start"] and _log(hub, "coder1")[-1]["code_id"] == "OFFER.LEARN"
    bad = client.post("/api/codings", {**body, "code": "NOPE"}, content_type="application/json",
                      HTTP_AUTHORIZATION=f"Bearer {token('coder')}")
    assert bad.status_code == 400 and "NOPE" in bad.json()["detail"]
    assert client.get("/api/suggestions", {"codebook": "missing"}).status_code == 404


def test_a_passage_of_another_document_is_refused_before_anything_is_written(login, coded, hub):
    did = coded["span_doc"]
    other = sql(hub, "SELECT id FROM passages WHERE document_id != ? AND kind != 'heading' LIMIT 1", (did,))[0][0]
    before = sql(hub, "SELECT count(*) FROM coding_actions")[0][0]
    logged = sql(hub, "SELECT count(*) FROM actions")[0][0]
    coder = login("coder")
    r = _post(coder, did, passage=other, action="add", code="COOP.CIVIL")
    assert r.status_code == 302
    page = coder.get(r["Location"]).content.decode()
    assert f"passage: {other} is not a passage of document {did}" in page
    assert sql(hub, "SELECT count(*) FROM coding_actions")[0][0] == before  # nothing appended to the log
    assert sql(hub, "SELECT count(*) FROM actions")[0][0] == logged
    from migrahub.services import documents, workspace

    with pytest.raises(workspace.CodingError, match="not a passage of document"):
        workspace.act(hub.db, documents.reader(hub.db), codebook=BOOK, coder="coder1", action="add",
                      passage_id=other, code="COOP.CIVIL", document_id=did)
    assert sql(hub, "SELECT count(*) FROM coding_actions")[0][0] == before


def test_one_coding_control_highlighted_spans_and_undo(login, coded, hub):
    did = coded["span_doc"]
    p = _passages(hub, did)[0]
    word = "välkomstcenter"
    start = p["start"] + p["text"].index(word)
    c = login("coder")
    html = c.get(f"/code/{did}", {"codebook": BOOK}).content.decode()
    assert html.count('id="coding-control"') == 1 and 'class="add-code"' not in html  # one control, no form per passage
    assert f'form="coding-control" name="target" value="add:{p["id"]}"' in html
    r = _post(c, did, passage=p["id"], action="add", code="OFFER.WELCOME", start=start, end=start + len(word))
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert re.search(rf'<mark class="coded code-b\d+-c\d+" title="Welcome and orientation">{word}</mark>', page)
    assert "Added “Welcome and orientation” to a selection of passage" in page
    ids = re.findall(r'name="action_id" value="(\d+)"', page)
    assert len(ids) == 1
    r = c.post("/code/undo", {"action_id": ids[0], "next": f"/code/{did}?codebook={BOOK}"})
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert "Undone: Added" in page and f">{word}</mark>" not in page
    assert _log(hub, "coder1")[-1]["action"] == "remove"
    again = c.post("/code/undo", {"action_id": ids[0], "next": "/code/"})  # only the last action, once
    assert "nothing to undo" in c.get(again["Location"]).content.decode()
    # a passage's own button codes the whole passage through the same form
    r = _post(c, did, target=f"add:{p['id']}", code="COOP.CIVIL")
    assert any(x["code_id"] == "COOP.CIVIL" and (x["start"], x["end"]) == (p["start"], p["end"])
               for x in _current(hub, did))


def test_review_filters_bulk_accept_and_undo(login, coded, hub):
    from migrahub.services import coding

    c = login("coder")
    pending = coding.codings(hub.db, BOOK, status="suggested")
    code = pending[0]["code_id"]
    html = c.get("/code/review", {"codebook": BOOK, "code": code}).content.decode()
    shown = re.findall(r'name="item" form="bulk-form" value="([^"]+)"', html)
    assert shown and all(v.split(":")[3] == code for v in shown)
    high = c.get("/code/review", {"codebook": BOOK, "min": "0.99"}).content.decode()
    assert len(re.findall(r'name="item" form="bulk-form"', high)) == sum(
        1 for x in pending if (x["confidence"] or 0) >= 0.99)
    wrong = c.get("/code/review", {"codebook": BOOK, "min": "3"}).content.decode()
    assert "min: a confidence is between 0 and 1" in wrong
    chosen = shown[:3]
    r = c.post("/code/review/bulk", {"codebook": BOOK, "action": "accept", "item": chosen, "next": "/code/review"})
    assert r.status_code == 302
    page = c.get(r["Location"] + f"?codebook={BOOK}").content.decode()
    assert f"Accepted {len(chosen)} suggestion" in page
    left = {f"{x['document_id']}:{x['start']}:{x['end']}:{x['code_id']}:{x['coder']}"
            for x in coding.codings(hub.db, BOOK, status="suggested")}
    assert not left & set(chosen)
    # all or nothing: one suggestion no longer pending refuses the whole batch
    before = sql(hub, "SELECT count(*) FROM coding_actions")[0][0]
    r = c.post("/code/review/bulk", {"codebook": BOOK, "action": "reject", "item": [chosen[0], *list(left)[:2]]})
    assert "nothing was changed" in c.get(r["Location"]).content.decode()
    assert sql(hub, "SELECT count(*) FROM coding_actions")[0][0] == before
    # undo the bulk accept: the suggestions are pending again and the coder's codings gone
    ids = re.findall(r'name="action_id" value="(\d+)"', page)
    assert len(ids) == len(chosen)
    c.post("/code/undo", {"action_id": ids, "next": "/code/review"})
    back = {f"{x['document_id']}:{x['start']}:{x['end']}:{x['code_id']}:{x['coder']}"
            for x in coding.codings(hub.db, BOOK, status="suggested")}
    assert set(chosen) <= back
    none = c.post("/code/review/bulk", {"codebook": BOOK, "action": "accept"})
    assert "choose at least one" in c.get(none["Location"]).content.decode()
    assert login("reader").post("/code/review/bulk", {"codebook": BOOK, "action": "accept",
                                                      "item": chosen}).status_code == 403


def test_document_picker_shows_coding_progress(login, coded, hub):
    html = login("coder").get("/code/", {"codebook": BOOK}).content.decode()
    assert "Documents to code" in html and '<table class="picker">' in html
    did = coded["span_doc"]
    assert f'href="/code/{did}?codebook=' in html
    assert re.search(r'<progress max="\d+" value="\d+" aria-label="\d+ of \d+ passages coded">', html)
    only = login("coder").get("/code/", {"codebook": BOOK, "title": "Plimsoll-Malmö"}).content.decode()
    assert "1 document;" in only


def test_analysis_pages_tables_charts_and_downloads(login, coded, hub):
    from migrahub.services import coding

    c = login("coder")
    for path in ("/code/analysis", "/code/analysis/cooccurrence", "/code/analysis/documents",
                 "/code/analysis/agreement"):
        r = c.get(path, {"codebook": BOOK, "status": "suggested"})
        assert r.status_code == 200, path
        html = r.content.decode()
        assert '<table class="analysis"><caption>' in html and "Export .qdpx" in html
        assert_inert(html)
    html = c.get("/code/analysis/cooccurrence", {"codebook": BOOK, "status": "suggested"}).content.decode()
    assert 'svg data-chart="hub"' in html and "Code co-occurrence" in html
    table = coding.report(hub.db, BOOK, "cooccurrence", status="suggested")
    csv_text = c.get("/code/analysis/cooccurrence", {"codebook": BOOK, "status": "suggested",
                                                     "download": "csv"}).content.decode()
    assert csv_text == table.to_csv()
    js = c.get("/code/analysis", {"codebook": BOOK, "by": "language", "status": "suggested", "download": "json"})
    assert js["Content-Disposition"] == 'attachment; filename="code-frequencies-by-language.json"'
    assert js.json()["columns"][:2] == ["language", "units"]
    svg = c.get("/code/analysis", {"codebook": BOOK, "status": "suggested", "download": "svg"})
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    png = c.get("/code/analysis/cooccurrence", {"codebook": BOOK, "status": "suggested", "download": "png"})
    assert png["Content-Type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    agree = c.get("/code/analysis/agreement", {"codebook": BOOK, "coder": ["coder1", "autocode/2"]}).content.decode()
    assert "Agreement per code" in agree and ("mean κ" in agree or "agreement needs" in agree)
    qdpx = c.get("/code/export.qdpx", {"codebook": BOOK})
    data = b"".join(qdpx.streaming_content)
    assert qdpx["Content-Disposition"].startswith("attachment") and data[:2] == b"PK"


def test_import_qdpx_and_qdc_from_the_web(login, coded, hub, tmp_path):
    from migrahub.services import coding

    c = login("curator")
    out = tmp_path / "project.qdpx"
    coding.export_project(hub.db, BOOK, out)
    with open(out, "rb") as f:
        r = c.post("/code/import", {"file": f})
    page = c.get(r["Location"]).content.decode()
    assert "Imported project.qdpx:" in page
    origins = [s[0] for s in sql(hub, "SELECT locator FROM sources WHERE instr(locator, 'project.qdpx') > 0")]
    assert origins == ["upload:project.qdpx"]  # no server path is shown as the source
    qdc = tmp_path / "book.qdc"
    coding.export_codebook(hub.db, BOOK, qdc)
    with open(qdc, "rb") as f:
        r = c.post("/code/import", {"file": f})
    assert "loaded from book.qdc" in c.get(r["Location"]).content.decode()
    bad = tmp_path / "notes.txt"
    bad.write_text("hello", encoding="utf-8")
    with open(bad, "rb") as f:
        r = c.post("/code/import", {"file": f})
    assert "not a .qdpx project or a .qdc codebook" in c.get(r["Location"]).content.decode()
    with open(bad, "rb") as f:
        assert login("coder").post("/code/import", {"file": f}).status_code == 403


def test_analysis_and_agreement_in_the_api(client, coded, hub):
    from migrahub.services import coding

    r = client.get("/api/analysis/cooccurrence", {"codebook": BOOK, "status": "suggested"})
    assert r.status_code == 200, r.content
    body = r.json()
    table = coding.report(hub.db, BOOK, "cooccurrence", status="suggested")
    assert body["columns"] == list(table.columns) and body["rows"] == [list(x) for x in table.rows]
    assert body["codes"]["OFFER.WELCOME"] == "Welcome and orientation"
    freq = client.get("/api/analysis/frequencies", {"codebook": BOOK, "by": "language", "status": "suggested"})
    assert freq.json()["columns"][:2] == ["language", "units"]
    assert client.get("/api/analysis/nonsense", {"codebook": BOOK}).status_code in (400, 404, 422)
    coders = coding.coder_names(hub.db, BOOK)
    agree = client.get("/api/agreement", {"codebook": BOOK, "coder": coders})
    assert agree.status_code == 200, agree.content
    assert agree.json()["coders"] == coders and agree.json()["per_code"]
    one = client.get("/api/agreement", {"codebook": BOOK, "coder": coders[:1]})
    assert one.status_code == 400 and "at least two coders" in one.json()["detail"]
    from openapi_spec_validator import validate

    validate(client.get("/api/openapi.json").json())
