"""The home page shows the current process and its phases."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from dialogue.extensions import db
from dialogue.processes import services
from dialogue.processes.models import Phase, PhaseKind, Process


def test_home_shows_the_demo_process_and_its_phases(client, municipality):
    page = client.get("/").get_data(as_text=True)
    assert "Vision för Flens kommun" in page
    assert page.count('class="phase ') == 8  # Flen's seven phases and the follow-up
    assert page.count('aria-current="step"') == 1
    assert "Frågeformulär: När är Flens kommun som bäst?" in page


def test_home_in_english(client, municipality):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "A vision for Flen" in page
    assert "Questionnaire: When is Flen municipality at its best?" in page


def test_home_without_a_process(client):
    response = client.get("/?lang=en")
    assert response.status_code == 200
    assert "No dialogue is open right now" in response.get_data(as_text=True)


def _process(slug, start, end, published=True):
    return Process(slug=slug, title={"sv": slug}, starts_on=start, ends_on=end, published=published)


def test_current_process_prefers_running_then_next_then_latest(app):
    today = date(2026, 6, 1)
    with app.app_context():
        db.session.add_all([
            _process("old", date(2020, 1, 1), date(2020, 12, 31)),
            _process("next", date(2026, 9, 1), date(2027, 9, 1)),
            _process("draft", date(2026, 1, 1), date(2026, 12, 31), published=False),
        ])
        db.session.flush()
        assert services.current_process(today).slug == "next"
        db.session.add(_process("running", date(2026, 1, 1), date(2026, 12, 31)))
        db.session.flush()
        assert services.current_process(today).slug == "running"
        db.session.execute(sa.delete(Process).where(Process.slug.in_(["running", "next"])))
        assert services.current_process(today).slug == "old"
        db.session.rollback()


def test_unpublished_process_is_not_reachable(app, client):
    with app.app_context():
        db.session.add(_process("secret-draft", date.today(), date.today() + timedelta(days=9), published=False))
        db.session.commit()
    assert client.get("/processes/secret-draft").status_code == 404


def test_phase_status(app):
    phase = Phase(kind=PhaseKind.workshops, title={}, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31))
    assert phase.status(date(2026, 2, 28)) == "upcoming"
    assert phase.status(date(2026, 3, 1)) == "current"
    assert phase.status(date(2026, 3, 31)) == "current"
    assert phase.status(date(2026, 4, 1)) == "done"


def test_home_shows_how_to_take_part_now(client, municipality):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert 'href="/questionnaires/nar-ar-flens-kommun-som-bast"' in page
    assert page.count('href="/events/') >= 3
    assert "Take part now" in page


def test_closed_questionnaire_is_not_offered_on_home(app, client, municipality):
    from dialogue.questionnaires.models import Questionnaire, State

    with app.app_context():
        db.session.scalar(sa.select(Questionnaire)).state = State.closed
        db.session.commit()
    assert "/questionnaires/nar-ar" not in client.get("/").get_data(as_text=True)
