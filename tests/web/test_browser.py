"""Real-browser tests: Debian's Chromium driven by Python playwright against `migrahub serve` run as a subprocess
on a temporary hub (ingested with `migrahub ingest`, users made with `migrahub user create`).

Skipped with a reason when chromium is not installed, except under CI, where its absence is a failure
(`apt-get install -y chromium`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from webhelpers import DEMO, FIXTURES, PASSWORD, REPO

from tests.backends.postgresql import hub_env, open_hub

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# one folder per backend: the two passes of bin/test run side by side (docs/screenshots/ holds copies of them)
SHOTS = REPO / "test-artifacts" / "screenshots" / os.environ.get("MIGRAHUB_TEST_BACKEND", "sqlite")
MIGRAHUB = [str(Path(sys.executable).with_name("migrahub"))]  # the console script of this environment


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium for the browser tests (apt-get install -y chromium)")
        pytest.skip("needs Debian's chromium (apt-get install -y chromium); not installed here")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _targets() -> list[str]:
    corpus = DEMO / "corpus"
    targets = [str(corpus)] if corpus.is_dir() else [str(FIXTURES / "corpus")]
    targets.append(str(FIXTURES / "xss"))
    if (DEMO / "xss").is_dir():
        targets.append(str(DEMO / "xss"))
    return targets


@contextlib.contextmanager
def serving(env: dict, folder: Path):
    """Run `migrahub serve` on a free port of 127.0.0.1 until the block ends; yields its base URL."""
    port = _free_port()
    log = open(folder / "serve.log", "w")
    proc = subprocess.Popen([*MIGRAHUB, "serve", "--port", str(port), "--threads", "4"], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"migrahub serve exited: {(folder / 'serve.log').read_text()}")
                time.sleep(0.2)
        else:
            pytest.fail("migrahub serve did not answer within 30 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)  # gunicorn lets its workers finish; a busy machine takes a while
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        finally:
            log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    chromium = _chromium()
    folder = tmp_path_factory.mktemp("served")
    db = folder / "hub.sqlite3"
    env = hub_env()
    env.update(MIGRAHUB_DB=str(db), MIGRAHUB_PASSWORD=PASSWORD)
    run = lambda *args: subprocess.run([*MIGRAHUB, *args], env=env, capture_output=True, text=True, timeout=300)  # noqa: E731
    ingested = run("ingest", "--quiet", *_targets())
    assert ingested.returncode in (0, 1), ingested.stderr  # 1: some item failed, the rest is stored
    for role in ("coder", "curator"):
        made = run("user", "create", f"{role}1", "--role", role)
        assert made.returncode == 0, made.stderr
    with serving(env, folder) as base:
        assert f"at {base}/" in (folder / "serve.log").read_text()  # the URL is printed at start
        yield {"base": base, "chromium": chromium, "db": db}


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=server["chromium"], headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server["base"])
    pg = context.new_page()
    pg.dialogs, pg.foreign, pg.errors = [], [], []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.on("request", lambda r: None if r.url.startswith((server["base"], "data:")) else pg.foreign.append(r.url))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()
    assert pg.dialogs == [], f"a dialog fired: {pg.dialogs}"
    assert pg.foreign == [], f"requests left the hub: {pg.foreign}"


def _shot(pg, name: str, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def test_search_facet_then_open_document(page, server):
    page.goto("/")
    page.get_by_label("Search words").fill("city")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/?q=city")  # htmx pushed the shareable URL
    page.locator("#results mark").first.wait_for()
    summary = page.locator("#results .summary").inner_text()
    assert "passage" in summary
    english = page.locator(".facet a", has_text="English (en)")
    english.click()
    page.wait_for_url("**lang=en**")
    page.locator('.facet a.selected', has_text="English (en)").wait_for()
    assert page.locator("#filter-state input[name=lang]").get_attribute("value") == "en"
    _shot(page, "search-with-facets")
    # a new query keeps the chosen facet (the form's hidden state was updated out of band)
    page.get_by_label("Search words").fill("card")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=card**lang=en**")
    first = page.locator(".hit h3 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url("**/documents/**")
    assert page.locator("h1").inner_text() == title
    assert page.locator(".passage:target").count() == 1  # the hit's passage is the URL's target
    _shot(page, "document")
    # the shared URL reproduces the same filtered results without JavaScript state
    page.go_back()
    page.wait_for_url("**q=card**")


def test_keyboard_skip_link_and_focus(page):
    page.goto("/?q=city")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_xss_documents_are_inert_in_a_real_browser(page, server):

    conn = open_hub(server["db"])
    ids = [r[0] for r in conn.execute(
        "SELECT DISTINCT l.document_id FROM document_links l WHERE instr(l.locator, '/xss/') > 0")]
    conn.close()
    assert len(ids) >= 3
    for url in [f"/documents/{i}" for i in ids] + ["/?q=Xsscanary", "/?q=alert", "/feed", "/sources", "/"]:
        page.goto(url)
        page.wait_for_load_state("load")
        injected = page.evaluate("""() => ({
            inlineScripts: document.querySelectorAll('script:not([src])').length,
            foreignScripts: [...document.scripts].filter(s => !s.src.includes('/static/web/')).length,
            dangerous: document.querySelectorAll('main img, main svg, main iframe, main object, main embed').length,
            handlers: [...document.querySelectorAll('*')]
                .filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
            jsLinks: [...document.querySelectorAll('a[href]')]
                .filter(a => a.href.trim().toLowerCase().startsWith('javascript:')).length,
        })""")
        assert injected == {"inlineScripts": 0, "foreignScripts": 0, "dangerous": 0, "handlers": 0, "jsLinks": 0}, url
        page.hover("main")  # an injected onmouseover would fire here
    page.goto("/?q=Xsscanary")
    assert "<script>" in page.locator("main").inner_text() or "Xsscanary" in page.locator("main").inner_text()
    _shot(page, "xss-search")
    assert page.dialogs == []


def test_coder_signs_in_and_cannot_ingest(page):
    page.goto("/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("User name").fill("coder1")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()
    assert "coder1" in page.locator(".account").inner_text() and "(coder)" in page.locator(".account").inner_text()
    assert page.get_by_role("link", name="Ingest").count() == 0
    response = page.goto("/curate/ingest")
    assert response.status == 403
    _shot(page, "signed-in-coder")
    page.goto("/")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").wait_for()


def test_curator_ingests_a_file_through_the_form(page, tmp_path):
    note = tmp_path / "browser-note.md"
    note.write_text("# Plimsollburg welcome desk\n\nPlimsollburg opened a welcome desk for newcomers.\n",
                    encoding="utf-8")
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill("curator1")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Ingest").click()
    page.get_by_label("Or upload a file").set_input_files(str(note))
    page.get_by_role("button", name="Ingest").click(timeout=120_000)  # the first ingest loads the models
    page.get_by_text("Ingested: 1 added").wait_for(timeout=120_000)
    page.get_by_role("heading", name="What the last ingest brought").wait_for()
    assert page.locator(".ingest-report a", has_text="Plimsollburg welcome desk").count() == 1
    page.goto("/?q=Plimsollburg")
    assert "in 1 document" in page.locator("#results .summary").inner_text()


def test_phone_layout_has_no_horizontal_scroll(browser, server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, base_url=server["base"],
                                  is_mobile=True, has_touch=True)
    pg = context.new_page()
    for url in ("/?q=city", "/documents/1", "/stats", "/sources", "/feed"):
        pg.goto(url)
        overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (url, overflow)
    pg.goto("/?q=city")
    _shot(pg, "search-phone")
    context.close()


def test_document_to_city_to_organisation(page, server):

    conn = open_hub(server["db"])
    has_entities = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'mentions'").fetchone()
    did = conn.execute("SELECT document_id FROM mentions m JOIN entities e ON e.id = m.entity_id "
                       "WHERE e.category = 'places' AND json_extract(e.data, '$.type') = 'city' "
                       "LIMIT 1").fetchone() if has_entities else None
    conn.close()
    if not did:
        pytest.skip("no city mentions in this hub (entity extraction absent)")
    page.goto(f"/documents/{did[0]}")
    city = page.locator("main a.entity-places").first
    name = city.inner_text()
    city.click()
    page.wait_for_url("**/entities/**")
    assert page.locator("h1").inner_text() == name
    _shot(page, "city")
    org = page.locator("main section a", has_text="").filter(has=page.locator("xpath=self::a")).locator(
        "xpath=self::a[following-sibling::span[contains(., 'organisations')]]").first
    if org.count():
        org_name = org.inner_text()
        org.click()
        page.wait_for_url("**/entities/**")
        assert page.locator("h1").inner_text() == org_name
        _shot(page, "organisation")


def _demo_only(server):
    if not (DEMO / "corpus").is_dir():
        pytest.skip("needs the demo corpus in demo/corpus (the walk assumes its cities and organisations)")


def test_demo_walk_search_facet_document_city_organisation(page, server):
    """A visitor's path through the demo hub: search, narrow by country then city, open a hit, follow the city
    to its page, and from there an organisation mentioned with it."""
    _demo_only(server)
    page.goto("/")
    page.get_by_label("Search words").fill("cities")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/?q=cities")
    page.locator("#results .hit").first.wait_for()
    country = page.locator("#facet-countries + ul a").first
    code = country.locator(".facet-label").inner_text()
    country.click()
    page.wait_for_url("**country=**")
    page.locator("#facet-countries + ul a.selected").wait_for()
    assert page.locator("#filter-state input[name=country]").get_attribute("value")
    city_link = page.locator("#facet-places + ul a").first
    city_name = city_link.locator(".facet-label").inner_text()
    city_link.click()
    page.wait_for_url("**place=**")
    page.locator("#facet-places + ul a.selected", has_text=city_name).wait_for()
    _shot(page, "search-entity-facets")
    # the shared URL gives the same filtered page without JavaScript state
    shared = page.url
    page.goto(shared)
    assert page.locator("#facet-places + ul a.selected").count() == 1, (code, city_name)
    first = page.locator(".hit h3 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url("**/documents/**")
    assert page.locator("h1").inner_text() == title
    city = page.locator("main a.entity-places", has_text=city_name).first
    if not city.count():
        city = page.locator("main a.entity-places").first
    name = city.inner_text()
    city.click()
    page.wait_for_url("**/entities/**")
    assert page.locator("h1").inner_text() in (name, city_name) or page.locator("h1").inner_text()
    page.locator("svg[data-chart=hub]").first.wait_for()
    _shot(page, "city-with-charts")
    org = page.locator("#related-title + ul li", has_text="(organisations").locator("a").first
    assert org.count(), "the city page lists organisations mentioned with it"
    org_name = org.inner_text()
    org.click()
    page.wait_for_url("**/entities/**")
    assert page.locator("h1").inner_text() == org_name
    _shot(page, "organisation")


def test_demo_practice_library_events_and_network(page, server):
    _demo_only(server)
    page.goto("/practices")
    assert page.locator("article.practice").count() >= 1
    _shot(page, "practice-library", full_page=False)
    link = page.locator("article.practice h3 a").first
    link.click()
    page.wait_for_url("**/documents/**")
    if "#p-" in page.url:
        assert page.locator(".passage:target").count() == 1
    page.goto("/events")
    assert page.locator(".event-list li").count() >= 1
    page.locator("svg[data-chart=hub]").first.wait_for()
    _shot(page, "events")
    page.set_viewport_size({"width": 1280, "height": 1350})
    page.goto("/network")
    page.locator("#network[data-ready=true]").wait_for(timeout=20000)
    circles = page.locator("#network circle")
    assert circles.count() >= 5 and page.locator("#network line").count() >= 1
    _shot(page, "network", full_page=False)
    node = page.locator("#network a.node").first
    node_label = node.locator("title").text_content()
    node.click()
    page.wait_for_url("**/entities/**")
    assert page.locator("h1").inner_text() in node_label
    page.goto("/network?min_weight=1000")
    page.get_by_text("No links to draw").wait_for()
    assert page.errors == []
