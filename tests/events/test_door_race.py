"""A check-in at the door and a cancellation at the same moment end as one or the other, never both.

The races run in real threads through the pages, on SQLite and on PostgreSQL; the single-threaded tests
show what staff and residents are told when their step comes second.
"""

from __future__ import annotations

from functools import partial

import sqlalchemy as sa

from dialogue.core.models import AuditEvent
from dialogue.events.models import Event, EventState, Registration, RegistrationStatus, Seat
from dialogue.extensions import db
from tests.conftest import csrf_token, login
from tests.events.helpers import at_once, make_event, on_cancel_page
from tests.events.test_seats import sign_up

REFUSED = "You were checked in at the door, so the sign-up can no longer be cancelled."


def _staff(app, make_user):
    # an admin runs every event, whoever the event's staff are
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # the messages below are the English ones
    login(client, make_user("admin"))
    return client


def _check_in(client, event_id: int, registration_id: int, csrf: str, present: str = "1"):
    return client.post(f"/staff/events/{event_id}/registrations/{registration_id}/check-in",
                       data={"csrf_token": csrf, "present": present})


def _flashes(client, event_id: int) -> str:
    return client.get(f"/staff/events/{event_id}").get_data(as_text=True)


def _row(app, registration_id: int) -> Registration:
    with app.app_context():
        registration = db.session.get(Registration, registration_id)
        db.session.expunge(registration)
        return registration


def _seat_of(app, event_id: int) -> list[int]:
    with app.app_context():
        return db.session.scalars(sa.select(Seat.registration_id).where(
            Seat.event_id == event_id, Seat.registration_id.is_not(None))).all()


def _audits(app, action: str, object_id: int | None = None) -> list[AuditEvent]:
    with app.app_context():
        query = sa.select(AuditEvent).where(AuditEvent.action == action)
        if object_id is not None:
            query = query.where(AuditEvent.object_id == object_id)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


# -- races -------------------------------------------------------------------------------------------

def test_check_in_and_the_persons_own_cancellationat_once(app, make_user):
    """Twenty times: staff check a person in while that person cancels from the link. Either they are in
    the room and their seat stays theirs, or they have cancelled and the seat went to the one waiting."""
    staff = _staff(app, make_user)
    for n in range(20):
        event_id = make_event(app, capacity=1)
        person, _status, token = sign_up(app, event_id, 2 * n)
        waiting, _status, _token = sign_up(app, event_id, 2 * n + 1)
        resident, resident_csrf = on_cancel_page(app, token, n)
        staff_csrf = csrf_token(staff, f"/staff/events/{event_id}")

        checked, cancelled = at_once(
            partial(_check_in, staff, event_id, person, staff_csrf),
            partial(resident.post, f"/events/cancel/{token}", data={"csrf_token": resident_csrf}))
        assert not isinstance(cancelled, str), cancelled
        assert getattr(checked, "status_code", checked) == 302, checked

        row, other = _row(app, person), _row(app, waiting)
        checked_in = _audits(app, "event.check_in", person)
        told = _flashes(staff, event_id)
        if row.status == RegistrationStatus.attended:
            assert cancelled.status_code == 409 and REFUSED in cancelled.get_data(as_text=True)
            assert row.checked_in_at is not None and len(checked_in) == 1
            assert other.status == RegistrationStatus.waitlisted and _seat_of(app, event_id) == [person]
        else:
            assert row.status == RegistrationStatus.cancelled, row.status
            assert cancelled.status_code == 200
            assert row.checked_in_at is None and checked_in == []
            assert other.status == RegistrationStatus.confirmed and _seat_of(app, event_id) == [waiting]
            assert "cancelled the sign-up" in told


def test_check_in_while_the_event_is_cancelled(app, make_user):
    """Ten times: one organizer checks a person in while another cancels the whole event. The person is
    either in the room (checked in before the cancellation, so not told of it) or told and not checked in."""
    door, desk = _staff(app, make_user), _staff(app, make_user)
    for n in range(10):
        event_id = make_event(app, capacity=2)
        person, _status, _token = sign_up(app, event_id, n)
        door_csrf = csrf_token(door, f"/staff/events/{event_id}")
        desk_csrf = csrf_token(desk, f"/staff/events/{event_id}")

        answers = at_once(
            partial(_check_in, door, event_id, person, door_csrf),
            partial(desk.post, f"/staff/events/{event_id}/cancel", data={"csrf_token": desk_csrf, "confirm": "yes"}))
        assert [getattr(a, "status_code", a) for a in answers] == [302, 302], answers

        with app.app_context():
            assert db.session.get(Event, event_id).state == EventState.cancelled
        row = _row(app, person)
        (cancellation,) = [a for a in _audits(app, "event.cancel") if a.object_id == event_id]
        if row.status == RegistrationStatus.attended:
            assert cancellation.details["told"] == 0 and len(_audits(app, "event.check_in", person)) == 1
        else:
            assert row.status == RegistrationStatus.confirmed and row.checked_in_at is None
            assert cancellation.details["told"] == 1 and _audits(app, "event.check_in", person) == []
            assert "The event is cancelled, so nobody can be checked in." in _flashes(door, event_id)


def test_two_door_devices_check_the_same_person_in(app, make_user):
    """Ten times: two devices at the door check in the same person: one check-in, one record, and the
    second device is told the person is already checked in."""
    first, second = _staff(app, make_user), _staff(app, make_user)
    for n in range(10):
        event_id = make_event(app, capacity=2)
        person, _status, _token = sign_up(app, event_id, n)
        csrfs = [csrf_token(client, f"/staff/events/{event_id}") for client in (first, second)]

        answers = at_once(partial(_check_in, first, event_id, person, csrfs[0]),
                           partial(_check_in, second, event_id, person, csrfs[1]))
        assert [getattr(a, "status_code", a) for a in answers] == [302, 302], answers
        assert _row(app, person).status == RegistrationStatus.attended
        assert len(_audits(app, "event.check_in", person)) == 1
        pages = [_flashes(client, event_id) for client in (first, second)]
        assert sum("is already checked in." in page for page in pages) == 1


# -- one after the other -----------------------------------------------------------------------------

def test_a_person_checked_in_cannot_cancel(app, make_user):
    event_id = make_event(app, capacity=1)
    person, _status, token = sign_up(app, event_id, 1)
    waiting, _status, _token = sign_up(app, event_id, 2)
    resident, resident_csrf = on_cancel_page(app, token, 1)  # the page is open, then they arrive at the door
    staff = _staff(app, make_user)
    assert _check_in(staff, event_id, person, csrf_token(staff, f"/staff/events/{event_id}")).status_code == 302

    answer = resident.post(f"/events/cancel/{token}", data={"csrf_token": resident_csrf})
    assert answer.status_code == 409 and REFUSED in answer.get_data(as_text=True)
    page = resident.get(f"/events/cancel/{token}").get_data(as_text=True)
    assert REFUSED in page and "csrf_token" not in page  # the link now only explains
    assert _row(app, person).status == RegistrationStatus.attended
    assert _row(app, waiting).status == RegistrationStatus.waitlisted and _seat_of(app, event_id) == [person]

    # checked in by mistake and undone: the link works again
    _check_in(staff, event_id, person, csrf_token(staff, f"/staff/events/{event_id}"), present="0")
    assert len(_audits(app, "event.check_in_undone", person)) == 1
    resident, resident_csrf = on_cancel_page(app, token, 2)
    assert resident.post(f"/events/cancel/{token}", data={"csrf_token": resident_csrf}).status_code == 200
    assert _row(app, waiting).status == RegistrationStatus.confirmed


def test_a_cancelled_sign_up_cannot_be_checked_in(app, make_user):
    event_id = make_event(app, capacity=1)
    person, _status, token = sign_up(app, event_id, 1)
    resident, resident_csrf = on_cancel_page(app, token, 1)
    assert resident.post(f"/events/cancel/{token}", data={"csrf_token": resident_csrf}).status_code == 200
    staff = _staff(app, make_user)
    _check_in(staff, event_id, person, csrf_token(staff, f"/staff/events/{event_id}"))
    assert ("Person 1 cancelled the sign-up, so the seat is no longer theirs and they cannot be checked in."
            in _flashes(staff, event_id))
    row = _row(app, person)
    assert row.status == RegistrationStatus.cancelled and row.checked_in_at is None
    assert _audits(app, "event.check_in", person) == []


def test_nobody_is_checked_in_or_added_at_the_door_of_a_cancelled_event(app, make_user):
    event_id = make_event(app, capacity=2)
    person, _status, _token = sign_up(app, event_id, 1)
    staff = _staff(app, make_user)
    csrf = csrf_token(staff, f"/staff/events/{event_id}")
    staff.post(f"/staff/events/{event_id}/cancel", data={"csrf_token": csrf, "confirm": "yes"})
    _check_in(staff, event_id, person, csrf)
    assert "The event is cancelled, so nobody can be checked in." in _flashes(staff, event_id)
    staff.post(f"/staff/events/{event_id}/walk-in", data={"csrf_token": csrf, "name": "Sen Gäst", "group": "other"})
    assert "The event is cancelled, so nobody can be checked in." in _flashes(staff, event_id)
    assert _row(app, person).status == RegistrationStatus.confirmed
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)
                                 .where(Registration.event_id == event_id)) == 1


def test_a_second_check_in_is_told_and_recorded_once(app, make_user):
    event_id = make_event(app, capacity=1)
    person, _status, _token = sign_up(app, event_id, 1)
    waiting, _status, _token = sign_up(app, event_id, 2)
    staff = _staff(app, make_user)
    csrf = csrf_token(staff, f"/staff/events/{event_id}")
    _check_in(staff, event_id, person, csrf)
    assert "already checked in" not in _flashes(staff, event_id)
    _check_in(staff, event_id, person, csrf)
    assert "Person 1 is already checked in." in _flashes(staff, event_id)
    assert len(_audits(app, "event.check_in", person)) == 1
    # someone on the waiting list has no seat to be checked in to
    _check_in(staff, event_id, waiting, csrf)
    assert "Person 2 is on the waiting list and has no seat, so cannot be checked in." in _flashes(staff, event_id)
    assert _row(app, waiting).status == RegistrationStatus.waitlisted and _row(app, waiting).checked_in_at is None


def _walk_in(app, staff, event_id: int, csrf: str, name: str) -> int:
    staff.post(f"/staff/events/{event_id}/walk-in", data={"csrf_token": csrf, "name": name, "group": "other"})
    with app.app_context():
        return db.session.scalar(sa.select(Registration.id).where(Registration.event_id == event_id,
                                                                  Registration.walk_in.is_(True)))


def test_undoing_a_walk_ins_check_in_takes_them_off_the_list_and_frees_their_seat(app, make_user):
    """Someone added at the door by mistake signed up for nothing: undoing the check-in must not leave a
    sign-up "confirmed" beside the seats, and a seat they took goes to the first person waiting."""
    event_id = make_event(app, capacity=2)
    staff = _staff(app, make_user)
    csrf = csrf_token(staff, f"/staff/events/{event_id}")
    walk_in = _walk_in(app, staff, event_id, csrf, "Sen Gäst")  # takes a free seat
    seated, status, _token = sign_up(app, event_id, 1)
    waiting, waiting_status, _token = sign_up(app, event_id, 2)
    assert (status, waiting_status) == ("confirmed", "waitlisted")
    _check_in(staff, event_id, walk_in, csrf, present="0")
    assert "Sen Gäst came without signing up, so undoing the check-in takes them off the list." \
        in _flashes(staff, event_id)
    assert _row(app, walk_in).status == RegistrationStatus.cancelled and _row(app, walk_in).checked_in_at is None
    assert _row(app, waiting).status == RegistrationStatus.confirmed  # the freed seat is theirs
    with app.app_context():
        holders = set(db.session.scalars(sa.select(Seat.registration_id).where(Seat.event_id == event_id)))
    assert holders == {seated, waiting}
    assert len(_audits(app, "event.check_in_undone", walk_in)) == 1


def test_undoing_a_walk_ins_check_in_in_a_full_room_changes_no_seat(app, make_user):
    event_id = make_event(app, capacity=1)
    seated, _status, _token = sign_up(app, event_id, 1)
    staff = _staff(app, make_user)
    csrf = csrf_token(staff, f"/staff/events/{event_id}")
    walk_in = _walk_in(app, staff, event_id, csrf, "Sen Gäst")  # in the room without a seat
    _check_in(staff, event_id, walk_in, csrf, present="0")
    assert _row(app, walk_in).status == RegistrationStatus.cancelled
    assert _row(app, seated).status == RegistrationStatus.confirmed
    with app.app_context():
        assert db.session.scalars(sa.select(Seat.registration_id).where(Seat.event_id == event_id)).all() == [seated]


def test_two_organizers_cancel_the_event_at_once(app, make_user):
    """Ten times: two organizers confirm the cancellation at the same moment. One cancels and tells each
    person once; the other is told it is cancelled already."""
    from dialogue.core.models import OutgoingMail

    first, second = _staff(app, make_user), _staff(app, make_user)
    for n in range(10):
        event_id = make_event(app, capacity=2)
        sign_up(app, event_id, 2 * n)
        sign_up(app, event_id, 2 * n + 1)
        tokens = [csrf_token(client, f"/staff/events/{event_id}") for client in (first, second)]
        answers = at_once(*(partial(client.post, f"/staff/events/{event_id}/cancel",
                                    data={"csrf_token": token, "confirm": "yes"})
                            for client, token in zip((first, second), tokens, strict=True)))
        assert [getattr(a, "status_code", a) for a in answers] == [302, 302], answers
        (cancellation,) = [a for a in _audits(app, "event.cancel") if a.object_id == event_id]
        assert cancellation.details["told"] == 2
        with app.app_context():
            mails = db.session.scalars(sa.select(OutgoingMail.to).where(OutgoingMail.topic == f"event:{event_id}",
                                                                        OutgoingMail.ics.contains("METHOD:CANCEL"))).all()
            assert sorted(mails) == [f"p{2 * n}@example.se", f"p{2 * n + 1}@example.se"]  # each told once
        pages = [_flashes(client, event_id) for client in (first, second)]
        assert sum("The event is already cancelled." in page for page in pages) == 1
        assert sum("The event is cancelled and 2 people have been told." in page for page in pages) == 1
