"""An agreement round from start to end: the admin draws it, two analysts code blind in their own browsers
with the keyboard, the admin reads kappa and settles a disagreement. axe on every state."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from dialogue.coding.models import AgreementItem, Channel, Coding, Contribution
from dialogue.core import services
from dialogue.extensions import db
from tests.browser.conftest import check_page, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until *selector* has the focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def _code_item(page, number: int, keys: bool) -> None:
    """Tick block *number* and "Save and go to the next": with the workspace keys, or Tab, Space and Enter."""
    if keys:
        page.keyboard.press(str(number))
        assert page.locator(f"input[name=node][data-number='{number}']").is_checked()
        with page.expect_navigation():
            page.keyboard.press("s")
    else:
        _tab_to(page, "input[name=node]")
        for _ in range(number - 1):
            page.keyboard.press("Tab")
        page.keyboard.press("Space")
        _tab_to(page, "button[name=then][value=next]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    check_page(page)


def test_agreement_round_end_to_end(page, make_page, live_server, demo_data):
    with live_server.app.app_context():
        for n in range(4):
            db.session.add(Contribution(channel=Channel.questionnaire, text=f"Bidrag nummer {n}", language="sv"))
        services.create_user("second@test.example", PASSWORD, "analyst")
        db.session.commit()

    # the admin draws a round of 50 %: two of the four contributions
    sign_in(page, demo_data["admin"])
    page.goto("/staff/coding/agreement/?lang=en")
    check_page(page)
    page.get_by_role("link", name="New agreement round").click()
    check_page(page)
    page.get_by_label("Name of the round").fill("Spring check")
    page.get_by_label("Sample size in percent").fill("50")
    page.get_by_label("Coder A").select_option(label=f"{demo_data['analyst']} (analyst)")
    page.get_by_label("Coder B").select_option(label=f"{demo_data['analyst']} (analyst)")
    page.get_by_role("button", name="Draw the sample").click()
    assert page.locator(".error-summary").is_visible()  # the same coder twice
    check_page(page)
    page.get_by_label("Coder B").select_option(label="second@test.example (analyst)")
    page.get_by_role("button", name="Draw the sample").click()
    page.get_by_role("heading", name="Spring check").wait_for()
    check_page(page)
    round_url = page.url.split("?")[0]

    # each analyst codes in a browser of their own: A ticks block 1 twice with the number keys,
    # B block 1 then block 2 with Tab, Space and Enter
    for email, blocks, keys in ((demo_data["analyst"], (1, 1), True), ("second@test.example", (1, 2), False)):
        analyst = make_page(locale="en-GB")
        sign_in(analyst, email)
        analyst.goto("/staff/coding/agreement/?lang=en")
        check_page(analyst)
        analyst.get_by_role("link", name="Spring check").click()
        analyst.wait_for_url(re.compile(r"/agreement/\d+$"))
        check_page(analyst)
        analyst.get_by_role("link", name="Start coding").click()
        analyst.wait_for_url(re.compile(r"/agreement/\d+/items/\d+$"))
        check_page(analyst)
        for block in blocks:
            _code_item(analyst, block, keys)
        assert "You have coded every item" in analyst.content()
        if email == "second@test.example":  # the round is complete: the coders may read the results
            analyst.get_by_role("link", name="Kappa and disagreements").click()
            check_page(analyst)

    # the admin reads kappa and settles the one disagreement
    page.goto(round_url + "/results?lang=en")
    check_page(page)
    assert page.get_by_role("table", name="Kappa per building block").is_visible()
    assert "Disagreements to settle" in page.content()
    page.get_by_role("table", name="Disagreements to settle").get_by_role("link").first.click()
    check_page(page)
    _tab_to(page, "input[name=node]")
    page.keyboard.press("Space")  # nothing both chose is ticked: tick A's block 1 and B's block 2
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save as the codes").click()
    page.get_by_role("heading", name="Disagreements to settle").wait_for()
    check_page(page)
    with live_server.app.app_context():
        item = db.session.scalar(sa.select(AgreementItem).where(AgreementItem.settled_at.is_not(None)))
        assert item is not None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Coding).where(
            Coding.contribution_id == item.contribution_id, Coding.removed_at.is_(None))) == 2

    page.goto(round_url + "?lang=en")
    page.get_by_role("button", name="Close the round").click()
    page.get_by_text("The round is closed.").wait_for()
    check_page(page)
