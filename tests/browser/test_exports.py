"""Exports in a real browser: an official picks a dataset and a format, downloads the file and it opens.

Selectors use names and values, not translated text. Every page state gets ``check_page`` (axe-core).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from tests.browser.conftest import check_page, sign_in
from tests.exports.helpers import NORDIC, SIGNUP_NAME, add_signups, build, read_xlsx

pytestmark = pytest.mark.browser


@pytest.fixture
def built(live_server, demo_data):
    return build(live_server.app)


def download(page, **choices) -> bytes:
    for name, value in choices.items():
        if value is True:  # a checkbox
            page.locator(f"[name={name}]").check()
        else:  # radio buttons
            page.locator(f"[name={name}][value='{value}']").check()
    with page.expect_download() as info:
        page.locator("main form.form button[type=submit]").click()
    download = info.value
    assert download.suggested_filename.isascii()
    return Path(download.path()).read_bytes()


def test_analyst_downloads_each_format_and_it_opens(page, built):
    sign_in(page, "analyst@test.example")
    page.goto(f"/staff/questionnaires/{built.questionnaire_id}/results")
    page.locator("a[href*='/staff/exports/?dataset=responses_wide']").click()
    page.wait_for_url("**/staff/exports/**")
    check_page(page)
    assert page.locator("[name=dataset][value=responses_wide]").is_checked()

    data = download(page, format="csv", delimiter="semicolon")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[1][7] == NORDIC and len(rows) == 4

    data = download(page, format="xlsx")
    assert read_xlsx(data)[1][7] == NORDIC

    data = download(page, dataset="responses_long", format="jsonl")
    assert [json.loads(line)["answer"] for line in data.decode().splitlines()][0] == NORDIC

    data = download(page, dataset="contributions", format="datapackage")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert json.loads(archive.read("datapackage.json"))["resources"][0]["name"] == "contributions"


def test_bad_dates_are_explained_on_the_page(page, built):
    sign_in(page, "analyst@test.example")
    page.goto("/staff/exports/")
    page.locator("[name=dataset][value=contributions]").check()
    page.locator("[name=date_from]").fill("2026-05-01")
    page.locator("[name=date_to]").fill("2026-04-01")
    page.locator("main form.form button[type=submit]").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert summary.locator("a[href='#date_to']").count() == 1
    assert page.locator("[name=date_from]").input_value() == "2026-05-01"
    check_page(page)


def test_admin_includes_names_for_sign_ups(page, live_server, built):
    from tests.events.helpers import make_event

    event_id = make_event(live_server.app)
    add_signups(live_server.app, event_id)
    sign_in(page, "admin@test.example")
    page.goto(f"/staff/events/{event_id}")
    page.locator("a[href*='/staff/exports/?dataset=signups']").click()
    page.wait_for_url("**/staff/exports/**")
    check_page(page)
    without = download(page, format="csv").decode("utf-8-sig")
    assert SIGNUP_NAME not in without
    with_names = download(page, format="csv", personal=True).decode("utf-8-sig")
    assert SIGNUP_NAME in with_names
