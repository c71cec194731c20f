"""Follow-up pages and measurement imports in a real browser, with axe."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from dialogue.extensions import db
from tests.browser.conftest import check_page, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def steering_data(live_server, demo_data) -> dict:
    """The demo, Vetlanda's template with its made-up figures, and three of Flen's contributions coded."""
    from dialogue.coding.models import Channel, Coding, Contribution
    from dialogue.steering.demo import load_vetlanda
    from dialogue.vision.models import Vision

    with live_server.app.app_context():
        load_vetlanda()
        flen = db.session.scalar(sa.select(Vision).where(Vision.slug == "flen-vision-2019"))
        blocks = [n for n in flen.nodes if n.kind == "building_block"]
        for n, channel in enumerate((Channel.questionnaire, Channel.open_meeting, Channel.workshop)):
            contribution = Contribution(channel=channel, text=f"Synpunkt {n}", language="sv")
            db.session.add(contribution)
            db.session.flush()
            db.session.add(Coding(contribution_id=contribution.id, node_id=blocks[n % 2].id))
        db.session.commit()
    return demo_data


def test_public_follow_up_of_flen_and_vetlanda(page, steering_data):
    page.goto("/vision/flen-vision-2019?lang=en")
    page.get_by_role("link", name="Follow-up: goals, indicators and the contributions behind each part").click()
    page.wait_for_url("**/vision/flen-vision-2019/follow-up")
    vision = page.locator(".node-vision").first
    assert "3 contributions from residents stand behind this" in vision.locator(".behind").first.inner_text()
    assert "Open meeting 1" in vision.locator(".behind").first.inner_text()
    check_page(page)

    page.goto("/vision/vetlanda-2015-2018/follow-up?lang=en")
    assert page.locator(".node-goal").count() == 5
    statuses = page.locator(".node-indicator .status").all_inner_texts()
    assert statuses == ["Target met", "No data yet", "On track", "Off track", "On track"]
    assert page.locator('figure.chart svg[role="img"]').count() == 4
    page.get_by_text("How the status is worked out").click()  # the explanation opens with a click or a key
    check_page(page)


def test_official_imports_a_kolada_file(page, steering_data, tmp_path):
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"values": [{"kpi": "N00945", "municipality": "0685", "period": 2018,
                                             "values": [{"gender": "T", "value": 1, "status": ""}]}]}))
    good = tmp_path / "kolada.json"
    good.write_text(json.dumps({"values": [{"kpi": "U21468", "municipality": "0685", "period": 2018, "values": [
        {"gender": "T", "value": 93.4, "status": ""}, {"gender": "K", "value": 94.1, "status": ""},
        {"gender": "M", "value": 92.0, "status": ""}]}]}))
    sign_in(page, steering_data["analyst"])
    page.goto("/staff/steering/?lang=en")
    page.get_by_role("link", name="Import measurements").click()
    check_page(page)

    page.get_by_label("Kolada (JSON)").check()
    page.get_by_label("Kolada municipality code").fill("0685")
    page.get_by_label("File", exact=True).set_input_files(str(wrong))
    page.get_by_role("button", name="Import").click()
    summary = page.locator(".error-summary")
    assert "Record 1: no indicator has the Kolada id N00945" in summary.inner_text()
    assert page.get_by_label("Kolada municipality code").input_value() == "0685"
    check_page(page)

    page.get_by_label("Kolada (JSON)").check()
    page.get_by_label("File", exact=True).set_input_files(str(good))
    page.get_by_role("button", name="Import").click()
    assert "Imported: 1 new" in page.locator(".flashes").inner_text()
    check_page(page)

    page.goto("/staff/steering/?lang=en")
    page.get_by_role("link", name="Customer satisfaction in home care").click()
    assert "Target met" in page.locator("h1").inner_text()  # 93.4 in 2018 reaches 93
    assert page.locator("table").filter(has_text="2018").count() >= 1
    check_page(page)
