"""Residents find every dialogue, open questionnaire and published vision from the home page or the menu."""

from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa

from dialogue.core.time import today
from dialogue.extensions import db
from dialogue.processes.models import Process
from dialogue.questionnaires.models import Questionnaire, State
from dialogue.vision.models import Vision


def _process(slug, start, end, **extra):
    return Process(slug=slug, title={"sv": slug.replace("-", " ").title()}, starts_on=start, ends_on=end,
                   **{"published": True, **extra})


def test_the_processes_page_groups_current_coming_and_past(app, client):
    with app.app_context():
        day = today()
        db.session.add_all([
            _process("now-one", day - timedelta(days=5), day + timedelta(days=5)),
            _process("next-one", day + timedelta(days=30), day + timedelta(days=60)),
            _process("old-one", date(2012, 1, 1), date(2012, 12, 31)),
            _process("hidden-one", day, day, published=False),
            _process("archived-one", day, day, archived=True),
        ])
        db.session.commit()
    html = client.get("/processes/?lang=en").get_data(as_text=True)
    sections = {key: html.split(f'id="processes-{key}"')[1].split("</section>")[0]
                for key in ("current", "upcoming", "past")}
    assert "/processes/now-one" in sections["current"]
    assert "/processes/next-one" in sections["upcoming"]
    assert "/processes/old-one" in sections["past"]
    assert "hidden-one" not in html and "archived-one" not in html
    assert client.get("/processes/archived-one").status_code == 200  # still at its address
    assert client.get("/processes/hidden-one").status_code == 404


def test_the_questionnaires_page_lists_only_open_ones(app, client, municipality):
    html = client.get("/questionnaires/?lang=en").get_data(as_text=True)
    assert 'href="/questionnaires/nar-ar-flens-kommun-som-bast"' in html
    with app.app_context():
        db.session.scalar(sa.select(Questionnaire)).state = State.closed
        db.session.commit()
    html = client.get("/questionnaires/?lang=en").get_data(as_text=True)
    assert "No questionnaire is open right now." in html and "nar-ar-flens" not in html


def test_the_visions_page_lists_published_visions(app, client, municipality):
    html = client.get("/vision/?lang=en").get_data(as_text=True)
    assert 'href="/vision/flen-vision-2019"' in html
    with app.app_context():
        db.session.scalar(sa.select(Vision).where(Vision.slug == "flen-vision-2019")).published = False
        db.session.commit()
    assert "No vision is published yet." in client.get("/vision/?lang=en").get_data(as_text=True)


def test_an_admin_lists_a_vision(app, client, make_user, municipality):
    from tests.conftest import csrf_token, login

    login(client, make_user("admin"))
    with app.app_context():
        vision = db.session.scalar(sa.select(Vision).where(Vision.slug == "flen-vision-2019"))
        vision.published = False
        db.session.commit()
        vision_id = vision.id
    token = csrf_token(client, f"/staff/vision/{vision_id}")
    assert client.post(f"/staff/vision/{vision_id}/publish", data={"csrf_token": token}).status_code == 302
    assert 'href="/vision/flen-vision-2019"' in client.get("/vision/").get_data(as_text=True)


def test_every_public_list_is_one_click_from_any_page(client, municipality):
    home = client.get("/?lang=en").get_data(as_text=True)
    menu = home.split('class="wrap main-nav"')[1].split("</nav>")[0]
    for address in ("/processes/", "/questionnaires/", "/events/", "/vision/"):
        assert f'href="{address}"' in menu, address
    links = set(re.findall(r'href="(/[^"#?]*)', home))
    # the open questionnaire and the next meetings are on the home page itself
    assert "/questionnaires/nar-ar-flens-kommun-som-bast" in links
    assert any(link.startswith("/events/") and link != "/events/" for link in links)
