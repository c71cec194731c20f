"""Staff pages in a real browser: signing in and out, roles, the settings form; axe on every state.

Selectors avoid translated interface text (translations are in progress): they use element ids,
name and href attributes and the form's structure.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_a11y, check_page, sign_in

pytestmark = pytest.mark.browser


def check(page) -> None:
    check_page(page)


SETTINGS_AFTER_SAVE = re.compile(r"/staff/settings(#[a-z_]*)?$")
IN_VIEWPORT = "el => { const r = el.getBoundingClientRect(); return r.top >= -1 && r.bottom <= innerHeight + 1; }"
LOGOUT_BUTTON = 'nav.staff-nav form[action="/staff/logout"] button[type=submit]'


def path_of(page) -> str:
    return page.evaluate("location.pathname + location.search + location.hash")


def active(page, expression: str):
    return page.evaluate(f"(() => {{ const el = document.activeElement; return {expression}; }})()")


@pytest.mark.parametrize("role", ["admin", "organizer", "analyst"])
def test_staff_sign_in_roles_and_sign_out_on_a_phone(phone_page, demo_data, role):
    page = phone_page
    page.goto("/staff/login")
    check(page)

    sign_in(page, demo_data[role])
    assert path_of(page) == "/staff/"
    assert page.locator(".signed-in-as").inner_text() == demo_data[role]
    # Only admins are offered the settings.
    settings_links = page.locator('nav.staff-nav a[href="/staff/settings"]')
    assert settings_links.count() == (1 if role == "admin" else 0)
    check(page)

    response = page.goto("/staff/settings")
    if role == "admin":
        assert response.status == 200
        assert page.locator("form input#name").count() == 1
    else:
        assert response.status == 403
        assert page.locator("form input#name").count() == 0
        assert page.locator("main h1").count() == 1
        assert page.locator('main a[href="/"]').count() == 1, "the 403 page should link to the home page"
    check(page)

    page.goto("/staff/")
    logout = page.locator(LOGOUT_BUTTON)
    assert logout.is_visible()
    logout.click()
    page.wait_for_url("**/staff/login")
    assert page.locator(".flash-success").count() == 1
    assert page.locator(LOGOUT_BUTTON).count() == 0
    check(page)

    response = page.goto("/staff/")
    assert page.evaluate("location.pathname") == "/staff/login"
    assert response.request.redirected_from is not None
    assert page.locator("input[name=password]").count() == 1
    check(page)


def test_wrong_password_shows_the_focused_error_summary(phone_page, demo_data):
    page = phone_page
    page.goto("/staff/login")
    page.locator("input[name=email]").fill(demo_data["admin"])
    page.locator("input[name=password]").fill("not the password")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.locator("main form button[type=submit]").click()
    assert posted.value.status == 422
    page.wait_for_load_state()

    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.get_attribute("role") == "alert"
    expect(page.locator(".error-summary")).to_be_focused()
    assert active(page, "el.classList.contains('error-summary')")
    assert page.locator("input[name=email]").input_value() == demo_data["admin"]
    assert page.locator("input[name=password]").input_value() == ""
    assert path_of(page) == "/staff/login"
    check(page)


def _settings(page, admin: str) -> None:
    sign_in(page, admin)
    page.goto("/staff/settings")
    assert page.locator("input#name").input_value() == "Flens kommun"
    check(page)


def _submit_settings(page, status: int) -> None:
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.locator("main form button[type=submit]").click()
    assert posted.value.status == status
    page.wait_for_load_state()


def test_settings_errors_link_to_fields_and_keep_values_then_save(page, demo_data):
    _settings(page, demo_data["admin"])
    page.locator("#name").fill("")
    page.locator("#timezone").fill("Mars/Olympus")
    page.locator("#contact_phone").fill("0157-12 34 56")
    page.locator("#website").fill("https://www.flen.se/vision")
    _submit_settings(page, 422)

    summary = page.locator(".error-summary")
    assert summary.is_visible()
    expect(page.locator(".error-summary")).to_be_focused()
    links = summary.locator("a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == ["#name", "#timezone"]
    for field in ("name", "timezone"):
        assert page.locator(f"#{field}").get_attribute("aria-invalid") == "true"
        assert f"{field}-error" in page.locator(f"#{field}").get_attribute("aria-describedby").split()
        assert page.locator(f"#{field}-error").is_visible()
    # What was typed is kept, the wrong values included.
    assert page.locator("#timezone").input_value() == "Mars/Olympus"
    assert page.locator("#contact_phone").input_value() == "0157-12 34 56"
    assert page.locator("#website").input_value() == "https://www.flen.se/vision"
    assert "Malmköping" in page.locator("#localities").input_value()
    assert page.locator("#contact_phone").get_attribute("aria-invalid") != "true"
    check(page)

    # Following a summary link brings the field into view and gives it focus.
    page.locator('.error-summary a[href="#timezone"]').click()
    page.wait_for_url("**/staff/settings#timezone")
    expect(page.locator("#timezone")).to_be_focused()
    assert page.locator("#timezone").evaluate(IN_VIEWPORT)
    page.locator('.error-summary a[href="#name"]').click()
    expect(page.locator("#name")).to_be_focused()
    check(page)

    page.locator("#name").fill("Flens kommun (test)")
    page.locator("#timezone").fill("Europe/Stockholm")
    _submit_settings(page, 302)
    # The redirect keeps the fragment the form was sent from (#name), as browsers do.
    page.wait_for_url(SETTINGS_AFTER_SAVE)
    assert page.locator(".flash-success").is_visible()
    assert page.locator(".error-summary").count() == 0
    assert page.locator(".brand").inner_text() == "Flens kommun (test)"
    assert page.locator("#name").input_value() == "Flens kommun (test)"
    assert page.locator("#contact_phone").input_value() == "0157-12 34 56"
    assert page.locator("#website").input_value() == "https://www.flen.se/vision"
    assert "0157-12 34 56" in page.locator("footer .contact").inner_text()
    check(page)


def test_settings_locality_added_in_the_textarea_is_saved(page, demo_data):
    _settings(page, demo_data["admin"])
    localities = page.locator("#localities")
    before = localities.input_value().splitlines()
    assert "Flen" in before and "Nyköping-test" not in before
    localities.fill("\n".join(before + ["Nyköping-test"]))
    _submit_settings(page, 302)
    page.wait_for_url(SETTINGS_AFTER_SAVE)
    assert page.locator(".flash-success").is_visible()
    assert page.locator("#localities").input_value().splitlines() == before + ["Nyköping-test"]
    check(page)

    # Still there on a fresh load of the page.
    page.reload()
    assert page.locator("#localities").input_value().splitlines() == before + ["Nyköping-test"]


def test_form_fields_have_valid_aria_attributes(page, demo_data):
    for url in ("/staff/login", "/staff/settings"):
        if url == "/staff/settings":
            sign_in(page, demo_data["admin"])
        page.goto(url)
        fields = page.locator("main form input:not([type=hidden]), main form select, main form textarea")
        assert fields.count() >= 2
        check_a11y(page)
        # axe does not flag an idref to a missing id, so check aria-describedby="None" directly.
        bad = page.locator('[aria-invalid="None"], [aria-describedby="None"]')
        assert bad.count() == 0, f"{bad.count()} field(s) with an ARIA attribute set to None on {url}"


def test_success_message_is_in_view_after_fixing_an_error_from_the_summary(page, demo_data):
    _settings(page, demo_data["admin"])
    page.locator("#name").fill("")
    _submit_settings(page, 422)
    page.locator('.error-summary a[href="#name"]').click()
    expect(page.locator("#name")).to_be_focused()
    page.locator("#name").fill("Flens kommun")
    _submit_settings(page, 302)
    page.wait_for_url(SETTINGS_AFTER_SAVE)
    flash = page.locator(".flash-success")
    assert flash.is_visible()
    assert flash.evaluate(IN_VIEWPORT), flash.evaluate(
        "el => [el.getBoundingClientRect().top, el.getBoundingClientRect().bottom, innerHeight, scrollY]")
