"""Real-browser tests of the workbench: axe-core on every page type (desktop and phone), no console errors, and the
journeys of a researcher, a curator and a phone-sized visitor.

axe-core is vendored under tests/web/vendor/ (axe.min.js 4.14.1 from the npm package `axe-core`, MPL-2.0, licence
beside it); it is injected into pages of a browser context created with ``bypass_csp=True`` (the hub's CSP forbids
injected scripts). Uses the chromium launcher of test_browser.py (skips the same way where chromium is absent).
"""

from __future__ import annotations

import os
import subprocess
import urllib.parse
from pathlib import Path

import pytest
from test_browser import CHROMIUM_ARGS, MIGRAHUB, _chromium, _targets, serving
from webhelpers import DEMO, PASSWORD, REPO, sql

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]
BOOK = "Demo local governance"
DOCS_SHOTS = REPO / "docs" / "screenshots"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    chromium = _chromium()
    folder = tmp_path_factory.mktemp("served-workbench")
    db = folder / "hub.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIGRAHUB_", "DJANGO_"))}
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


def _axe(pg) -> list[str]:
    """axe-core's violations on the current page, one line each (rule, impact, first targets)."""
    if not pg.evaluate("typeof window.axe !== 'undefined'"):
        pg.add_script_tag(path=str(AXE))
    result = pg.evaluate("tags => axe.run(document, {runOnly: tags}).then(r => r.violations.map(v => "
                         "`${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`))",
                         AXE_TAGS)
    return result


def _shot(pg, name: str, full_page: bool = False) -> None:
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(DOCS_SHOTS / f"{name}.png"), full_page=full_page)


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
            f"/code/analysis/documents?{q}", f"/code/analysis/agreement?{q}"]


def test_axe_finds_no_violation_and_the_console_stays_clean(browser, server):
    found = {}
    for phone in (False, True):
        context, pg = _context(browser, server, phone=phone)
        if not phone:
            _sign_in(pg, "coder1")
        for url in _page_types(server["db"]):
            response = pg.goto(url)
            pg.wait_for_load_state("load")
            violations = _axe(pg) if response.status == 200 else [f"status {response.status}"]
            if violations:
                found[("phone " if phone else "") + url] = violations
        errors = pg.console_errors
        context.close()
        assert errors == [], errors
    assert found == {}, "\n".join(f"{u}: {v}" for u, vs in found.items() for v in vs)
