"""Seats, reserved groups and waiting lists, also when sign-ups race each other."""

from __future__ import annotations

import multiprocessing

import pytest
import sqlalchemy as sa

from dialogue.events import services
from dialogue.events.models import Event, Registration, RegistrationStatus, Seat
from dialogue.extensions import db
from tests.conftest import make_app
from tests.events.helpers import make_event


def sign_up(app, event_id, n, group="other"):
    with app.app_context():
        event = db.session.get(Event, event_id)
        registration, token = services.register(
            event, group=group, name=f"Person {n}", email=f"p{n}@example.se", needs=[], needs_note="",
            locale="sv", submission_key=f"key-{event_id}-{n}")
        db.session.commit()
        return registration.id, registration.status, token


def statuses(app, event_id) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(sa.select(Registration.status, sa.func.count()).where(
            Registration.event_id == event_id).group_by(Registration.status)).all()
        return {str(status): n for status, n in rows}


def test_seats_then_waiting_list(app):
    event_id = make_event(app, capacity=2)
    results = [sign_up(app, event_id, n)[1] for n in range(4)]
    assert results == ["confirmed", "confirmed", "waitlisted", "waitlisted"]


def test_same_submission_twice_stores_one(app):
    event_id = make_event(app, capacity=5)
    first = sign_up(app, event_id, 1)
    again = sign_up(app, event_id, 1)
    assert again[0] == first[0] and again[2] is None
    assert statuses(app, event_id) == {"confirmed": 1}


def test_cancelling_moves_the_first_waiting_person_up(app):
    event_id = make_event(app, capacity=1)
    first = sign_up(app, event_id, 1)
    sign_up(app, event_id, 2)
    third = sign_up(app, event_id, 3)
    with app.app_context():
        moved = services.cancel_registration(db.session.get(Registration, first[0]))
        db.session.commit()
        assert moved.contact.name == "Person 2"
        assert db.session.get(Registration, third[0]).status == RegistrationStatus.waitlisted
    assert statuses(app, event_id) == {"cancelled": 1, "confirmed": 1, "waitlisted": 1}


def test_reserved_seats_per_group_and_their_own_waiting_lists(app):
    event_id = make_event(app, capacity=4, quotas={"young": 2, "business": 2})
    young = [sign_up(app, event_id, n, "young") for n in range(3)]
    business = [sign_up(app, event_id, 10 + n, "business") for n in range(2)]
    assert [s for _i, s, _t in young] == ["confirmed", "confirmed", "waitlisted"]
    assert [s for _i, s, _t in business] == ["confirmed", "confirmed"]
    # a business seat frees: the waiting young person stays waiting (the seat is reserved for business)
    with app.app_context():
        moved = services.cancel_registration(db.session.get(Registration, business[0][0]))
        db.session.commit()
        assert moved is None
        # a young seat frees: the young person waiting moves up
        moved = services.cancel_registration(db.session.get(Registration, young[0][0]))
        db.session.commit()
        assert moved.id == young[2][0]


def test_capacity_cannot_drop_below_confirmed(app):
    event_id = make_event(app, capacity=3)
    for n in range(3):
        sign_up(app, event_id, n)
    with app.app_context():
        event = db.session.get(Event, event_id)
        event.capacity = 2
        with pytest.raises(services.EventError):
            services.sync_seats(event)
        db.session.rollback()


def test_raising_capacity_lets_waiting_people_in(app):
    event_id = make_event(app, capacity=1)
    for n in range(3):
        sign_up(app, event_id, n)
    with app.app_context():
        event = db.session.get(Event, event_id)
        event.capacity = 2
        services.sync_seats(event)
        db.session.commit()
    assert statuses(app, event_id) == {"confirmed": 2, "waitlisted": 1}


def _racer(url: str, instance: str, event_id: int, numbers: list[int], start, queue) -> None:
    app = make_app(url, instance)
    start.wait()
    results = []
    for n in numbers:
        with app.test_request_context("/", method="POST"):
            event = db.session.get(Event, event_id)
            registration, _token = services.register(
                event, group="other", name=f"P{n}", email=f"p{n}@example.se", needs=[], needs_note="",
                locale="sv", submission_key=f"race-{n}")
            db.session.commit()
            results.append(str(registration.status))
    with app.app_context():
        db.engine.dispose()
    queue.put(results)


def test_fifty_concurrent_sign_ups_for_ten_seats(app, tmp_path):
    """5 processes × 10 sign-ups at once: exactly 10 confirmed, 40 waiting, on SQLite and PostgreSQL."""
    event_id = make_event(app, capacity=10)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    ctx = multiprocessing.get_context("spawn")
    start, queue = ctx.Event(), ctx.Queue()
    workers = [ctx.Process(target=_racer, args=(url, str(tmp_path), event_id, list(range(w * 10, w * 10 + 10)),
                                                start, queue)) for w in range(5)]
    for worker in workers:
        worker.start()
    start.set()
    results = [status for _ in workers for status in queue.get(timeout=120)]
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(results).count("confirmed") == 10
    assert statuses(app, event_id) == {"confirmed": 10, "waitlisted": 40}
    with app.app_context():
        taken = db.session.scalar(sa.select(sa.func.count()).select_from(Seat).where(
            Seat.event_id == event_id, Seat.registration_id.is_not(None)))
        assert taken == 10
