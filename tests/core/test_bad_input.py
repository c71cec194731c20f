"""Odd requests get a clear answer, never a server error."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token, login
from tests.questionnaires.helpers import URL, demo_questions, start

BIG = "9" * 20  # more than a BIGINT holds
OVER = str(2**31)  # one more than an id column (INTEGER) holds on PostgreSQL

ODD_GETS = [
    "/events/?kind=nonsense&locality=abc&month=2026-13",
    "/events/?month=%00",
    "/events/999999",
    "/events/999999.ics",
    f"/events/{BIG}",
    f"/events/{BIG}.ics",
    f"/events/?locality={BIG}",
    f"/events/{OVER}",
    f"/events/{OVER}.ics",
    f"/events/?locality={OVER}",
    "/events/?locality=%C2%B2",  # "²" passes str.isdigit but not int()
    "/events/0/signup",
    "/events/cancel/" + "x" * 500,
    f"{URL}/answers/" + "y" * 500,
    f"{URL}/answers/%00/edit",
    "/questionnaires/%E2%80%AE",
    "/processes/<script>",
    "/?lang=<script>",
    "/staff/login?next=javascript:alert(1)",
]


@pytest.mark.parametrize("url", ODD_GETS)
def test_odd_gets(client, municipality, url):
    response = client.get(url)
    assert response.status_code < 500, url
    assert "<script>" not in response.get_data(as_text=True).split("</header>")[-1]


ODD_STAFF_GETS = [
    f"/staff/coding/{BIG}",
    f"/staff/coding/?questionnaire={BIG}&event=%C2%B2&locality={BIG}&page={BIG}",
    f"/staff/coding/{OVER}",
    f"/staff/coding/?questionnaire={OVER}&locality={OVER}",
    f"/staff/coding/blocks/{BIG}",
    f"/staff/exports/?questionnaire={BIG}&locality=%C2%B2&node={BIG}",
    f"/staff/audit?page={BIG}",
    f"/staff/vision/{BIG}",
    f"/staff/reports/{BIG}",
]


def test_odd_staff_gets(app, client, municipality, make_user):
    login(client, make_user("admin"))
    for url in ODD_STAFF_GETS:
        assert client.get(url).status_code < 500, url


def test_odd_ids_in_staff_posts(app, client, municipality, make_user):
    from dialogue.coding.models import Contribution
    from dialogue.extensions import db

    with app.app_context():
        contribution = Contribution(channel="paper", text="Sjöarna och skogen.", language="sv")
        db.session.add(contribution)
        db.session.commit()
        contribution_id = contribution.id
    login(client, make_user("admin"))
    url = f"/staff/coding/{contribution_id}"
    token = csrf_token(client, url)
    for node in ("²", BIG, "-1", "abc"):
        response = client.post(url, data={"csrf_token": token, "node": node, "confirm": node, "then": "stay"})
        assert response.status_code < 500, node


def test_odd_answer_posts(app, client, municipality):
    q = demo_questions(app)
    fields = start(client)
    base = {"csrf_token": fields["csrf_token"], "form": fields["form"]}
    for extra in ({"page": "abc", "move": "next"}, {"page": "-5", "move": "back"}, {"page": "99", "move": "sideways"},
                  {"move": "submit", f"q{q[6].id}": ["resident", "business"]},
                  {"move": "submit", f"q{q[0].id}": "x" * 200_000},
                  {"move": "submit", f"q{q[0].id}": "\ud800"[:0] + "\u202e\u200f rtl"},
                  {"move": "submit", "feedback_email": "a@" + "b" * 300 + ".se"}):
        response = client.post(URL, data={**base, **extra})
        assert response.status_code < 500, extra


def test_oversized_request_is_refused_politely(app_factory, municipality):
    app = app_factory(MAX_CONTENT_LENGTH=1024 * 1024)
    client = app.test_client()
    fields = start(client)
    response = client.post(URL, data={"csrf_token": fields["csrf_token"], "form": fields["form"],
                                      "q1": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
