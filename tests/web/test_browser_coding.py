"""Real-browser test of the coding workspace: `migrahub serve` on a hub with the demo codebook loaded
(`migrahub codebook load demo/codebook.yaml`) and machine suggestions (`migrahub suggest`); a coder codes a selected
span (code-point offsets computed by coding.js), accepts a suggestion and runs the auto-coder from the page.

Uses the chromium launcher and page fixture of test_browser.py (skips the same way where chromium is absent).
"""

from __future__ import annotations

import subprocess
import urllib.parse
import urllib.request

import pytest
from test_browser import MIGRAHUB, SHOTS, _chromium, _targets, browser, page, serving  # noqa: F401
from webhelpers import DEMO, PASSWORD, sql

from tests.backends.postgresql import hub_env

pytestmark = pytest.mark.browser

BOOK = "Demo local governance"
SPAN_DOC = ("# Plimsoll-Malmö välkomnar\n\n"
            "Malmö 🇸🇪 öppnar ett välkomstcenter för nyanlända flyktingar i Plimsoll-Malmö.\n\n"
            "Kommunen samarbetar med föreningar om språkkurser och bostäder.\n")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    chromium = _chromium()
    folder = tmp_path_factory.mktemp("served-coding")
    db = folder / "hub.sqlite3"
    extra = folder / "docs"
    extra.mkdir()
    (extra / "plimsoll-malmo.md").write_text(SPAN_DOC, encoding="utf-8")
    env = hub_env()
    # the web journey, not the embeddings (tests/coding covers them): word and character features suggest faster
    env.update(MIGRAHUB_DB=str(db), MIGRAHUB_PASSWORD=PASSWORD, MIGRAHUB_CODING_EMBEDDINGS="off")
    run = lambda *args: subprocess.run([*MIGRAHUB, *args], env=env, capture_output=True, text=True, timeout=300)  # noqa: E731
    ingested = run("ingest", "--quiet", *_targets(), str(extra))
    assert ingested.returncode in (0, 1), ingested.stderr
    loaded = run("codebook", "load", str(DEMO / "codebook.yaml"))
    assert loaded.returncode == 0 and BOOK in loaded.stdout, loaded.stderr
    suggested = run("suggest", "--codebook", BOOK)
    assert suggested.returncode == 0, suggested.stderr
    made = run("user", "create", "coder1", "--role", "coder")
    assert made.returncode == 0, made.stderr
    with serving(env, folder) as base:
        yield {"base": base, "chromium": chromium, "db": db}


def _sign_in(pg):
    pg.goto("/accounts/login/")
    pg.get_by_label("User name").fill("coder1")
    pg.get_by_label("Password").fill(PASSWORD)
    pg.get_by_role("button", name="Sign in").click()
    pg.get_by_text("Signed in as").wait_for()


def test_coder_codes_a_span_accepts_a_suggestion_and_runs_the_autocoder(page, server):  # noqa: F811
    db = server["db"]
    did = sql(db, "SELECT document_id FROM passages WHERE instr(text, 'öppnar ett') > 0")[0][0]
    text = sql(db, "SELECT text FROM documents WHERE id = ?", (did,))[0][0]
    word = "välkomstcenter"
    start = text.index(word)  # code points (the flag before it is 2 code points, 4 UTF-16 units)
    pid = sql(db, "SELECT id FROM passages WHERE document_id = ? AND instr(text, ?) > 0", (did, word))[0][0]
    _sign_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Coding", exact=True).click()
    page.get_by_role("heading", name="Coding workspace").wait_for()
    url = f"/code/{did}?{urllib.parse.urlencode({'codebook': BOOK})}"
    page.goto(url)
    # select the word with the mouse-equivalent DOM API (offsets in UTF-16 there), as a user's drag would
    page.evaluate("""([pid, word]) => {
        const el = document.querySelector('#p-' + pid + ' .passage-text');
        const node = el.firstChild;
        const i = node.data.indexOf(word);
        const r = document.createRange();
        r.setStart(node, i); r.setEnd(node, i + word.length);
        const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
        el.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
    }""", [pid, word])
    panel = page.locator("#coding-control")
    page.wait_for_function(f"document.querySelector('#coding-control input.span-start').value === '{start}'")
    assert panel.locator("input.span-end").input_value() == str(start + len(word))
    assert panel.locator("input.span-passage").input_value() == str(pid)
    assert word in panel.locator(".span-choice").inner_text()
    panel.get_by_label("Code", exact=True).select_option("OFFER.WELCOME")
    panel.get_by_role("button", name="Add code to the selection").click()
    page.locator(f"#p-{pid} .codings.applied q.span-text", has_text=word).wait_for()
    page.locator(f"#p-{pid} mark.coded", has_text=word).wait_for()  # the span in its code's colour
    row = sql(db, "SELECT a.* FROM coding_actions a JOIN coders c ON c.id = a.coder_id WHERE c.name = 'coder1' "
                    "ORDER BY a.id DESC LIMIT 1")[0]
    assert (row["action"], row["code_id"], row["start"], row["end"]) == ("add", "OFFER.WELCOME", start,
                                                                        start + len(word))
    # whole-passage coding of the next passage (no selection): the passage's own button sends the same control
    other = sql(db, "SELECT id FROM passages WHERE document_id = ? AND instr(text, 'Kommunen') > 0", (did,))[0][0]
    page.locator("#coding-control").get_by_label("Code", exact=True).select_option("COOP.CIVIL")
    page.locator(f"#p-{other} .passage-actions").get_by_role("button", name="Code passage").click()
    page.locator(f"#p-{other} .codings.applied .code-name", has_text="Partnership with civil society").wait_for()

    # run the auto-coder from the page, then accept one of its suggestions
    page.get_by_role("button", name="Suggest codes").click()
    page.get_by_text("new suggestions on").wait_for()
    pending = sql(db, "SELECT document_id, passage_id, code_id FROM current_codings WHERE status = 'suggested' "
                        "AND passage_id IS NOT NULL ORDER BY document_id = ? DESC, confidence DESC LIMIT 1", (did,))
    assert pending, "the auto-coder made no suggestion"
    sdoc, spid, scode = pending[0]
    if sdoc != did:
        page.goto(f"/code/{sdoc}?{urllib.parse.urlencode({'codebook': BOOK})}")
    name = sql(db, "SELECT name FROM codes WHERE code_id = ?", (scode,))[0][0]
    suggestion = page.locator(f"#p-{spid} .codings.suggested li", has=page.locator(".code-name", has_text=name))
    suggestion.get_by_role("button", name=f"Accept {name}").click()
    page.locator(f"#p-{spid} .codings.applied li", has_text="coder1").filter(has_text=name).wait_for()
    assert page.locator(f"#p-{spid} .codings.suggested .code-name", has_text=name).count() == 0
    accepted = sql(db, "SELECT count(*) FROM coding_actions a JOIN coders c ON c.id = a.coder_id "
                         "WHERE c.name = 'coder1' AND a.action = 'accept' AND a.code_id = ?", (scode,))[0][0]
    assert accepted == 1
    assert page.errors == []

    page.goto(url)
    page.locator(f"#p-{pid} q.span-text", has_text=word).wait_for()
    # the screenshot: the accepted suggestion's passage with its neighbours' pending suggestions
    page.goto(f"/code/{sdoc}?{urllib.parse.urlencode({'codebook': BOOK})}#p-{spid}")
    page.locator(f"#p-{spid} .codings.applied").wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "coding-workspace.png"))

    # the review queue and the document page's read-only labels
    page.goto(f"/code/review?{urllib.parse.urlencode({'codebook': BOOK})}")
    page.get_by_role("heading", name="Pending suggestions").wait_for()
    page.goto(f"/documents/{did}")
    page.locator(".code-label", has_text="Welcome and orientation").wait_for()
    assert page.errors == []
