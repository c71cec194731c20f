"""Odd requests get a clear answer, never a server error."""

from __future__ import annotations

import pytest

from tests.questionnaires.helpers import URL, demo_questions, start

ODD_GETS = [
    "/events/?kind=nonsense&locality=abc&month=2026-13",
    "/events/?month=%00",
    "/events/999999",
    "/events/999999.ics",
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
