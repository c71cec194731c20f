"""Browser tests: Debian's Chromium through Playwright, against the app served on a local port.

Every page a test visits is checked with axe-core for WCAG 2.1 A/AA violations (``check_a11y``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from dialogue.core import services
from dialogue.extensions import db
from tests.conftest import PASSWORD, clear_tables, load_demo, skip_or_fail

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-gpu", "--no-first-run"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="session")
def playwright_browser():
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    manager = sync_playwright().start()
    browser = manager.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()
    manager.stop()


class LiveServer:
    def __init__(self, app) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture
def backend() -> str:
    """Browser tests run on SQLite; the database suite covers PostgreSQL."""
    return "sqlite"


@pytest.fixture
def live_server(app_factory) -> Iterator[LiveServer]:
    app = app_factory(RATELIMIT_ENABLED=False)
    server = LiveServer(app)
    yield server
    server.stop()


@pytest.fixture
def demo_data(live_server) -> dict:
    """The demo municipality, process and staff; returns staff e-mail addresses by role."""
    load_demo(live_server.app)
    with live_server.app.app_context():
        for role in ("admin", "organizer", "analyst"):
            services.create_user(f"{role}@test.example", PASSWORD, role)
        db.session.commit()
    return {role: f"{role}@test.example" for role in ("admin", "organizer", "analyst")}


@pytest.fixture
def page(playwright_browser, live_server):
    context = playwright_browser.new_context(base_url=live_server.url, locale="sv-SE")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(playwright_browser, live_server):
    context = playwright_browser.new_context(base_url=live_server.url, locale="sv-SE", viewport=PHONE,
                                             is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def make_page(playwright_browser, live_server):
    """Open extra pages in fresh browser contexts (own cookies), e.g. ``make_page(locale="da-DK")``."""
    contexts = []

    def factory(locale: str = "sv-SE", **options):
        context = playwright_browser.new_context(base_url=live_server.url, locale=locale, **options)
        contexts.append(context)
        return context.new_page()

    yield factory
    for context in contexts:
        context.close()


def check_footer(page) -> None:
    """Every page links to the accessibility statement and the privacy notice in its footer."""
    from playwright.sync_api import expect

    # a click that follows a link returns before the next page has arrived: expect retries until it has
    footer = page.locator("footer")
    expect(footer.locator('a[href="/accessibility"]'), f"no accessibility link on {page.url}").to_have_count(1)
    expect(footer.locator('a[href="/privacy"]'), f"no privacy link on {page.url}").to_have_count(1)


def check_page(page) -> None:
    """The checks for every page state a test visits: the footer links and axe."""
    check_footer(page)
    # the footer is in the document before its stylesheet has loaded; axe and any measurement need the styles
    page.wait_for_load_state()
    check_a11y(page)


def html_lang(page) -> str | None:
    return page.locator("html").get_attribute("lang")


def check_a11y(page) -> None:
    """Fail with a readable list if axe-core finds any WCAG 2.1 A/AA violation on the page as it is now."""
    from axe_playwright_python.base import AXE_SCRIPT

    if not page.evaluate("typeof window.axe === 'object'"):  # axe-core is put into each document once
        page.evaluate(AXE_SCRIPT)
    # every rule runs and every violation is reported; only the passes are not gathered node by node
    violations = page.evaluate("options => axe.run(document, options).then(results => results.violations)",
                               {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in violations
    )
    assert not violations, f"axe found violations on {page.url}:\n{report}"


def answer_demo_questionnaire(page, text: str) -> None:
    """Answer the first question of the demo questionnaire, page through it and send it."""
    page.goto("/questionnaires/nar-ar-flens-kommun-som-bast?lang=en")
    page.locator("textarea").first.fill(text)
    for _ in range(2):
        page.locator("button[name=move][value=next]").click()
    page.locator("button[name=move][value=submit]").click()
    page.locator("#private-link").wait_for()


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/staff/login")
    page.get_by_label("E-post", exact=False).or_(page.get_by_label("E-mail", exact=False)).first.fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/staff/")


__all__ = ["answer_demo_questionnaire", "check_a11y", "check_footer", "check_page", "html_lang", "sign_in", "PHONE",
           "clear_tables"]
