"""The public follow-up page: Vetlanda's goals with their statuses, Flen's vision with the contributions
behind each part, and the links to it."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from dialogue.coding.models import Channel, Coding, Contribution
from dialogue.core.time import today
from dialogue.extensions import db
from dialogue.processes.models import PhaseKind, Process
from dialogue.questionnaires.models import FeedbackContact, Questionnaire
from dialogue.vision.models import Vision, VisionNode
from tests.steering.helpers import vetlanda


def statuses(html: str) -> dict[str, str]:
    """{indicator title: status} from the page."""
    found = {}
    for item in re.findall(r'<li class="node node-indicator">(.*?)</li>', html, re.S):
        title = re.search(r"<strong>(.*?)</strong>", item).group(1)
        found[title] = re.search(r'class="tag status status-(\w+)"', item).group(1)
    return found


def test_vetlanda_five_goals_with_the_right_statuses(app, client):
    vetlanda(app)
    page = client.get("/vision/vetlanda-2015-2018/follow-up?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('class="node node-goal"') == 5
    found = statuses(html)
    assert found == {
        "More people moving in than the year before (difference)": "met",
        "Pupils in year 9 eligible for vocational upper secondary programmes": "no_data",
        "Customer satisfaction in home care": "on_track",
        "Businesses&#39; satisfaction with the municipality&#39;s service: rank in the country": "off_track",
        "Share of comparable municipalities with lower staff engagement (HME)": "on_track",
    }
    # a chart per measured indicator, with its data table; the target line and the made-up note in the data
    assert html.count('<svg role="img"') == 4
    assert "Target 93 %" in html and "<th scope=\"row\">2017H2</th>" in html
    # the summary counts
    summary = re.search(r'<table class="status-summary">.*?<tbody><tr>(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", summary) == ["1", "2", "1", "1"]
    # per committee: Kommunstyrelsen answers for three (met, off track, on track)
    board = re.search(r'<th scope="row">Kommunstyrelsen</th>(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", board) == ["1", "1", "1", "0"]


def test_numbers_in_the_readers_language(app, client):
    vetlanda(app)
    html = client.get("/vision/vetlanda-2015-2018/follow-up?lang=sv").get_data(as_text=True)
    assert "<td>89,5</td>" in html  # a decimal comma in Swedish


def _code(app, texts_by_block: dict[str, list[tuple[str, Channel]]]) -> None:
    with app.app_context():
        vision = db.session.scalar(sa.select(Vision).where(Vision.slug == "flen-vision-2019"))
        blocks = {n.title["en"]: n for n in vision.nodes if n.kind == "building_block"}
        for block, items in texts_by_block.items():
            for text, channel in items:
                contribution = Contribution(channel=channel, text=text, language="sv")
                db.session.add(contribution)
                db.session.flush()
                db.session.add(Coding(contribution_id=contribution.id, node_id=blocks[block].id))
        db.session.commit()


def test_flen_follow_up_links_the_vision_to_the_coded_contributions(app, client, municipality):
    _code(app, {"Good housing and good connections": [("Bättre busstider", Channel.questionnaire),
                                                        ("Tåget till Stockholm", Channel.open_meeting)],
                "A good climate for business": [("Lättare att starta företag", Channel.workshop)]})
    with app.app_context():  # an address left for feedback must never show
        db.session.add(FeedbackContact(questionnaire_id=db.session.scalar(sa.select(Questionnaire.id)),
                                       email="hemlig@example.se", locale="sv"))
        db.session.commit()
    html = client.get("/vision/flen-vision-2019/follow-up?lang=en").get_data(as_text=True)
    vision_item = re.search(r'<li class="node node-vision">.*?<p class="behind">(.*?)</p>', html, re.S).group(1)
    assert "3 contributions from residents stand behind this" in vision_item
    assert "Questionnaire (web) 1, Open meeting 1, Workshop 1" in " ".join(vision_item.split())
    housing = re.search(r"Good housing and good connections</strong>\s*<p class=\"behind\">(.*?)</p>", html,
                        re.S).group(1)
    assert "2 contributions" in housing
    assert "No contributions are linked to this part yet" in html  # the blocks nobody spoke of
    for private in ("hemlig@example.se", "Bättre busstider", "Tåget"):
        assert private not in html  # counts only: no addresses, no words


def test_links_from_the_vision_page_and_the_home_page(app, client, municipality):
    vision_page = client.get("/vision/flen-vision-2019?lang=en").get_data(as_text=True)
    assert 'href="/vision/flen-vision-2019/follow-up"' in vision_page
    home = client.get("/?lang=en").get_data(as_text=True)
    assert "See what came of the dialogue" not in home  # the decision lies ahead
    with app.app_context():
        process = db.session.scalar(sa.select(Process))
        next(p for p in process.phases if p.kind == PhaseKind.decision).starts_on = today() - timedelta(days=1)
        db.session.commit()
    home = client.get("/?lang=en").get_data(as_text=True)
    assert "See what came of the dialogue" in home and "/vision/flen-vision-2019/follow-up" in home


def test_unknown_vision_is_404(app, client):
    assert client.get("/vision/nowhere/follow-up").status_code == 404


def test_indicator_without_details_shows_no_data(app, client):
    with app.app_context():
        from dialogue.vision import services

        services.import_vision("slug: bare\nname: {sv: B}\nnodes:\n  - kind: goal\n    title: {sv: Mål}\n"
                               "    children:\n      - kind: indicator\n        title: {sv: Mätetal}\n")
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(VisionNode)) == 2
    html = client.get("/vision/bare/follow-up?lang=en").get_data(as_text=True)
    assert statuses(html) == {"Mätetal": "no_data"}
    assert "The details of this indicator are not set yet" in html
