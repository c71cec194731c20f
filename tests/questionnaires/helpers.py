"""Answering a questionnaire the way a browser does: page by page, every answer carried along."""

from __future__ import annotations

import re
import threading

import sqlalchemy as sa

from dialogue.extensions import db
from dialogue.questionnaires.models import Question, Questionnaire

DEMO_SLUG = "nar-ar-flens-kommun-som-bast"
URL = f"/questionnaires/{DEMO_SLUG}"


def hidden_fields(html: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)}


def demo_questions(app) -> list[Question]:
    with app.app_context():
        questionnaire = db.session.scalar(sa.select(Questionnaire).where(Questionnaire.slug == DEMO_SLUG))
        questions = list(questionnaire.questions)
        for q in questions:
            db.session.expunge(q)
        return questions


def start(client, lang: str = "en") -> dict[str, str]:
    """Open the questionnaire; returns the hidden fields (CSRF token, form token, page)."""
    page = client.get(f"{URL}?lang={lang}")
    assert page.status_code == 200
    return hidden_fields(page.get_data(as_text=True))


def post(client, fields: dict, answers: dict, move: str, page: int, lang: str = "en"):
    data = {"csrf_token": fields["csrf_token"], "form": fields["form"], "page": str(page), "move": move}
    data.update(answers)
    return client.post(f"{URL}?lang={lang}", data=data, follow_redirects=True)


def answer_all(app, client, texts: tuple[str, ...] = ("Forests and lakes", "Midsummer in Malmköping",
                                                        "Tourism", "Trains"), **extra):
    """Fill in every page of the demo questionnaire and send it; returns (fields, final response)."""
    q = demo_questions(app)
    fields = start(client)
    answers = {f"q{q[i].id}": text for i, text in enumerate(texts)}
    answers.update({f"q{q[5].id}": "30-44", f"q{q[6].id}": "resident"})
    answers.update(extra)
    return fields, post(client, fields, answers, "submit", 2)


def race(app, cookie: str, data: dict, tabs: int) -> list[tuple[int, str]]:
    """The same form posted from *tabs* threads at once (two tabs, a double click): (status, Location) each."""
    barrier = threading.Barrier(tabs)
    replies: list[tuple[int, str]] = []

    def submit():
        tab = app.test_client()
        tab.set_cookie("dialogue_session", cookie)
        barrier.wait()
        reply = tab.post(URL, data=data)
        replies.append((reply.status_code, reply.headers.get("Location", "")))

    threads = [threading.Thread(target=submit) for _ in range(tabs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return replies
