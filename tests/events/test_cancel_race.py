"""Cancellations at the same moment, through the page, in real threads: each seat goes to one person waiting."""

from __future__ import annotations

from functools import partial

import pytest
import sqlalchemy as sa

from dialogue.events.models import Registration, RegistrationStatus, Seat
from dialogue.extensions import db
from tests.events.helpers import at_once, make_event, on_cancel_page
from tests.events.test_seats import sign_up


def _cancel_at_once(app, tokens: list[str]) -> list:
    """POST every cancel link from a browser of its own, all released together; the status codes (or what a
    request raised)."""
    def cancel(client, csrf: str, token: str) -> int:
        return client.post(f"/events/cancel/{token}", data={"csrf_token": csrf}).status_code

    pages = [(*on_cancel_page(app, token, n), token) for n, token in enumerate(tokens)]
    return at_once(*(partial(cancel, client, csrf, token) for client, csrf, token in pages))


def _state(app, event_id):
    with app.app_context():
        statuses = dict(db.session.execute(sa.select(Registration.id, Registration.status)
                                           .where(Registration.event_id == event_id)).all())
        seated = db.session.scalars(sa.select(Seat.registration_id).where(
            Seat.event_id == event_id, Seat.registration_id.is_not(None))).all()
    return statuses, seated


@pytest.mark.parametrize("clicks", [1, 2], ids=["once", "double-click"])
def test_ten_people_cancel_at_once_and_ten_waiting_move_up(app, clicks):
    """Ten confirmed people cancel at the same moment (each link clicked *clicks* times): all ten are
    cancelled, the ten waiting move up, each to a seat of their own; nobody gets an error."""
    event_id = make_event(app, capacity=10)
    confirmed = [sign_up(app, event_id, n) for n in range(10)]
    waiting = [sign_up(app, event_id, 10 + n) for n in range(10)]
    assert {status for _id, status, _token in confirmed} == {"confirmed"}
    assert {status for _id, status, _token in waiting} == {"waitlisted"}

    codes = _cancel_at_once(app, [token for _id, _status, token in confirmed for _click in range(clicks)])
    # a second click on a link that was just used finds it used (404), never a server error
    assert codes.count(200) >= 10 and set(codes) <= {200, 404}, codes

    statuses, seated = _state(app, event_id)
    assert [statuses[i] for i, _s, _t in confirmed] == [RegistrationStatus.cancelled] * 10
    assert [statuses[i] for i, _s, _t in waiting] == [RegistrationStatus.confirmed] * 10
    assert sorted(seated) == sorted(i for i, _s, _t in waiting)


def test_more_cancel_than_wait(app):
    """Six cancel at once with three waiting: the three move up, three seats stay free."""
    event_id = make_event(app, capacity=6)
    confirmed = [sign_up(app, event_id, n) for n in range(6)]
    waiting = [sign_up(app, event_id, 10 + n) for n in range(3)]
    codes = _cancel_at_once(app, [token for _id, _status, token in confirmed])
    assert codes == [200] * 6
    statuses, seated = _state(app, event_id)
    assert [statuses[i] for i, _s, _t in waiting] == [RegistrationStatus.confirmed] * 3
    assert sorted(seated) == sorted(i for i, _s, _t in waiting)
