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


def _ids(live_server):
    import sqlalchemy as sa

    from dialogue.extensions import db
    from dialogue.vision.models import NodeKind, Vision, VisionNode

    with live_server.app.app_context():
        vision_id = db.session.scalar(sa.select(Vision.id).where(Vision.slug == "flen-vision-2019"))
        values = db.session.scalars(sa.select(VisionNode.id).where(VisionNode.kind == NodeKind.value)
                                    .order_by(VisionNode.position)).all()
        return vision_id, values


def _value_titles(page) -> list[str]:
    return page.locator(".node-value > strong").all_inner_texts()


def test_an_admin_edits_the_tree_with_the_keyboard(page, live_server, demo_data):
    vision_id, values = _ids(live_server)
    sign_in(page, demo_data["admin"])
    page.goto(f"/staff/vision/{vision_id}?lang=en")
    check_page(page)
    before = _value_titles(page)
    # move the first value down: focus its button and press Enter, as a keyboard user does
    page.locator(f"#node-{values[0]} > .node-controls button[value=down]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert _value_titles(page) == [before[1], before[0], *before[2:]]
    assert page.locator(".flash").inner_text().endswith("moved down.")
    check_page(page)

    # add a value under the top of the tree; leave the title out first to see the error summary
    page.locator("a", has_text="Add a node at the top").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator("#kind").select_option("value")
    page.locator("#text_en").focus()
    page.keyboard.type("We listen first.")
    page.locator("button[type=submit]", has_text="Save the node").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    assert "Give a title in at least one language." in summary.inner_text()
    assert page.locator("#text_en").input_value() == "We listen first."
    check_page(page)
    summary.locator("a").first.focus()
    page.keyboard.press("Enter")
    page.keyboard.type("Curiosity")  # the link took focus to the Swedish title
    page.locator("#title_en").fill("Curiosity")
    page.locator("#title_en").press("Enter")
    page.wait_for_url(f"**/staff/vision/{vision_id}*")
    assert "Curiosity" in _value_titles(page)

    # archive a value: it leaves the public page, and comes back when restored
    page.locator(f"#node-{values[1]} > .node-controls button", has_text="Archive").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(f"#node-{values[1]}.node-archived").count() == 1
    check_page(page)
    page.goto("/vision/flen-vision-2019?lang=en")
    assert page.locator(".node-value").count() == 6  # seven values now, one archived
    check_page(page)
