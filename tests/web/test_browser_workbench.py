"""Real-browser tests of the workbench: axe-core on every page type (desktop and phone), no console errors, and the
journeys of a researcher, a curator and a phone-sized visitor.

axe-core is vendored under tests/web/vendor/ (axe.min.js 4.14.1 from the npm package `axe-core`, MPL-2.0, licence
beside it); it is injected into pages of a browser context created with ``bypass_csp=True`` (the hub's CSP forbids
injected scripts). Uses the chromium launcher of test_browser.py (skips the same way where chromium is absent).
"""

from __future__ import annotations

import re
import subprocess
import urllib.parse
from pathlib import Path

import pytest
from axecheck import violations
from test_browser import CHROMIUM_ARGS, MIGRAHUB, SHOTS, _chromium, _targets, serving
from webhelpers import DEMO, PASSWORD, sql

from tests.backends.postgresql import hub_env

pytestmark = pytest.mark.browser

BOOK = "Demo local governance"
PHONE_PAGES = ("/", "/search", "/network", "/events", "/practices", "/stats", "/api/docs")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    chromium = _chromium()
    folder = tmp_path_factory.mktemp("served-workbench")
    db = folder / "hub.sqlite3"
    env = hub_env()
    env.update(MIGRAHUB_DB=str(db), MIGRAHUB_PASSWORD=PASSWORD, MIGRAHUB_CODING_EMBEDDINGS="off")
    run = lambda *args: subprocess.run([*MIGRAHUB, *args], env=env, capture_output=True, text=True, timeout=300)  # noqa: E731
    ingested = run("ingest", "--quiet", *_targets())
    assert ingested.returncode in (0, 1), ingested.stderr
    loaded = run("codebook", "load", str(DEMO / "codebook.yaml"))
    assert loaded.returncode == 0, loaded.stderr
    suggested = run("suggest", "--codebook", BOOK)
    assert suggested.returncode == 0, suggested.stderr
    for role in ("coder", "curator"):
        made = run("user", "create", f"{role}1", "--role", role)
        assert made.returncode == 0, made.stderr
    with serving(env, folder) as base:
        yield {"base": base, "chromium": chromium, "db": db}


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=server["chromium"], headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _context(browser, server, phone: bool = False):
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=size, base_url=server["base"], bypass_csp=True, is_mobile=phone,
                                  has_touch=phone, accept_downloads=True)
    pg = context.new_page()
    pg.console_errors = []
    pg.on("console", lambda m: pg.console_errors.append(f"{pg.url}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.console_errors.append(f"{pg.url}: {e}"))
    return context, pg


def _sign_in(pg, user: str) -> None:
    pg.goto("/accounts/login/")
    pg.get_by_label("User name").fill(user)
    pg.get_by_label("Password").fill(PASSWORD)
    pg.get_by_role("button", name="Sign in").click()
    pg.get_by_text("Signed in as").wait_for()


def _shot(pg, name: str, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def _page_types(db) -> list[str]:
    did = sql(db, "SELECT document_id FROM mentions GROUP BY document_id ORDER BY count(*) DESC LIMIT 1")[0][0]
    entity = sql(db, "SELECT entity_id FROM mentions m JOIN entities e ON e.id = m.entity_id "
                     "WHERE e.category = 'places' GROUP BY entity_id ORDER BY count(*) DESC LIMIT 1")[0][0]
    code = sql(db, "SELECT code_id FROM codes LIMIT 1")[0][0]
    book = urllib.parse.quote(BOOK)
    q = urllib.parse.urlencode({"codebook": BOOK})
    return ["/", "/search?q=city", f"/documents/{did}", f"/entities/{entity}", "/entities/organisations",
            "/practices", "/events", "/network", "/stats", "/sources", "/feed", "/accounts/login/", "/api/docs",
            "/code/", f"/code/{did}?{q}", f"/code/review?{q}", f"/code/codebooks/{book}",
            f"/code/codebooks/{book}/codes/{code}", f"/code/analysis?{q}", f"/code/analysis/cooccurrence?{q}",
            f"/code/analysis/documents?{q}", f"/code/analysis/agreement?{q}", "/curate/duplicates", "/curate/ingest",
            "/curate/synonyms"]


def test_axe_finds_no_violation_and_the_console_stays_clean(browser, server):
    found = {}
    for phone in (False, True):
        context, pg = _context(browser, server, phone=phone)
        if not phone:
            _sign_in(pg, "curator1")  # a curator sees every page type (coding, analysis, curation)
        urls = _page_types(server["db"])
        if phone:  # the layouts that change on a small screen
            urls = [u for u in urls if u.split("?")[0] in PHONE_PAGES or u.startswith(("/documents/", "/code/"))][:10]
        for url in urls:
            response = pg.goto(url)
            pg.wait_for_load_state("load")
            problems = violations(pg) if response.status == 200 else [f"status {response.status}"]
            if problems:
                found[("phone " if phone else "") + url] = problems
        errors = pg.console_errors
        context.close()
        assert errors == [], errors
    assert found == {}, "\n".join(f"{u}: {v}" for u, vs in found.items() for v in vs)


def test_phone_visitor_opens_the_filters_and_the_network_list(browser, server):
    context, pg = _context(browser, server, phone=True)
    pg.goto("/?q=city")
    toggle = pg.get_by_role("button", name="Menu")
    assert toggle.get_attribute("aria-expanded") == "false" and not pg.locator("#main-nav").is_visible()
    toggle.click()
    assert pg.locator("#main-nav").is_visible()
    toggle.click()
    filters = pg.get_by_role("button", name="Filters")
    assert not pg.locator("#facets").is_visible()
    filters.click()
    assert pg.locator("#facets").is_visible() and filters.get_attribute("aria-expanded") == "true"
    # the facets now come before the results
    assert pg.locator("#facets").bounding_box()["y"] < pg.locator(".hits").bounding_box()["y"]
    link = pg.locator("#facets a[data-key^='language:']").first
    key = link.get_attribute("data-key")
    link.click()
    pg.wait_for_url("**lang=**")
    pg.wait_for_function("document.activeElement && document.activeElement.getAttribute('data-key') === "
                         f"'{key}'")  # focus stays on the filter that was used (now selected)
    live = pg.locator("#results-live")
    pg.wait_for_function("document.getElementById('results-live').textContent.includes('passage')")
    assert "passage" in live.inner_text() and pg.locator("#facets").is_visible()  # the filters stay open
    _shot(pg, "phone-filters")
    pg.goto("/network")
    assert not pg.locator("#network").is_visible()  # the drawing is for large screens
    pg.get_by_text("Records and their links as a list").click()
    items = pg.locator("#network-list .node-list > li")
    assert items.count() >= 3 and items.first.is_visible()
    assert items.first.locator("a").first.bounding_box()["height"] >= 24  # a tap target, not a 5 px dot
    _shot(pg, "phone-network-list")
    overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    errors = pg.console_errors
    context.close()
    assert overflow <= 0 and errors == []


def test_researcher_codes_a_selection_undoes_it_bulk_accepts_and_downloads_the_qdpx(browser, server):
    db = server["db"]
    context, pg = _context(browser, server)
    _sign_in(pg, "coder1")
    q = urllib.parse.urlencode({"codebook": BOOK})
    pg.goto(f"/code/?{q}")
    pick = pg.locator("table.picker tbody a").first
    title = pick.inner_text()
    pick.click()
    pg.wait_for_url("**/code/*?codebook=**")
    assert pg.locator("h1").inner_text() == title
    did = int(pg.url.split("/code/")[1].split("?")[0])
    pid, text = sql(db, "SELECT id, text FROM passages WHERE document_id = ? AND kind = 'paragraph' "
                        "AND length(text) > 40 ORDER BY seq LIMIT 1", (did,))[0]
    word = max(text.split()[:8], key=len).strip(".,;:()")
    # select a word with the DOM API (offsets in UTF-16 there), as a user's drag would
    pg.evaluate("""([pid, word]) => {
        const el = document.querySelector('#p-' + pid + ' .passage-text');
        const node = el.firstChild;
        const i = node.data.indexOf(word);
        const r = document.createRange();
        r.setStart(node, i); r.setEnd(node, i + word.length);
        const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
        el.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
    }""", [pid, word])
    panel = pg.locator("#coding-control")
    pg.wait_for_function("document.querySelector('#coding-control .span-choice').textContent.includes('Selection')")
    panel.get_by_label("Code", exact=True).select_option("OFFER.WELCOME")
    panel.get_by_role("button", name="Add code to the selection").click()
    pg.locator(f"#p-{pid} mark.coded", has_text=word).wait_for()
    start = sql(db, "SELECT start FROM passages WHERE id = ?", (pid,))[0][0] + text.index(word)
    last = sql(db, "SELECT action, code_id, start, \"end\" FROM coding_actions ORDER BY id DESC LIMIT 1")[0]
    assert tuple(last) == ("add", "OFFER.WELCOME", start, start + len(word))
    _shot(pg, "coding-selection")
    pg.locator("#undo-box").get_by_role("button", name="Undo").click()
    pg.get_by_text("Undone: Added").wait_for()
    assert pg.locator(f"#p-{pid} mark.coded").count() == 0
    assert sql(db, "SELECT action FROM coding_actions ORDER BY id DESC LIMIT 1")[0][0] == "remove"

    # the review queue: ten suggestions accepted with the keyboard (j: next, x: select, a: accept)
    pg.goto(f"/code/review?{q}")
    pending = int(sql(db, "SELECT count(*) FROM current_codings WHERE status = 'suggested'")[0][0])
    assert pending >= 10
    pg.locator(".review-list").wait_for()
    for _ in range(10):
        pg.keyboard.press("j")
        pg.keyboard.press("x")
    assert pg.locator("input[name=item]:checked").count() == 10
    pg.keyboard.press("a")
    pg.get_by_text("Accepted 10 suggestions").first.wait_for()
    assert sql(db, "SELECT count(*) FROM current_codings WHERE status = 'suggested'")[0][0] == pending - 10
    accepted = sql(db, "SELECT count(*) FROM coding_actions a JOIN coders c ON c.id = a.coder_id "
                       "WHERE c.name = 'coder1' AND a.action = 'accept'")[0][0]
    assert accepted == 10
    _shot(pg, "review-bulk-accepted")

    # the analysis: the co-occurrence heat map of the accepted codes, its table, and the project as .qdpx
    pg.goto(f"/code/analysis?{q}")
    pg.get_by_role("link", name="Co-occurrence").click()
    pg.wait_for_url("**/code/analysis/cooccurrence**")
    pg.locator("svg[data-chart=hub] rect").first.wait_for()
    assert pg.locator("table.analysis tbody tr").count() >= 2
    _shot(pg, "analysis-cooccurrence", full_page=True)
    with pg.expect_download() as got:
        pg.get_by_role("link", name="CSV").click()
    assert got.value.suggested_filename == "code-cooccurrence.csv"
    with pg.expect_download() as got:
        pg.get_by_role("link", name="Export .qdpx").click()
    path = got.value.path()
    assert got.value.suggested_filename.endswith(".qdpx") and Path(path).read_bytes()[:2] == b"PK"
    errors = pg.console_errors
    context.close()
    assert errors == []


def test_curator_merges_two_duplicates_found_on_the_possible_duplicates_page(browser, server):
    db = server["db"]
    context, pg = _context(browser, server)
    _sign_in(pg, "curator1")
    pg.get_by_role("navigation", name="Main").get_by_role("link", name="Duplicates").click()
    pg.get_by_role("heading", name="Possible duplicates").wait_for()
    pair = pg.locator(".duplicate", has=pg.locator("form")).first
    source = int(pair.locator("input[name=source]").first.input_value())
    into = int(pair.locator("input[name=into]").first.input_value())
    counts = pair.locator(".muted").first.inner_text()
    assert "document" in counts and "mention" in counts
    _shot(pg, "possible-duplicates")
    pair.get_by_role("button", name=re.compile(rf"^Merge .* \({source}\) into .* \({into}\)$")).click()
    pg.get_by_text("Merged “").wait_for()
    assert sql(db, "SELECT merged_into FROM entities WHERE id = ?", (source,))[0][0] == into
    assert pg.locator(f".duplicate input[name=source][value='{source}']").count() == 0
    errors = pg.console_errors
    context.close()
    assert errors == []
