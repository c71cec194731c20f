"""Analysts code contributions to building blocks; the history of codes stays."""

from __future__ import annotations

import sqlalchemy as sa

from dialogue.coding.models import Coding, Contribution
from dialogue.core.models import AuditEvent
from dialogue.extensions import db
from dialogue.vision.models import NodeKind, VisionNode
from tests.conftest import csrf_token, login
from tests.questionnaires.helpers import answer_all


def blocks(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(VisionNode.id).where(VisionNode.kind == NodeKind.building_block)
                                       .order_by(VisionNode.position)))


def contributions(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Contribution.id).order_by(Contribution.id)))


def test_code_save_and_go_to_the_next(app, client, make_user, municipality):
    answer_all(app, app.test_client())
    login(client, make_user("analyst"))
    first, second = contributions(app)[:2]
    block = blocks(app)
    url = f"/staff/coding/{first}"
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Forests and lakes" in page and "1. " in page
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "node": [block[0], block[2]],
                                      "note": "Nature", "then": "next"})
    assert response.headers["Location"].endswith(f"/staff/coding/{second}")
    with app.app_context():
        contribution = db.session.get(Contribution, first)
        assert {c.node_id for c in contribution.active_codings} == {block[0], block[2]}
        assert contribution.coding_note == "Nature"
        assert db.session.scalar(sa.select(AuditEvent.details).where(AuditEvent.action == "contribution.code")) == {
            "added": 2, "removed": 0}


def test_removing_a_code_keeps_its_history(app, client, make_user, municipality):
    answer_all(app, app.test_client())
    login(client, make_user("analyst"))
    first = contributions(app)[0]
    block = blocks(app)
    url = f"/staff/coding/{first}"
    client.post(url, data={"csrf_token": csrf_token(client, url), "node": [block[0]], "then": "stay"})
    client.post(url, data={"csrf_token": csrf_token(client, url), "node": [block[1]], "then": "stay"})
    with app.app_context():
        rows = db.session.execute(sa.select(Coding.node_id, Coding.removed_at).order_by(Coding.id)).all()
    assert [(node, removed is not None) for node, removed in rows] == [(block[0], True), (block[1], False)]


def test_only_building_blocks_of_the_vision_are_accepted(app, client, make_user, municipality):
    answer_all(app, app.test_client())
    login(client, make_user("analyst"))
    first = contributions(app)[0]
    with app.app_context():
        value = db.session.scalar(sa.select(VisionNode.id).where(VisionNode.kind == NodeKind.value))
    url = f"/staff/coding/{first}"
    client.post(url, data={"csrf_token": csrf_token(client, url), "node": [value, "abc"], "then": "stay"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Coding)) == 0


def test_queue_shows_uncoded_then_coded_and_never_spam(app, client, make_user, municipality):
    answer_all(app, app.test_client(), texts=("Första", "Andra"))
    login(client, make_user("analyst"))
    first, second = contributions(app)[:2]
    url = f"/staff/coding/{first}"
    client.post(url, data={"csrf_token": csrf_token(client, url), "node": [blocks(app)[0]], "then": "stay"})
    uncoded = client.get("/staff/coding/?lang=en").get_data(as_text=True)
    assert "Andra" in uncoded and "Första" not in uncoded
    coded = client.get("/staff/coding/?state=coded&lang=en").get_data(as_text=True)
    assert "Första" in coded and "Andra" not in coded
    with app.app_context():
        db.session.get(Contribution, second).hidden = True
        db.session.commit()
    assert "Andra" not in client.get("/staff/coding/?state=all").get_data(as_text=True)
    assert client.get(f"/staff/coding/{second}").status_code == 404


def test_organizers_do_not_code(app, client, make_user, municipality):
    answer_all(app, app.test_client())
    login(client, make_user("organizer"))
    assert client.get("/staff/coding/").status_code == 403
