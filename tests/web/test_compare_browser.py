"""Real-browser test of Compare: a curator loads a two-edition index with its peers' answers, enters one city's
answers in the questionnaire with evidence linked to a hub passage (suggested from the city's documents), and the
city's profile shows its scores, its rank among its peers and a practice from a higher-scoring peer.

Uses the chromium launcher and page fixture of test_browser.py (skips the same way where chromium is absent).

The same test then runs axe-core (vendored in tests/web/vendor/, injected in a context with ``bypass_csp=True``) on
every compare page at desktop and phone sizes; the journey itself runs under the hub's CSP and must log no CSP
violation.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from importlib import resources

import pytest
from axecheck import page_problems
from test_browser import CHROMIUM_ARGS, MIGRAHUB, SHOTS, _chromium, browser, page, serving  # noqa: F401
from webhelpers import PASSWORD, sql

from tests.backends.postgresql import hub_env

pytestmark = pytest.mark.browser

EXAMPLES = resources.files("migrahub.compare") / "data" / "examples"
DOCS = {
    "bilbao-rumours.md": "# Bilbao communication report\n\n## Anti-rumour strategy\n\nThe City of Bilbao runs an "
                         "anti-rumour campaign that trains volunteer agents to answer prejudice about newcomers in "
                         "neighbourhood associations and schools. The programme started in 2013 and now reaches "
                         "every district of Bilbao.\n",
    "ghent-legal.md": "# Ghent newcomers policy\n\n## Legal aid\n\nThe city of Ghent funds free legal advice for newly "
                      "arrived residents through a legal aid desk in the city centre, open to every newcomer.\n",
}
GHENT_2025 = {"SERV1": "yes", "SERV2": "yes", "SERV3": "yes", "PART1": "yes", "PART2": "3", "COMM1": "yes",
              "COMM2": "partly"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    chromium = _chromium()
    folder = tmp_path_factory.mktemp("served-compare")
    db = folder / "hub.sqlite3"
    docs = folder / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO((EXAMPLES / "cities_demo_answers.csv").read_text("utf-8"))))
    peers = [r for r in rows if not (r["unit"] == "GHENT" and r["edition"] == "2025")]
    answers = folder / "peers.csv"
    with answers.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(peers)
    env = hub_env()
    env.update(MIGRAHUB_DB=str(db), MIGRAHUB_PASSWORD=PASSWORD)
    run = lambda *args: subprocess.run([*MIGRAHUB, *args], env=env, capture_output=True, text=True, timeout=300)  # noqa: E731
    ingested = run("ingest", "--quiet", str(docs))
    assert ingested.returncode == 0, ingested.stderr
    made = run("user", "create", "curator1", "--role", "curator")
    assert made.returncode == 0, made.stderr
    with serving(env, folder) as base:
        yield {"base": base, "chromium": chromium, "db": db, "answers": answers}


def _axe_violations(browser, server, paths: list[str]) -> list[str]:  # noqa: F811
    found = []
    for viewport in ({"width": 1280, "height": 900}, {"width": 375, "height": 740}):
        context = browser.new_context(viewport=viewport, base_url=server["base"], bypass_csp=True)
        pg = context.new_page()
        _sign_in(pg)
        for path in paths:
            found += page_problems(pg, path)
        context.close()
    return found


def _sign_in(pg) -> None:
    pg.goto("/accounts/login/")
    pg.get_by_label("User name").fill("curator1")
    pg.get_by_label("Password").fill(PASSWORD)
    pg.get_by_role("button", name="Sign in").click()
    pg.get_by_text("Signed in as").wait_for()


def test_curator_enters_answers_with_evidence_and_sees_the_profile(page, browser, server):  # noqa: F811
    db = server["db"]
    console = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    _sign_in(page)
    page.goto("/compare/")
    page.get_by_label("Index definition (YAML)").set_input_files(str(EXAMPLES / "cities_demo.yaml"))
    page.get_by_label("Answers (CSV or XLSX)").set_input_files(str(server["answers"]))
    page.get_by_role("button", name="Load").click()
    page.get_by_role("heading", name="Inclusive cities demo index").wait_for()
    assert "Imported 49 answers of 4 units" in page.locator(".messages").inner_text()
    assert page.locator("#edition option").all_inner_texts() == ["2022 edition", "2025 edition"]

    page.get_by_label("Unit code").fill("GHENT")
    page.get_by_label("Name").fill("Ghent")
    page.get_by_label("Country (ISO code)").fill("BE")
    page.get_by_role("button", name="Open the questionnaire").click()
    page.get_by_role("heading", name="Questionnaire of Ghent").wait_for()
    page.get_by_role("button", name="Suggest evidence from the hub").click()
    page.get_by_text("suggested as evidence").wait_for()
    for code, answer in GHENT_2025.items():
        page.locator(f'input[name="answer-{code}"][value="{answer}"]').check()
    legal = page.locator("#q-SERV1")
    suggestion = legal.get_by_label("Use suggested passage", exact=False)
    assert "legal aid desk" in legal.locator("blockquote").first.inner_text()
    suggestion.first.check()
    page.get_by_label("Source of SERV1").fill("Ghent newcomers policy")
    page.get_by_role("button", name="Save answers").click()

    page.get_by_role("heading", name="Ghent", exact=True).wait_for()
    assert page.locator("#overall-score").inner_text() == "93.8"
    cards = page.locator(".cards").inner_text()
    assert "Rank among all units" in cards and "1st of 4" in cards
    assert "Rank among peers (size: large)" in cards  # Ghent, Bilbao and Malmö are large cities in GeoNames
    table = page.get_by_role("table", name="Scores by area of Ghent and the mean of all units")
    assert "Public communication" in table.inner_text() and "75.0" in table.inner_text()
    assert page.get_by_role("img", name="Scores by area").count() == 1
    assert page.get_by_role("img", name="Overall score in each edition").count() == 1
    practices = page.get_by_role("region", name="Practices from peers that score higher in Public communication")
    assert "Bilbao" in practices.inner_text() and "nti-rumour" in practices.inner_text()
    answers = page.get_by_role("region", name="Answers and evidence").inner_text()
    assert "source: Ghent newcomers policy" in answers and "evidence passage" in answers

    stored = sql(db, "SELECT a.evidence, a.answered_by FROM compare_answers a JOIN compare_units u ON u.id = a.unit_id "
                     "WHERE u.code = 'GHENT' AND a.indicator = 'SERV1' AND a.edition_id = (SELECT id FROM "
                     "compare_editions WHERE code = '2025')")[0]
    evidence = json.loads(stored["evidence"])
    text = sql(db, "SELECT text FROM passages WHERE id = ?", (evidence[0]["passage_id"],))[0][0]
    assert "legal aid desk" in text and stored["answered_by"] == "curator1"
    logged = sql(db, "SELECT count(*) FROM actions WHERE verb = 'compare.answer' AND actor = 'curator1'")[0][0]
    assert logged == 49 + len(GHENT_2025)
    assert page.errors == [] and console == [], console  # no script error, no CSP violation
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "compare-profile.png"), full_page=True)

    pages = ["/compare/", "/compare/cities-demo/", "/compare/cities-demo/units/GHENT/",
             "/compare/cities-demo/units/GHENT/answers?edition=2025", "/compare/cities-demo/indicators/COMM2",
             "/compare/cities-demo/compare?units=GHENT&units=BILBAO"]
    assert _axe_violations(browser, server, pages) == []
