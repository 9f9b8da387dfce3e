"""Real-browser test of Connect: a city officer submits a practice through the form; a curator publishes it; it
shows in the library under its theme and on its city's page; the officer's peer request matches it; the message
written on the request page is relayed by the hub's mail to the city's contact, received by an SMTP server this test
runs on 127.0.0.1 (aiosmtpd), and the contact's address never shows to the officer.

Uses the chromium launcher and page fixture of test_browser.py (skips the same way where chromium is absent).
"""

from __future__ import annotations

import subprocess

import pytest
from axecheck import page_problems
from test_browser import MIGRAHUB, SHOTS, _chromium, _free_port, browser, page, serving  # noqa: F401
from webhelpers import PASSWORD, sql

from tests.backends.postgresql import hub_env

pytestmark = pytest.mark.browser

CODEBOOK = """name: Connect themes
version: "1"
language: en
codes:
  - id: TH
    name: Themes
    description: Connect themes.
    children:
      - id: TH.IDCARD
        name: Municipal identity cards
        description: A city issues an identity document to every resident.
      - id: TH.LANG
        name: Language learning
        description: Newcomers learn the local language.
"""
DOCS = {
    "bologna.md": "# Bologna and its residents\n\nBologna's registry office serves every resident of Bologna.\n",
    "malmo.md": "# Language cafés in Malmö\n\nMalmö's libraries run language cafés for newcomers every week.\n",
}
CONTACT = "registry.office@bologna.example.org"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from aiosmtpd.controller import Controller

    chromium = _chromium()
    folder = tmp_path_factory.mktemp("served-connect")
    docs = folder / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    (folder / "themes.yaml").write_text(CODEBOOK, encoding="utf-8")
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    db = folder / "hub.sqlite3"
    env = hub_env()
    env.update(MIGRAHUB_DB=str(db), MIGRAHUB_PASSWORD=PASSWORD, MIGRAHUB_SMTP_HOST="127.0.0.1",
               MIGRAHUB_SMTP_PORT=str(smtp.port), MIGRAHUB_MAIL_FROM="MigraHub <hub@migrahub.example.org>")
    # places come from the gazetteer: the ingest needs no language model
    for args in (("ingest", "--quiet", str(docs)), ("codebook", "load", str(folder / "themes.yaml")),
                 ("user", "create", "officer1", "--role", "reader"), ("user", "create", "curator1", "--role",
                                                                      "curator")):
        done = subprocess.run([*MIGRAHUB, *args], env={**env, "MIGRAHUB_EXTRACT_MODELS": "0"}, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    try:
        with serving(env, folder) as base:
            yield {"base": base, "chromium": chromium, "db": db, "inbox": inbox}
    finally:
        smtp.stop()


def _sign_in(pg, name: str) -> None:
    pg.goto("/accounts/login/")
    pg.get_by_label("User name").fill(name)
    pg.get_by_label("Password").fill(PASSWORD)
    pg.get_by_role("button", name="Sign in").click()
    pg.get_by_text("Signed in as").wait_for()


def _sign_out(pg) -> None:
    pg.get_by_role("button", name="Sign out").click()


def test_submit_publish_match_and_relay(page, server):  # noqa: F811
    bologna = sql(server["db"], "SELECT id FROM entities WHERE category = 'places' AND name = 'Bologna'")[0][0]
    # a city officer submits a practice
    _sign_in(page, "officer1")
    page.goto("/library/practices/new")
    page.get_by_label("Title (required)").fill("City identity card open to undocumented residents")
    page.get_by_label("City", exact=True).fill("Bologna")
    page.get_by_label("Municipal identity cards").check()
    page.get_by_label("Undocumented / irregular residents").check()
    page.get_by_label("Goals").fill("Every resident of Bologna, whatever their papers, can get a municipal "
                                    "identity card accepted by the city's services and the local police.")
    page.get_by_label("Evaluation status").select_option("innovative")
    page.get_by_role("button", name="Submit for review").click()
    page.get_by_text("Submitted", exact=True).wait_for()
    _sign_out(page)
    # a curator publishes it
    _sign_in(page, "curator1")
    page.goto("/library/practices/review")
    page.get_by_role("link", name="City identity card open to undocumented residents").click()
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("The practice is now published.").wait_for()
    # the curator records the city's contact for relayed messages (the address is never shown)
    page.goto(f"/cities/{bologna}/peers")
    page.get_by_label("Office or person").fill("Registry office")
    page.get_by_label("E-mail (not shown unless allowed below)").fill(CONTACT)
    page.get_by_role("button", name="Add contact").click()
    page.get_by_text("Contact added").wait_for()
    _sign_out(page)
    # it is in the library under its theme, and on its city's page
    page.goto("/library/practices")
    assert page.get_by_role("complementary").get_by_role("link", name="Language learning").count() == 0
    page.get_by_role("complementary").get_by_role("link", name="Municipal identity cards").click()
    page.wait_for_url("**theme=TH.IDCARD**")
    assert page.get_by_role("link", name="City identity card open to undocumented residents").is_visible()
    page.goto(f"/cities/{bologna}/peers")
    page.get_by_role("heading", name="Bologna", exact=True).wait_for()
    assert page.get_by_role("link", name="City identity card open to undocumented residents").is_visible()
    # the officer's peer request matches it
    _sign_in(page, "officer1")
    page.goto("/peers/requests")
    page.get_by_label("Your challenge").fill("set up a municipal identity card open to undocumented residents")
    page.get_by_role("button", name="Find peers").click()
    first = page.locator("article.match").first
    assert first.get_by_role("heading").inner_text().startswith("1. Bologna")
    assert "whatever their papers" in first.inner_text()
    first.get_by_label("Message to Bologna (relayed by the hub)").fill("Could we visit your registry office in May?")
    first.get_by_role("button", name="Send through the hub").click()
    page.get_by_text("Message relayed by the hub.").wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "connect-peer-request.png"), full_page=True)
    assert CONTACT not in page.content()
    # the relayed message reached the recipient
    received = server["inbox"].messages
    assert len(received) == 1 and received[0][0] == [CONTACT]
    assert "Could we visit your registry office in May?" in received[0][1]
    assert "officer1" in received[0][1] and "/peers/requests/" in received[0][1]




def test_connect_pages_pass_axe_on_desktop_and_phone(browser, server):  # noqa: F811
    """After the journey above (the module's hub holds its practice, request and contact): every connect page,
    signed in as a curator (who sees every form), has no axe-core violation and no sideways scroll on a phone
    (375 px); the three busiest pages are checked at 1280 px too."""
    bologna = sql(server["db"], "SELECT id FROM entities WHERE category = 'places' AND name = 'Bologna'")[0][0]
    practice = sql(server["db"], "SELECT max(id) FROM practice_records")[0][0]
    request = sql(server["db"], "SELECT max(id) FROM peer_requests")[0][0]
    paths = ["/library/practices", "/library/practices/new", "/library/practices/review", "/library/resources",
             "/cities", f"/cities/{bologna}/peers", "/peers/requests", "/peers/expert", "/peers/experts",
             "/declarations"]
    paths += [f"/library/practices/{practice}", f"/library/practices/{practice}/edit"] if practice else []
    paths += [f"/peers/requests/{request}"] if request else []
    found = []
    wide = [f"/cities/{bologna}/peers", "/library/practices/new", *paths[-1:]]
    for viewport, chosen in (({"width": 375, "height": 740}, paths), ({"width": 1280, "height": 900}, wide)):
        context = browser.new_context(viewport=viewport, base_url=server["base"], bypass_csp=True)
        pg = context.new_page()
        _sign_in(pg, "curator1")
        for path in chosen:
            found += page_problems(pg, path)
        context.close()
    assert found == []
