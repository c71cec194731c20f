"""The submission writer: a real writer process, real sockets, the test's real database."""

from __future__ import annotations

import signal
import threading

import sqlalchemy as sa

from dialogue.coding.models import Contribution
from dialogue.extensions import db
from dialogue.questionnaires import writer
from dialogue.questionnaires.models import Response
from tests.conftest import count
from tests.questionnaires.helpers import answer_all, demo_questions, race, start


def test_a_submission_is_stored_by_the_writer(app, client, municipality, writer_process):
    _fields, response = answer_all(app, client, feedback_email="anna@example.se")
    assert response.status_code == 200
    assert "Thank you for your answers" in response.get_data(as_text=True)
    assert writer.client_for(app).stored == 1
    assert count(app, Response) == 1
    with app.app_context():
        texts = set(db.session.scalars(sa.select(Contribution.text)))
    assert texts == {"Forests and lakes", "Midsummer in Malmköping", "Tourism", "Trains"}


def test_racing_duplicates_through_the_writer_store_one(app, client, municipality, writer_process):
    q = demo_questions(app)
    fields = start(client)
    cookie = client.get_cookie("dialogue_session").value
    data = {"csrf_token": fields["csrf_token"], "form": fields["form"], "page": "2", "move": "submit",
            f"q{q[0].id}": "The forests", f"q{q[3].id}": "More trains"}
    replies = race(app, cookie, data, 6)
    codes = [status for status, _location in replies]
    locations = {location for _status, location in replies}
    assert codes == [303] * 6
    assert app.wsgi_app.served == 6  # answered in front of Flask (fastpath.py), stored by the writer
    assert len(locations) == 1  # every tab is sent to the same receipt
    assert count(app, Response) == 1
    assert count(app, Contribution) == 2


def test_without_the_writer_the_worker_stores_it_itself(app, client, municipality, writer_process):
    writer_process.send_signal(signal.SIGKILL)
    writer_process.wait()
    _fields, response = answer_all(app, client)
    assert response.status_code == 200
    assert "Thank you for your answers" in response.get_data(as_text=True)
    assert writer.client_for(app).stored == 0
    assert count(app, Response) == 1


def test_no_writer_for_postgresql_or_plain_apps(app):
    from flask import Flask

    assert writer.start(Flask("plain")) is None
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert writer.start(app) is None


def test_gunicorn_config_starts_the_writer_for_sqlite_and_stops_it(app):
    import gc
    import runpy
    from pathlib import Path
    from types import SimpleNamespace

    config = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    server = SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app))
    try:
        config["when_ready"](server)
    finally:
        gc.unfreeze()
    path = app.config.get("SUBMISSION_WRITER")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert path and Path(path).exists()
    else:
        assert path is None  # PostgreSQL: every worker commits itself
    config["on_exit"](server)
    assert path is None or not Path(path).exists()


def test_a_writer_that_does_not_answer_in_time_is_left_to_the_worker(app, client, municipality, writer_process,
                                                                      monkeypatch):
    monkeypatch.setattr(writer, "REPLY_TIMEOUT", 1)
    writer.client_for(app).close()  # the next connection gets the shorter limit
    writer_process.send_signal(signal.SIGSTOP)
    outcome = {}
    try:
        thread = threading.Thread(target=lambda: outcome.update(reply=answer_all(app, client)[1]))
        thread.start()
        thread.join(timeout=30)
        assert not thread.is_alive(), "the worker waited past the time limit"
    finally:
        writer_process.send_signal(signal.SIGCONT)
    assert outcome["reply"].status_code == 200
    assert "Thank you for your answers" in outcome["reply"].get_data(as_text=True)
    assert writer.client_for(app).stored == 0
    assert count(app, Response) == 1
