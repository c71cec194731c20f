"""Two tabs, a double click or a retry with the same form store one response, even when they race."""

from __future__ import annotations

from dialogue.coding.models import Contribution
from dialogue.questionnaires.models import Response
from tests.conftest import count
from tests.questionnaires.helpers import URL, demo_questions, race, start


def test_concurrent_duplicate_submissions_store_one(app, client, municipality):
    q = demo_questions(app)
    fields = start(client)
    cookie = client.get_cookie("dialogue_session").value
    data = {"csrf_token": fields["csrf_token"], "form": fields["form"], "page": "2", "move": "submit",
            f"q{q[0].id}": "The forests", f"q{q[3].id}": "More trains"}
    codes = [status for status, _location in race(app, cookie, data, 8)]  # 303 to the receipt
    assert codes == [303] * 8
    assert count(app, Response) == 1
    assert count(app, Contribution) == 2


def test_different_forms_store_separately(app, client, municipality):
    q = demo_questions(app)
    for text in ("one", "two"):
        fields = start(client)
        data = {"csrf_token": fields["csrf_token"], "form": fields["form"], "page": "2", "move": "submit",
                f"q{q[0].id}": text}
        assert client.post(URL, data=data).status_code == 303
    assert count(app, Response) == 2
