"""Traceability: counts behind building blocks, strongest quotes, and the public "what we heard" page."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from markupsafe import escape

from dialogue.coding import trace
from dialogue.coding.models import Channel, Coding, Contribution
from dialogue.core.base import utcnow
from dialogue.core.models import Locality
from dialogue.events import services as event_services
from dialogue.events.models import Event
from dialogue.extensions import db
from dialogue.questionnaires.models import FeedbackContact, Questionnaire
from dialogue.vision.models import NodeKind, Vision, VisionNode
from tests.conftest import login

SLUG = "flen-vision-2019"


@pytest.fixture
def data(app, municipality) -> dict:
    """Two blocks with a known set of contributions; returns the ids the tests need."""
    with app.app_context():
        blocks = db.session.scalars(sa.select(VisionNode).where(VisionNode.kind == NodeKind.building_block)
                                    .order_by(VisionNode.position)).all()
        first, second = blocks[0], blocks[1]
        places = db.session.scalars(sa.select(Locality).order_by(Locality.position)).all()
        a, b = places[4], places[5]  # not "Flen", which is in the vision's name
        now = utcnow()

        def add(text, channel, place=None, group="", nodes=(), publishable=False, hidden=False, age=0,
                excerpt=None, removed=()):
            c = Contribution(channel=channel, text=text, locality_id=place.id if place else None,
                             respondent_group=group, publishable=publishable, hidden=hidden,
                             created_at=now - timedelta(minutes=age))
            db.session.add(c)
            db.session.flush()
            for node in nodes:
                start, end = excerpt if excerpt else (None, None)
                db.session.add(Coding(contribution_id=c.id, node_id=node.id, excerpt_start=start, excerpt_end=end))
            for node in removed:
                db.session.add(Coding(contribution_id=c.id, node_id=node.id, removed_at=now))
            return c.id

        ids = {
            "web_a": add("Sjöarna och skogen", Channel.questionnaire, a, "resident", [first], age=5),
            "web_a2": add("Skogen är fin", Channel.questionnaire, a, "young", [first, second], age=4),
            "web_b": add("<script>alert('x')</script> Badplatsen", Channel.questionnaire, b, "resident", [first],
                         publishable=True, age=3),
            "paper": add("Naturen nära", Channel.paper, None, "", [first], age=2, excerpt=(0, 7)),
            "meeting": add("Bygg fler cykelvägar", Channel.open_meeting, b, "business", [first], publishable=True,
                           age=1),
            "hidden": add("Spam spam", Channel.questionnaire, a, "resident", [first], publishable=True, hidden=True),
            "removed": add("Borttagen kod", Channel.workshop, a, "resident", (), publishable=True, removed=[first]),
            "other": add("Bara det andra", Channel.seminar, a, "resident", [second], publishable=True),
        }
        db.session.commit()
        return {"first": first.id, "second": second.id, "a": a.id, "b": b.id, "a_name": a.name, "b_name": b.name,
                **ids}


def test_block_counts_by_channel_locality_and_group_are_exact(app, data):
    with app.app_context():
        counts = trace.block_counts(db.session.get(VisionNode, data["first"]))
    assert counts["total"] == 5  # not the hidden one, not the one whose code was removed
    assert dict(counts["channel"]) == {Channel.questionnaire: 3, Channel.paper: 1, Channel.open_meeting: 1}
    assert dict(counts["locality"]) == {data["a"]: 2, data["b"]: 2, None: 1}
    assert dict(counts["group"]) == {"resident": 2, "young": 1, "business": 1, "": 1}


def test_counts_behind_roll_up_the_tree_once_per_contribution(app, data):
    with app.app_context():
        vision = db.session.scalar(sa.select(Vision).where(Vision.slug == SLUG))
        counts = trace.counts_behind(vision)
        statement = db.session.get(VisionNode, data["first"]).parent_id
    assert counts[data["first"]] == {"questionnaire": 3, "paper": 1, "open_meeting": 1, "total": 5}
    assert counts[data["second"]] == {"questionnaire": 1, "seminar": 1, "total": 2}
    # web_a2 is behind both blocks but counts once for the statement above them
    assert counts[statement]["total"] == 6


def test_strongest_quotes_order_and_excerpts(app, data):
    with app.app_context():
        quotes = trace.strongest_quotes(db.session.get(VisionNode, data["first"]))
        public = trace.strongest_quotes(db.session.get(VisionNode, data["first"]), publishable_only=True)
    order = [q.contribution_id for q in quotes]
    # publishable first (newest first among equals), then coded to one block only, excerpt first, then the rest
    assert order == [data["meeting"], data["web_b"], data["paper"], data["web_a"], data["web_a2"]]
    paper = next(q for q in quotes if q.contribution_id == data["paper"])
    assert (paper.text, paper.excerpt) == ("Naturen", True)
    assert next(q for q in quotes if q.contribution_id == data["web_a2"]).spread == 2
    assert [q.contribution_id for q in public] == [data["meeting"], data["web_b"]]


def test_block_page_shows_counts_and_links_each_quote_to_the_workspace(app, client, make_user, data):
    login(client, make_user("analyst"))
    response = client.get(f"/staff/coding/blocks/{data['first']}?lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "5 contributions behind it" in page
    assert '<th scope="row">Questionnaire (web)</th><td>3</td>' in page
    assert f'<th scope="row">{data["a_name"]}</th><td>2</td>' in page
    assert '<th scope="row">Not known</th><td>1</td>' in page
    assert '<th scope="row">I am a young person</th><td>1</td>' in page
    for key in ("web_a", "web_a2", "web_b", "paper", "meeting"):
        assert f'href="/staff/coding/{data[key]}"' in page
    assert f'href="/staff/coding/{data["hidden"]}"' not in page
    assert "&lt;script&gt;alert(" in page and "<script>alert(" not in page
    assert "publishable first" in page


@pytest.mark.parametrize("role", ["organizer", "admin"])
def test_block_page_is_for_analysts_and_admins(app, client, make_user, data, role):
    login(client, make_user(role))
    status = client.get(f"/staff/coding/blocks/{data['first']}").status_code
    assert status == (403 if role == "organizer" else 200)
    assert client.get("/staff/coding/blocks/999999").status_code in (403, 404)


def test_what_we_heard_shows_counts_and_publishable_quotes_only(app, client, data):
    response = client.get(f"/vision/{SLUG}/what-we-heard?lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Bygg fler cykelvägar" in page and "Badplatsen" in page and "Bara det andra" in page
    for private in ("Sjöarna och skogen", "Skogen är fin", "Naturen nära", "Spam spam", "Borttagen kod"):
        assert private not in page
    assert "&lt;script&gt;alert(" in page and "<script>alert(" not in page
    assert '<blockquote class="quote"><p dir="auto">' in page
    assert "5 contributions behind it" in page
    assert "/staff/coding/" not in page  # no links into the workspace


def test_what_we_heard_never_shows_personal_data(app, client, data):
    with app.app_context():
        questionnaire = db.session.scalar(sa.select(Questionnaire))
        db.session.add(FeedbackContact(questionnaire_id=questionnaire.id, email="anna.svensson@example.se",
                                       locale="sv"))
        event = db.session.scalar(sa.select(Event).where(Event.capacity.is_not(None)).limit(1))
        event_services.register(event, group="young", name="Bertil Karlsson", email="bertil@example.se", needs=[],
                                needs_note="", locale="sv", submission_key="trace-test")
        # a quote coded from that event, by a resident who signed up
        meeting = db.session.get(Contribution, data["meeting"])
        meeting.event_id = event.id
        db.session.commit()
    page = client.get(f"/vision/{SLUG}/what-we-heard?lang=en").get_data(as_text=True)
    assert "Bygg fler cykelvägar" in page
    for personal in ("anna.svensson", "Bertil", "Karlsson", "bertil@example.se", "@"):
        assert personal not in page.split("<main", 1)[1].split("</main>", 1)[0], personal
    # neither where nor from which group a quote came
    for detail in (data["a_name"], data["b_name"], "I represent a business", "I am a young person"):
        assert detail not in page


def test_public_vision_page_shows_counts_behind_each_node(app, client, data):
    page = client.get(f"/vision/{SLUG}?lang=en").get_data(as_text=True)
    assert "6 contributions behind it" in page  # the statement
    assert "5 contributions behind it: " in page and "Questionnaire (web) 3" in page
    assert "9 building blocks" in page
    assert f"/vision/{SLUG}/what-we-heard" in page


def test_unknown_vision_is_404(client, municipality):
    assert client.get("/vision/nowhere/what-we-heard").status_code == 404


def test_a_node_names_the_building_blocks_deeper_below_it(app, client, make_user, data):
    from dialogue.vision import tree

    with app.app_context():
        vision = db.session.scalar(sa.select(Vision).where(Vision.slug == SLUG))
        value = db.session.scalar(sa.select(VisionNode).where(VisionNode.kind == NodeKind.value).limit(1))
        goal = tree.add_node(vision, value, NodeKind.goal, {"en": "A goal between"}, {})
        block = db.session.get(VisionNode, data["second"])
        tree.move_node(block, goal)
        db.session.commit()
        title = str(escape(block.title["en"]))
    page = client.get(f"/vision/{SLUG}?lang=en").get_data(as_text=True)
    assert f"1 building block ({title}) · 2 contributions behind it" in page
    login(client, make_user("analyst"))
    staff = client.get("/staff/vision/?lang=en").get_data(as_text=True)
    assert f'(<a href="/staff/coding/blocks/{data["second"]}">{title}</a>)' in staff
