"""The printed process report shows each question's text once: the heading above the chart, not its caption too.

Selectors avoid translated interface text.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_reports import demo_answers  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser


def printed_texts(page, selector: str) -> list[str]:
    """The texts of the elements that take up room on the page (not those hidden for print)."""
    return page.locator(selector).evaluate_all(
        "els => els.filter(el => el.getClientRects().length && el.offsetWidth > 1 && el.offsetHeight > 1)"
        ".map(el => el.textContent.trim())")


def test_a_question_is_printed_once(page, demo_answers):  # noqa: F811
    sign_in(page, "analyst@test.example")
    page.goto(f"/staff/reports/{demo_answers['process_id']}")
    questions = page.locator(".report-question")
    assert questions.count() >= 3
    page.emulate_media(media="print")
    for index in range(questions.count()):
        question = questions.nth(index)
        heading = question.locator("h3").inner_text().strip()
        shown = printed_texts(question, "h3, p, figcaption, caption")
        assert shown.count(heading) == 1, shown
        # the chart keeps its name for screen readers
        assert question.locator("svg title").text_content().strip() == heading
    page.emulate_media(media="screen")
