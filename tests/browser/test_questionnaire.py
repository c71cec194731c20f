"""Residents answer the Flen questionnaire on a phone, in Swedish, Danish and English; axe on every state."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from dialogue.coding.models import Contribution
from dialogue.extensions import db
from dialogue.questionnaires.models import Response
from tests.browser.conftest import check_page

pytestmark = pytest.mark.browser
URL = "/questionnaires/nar-ar-flens-kommun-som-bast"
TITLES = {"sv": "När är Flens kommun som bäst?", "da": "Hvornår er Flens kommun bedst?",
          "en": "When is Flens kommun at its best?"}


def stored(live_server, model) -> int:
    with live_server.app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("lang", ["sv", "da", "en"])
def test_answer_on_a_phone(phone_page, live_server, demo_data, lang):
    page = phone_page
    page.goto(f"{URL}?lang={lang}")
    assert page.locator("h1").inner_text() == TITLES[lang]
    assert page.locator("html").get_attribute("lang") == lang
    check_page(page)

    # Next without the required answer: error summary, focused, linking to the field
    page.locator("button[name=move][value=next]").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    # the page's script moves the focus once it has run
    expect(page.locator(".error-summary")).to_be_focused()
    check_page(page)
    summary.locator("a").first.click()
    first = page.locator("textarea").first
    assert first.evaluate("el => el === document.activeElement")

    first.fill("Skogarna, sjöarna och 🌲 – och folket.")
    page.locator("textarea").nth(1).fill("På midsommar i Malmköping.")
    page.locator("button[name=move][value=next]").click()
    assert page.locator("progress").get_attribute("value") == "2"
    page.locator("textarea").first.fill("Turism och friluftsliv.")
    # back and forth keeps what was typed
    page.locator("button[name=move][value=back]").click()
    assert page.locator("textarea").first.input_value() == "Skogarna, sjöarna och 🌲 – och folket."
    page.locator("button[name=move][value=next]").click()
    assert page.locator("textarea").first.input_value() == "Turism och friluftsliv."
    page.locator("button[name=move][value=next]").click()
    page.locator("input[name^=q][type=radio]").first.wait_for()  # the last page has loaded
    check_page(page)

    # the last page: locality, age and group as radio buttons with labels, then send
    page.locator("input[name^=q][type=radio]").first.check()
    page.get_by_label("30–44").check()
    page.locator("#feedback_email").fill("anna@example.se")
    page.locator("button[name=move][value=submit]").click()
    page.locator("#private-link").wait_for()
    check_page(page)
    assert stored(live_server, Response) == 1
    assert stored(live_server, Contribution) == 3

    # the private link shows the answers; erasing removes them
    with page.expect_navigation():
        page.locator("#private-link").click()
    assert "Turism och friluftsliv." in page.locator("main").inner_text()
    check_page(page)
    with page.expect_navigation():
        page.locator(".actions a.button-secondary").click()
    check_page(page)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    check_page(page)
    assert stored(live_server, Response) == 0


def test_change_answers_with_the_keyboard(page, live_server, demo_data):
    page.goto(f"{URL}?lang=en")
    page.locator("textarea").first.fill("The lakes")
    for _ in range(2):
        page.locator("button[name=move][value=next]").click()
    page.locator("button[name=move][value=submit]").focus()
    page.keyboard.press("Enter")
    page.locator("#private-link").wait_for()
    page.goto(page.locator("#private-link").get_attribute("href"))
    page.locator(".actions a.button").first.click()
    check_page(page)
    field = page.locator("textarea").first
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("The forests")
    page.locator("button[name=move][value=submit]").click()
    assert "The forests" in page.locator("main").inner_text()
    check_page(page)
    with live_server.app.app_context():
        assert db.session.scalar(sa.select(Contribution.text)) == "The forests"
