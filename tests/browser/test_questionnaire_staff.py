"""Staff build a questionnaire and read its results in a real browser; axe on every page."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dialogue.extensions import db
from dialogue.questionnaires.models import Questionnaire, State
from tests.browser.conftest import answer_demo_questionnaire, check_page, sign_in

pytestmark = pytest.mark.browser


def test_organizer_builds_previews_and_opens_a_questionnaire(page, live_server, demo_data):
    sign_in(page, demo_data["organizer"])
    page.goto("/staff/questionnaires/?lang=en")
    check_page(page)
    page.locator('a[href="/staff/questionnaires/new"]').click()
    check_page(page)
    page.locator("#slug").fill("Bad slug!")
    page.locator("form.form button[type=submit]").click()
    page.locator(".error-summary").wait_for()
    check_page(page)
    page.locator("#slug").fill("var-ar-vi-bast")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url("**/staff/questionnaires/*")
    check_page(page)
    assert page.locator(".question-list > li").count() == 7

    page.locator('a[href$="/questions/new"]').click()
    page.wait_for_url("**/questions/new")
    check_page(page)
    page.locator("#type").select_option("multiple_choice")
    page.locator("#text_sv").fill("Vad gör du på fritiden?")
    page.locator("#options_sv").fill("Idrott\nKultur\nNatur")
    page.locator("#allow_other").check()
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url("**/staff/questionnaires/*")
    assert page.locator(".question-list > li").count() == 8

    page.locator('a[href$="/preview"]').click()
    check_page(page)
    page.locator("button[name=move][value=next]").click()
    page.locator(".error-summary").wait_for()
    check_page(page)
    page.go_back()
    page.go_back()
    page.locator('form[action$="/open"] button').click()
    page.wait_for_url("**/staff/questionnaires/*")
    with live_server.app.app_context():
        assert db.session.scalar(sa.select(Questionnaire.state).where(Questionnaire.slug == "var-ar-vi-bast")) == \
            State.open
    page.goto("/questionnaires/var-ar-vi-bast?lang=en")
    check_page(page)


def test_analyst_reads_results_and_hides_spam(page, live_server, demo_data):
    # a resident answers first
    answer_demo_questionnaire(page, "Köp billiga klockor nu")

    sign_in(page, demo_data["analyst"])
    with live_server.app.app_context():
        questionnaire_id = db.session.scalar(sa.select(Questionnaire.id))
    page.goto(f"/staff/questionnaires/{questionnaire_id}/results?lang=en")
    check_page(page)
    assert "1 response so far." in page.locator("main").inner_text()
    page.locator("#q").fill("klockor")
    page.locator("form.filters button[type=submit]").click()
    check_page(page)
    page.locator(".text-answers form button").first.click()
    page.wait_for_load_state()
    assert "0 responses so far." in page.locator("main").inner_text()
    check_page(page)
    response = page.goto(f"/staff/questionnaires/{questionnaire_id}/paper?lang=en")
    assert response.status == 403  # typing in paper answers is for organizers
    check_page(page)
