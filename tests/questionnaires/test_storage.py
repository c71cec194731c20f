"""Responses written straight through the driver read back exactly like rows SQLAlchemy wrote."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa

from dialogue.coding.models import Channel, Contribution
from dialogue.extensions import db
from dialogue.questionnaires.models import Answer, Response, ResponseChannel
from tests.questionnaires.helpers import answer_all


def test_driver_rows_read_back_like_orm_rows(app, client, municipality):
    answer_all(app, client)
    with app.app_context():
        response = db.session.scalar(sa.select(Response))
        assert response.channel == ResponseChannel.web and response.hidden is False
        assert isinstance(response.submitted_at, datetime) and response.updated_at is None
        assert {a.value for a in db.session.scalars(sa.select(Answer))} >= {"30-44", "resident", "Trains"}
        contribution = db.session.scalar(sa.select(Contribution).where(Contribution.text == "Trains"))
        # columns the insert leaves out get their model defaults, as an ORM insert would give them
        assert contribution.channel == Channel.questionnaire
        assert (contribution.note_kind, contribution.coding_note) == ("", "")
        assert contribution.publishable is False and contribution.hidden is False
        if db.engine.dialect.name == "sqlite":
            raw = db.session.execute(sa.text("SELECT submitted_at, channel FROM response")).one()
            assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", raw[0])  # SQLAlchemy's own format
            assert raw[1] == "web"
