"""An analyst codes with the keyboard alone; axe on every state."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dialogue.coding.models import Coding, Contribution
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


def codes(live_server) -> list[tuple[str, int, bool, int | None, int | None]]:
    """(text, block number, from a suggestion, excerpt start, excerpt end) of every active code."""
    from dialogue.coding.services import codable_nodes
    from dialogue.vision.models import Vision

    with live_server.app.app_context():
        numbers = {node.id: n for n, node in enumerate(codable_nodes(db.session.scalar(sa.select(Vision))), 1)}
        rows = db.session.execute(
            sa.select(Contribution.text, Coding.node_id, Coding.from_suggestion, Coding.excerpt_start,
                      Coding.excerpt_end).join(Contribution).where(Coding.removed_at.is_(None)).order_by(Coding.id)).all()
        return [(text, numbers[node], suggested, start, end) for text, node, suggested, start, end in rows]


def test_an_analyst_codes_with_shortcuts_suggestions_and_excerpts(page, live_server, demo_data):
    first = "Naturen och sjöarna 🌊 är det bästa."
    second = "Skolorna 🏫🏫 i orterna och tåget till Stockholm."
    answer_demo_questionnaire(page, first)
    answer_demo_questionnaire(page, second)
    sign_in(page, demo_data["analyst"])
    page.goto("/staff/coding/?lang=en")
    check_page(page)
    # new answers came in after the demo's suggestions were made: compute them again
    page.locator("button", has_text="Update the suggestions").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page)
    page.locator(".text-answers a").first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#contribution-text").inner_text() == first
    assert page.locator(".tag-suggestion").count() >= 1
    check_page(page)

    # a: confirm the first suggestion (the page comes back with it coded); 7: tick block 7; s: save, next
    with page.expect_navigation():
        page.keyboard.press("a")
    check_page(page)
    assert page.locator("input[name=node]:checked").count() == 1
    page.keyboard.press("7")
    with page.expect_navigation():
        page.keyboard.press("s")
    assert page.locator("#contribution-text").inner_text() == second
    check_page(page)
    assert [(t, n, s) for t, n, s, _a, _b in codes(live_server)] == [(first, 2, True), (first, 7, False)]

    # an excerpt typed in, its block chosen by its number, coded without a mouse
    page.locator("#excerpt").focus()
    page.keyboard.type("tåget till stockholm")
    page.keyboard.press("Tab")
    page.keyboard.press("3")  # the select jumps to "3. ..."
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page)
    start = second.index("tåget")
    assert codes(live_server)[-1] == (second, 3, False, start, start + len("tåget till Stockholm"))
    assert page.locator("mark.excerpt").inner_text() == "tåget till Stockholm"

    # selected text and the block's number: the offsets count the emoji as one character each, as Python does
    page.evaluate("""() => {
        const text = document.getElementById("contribution-text").firstChild;
        const range = document.createRange();
        range.setStart(text, 0);
        range.setEnd(text, "Skolorna 🏫🏫 i orterna".length);
        window.getSelection().removeAllRanges();
        window.getSelection().addRange(range);
    }""")
    with page.expect_navigation():
        page.keyboard.press("5")
    check_page(page)
    assert codes(live_server)[-1] == (second, 5, False, 0, len("Skolorna 🏫🏫 i orterna"))
    assert page.locator("mark.excerpt").first.inner_text() == "Skolorna 🏫🏫 i orterna"

    # a wrong excerpt: an error summary that leads to the field, and what was typed stays
    page.locator("#excerpt").fill("Vetlanda")
    page.locator("#excerpt-node").select_option(label=page.locator("#excerpt-node option").nth(1).inner_text())
    page.locator("#excerpt").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".error-summary").is_visible()
    assert page.locator("#excerpt").input_value() == "Vetlanda"
    check_page(page)

    # p: back to the previous contribution in the queue of all contributions
    page.goto(page.url.split("?")[0] + "?state=all&lang=en")
    with page.expect_navigation():
        page.keyboard.press("p")
    assert page.locator("#contribution-text").inner_text() == first
    check_page(page)
