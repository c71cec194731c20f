"""The home page in a real browser, checked with axe."""

from tests.browser.conftest import check_a11y


def test_home_page_is_swedish_and_accessible(page, demo_data):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert "Flens kommun" in page.locator("h1").inner_text()
    check_a11y(page)
