"""Traceability in a real browser: from a building block back to residents' words, and what we heard."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dialogue.coding.models import Channel, Coding, Contribution
from dialogue.extensions import db
from dialogue.vision.models import NodeKind, VisionNode
from tests.browser.conftest import check_page, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def coded(live_server, demo_data) -> dict:
    """Three contributions coded to the first building block; one publishable, one in Arabic."""
    with live_server.app.app_context():
        block = db.session.scalar(sa.select(VisionNode).where(VisionNode.kind == NodeKind.building_block)
                                  .order_by(VisionNode.position).limit(1))
        ids = []
        for text, channel, publishable in (("Sjöarna runt Flen är det bästa vi har.", Channel.questionnaire, True),
                                           ("البحيرات والغابات", Channel.open_meeting, True),
                                           ("Min granne Anna tycker om skogen.", Channel.paper, False)):
            contribution = Contribution(channel=channel, text=text, publishable=publishable)
            db.session.add(contribution)
            db.session.flush()
            db.session.add(Coding(contribution_id=contribution.id, node_id=block.id))
            ids.append(contribution.id)
        db.session.commit()
        return {"block": block.id, "title": block.title["en"], "ids": ids}


def test_an_analyst_follows_a_building_block_back_to_the_residents_words(page, demo_data, coded):
    sign_in(page, demo_data["analyst"])
    page.goto("/staff/vision/?lang=en")
    check_page(page)
    page.get_by_role("link", name=coded["title"]).first.click()
    page.wait_for_url(f"**/staff/coding/blocks/{coded['block']}*")
    assert "3 contributions behind it" in page.locator(".lead").inner_text()
    assert page.locator(".quote").count() == 3
    check_page(page)
    page.get_by_role("link", name=f"Open contribution {coded['ids'][2]} in the workspace").click()
    page.wait_for_url(f"**/staff/coding/{coded['ids'][2]}*")
    assert "Min granne Anna" in page.locator(".contribution").inner_text()
    check_page(page)


def test_what_we_heard_shows_publishable_quotes_only(page, demo_data, coded):
    page.goto("/vision/flen-vision-2019?lang=en")
    page.get_by_role("link", name="Read what we heard").click()
    page.wait_for_url("**/what-we-heard*")
    body = page.locator("main").inner_text()
    assert "Sjöarna runt Flen" in body and "Min granne Anna" not in body
    arabic = page.locator(".quote p", has_text="البحيرات")
    assert arabic.get_attribute("dir") == "auto"
    assert arabic.evaluate("element => getComputedStyle(element).direction") == "rtl"
    check_page(page)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_what_we_heard_fits_a_360_px_phone(playwright_browser, live_server, lang):
    """The figures table beside the chart wraps long block names instead of widening the page."""
    from pathlib import Path

    from dialogue.core.models import Municipality
    from dialogue.vision import services
    from dialogue.vision.services import SEEDS

    with live_server.app.app_context():
        db.session.add(Municipality(name="Västby kommun", languages=["sv", "en"], default_locale="sv"))
        vision = services.import_vision(Path(SEEDS / "flen.yaml").read_text(encoding="utf-8"))
        block = next(node for node in vision.nodes if node.kind == NodeKind.building_block)
        contribution = Contribution(channel=Channel.questionnaire, text="Sjöarna", publishable=True)
        db.session.add(contribution)
        db.session.flush()
        db.session.add(Coding(contribution_id=contribution.id, node_id=block.id))
        db.session.commit()
    context = playwright_browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740},
                                             is_mobile=True)
    page = context.new_page()
    page.goto(f"/vision/flen-vision-2019/what-we-heard?lang={lang}")
    assert page.locator("figure.chart table tbody tr").count() == 9
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    check_page(page)
    context.close()
