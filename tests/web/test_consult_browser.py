"""Real-browser test of a consultation from questions to report (Debian's Chromium driven by playwright against
`migrahub serve`): an organiser creates a consultation with six questions; three people answer (one anonymous, one
uploading a PDF); a moderator hides one answer; the draft report quotes the two others and links a practice and a
city page of the hub; the hidden answer appears nowhere — pages, HTML, PDF, DOCX, Markdown, CSV, JSON, API.

Uses the chromium launcher and page fixture of test_browser.py (skips the same way where chromium is absent).
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile

import pytest
from axecheck import page_problems
from test_browser import MIGRAHUB, SHOTS, _chromium, _targets, browser, page, serving  # noqa: F401
from webhelpers import DEMO, PASSWORD, sql

from tests.backends.postgresql import hub_env

pytestmark = pytest.mark.browser

HIDDEN = "Quokka-hidden-answer-5519"
QUESTIONS = [("text", "Which good practices does your organisation or city run?", ""),
             ("text", "What should mayors do in the next two years?", ""),
             ("choice", "Main priority for the forum", "Housing\nJobs\nSchools"),
             ("scale", "How urgent is action?", "1\n5"),
             ("procon", "A municipal ID card for all residents?", ""),
             ("statements", "Vote on these statements", "Cities should issue ID cards\nHousing comes first")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    chromium = _chromium()
    folder = tmp_path_factory.mktemp("served-consult")
    db = folder / "hub.sqlite3"
    env = hub_env()
    env.update(MIGRAHUB_DB=str(db), MIGRAHUB_PASSWORD=PASSWORD)
    run = lambda *args: subprocess.run([*MIGRAHUB, *args], env=env, capture_output=True, text=True, timeout=300)  # noqa: E731
    ingested = run("ingest", "--quiet", *_targets())
    assert ingested.returncode in (0, 1), ingested.stderr
    loaded = run("codebook", "load", str(DEMO / "codebook.yaml"))
    assert loaded.returncode == 0, loaded.stderr
    for name, role in (("admin1", "admin"), ("curator1", "curator")):
        made = run("user", "create", name, "--role", role)
        assert made.returncode == 0, made.stderr
    with serving(env, folder) as base:
        yield {"base": base, "chromium": chromium, "db": db}


def _hub_practice_and_city(db) -> tuple[int, str, int, str]:
    practices = sql(db, "SELECT id, name FROM entities WHERE category = 'practices' AND merged_into IS NULL "
                        "AND length(name) >= 12 ORDER BY id")
    cities = sql(db, "SELECT id, name FROM entities WHERE category = 'places' AND merged_into IS NULL AND "
                     "json_extract(data, '$.type') = 'city' AND length(name) >= 4 ORDER BY id")
    assert practices and cities, "the test hub needs a practice and a city"
    return practices[0]["id"], practices[0]["name"], cities[0]["id"], cities[0]["name"]


def _sign_in(pg, user):
    pg.goto("/accounts/login/")
    pg.get_by_label("User name").fill(user)
    pg.get_by_label("Password").fill(PASSWORD)
    pg.get_by_role("button", name="Sign in").click()
    pg.get_by_text("Signed in as").wait_for()


def _sign_out(pg):
    pg.get_by_role("button", name="Sign out").click()


def _pdf(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def _text_of(name: str, data: bytes) -> str:
    """What a reader of the file sees: PDF text, DOCX XML, else the bytes as text."""
    if name.endswith(".pdf"):
        from pypdf import PdfReader

        return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    if name.endswith(".docx"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    return data.decode("utf-8", "replace")


def test_consultation_from_questions_to_report(page, server, browser, tmp_path):  # noqa: F811
    db = server["db"]
    practice_id, practice, city_id, city = _hub_practice_and_city(db)
    key = re.split(r" [–—-] |: ", practice)[0]

    # the organiser creates the consultation and its six questions, then opens it
    _sign_in(page, "admin1")
    page.goto("/consult/new")
    page.get_by_label("Title").fill("Global consultation ahead of the mayors forum")
    page.get_by_label("Description").fill("Six guiding questions for cities and civil society.")
    page.get_by_role("button", name="Create consultation").click()
    page.get_by_role("heading", name=re.compile("^Manage")).wait_for()
    slug = page.url.rstrip("/").split("/")[-2]
    for kind, prompt, options in QUESTIONS:
        page.get_by_label("Kind").select_option(kind)
        page.get_by_label("Question", exact=True).fill(prompt)
        if kind == "statements":
            page.get_by_label("Statements to vote on (one per line)").fill(options)
        elif options:
            page.get_by_label(re.compile("Options \\(choice")).fill(options)
        page.get_by_role("button", name="Add question").click()
        page.get_by_text(re.compile(r"Question \d added")).wait_for()
    page.get_by_label("Move to phase").select_option("open")
    page.get_by_role("button", name="Change phase").click()
    page.get_by_text("The consultation is now open").wait_for()
    _sign_out(page)

    # three people answer: an organisation, an anonymous person with a PDF, a third one whose answer is hidden
    receipts = []
    answers = [
        {"type": "organisation", "org": "Welcoming Cities Alliance",
         "q1": f"We run the programme {key} in {city}: it helps newcomers find housing.",
         "q2": "Mayors should guarantee access to services for all residents."},
        {"type": "anonymous", "q2": f"The city should keep shelters open all year in {city}.",
         "pdf": "Our neighbourhood group recommends free language courses for every newcomer."},
        {"type": "individual", "q2": f"{HIDDEN} mayors should resign."},
    ]
    for a in answers:
        page.goto(f"/consult/{slug}/answer")
        page.get_by_label(a["type"], exact=True).check()
        if a.get("org"):
            page.get_by_label("Name of the organisation or city").fill(a["org"])
        if a.get("q1"):
            page.get_by_label("Your answer to question 1").fill(a["q1"])
        page.get_by_label("Your answer to question 2").fill(a["q2"])
        page.get_by_label("Housing").check()
        page.get_by_label("Points for (one per line)").fill("Access to services")
        page.get_by_label("agree", exact=True).first.check()
        if a.get("pdf"):
            pdf = tmp_path / "answer.pdf"
            pdf.write_bytes(_pdf(a["pdf"]))
            page.get_by_label(re.compile("Attach documents")).set_input_files(str(pdf))
        page.get_by_label(re.compile("I agree that")).check()
        page.get_by_role("button", name="Submit").click()
        page.get_by_role("heading", name="Receipt").wait_for()
        assert "published" in page.get_by_role("status").inner_text()
        receipts.append(page.url)
    hidden_id = sql(db, "SELECT submission_id FROM consult_answers WHERE instr(original, ?) > 0", (HIDDEN,))[0][0]

    # a moderator hides the third answer
    _sign_in(page, "curator1")
    page.goto(f"/consult/{slug}/moderate")
    item = page.locator(f"#m{hidden_id}")
    item.get_by_label("Action").select_option("hide")
    item.get_by_label("Note").fill("off-topic and abusive")
    item.get_by_role("button", name=f"Apply to submission {hidden_id}").click()
    page.get_by_text(f"Submission {hidden_id}: hide done").wait_for()
    _sign_out(page)

    # the organiser generates the draft report
    _sign_in(page, "admin1")
    page.goto(f"/consult/{slug}/report")
    page.get_by_role("button", name="Generate the draft report").click()
    page.get_by_text("The draft report was generated").wait_for()
    report = page.locator("article.report")
    quotes = report.locator("blockquote")
    assert quotes.filter(has_text="Welcoming Cities Alliance").count() >= 1
    assert quotes.filter(has_text="anonymous").count() >= 1
    assert report.locator(f'a[href="/entities/{practice_id}"]').count() >= 1, "no link to the hub's practice"
    assert report.locator(f'a[href="/entities/{city_id}"]').count() >= 1, "no link to the city page"
    assert report.locator("a.src").count() >= 3
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "consult-report.png"), full_page=True)
    report.locator(f'a[href="/entities/{city_id}"]').first.click()
    page.get_by_role("heading", name=city).first.wait_for()

    # the hidden answer appears nowhere
    outputs = {}
    for path in (f"/consult/{slug}/", f"/consult/{slug}/submissions", f"/consult/{slug}/report",
                 f"/consult/{slug}/submissions.csv", f"/consult/{slug}/submissions.json",
                 f"/consult/{slug}/report.html", f"/consult/{slug}/report.md", f"/consult/{slug}/report.pdf",
                 f"/consult/{slug}/report.docx", f"/consult/{slug}/polis/votes.csv",
                 f"/consult/{slug}/polis/participants-votes.csv", f"/api/consult/consultations/{slug}/submissions",
                 f"/api/consult/consultations/{slug}/report", f"/api/consult/consultations/{slug}/opinion-groups",
                 "/api/consult/consultations", "/consult/", *receipts[:2]):
        response = page.request.get(path)
        assert response.status == 200, (path, response.status)
        outputs[path] = _text_of(path, response.body())
    for path, text in outputs.items():
        assert HIDDEN not in text, f"the hidden answer leaked into {path}"
    assert "Welcoming Cities Alliance" in outputs[f"/consult/{slug}/report.pdf"]
    assert "Welcoming Cities Alliance" in outputs[f"/consult/{slug}/report.docx"]
    data = json.loads(outputs[f"/consult/{slug}/submissions.json"])
    assert len(data["submissions"]) == 2
    assert any("language courses" in t for s in data["submissions"] for t in s["attachments"])
    assert page.errors == []
    assert _axe_violations(browser, server, [
        "/consult/", f"/consult/{slug}/", f"/consult/{slug}/submissions", f"/consult/{slug}/report",
        f"/consult/{slug}/moderate", f"/consult/{slug}/manage", f"/consult/{slug}/report/edit",
        "/incidents/report", "/incidents/", "/incidents/review", receipts[0]]) == []
    # the answer form is checked signed out, as most people answer
    assert _axe_violations(browser, server, [f"/consult/{slug}/answer"], sign_in=False) == []


def _axe_violations(browser, server, paths: list[str], sign_in: bool = True) -> list[str]:  # noqa: F811
    """axe-core's violations (desktop and phone widths) and pages that scroll sideways on a phone."""
    found = []
    for viewport in ({"width": 1280, "height": 900}, {"width": 375, "height": 740}):
        context = browser.new_context(viewport=viewport, base_url=server["base"], bypass_csp=True)
        pg = context.new_page()
        if sign_in:
            _sign_in(pg, "admin1")
        for path in paths:
            found += page_problems(pg, path)
        context.close()
    return found
