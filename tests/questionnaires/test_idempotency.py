"""Two tabs, a double click or a retry with the same form store one response, even when they race."""

from __future__ import annotations

import threading

from dialogue.coding.models import Contribution
from dialogue.questionnaires.models import Response
from tests.conftest import count
from tests.questionnaires.helpers import URL, demo_questions, start


def test_concurrent_duplicate_submissions_store_one(app, client, municipality):
    q = demo_questions(app)
    fields = start(client)
    cookie = client.get_cookie("dialogue_session").value
    data = {"csrf_token": fields["csrf_token"], "form": fields["form"], "page": "2", "move": "submit",
            f"q{q[0].id}": "The forests", f"q{q[3].id}": "More trains"}
    barrier = threading.Barrier(8)
    codes: list[int] = []

    def submit():
        tab = app.test_client()
        tab.set_cookie("dialogue_session", cookie)
        barrier.wait()
        codes.append(tab.post(URL, data=data).status_code)  # 303 to the receipt

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
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
