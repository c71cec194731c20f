"""Public pages in a real browser: languages, keyboard use, footer, error pages; axe on every state.

Selectors avoid translated interface text (translations are in progress): they use element ids,
hreflang and href attributes, and the demo's content, which is stored per language.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import check_a11y, check_page, html_lang

pytestmark = pytest.mark.browser

# The demo process title in each language (content, not interface text).
TITLES = {"sv": "Vision för Flens kommun – Sörmlands hjärta",
          "da": "Vision for Flen kommune – Sörmlands hjerte",
          "en": "A vision for Flen – the heart of Sörmland"}
DEMO_PHASES = 8  # Flen's seven phases and the follow-up (dialogue/demo)


def test_check_a11y_fails_on_an_inaccessible_page(playwright_browser):
    """The axe helper is not a no-op: a page without lang and with an unlabelled image fails."""
    context = playwright_browser.new_context()
    try:
        page = context.new_page()
        page.set_content('<html><body><img src="x.png"></body></html>')
        with pytest.raises(AssertionError) as failure:
            check_a11y(page)
        assert "html-has-lang" in str(failure.value)
        assert "image-alt" in str(failure.value)
        # ...and passes once the faults are fixed, so the failure above came from them.
        page.set_content('<html lang="en"><head><title>Fine</title></head><body><main><h1>Fine</h1>'
                         '<img src="x.png" alt="A picture"></main></body></html>')
        check_a11y(page)
    finally:
        context.close()


def test_home_page_is_swedish_by_default_with_the_timeline(page, demo_data):
    response = page.goto("/")
    assert response.status == 200
    assert html_lang(page) == "sv"
    assert page.locator("h1").inner_text() == TITLES["sv"]
    phases = page.locator("ol.timeline > li")
    assert phases.count() == DEMO_PHASES
    assert page.locator('ol.timeline > li[aria-current="step"]').count() == 1
    assert page.locator(".language-switcher a[hreflang=sv]").get_attribute("aria-current") == "true"
    check_page(page)


def test_danish_browser_gets_danish(make_page, demo_data):
    page = make_page(locale="da-DK")
    page.goto("/")
    assert html_lang(page) == "da"
    assert page.locator("h1").inner_text() == TITLES["da"]
    assert page.locator(".language-switcher a[hreflang=da]").get_attribute("aria-current") == "true"
    check_page(page)


def test_language_switcher_choice_is_remembered(page, demo_data):
    page.goto("/")
    assert html_lang(page) == "sv"
    page.locator(".language-switcher a[hreflang=en]").click()
    page.wait_for_url(lambda url: url.endswith("/?lang=en"))
    assert html_lang(page) == "en"
    assert page.locator("h1").inner_text() == TITLES["en"]
    assert page.locator(".language-switcher a[hreflang=en]").get_attribute("aria-current") == "true"
    check_page(page)

    # A plain link without ?lang=: the choice comes from the cookie.
    page.locator('footer a[href="/accessibility"]').click()
    page.wait_for_url("**/accessibility")
    assert html_lang(page) == "en"
    check_page(page)

    page.locator('header a.brand[href="/"]').click()
    page.wait_for_url(lambda url: url.endswith("/"))
    assert html_lang(page) == "en"
    assert page.locator("h1").inner_text() == TITLES["en"]


def test_skip_link_is_first_and_moves_focus_to_main(page, demo_data):
    page.goto("/")
    skip = page.locator("a.skip-link")
    assert skip.bounding_box()["x"] < 0, "the skip link should be off screen until focused"

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    assert skip.get_attribute("href") == "#main"
    box = skip.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0 and box["width"] > 0, "the focused skip link should be on screen"
    check_page(page)

    page.keyboard.press("Enter")
    page.wait_for_url("**/#main")
    assert page.evaluate("document.activeElement.id") == "main"
    check_page(page)
    # Sequential focus now continues after the start of main, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('header') === null")
    assert page.evaluate("document.activeElement !== document.body")


@pytest.mark.parametrize("lang", ["sv", "da", "en"])
def test_footer_pages_are_accessible_in_each_language(page, demo_data, lang):
    page.goto(f"/?lang={lang}")
    assert html_lang(page) == lang
    check_page(page)
    for path in ("/accessibility", "/privacy"):
        page.locator(f'footer a[href="{path}"]').click()
        page.wait_for_url(f"**{path}")
        assert html_lang(page) == lang
        assert page.locator("h1").count() == 1
        check_page(page)


@pytest.mark.parametrize("lang", [None, "da"])
def test_not_found_page_is_friendly(page, demo_data, lang):
    response = page.goto("/does-not-exist" + (f"?lang={lang}" if lang else ""))
    assert response.status == 404
    assert html_lang(page) == (lang or "sv")
    assert page.locator("main h1").count() == 1
    assert page.locator('main a[href="/"]').count() == 1, "the 404 page should link to the home page"
    check_page(page)

    page.locator('main a[href="/"]').click()
    page.wait_for_url(lambda url: url.endswith("/"))
    assert page.locator("ol.timeline > li").count() == DEMO_PHASES
