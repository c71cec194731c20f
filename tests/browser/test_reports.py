"""The process dashboard in a real browser: representativeness against the demo population, the printed
report without navigation or forms, and the population and token pages; axe on every page.

Selectors avoid translated interface text: ids, classes, hrefs and element structure.
"""

from __future__ import annotations

import pytest

from dialogue import demo
from dialogue.extensions import db
from tests.browser.conftest import check_page, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_answers(live_server) -> dict:
    """The demo with 60 answers (not the browser conftest's empty demo) and an analyst."""
    import sqlalchemy as sa

    from dialogue.core import services
    from dialogue.processes.models import Process
    from tests.conftest import PASSWORD

    with live_server.app.app_context():
        demo.load(sample_responses=60)
        services.create_user("analyst@test.example", PASSWORD, "analyst")
        services.create_user("admin@test.example", PASSWORD, "admin")
        db.session.commit()
        process_id = db.session.scalar(sa.select(Process.id))
    return {"process_id": process_id}


def visible(page, selector: str) -> bool:
    return page.locator(selector).first.is_visible()


def test_dashboard_shows_representativeness_and_prints_clean(page, demo_answers):
    sign_in(page, "analyst@test.example")
    page.goto("/staff/processes/")
    page.locator(f'a[href="/staff/reports/{demo_answers["process_id"]}"]').click()
    page.wait_for_url(f"**/staff/reports/{demo_answers['process_id']}")
    check_page(page)

    # every chart is an SVG image with a title, next to its table
    charts = page.locator("figure.chart")
    assert charts.count() >= 8
    assert page.locator("figure.chart svg[role=img] title").count() == charts.count()
    # the demo's answers are drawn evenly across localities; Flen holds 45 % of the people
    locality_rows = page.locator("#by-locality-caption ~ table tbody tr")
    assert locality_rows.count() == 8
    assert page.locator("#by-locality-caption ~ table tr.under-represented").count() >= 1
    assert page.locator("#by-age-caption ~ table tbody tr").count() == 7

    assert visible(page, "nav.staff-nav")
    page.emulate_media(media="print")
    assert not visible(page, "nav.staff-nav")
    assert not visible(page, "header.site-header")
    assert not visible(page, "footer.site-footer")
    assert page.locator("form:visible, button:visible").count() == 0
    assert visible(page, "main h1") and visible(page, ".report-meta")
    assert page.locator("figure.chart").first.evaluate("el => getComputedStyle(el).breakInside") == "avoid"
    page.emulate_media(media="screen")
    assert visible(page, "nav.staff-nav")


def test_population_and_token_pages(page, demo_answers):
    sign_in(page, "admin@test.example")
    page.goto("/staff/reports/population")
    assert page.locator("table.population-table tbody tr").count() == 8
    check_page(page)
    first = page.locator("table.population-table input").first
    first.fill("many")
    page.locator('form[action="/staff/reports/population"] button[type=submit]').click()
    assert page.locator(".error-summary a").count() == 1
    assert first.input_value() == "many"
    check_page(page)

    page.goto("/staff/api-tokens")
    page.locator("#user_id").select_option(index=1)
    page.locator("#name").fill("Statistik")
    page.locator('form.form button[type=submit]').click()
    assert page.locator("#new-token").input_value().startswith("dlg_")
    check_page(page)


NARROW = {"width": 360, "height": 740}


def test_dashboard_fits_a_360_pixel_phone_and_prints_headings_with_their_charts(make_page, demo_answers):
    """No sideways scrolling at 360 px (the wide tables stack; the charts scale), axe clean; printed, a
    question's heading stays with its chart."""
    page = make_page(viewport=NARROW)
    sign_in(page, "analyst@test.example")
    page.goto(f"/staff/reports/{demo_answers['process_id']}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator("table.stack-figures").count() >= 2
    for svg in page.locator("figure.chart svg").all()[:5]:
        assert svg.bounding_box()["width"] <= 360
    check_page(page)

    page.emulate_media(media="print")
    heading = page.locator(".report-question h3").first
    assert heading.evaluate("el => getComputedStyle(el).breakAfter") == "avoid"
    assert page.locator(".report-question").first.evaluate("el => getComputedStyle(el).breakInside") == "avoid"
    # each chart's title is printed once: in its figure's caption, not again above its table
    printed = page.evaluate("""() => [...document.querySelectorAll('main figcaption, main caption')]
        .filter(el => el.getBoundingClientRect().width > 1 && el.getBoundingClientRect().height > 1)
        .map(el => el.textContent.trim())""")
    assert len(printed) == len(set(printed)), sorted(t for t in printed if printed.count(t) > 1)
