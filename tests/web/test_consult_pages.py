"""Consult pages through Django's test client: an organiser sets a consultation up, people answer (draft, receipt,
attachment), a moderator hides an answer, the report is generated and exported; hidden content and personal data
appear in no public output; bad input gets a clear error."""

from __future__ import annotations

import io
import json
import re

import pytest
from webhelpers import sql

HIDDEN = "Zebracorn-hidden-answer-7731"
EMAIL = "amira.haddad@example.org"
PHONE = "+44 20 7946 0958"


def _pdf(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


@pytest.fixture()
def consultation(login):
    organiser = login("curator")
    made = organiser.post("/consult/new", {"title": "Welcoming cities forum", "description": "Six questions",
                                           "consent_text": "I agree", "access": "public", "moderation": "post",
                                           "submitter_types": ["organisation", "city", "individual", "anonymous"]})
    assert made.status_code == 302, made.content[:500]
    slug = made["Location"].rstrip("/").split("/")[-2]
    for kind, prompt, options, statements in [
        ("text", "Which good practices does your city or organisation run?", "", ""),
        ("text", "What should mayors do next?", "", ""),
        ("choice", "Main priority", "Housing\nJobs\nSchools", ""),
        ("scale", "How urgent is it?", "1\n5", ""),
        ("procon", "A municipal ID card?", "", ""),
        ("statements", "Vote on these statements", "", "Cities should issue ID cards\nHousing comes first"),
    ]:
        added = organiser.post(f"/consult/{slug}/manage", {"action": "question", "kind": kind, "prompt": prompt,
                                                           "options": options, "statements": statements})
        assert added.status_code == 302, added.content[:300]
    assert organiser.post(f"/consult/{slug}/manage", {"action": "phase", "phase": "open"}).status_code == 302
    qids = [r["id"] for r in sql(organiser_hub(), "SELECT q.id FROM consult_questions q JOIN consult_consultations c "
                                                  "ON c.id = q.consultation_id WHERE c.slug = ? ORDER BY q.seq",
                                 (slug,))]
    return {"slug": slug, "organiser": organiser, "q": qids}


def organiser_hub():
    import os

    return os.environ["MIGRAHUB_DB"]


def test_answer_moderate_report_and_nothing_hidden_leaks(consultation, client, login):
    slug, q = consultation["slug"], consultation["q"]
    form = client.get(f"/consult/{slug}/answer")
    assert form.status_code == 200 and b'name="q%d"' % q[0] in form.content
    # a draft first, then submitted through the receipt link
    draft = client.post(f"/consult/{slug}/answer", {"action": "draft", "submitter_type": "organisation",
                                                    "organisation": "Barcelona Welcome Network",
                                                    f"q{q[0]}": "We run the Oficina de atención a personas migrantes"
                                                                " in Barcelona."})
    assert draft.status_code == 302 and "receipt=" in draft["Location"]
    receipt = draft["Location"].split("receipt=")[1].split("&")[0]
    page = client.get(draft["Location"])
    assert b"Barcelona Welcome Network" in page.content
    sent = client.post(f"/consult/{slug}/answer", {
        "action": "submit", "receipt": receipt, "submitter_type": "organisation", "consent": "on",
        "organisation": "Barcelona Welcome Network", "country": "ES",
        f"q{q[0]}": "We run the Oficina de atención a personas migrantes in Barcelona.",
        f"q{q[1]}": f"Mayors should fund housing. Write to {EMAIL} or call {PHONE}.",
        f"q{q[2]}": "Housing", f"q{q[3]}": "4", f"q{q[4]}_pro": "Access to services", f"q{q[4]}_con": "Cost",
        f"s{_statement(slug, 0)}": "agree"})
    assert sent.status_code == 302 and sent["Location"].endswith(receipt)
    assert b"published" in client.get(sent["Location"]).content
    anon = client.post(f"/consult/{slug}/answer", {
        "action": "submit", "submitter_type": "anonymous", "consent": "on",
        f"q{q[1]}": "The city should open a welcome centre in Ghent. <script>alert('x')</script>",
        "attachments": io.BytesIO(_pdf("Our shelter in Ghent should stay open all year.")), })
    assert anon.status_code == 302, anon.content[:500]
    hidden = client.post(f"/consult/{slug}/answer", {"action": "submit", "submitter_type": "individual",
                                                     "consent": "on", f"q{q[1]}": f"{HIDDEN} mayors should resign."})
    hidden_id = sql(organiser_hub(), "SELECT submission_id FROM consult_answers WHERE instr(original, ?) > 0",
                    (HIDDEN,))[0][0]
    assert hidden.status_code == 302
    moderator = login("curator")
    queue = moderator.get(f"/consult/{slug}/moderate")
    assert HIDDEN.encode() in queue.content and EMAIL.encode() in queue.content  # originals: moderators only
    done = moderator.post(f"/consult/{slug}/moderate", {"submission": hidden_id, "action": "hide", "note": "abuse"})
    assert done.status_code == 302
    organiser = consultation["organiser"]
    assert organiser.post(f"/consult/{slug}/report").status_code == 302
    report = organiser.get(f"/consult/{slug}/report")
    assert b"Barcelona Welcome Network" in report.content and b"/entities/" in report.content
    outputs = {"submissions": client.get(f"/consult/{slug}/submissions").content,
               "csv": client.get(f"/consult/{slug}/submissions.csv").content,
               "json": client.get(f"/consult/{slug}/submissions.json").content,
               "report": report.content,
               "api": client.get(f"/api/consult/consultations/{slug}/submissions").content,
               "api-report": organiser.get(f"/api/consult/consultations/{slug}/report").content}
    for fmt in ("html", "md", "pdf", "docx"):
        outputs[fmt] = _readable(fmt, organiser.get(f"/consult/{slug}/report.{fmt}").content)
    assert b"Barcelona Welcome Network" in outputs["pdf"] and b"Barcelona Welcome Network" in outputs["docx"]
    for name, data in outputs.items():
        assert HIDDEN.encode() not in data, f"hidden answer leaked into {name}"
        assert EMAIL.encode() not in data and PHONE.encode() not in data, f"personal data in {name}"
    assert b"<script>alert" not in outputs["submissions"] and b"&lt;script&gt;" in outputs["submissions"]
    assert b"Barcelona Welcome Network" in outputs["csv"]
    data = json.loads(outputs["json"])
    assert {s["by"] for s in data["submissions"]} == {"Barcelona Welcome Network", "anonymous"}
    assert any("shelter in Ghent" in t for s in data["submissions"] for t in s["attachments"])


def _readable(fmt: str, data: bytes) -> bytes:
    """The text a reader of a PDF or DOCX sees (their streams are compressed), as UTF-8."""
    import zipfile

    if fmt == "pdf":
        from pypdf import PdfReader

        return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages).encode()
    if fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return b"\n".join(z.read(n) for n in z.namelist() if n.endswith(".xml"))
    return data


def _statement(slug: str, index: int) -> int:
    return sql(organiser_hub(), "SELECT st.id FROM consult_statements st JOIN consult_questions q ON "
                                "q.id = st.question_id JOIN consult_consultations c ON c.id = q.consultation_id "
                                "WHERE c.slug = ? ORDER BY st.id", (slug,))[index][0]


def test_bad_answers_keep_what_was_typed(consultation, client):
    slug, q = consultation["slug"], consultation["q"]
    typed = "My long answer that must not be lost"
    bad = client.post(f"/consult/{slug}/answer", {"action": "submit", "submitter_type": "organisation",
                                                  f"q{q[0]}": typed, f"q{q[3]}": "9",
                                                  "attachments": io.BytesIO(b"MZ\x90\x00 not a document")})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert typed in text and "only PDF and DOCX" in text
    missing = client.post(f"/consult/{slug}/answer", {"action": "submit", "submitter_type": "organisation",
                                                      f"q{q[0]}": typed, f"q{q[3]}": "9"})
    assert re.search(r"q\d+: choose a whole number from 1 to 5", missing.content.decode())
    assert "consent" in missing.content.decode() and "organisation" in missing.content.decode()


def test_roles_and_draft_consultations(consultation, client, login):
    assert client.get("/consult/new").status_code in (302, 403)
    assert login("reader").get("/consult/new").status_code == 403
    assert login("reader").get(f"/consult/{consultation['slug']}/moderate").status_code == 403
    reader = login("reader")
    closed = consultation["organiser"].post("/consult/new", {"title": "Not yet open"})
    slug = closed["Location"].rstrip("/").split("/")[-2]
    assert reader.get(f"/consult/{slug}/").status_code == 403
    assert client.get(f"/api/consult/consultations/{slug}").status_code in (401, 404)


def test_import_csv_names_the_bad_row_and_keeps_what_was_there(consultation):
    slug, organiser = consultation["slug"], consultation["organiser"]
    good = "submitter_type,organisation,country,Q1,Q2\norganisation,Ghent Refugee Desk,BE,We run a desk,More money\n"
    ok = organiser.post(f"/consult/{slug}/import", {"file": _upload("offline.csv", good)})
    assert ok.status_code == 302
    before = sql(organiser_hub(), "SELECT count(*) FROM consult_submissions")[0][0]
    bad = "submitter_type,organisation,Q1\norganisation,Org A,fine\nmartian,,bad row\n"
    refused = organiser.post(f"/consult/{slug}/import", {"file": _upload("offline.csv", bad)})
    assert refused.status_code == 400 and "row 3" in refused.content.decode()
    unknown = organiser.post(f"/consult/{slug}/import", {"file": _upload("x.csv", "who,Q99\na,b\n")})
    assert "unknown column" in unknown.content.decode()
    broken = organiser.post(f"/consult/{slug}/import", {"file": _upload("x.xlsx", "PK\x03\x04broken")})
    assert "not a readable XLSX" in broken.content.decode()
    assert sql(organiser_hub(), "SELECT count(*) FROM consult_submissions")[0][0] == before


def test_xlsx_import(consultation):
    from openpyxl import Workbook

    slug, organiser = consultation["slug"], consultation["organiser"]
    book = Workbook()
    sheet = book.active
    sheet.append(["submitter_type", "organisation", "Q2", "Q5 pro"])
    sheet.append(["city", "City of Utrecht", "Mayors should share data", "Faster access"])
    buf = io.BytesIO()
    book.save(buf)
    ok = organiser.post(f"/consult/{slug}/import", {"file": _upload("offline.xlsx", buf.getvalue())})
    assert ok.status_code == 302
    assert b"City of Utrecht" in organiser.get(f"/consult/{slug}/submissions").content


def _upload(name: str, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data.encode() if isinstance(data, str) else data)


def test_opinion_groups_api_answers_the_groups_of_the_votes(hub, login, tmp_path):
    from migrahub.consult import opinion, polis_csv
    from migrahub.services.consult import polis
    from migrahub.store.database import connect

    rng = __import__("random").Random(5)
    votes = [opinion.Vote(f"p{g}{i}", str(s), (1 if (s < 6) == (g == 0) else -1) if rng.random() > 0.05 else 0)
             for g in (0, 1) for i in range(15) for s in range(12)]
    folder = tmp_path / "polis"
    folder.mkdir()
    comments = [polis_csv.Comment(str(s), "0", f"Statement number {s}", 1) for s in range(12)]
    (folder / "comments.csv").write_text(polis_csv.write_comments(comments, votes))
    (folder / "votes.csv").write_text(polis_csv.write_votes(votes))
    organiser = login("curator")
    made = organiser.post("/consult/new", {"title": "Two camps", "consent_text": ""})
    slug = made["Location"].rstrip("/").split("/")[-2]
    organiser.post(f"/consult/{slug}/manage", {"action": "phase", "phase": "open"})
    conn = connect(hub.db)
    try:
        polis.import_into(conn, slug, folder, "curator1")
    finally:
        conn.close()
    reader = login("reader")
    first = reader.get(f"/api/consult/consultations/{slug}/opinion-groups")
    assert first.status_code == 200 and first["Content-Type"] == "application/json"
    body = json.loads(first.content)
    assert body["n_groups"] == 2
    assert sorted(body["statements"].values()) == sorted(f"Statement number {s}" for s in range(12))
    camps = {g: {body["groups"][f"polis-p{g}{i}"] for i in range(15)} for g in (0, 1)}
    assert len(camps[0]) == len(camps[1]) == 1 and camps[0] != camps[1]
    assert reader.get(f"/api/consult/consultations/{slug}/opinion-groups").content == first.content  # kept
