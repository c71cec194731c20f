"""An analyst codes with the keyboard alone; axe on every state."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dialogue.coding.models import Coding
from dialogue.extensions import db
from tests.browser.conftest import answer_demo_questionnaire, check_page, sign_in

pytestmark = pytest.mark.browser


def test_code_with_the_keyboard(page, live_server, demo_data):
    answer_demo_questionnaire(page, "Sjöarna och skogen")

    sign_in(page, demo_data["analyst"])
    page.goto("/staff/coding/")
    check_page(page)
    page.locator(".text-answers a").first.click()
    check_page(page)
    page.locator("input[name=node]").first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.locator("#note").focus()
    page.keyboard.type("Natur")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # "Save and go to the next"
    check_page(page)
    with live_server.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Coding)) == 2
