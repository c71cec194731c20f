"""The demo process with a few dozen answers, some coded, a sign-up with a name, and tokens per role."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dialogue.extensions import db
from tests.conftest import load_demo

RESPONSES = 30
SIGNUP_NAME = "Astrid Lindqvist-Sample"
SIGNUP_EMAIL = "astrid.sample@example.se"
FEEDBACK_EMAIL = "feedback.sample@example.se"


@pytest.fixture
def demo(app):
    """Load the demo with RESPONSES answers; code two contributions; add a sign-up and a feedback address."""
    from dialogue.coding.models import Coding, Contribution
    from dialogue.core.models import User
    from dialogue.events import services as event_services
    from dialogue.events.models import Event
    from dialogue.questionnaires.models import FeedbackContact, Questionnaire, Response
    from dialogue.vision.models import NodeKind, VisionNode

    accounts = load_demo(app, sample_responses=RESPONSES)
    with app.app_context():
        analyst = db.session.scalar(sa.select(User).where(User.email == "analyst@flen.example"))
        blocks = db.session.scalars(sa.select(VisionNode.id).where(VisionNode.kind == NodeKind.building_block)
                                    .order_by(VisionNode.id).limit(2)).all()
        contributions = db.session.scalars(sa.select(Contribution).order_by(Contribution.id).limit(2)).all()
        db.session.add(Coding(contribution_id=contributions[0].id, node_id=blocks[0], coder_id=analyst.id,
                              from_suggestion=True, excerpt_start=0, excerpt_end=4))
        db.session.add(Coding(contribution_id=contributions[1].id, node_id=blocks[1], coder_id=analyst.id))
        event = db.session.scalar(sa.select(Event).where(Event.capacity.is_not(None)).limit(1))
        event_services.register(event, group="young", name=SIGNUP_NAME, email=SIGNUP_EMAIL, needs=[],
                                needs_note="", locale="sv", submission_key="api-sample")
        questionnaire = db.session.scalar(sa.select(Questionnaire))
        response_id = db.session.scalar(sa.select(Response.id).limit(1))
        db.session.add(FeedbackContact(questionnaire_id=questionnaire.id, response_id=response_id,
                                       email=FEEDBACK_EMAIL, locale="sv"))
        db.session.commit()
        return {"accounts": accounts, "blocks": blocks, "coded": [c.id for c in contributions],
                "event_id": event.id, "questionnaire": questionnaire.id, "slug": questionnaire.slug}


@pytest.fixture
def make_token(app, make_user):
    """A token for a new staff user with *role*; returns (token, user e-mail)."""
    from dialogue.api.services import create_token
    from dialogue.core.models import User

    def factory(role: str = "analyst") -> tuple[str, str]:
        email = make_user(role)
        with app.app_context():
            user = db.session.scalar(sa.select(User).where(User.email == email))
            _row, token = create_token(user, f"{role} token", user)
            db.session.commit()
        return token, email

    return factory


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
