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
from tests.exports.helpers import NORDIC, SIGNUP_EMAIL, SIGNUP_NAME, add_signups, build, read_xlsx

pytestmark = pytest.mark.browser


@pytest.fixture
def built(live_server, demo_data):
    return build(live_server.app)


def download(page, start: str, **choices) -> bytes:
    """From the export page at *start*: choose, build the file, wait on the job page, download it."""
    page.goto(start)
    for name, value in choices.items():
        if value is True:  # a checkbox
            page.locator(f"[name={name}]").check()
        else:  # radio buttons
            page.locator(f"[name={name}][value='{value}']").check()
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_url("**/staff/exports/jobs/*")
    link = page.locator("[data-export-job] a[href$='/file']")
    link.wait_for()
    with page.expect_download() as info:
        link.click()
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
    start = page.url

    data = download(page, start, format="csv", delimiter="semicolon")
    check_page(page)  # the job page, the file ready
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[1][12] == NORDIC and len(rows) == 4

    data = download(page, start, format="xlsx")
    assert read_xlsx(data)[1][12] == NORDIC

    data = download(page, start, dataset="responses_long", format="jsonl")
    assert [json.loads(line)["answer"] for line in data.decode().splitlines()][0] == NORDIC

    data = download(page, start, dataset="contributions", format="datapackage")
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


def test_admin_includes_addresses_for_sign_ups(page, live_server, built):
    from tests.events.helpers import make_event

    event_id = make_event(live_server.app)
    add_signups(live_server.app, event_id)
    sign_in(page, "admin@test.example")
    page.goto(f"/staff/events/{event_id}")
    page.locator("a[href*='/staff/exports/?dataset=signups']").click()
    page.wait_for_url("**/staff/exports/**")
    check_page(page)
    start = page.url
    without = download(page, start, format="csv").decode("utf-8-sig")
    assert SIGNUP_NAME in without and SIGNUP_EMAIL not in without  # the list for the door
    with_addresses = download(page, start, format="csv", addresses=True).decode("utf-8-sig")
    assert SIGNUP_NAME in with_addresses and SIGNUP_EMAIL in with_addresses
    # the export page lists the files of the last day
    page.goto("/staff/exports/")
    assert page.locator("main table a[href*='/staff/exports/jobs/']").count() == 2
    check_page(page)


def test_organizer_downloads_the_door_list_from_the_event(page, live_server, built):
    """The event page's download is a POST (no link to a file): names, no e-mail addresses, to an organizer
    who runs the event."""
    from tests.events.helpers import add_to_staff, make_event

    event_id = make_event(live_server.app)
    add_signups(live_server.app, event_id)
    add_to_staff(live_server.app, event_id, "organizer@test.example")
    sign_in(page, "organizer@test.example")
    page.goto(f"/staff/events/{event_id}")
    check_page(page)
    page.locator("main form[action='/staff/exports/'] button").first.click()  # CSV, the first
    page.wait_for_url("**/staff/exports/jobs/*")
    link = page.locator("[data-export-job] a[href$='/file']")
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    text = Path(info.value.path()).read_bytes().decode("utf-8-sig")
    assert SIGNUP_NAME in text and SIGNUP_EMAIL not in text


def test_the_job_page_follows_the_job_in_place(page, live_server, built):
    """While the file is built the status is a live region that changes without a reload; axe on both states."""
    import sqlalchemy as sa

    from dialogue.core.base import utcnow
    from dialogue.core.models import User
    from dialogue.exports.models import ExportChunk, ExportJob, JobStatus
    from dialogue.extensions import db

    app = live_server.app
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "analyst@test.example"))
        job = ExportJob(user_id=user.id, submission_key="browser-job", dataset="contributions", format="csv",
                        args={"dataset": "contributions", "format": "csv", "delimiter": "comma"}, filters={},
                        filename="contributions.csv", chunk_size=1 << 20, status=JobStatus.running, rows=500,
                        heartbeat_at=utcnow())
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    sign_in(page, "analyst@test.example")
    page.goto(f"/staff/exports/jobs/{job_id}")
    status = page.locator("[data-export-job-status]")
    assert status.get_attribute("role") == "status"
    assert page.locator("[data-export-job] a[href$='/file']").count() == 0
    check_page(page)
    page.evaluate("window.notReloaded = true")
    with app.app_context():
        db.session.add(ExportChunk(job_id=job_id, sequence=0, data="\ufeffa,b\r\n".encode()))
        db.session.execute(sa.update(ExportJob).where(ExportJob.id == job_id).values(
            status=JobStatus.done, size=len("\ufeffa,b\r\n".encode()), finished_at=utcnow()))
        db.session.commit()
    page.locator("[data-export-job='done'] a[href$='/file']").wait_for()
    assert page.evaluate("window.notReloaded") is True
    check_page(page)


def test_without_javascript_the_job_page_reloads_itself(playwright_browser, live_server, built, monkeypatch):
    import time

    from dialogue.exports import jobs

    write = jobs.write

    def slow(*args, **kwargs):  # the server runs in this process: its job takes four seconds
        time.sleep(4)
        yield from write(*args, **kwargs)

    monkeypatch.setattr(jobs, "write", slow)
    context = playwright_browser.new_context(base_url=live_server.url, locale="sv-SE", java_script_enabled=False,
                                             accept_downloads=True)
    page = context.new_page()
    try:
        sign_in(page, "analyst@test.example")
        page.goto("/staff/exports/")
        page.locator("[name=dataset][value=contributions]").check()
        page.locator("main form.form button[type=submit]").click()
        page.wait_for_url("**/staff/exports/jobs/*")
        # on a busy machine the thread may not have begun yet: queued or running, never done in 4 s
        assert page.locator("[data-export-job='running'], [data-export-job='queued']").count() == 1
        link = page.locator("[data-export-job] a[href$='/file']")
        link.wait_for(timeout=15000)  # a reload every three seconds until it is there
        with page.expect_download() as info:
            link.click()
        assert NORDIC in Path(info.value.path()).read_bytes().decode("utf-8-sig")
    finally:
        context.close()
