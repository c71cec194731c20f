"""The vision pages in a real browser, with axe."""

from __future__ import annotations

import pytest

from tests.browser.conftest import check_page, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["sv", "da", "en"])
def test_public_vision_page(page, demo_data, lang):
    page.goto(f"/vision/flen-vision-2019?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator(".vision-tree .node-building_block").count() == 9
    check_page(page)


def test_staff_vision_page(page, demo_data):
    sign_in(page, demo_data["analyst"])
    page.goto("/staff/vision/")
    assert page.locator(".node-value").count() == 6
    check_page(page)
