"""Issue #12: what the event and sign-up pages say about seats is what a sign-up in that group then gets."""

from __future__ import annotations

import multiprocessing
import re

import sqlalchemy as sa

from dialogue.core.models import AuditEvent
from dialogue.events import services
from dialogue.events.models import ALL, SIGNUP_GROUPS, Event, EventKind, Registration, RegistrationContact
from dialogue.extensions import db
from tests.conftest import csrf_token, login, make_app
from tests.events.helpers import add_to_staff, make_event


def offers(app, event_id):
    with app.app_context():
        return services.seats_per_group(db.session.get(Event, event_id))


def register(app, event_id, key, group):
    with app.app_context():
        event = db.session.get(Event, event_id)
        registration, _token = services.register(
            event, group=group, name=key, email=f"{key}@example.se", needs=[], needs_note="", locale="sv",
            submission_key=key)
        db.session.commit()
        return str(registration.status)


def open_form(client, event_id):
    """The sign-up page and the form's hidden fields, as a person loads it before sending."""
    url = f"/events/{event_id}/signup?lang=en"
    page = client.get(url).get_data(as_text=True)
    hidden = dict(re.findall(r'name="(form|promised|csrf_token)" type="hidden" value="([^"]*)"', page))
    return url, page, hidden


def send(client, url, hidden, name, group=None):
    data = {**hidden, "name": name, "email": f"{name.lower()}@example.se"}
    if group:
        data["group"] = group
    return client.post(url, data=data)


def test_per_group_answer_is_what_a_sign_up_in_that_group_gets(app):
    event_id = make_event(app, capacity=4, quotas={"young": 2})
    assert offers(app, event_id) == {g: ((4, 1) if g == "young" else (2, 1)) for g in SIGNUP_GROUPS}
    assert [register(app, event_id, f"o{n}", "other") for n in range(3)] == ["confirmed", "confirmed", "waitlisted"]
    # the open seats are gone: an association waits, a young person still gets a reserved seat
    told = offers(app, event_id)
    assert told["association"] == (0, 2) and told["other"] == (0, 2) and told["young"] == (2, 1)
    for n, group in enumerate(["association", "young", "young", "young"]):
        seats, _place = offers(app, event_id)[group]
        assert register(app, event_id, f"{group}{n}", group) == ("confirmed" if seats else "waitlisted")
    assert offers(app, event_id)["young"] == (0, 2)


def test_event_without_reserved_seats_has_one_answer_for_no_group(app):
    event_id = make_event(app, capacity=1)
    assert offers(app, event_id) == {ALL: (1, 1)}
    register(app, event_id, "a", "other")
    register(app, event_id, "b", "other")
    assert offers(app, event_id) == {ALL: (0, 2)}


def test_event_page_lists_free_seats_per_group(app):
    event_id = make_event(app, capacity=5, quotas={"young": 2, "business": 1}, kind=EventKind.open_meeting)
    register(app, event_id, "o1", "other")
    page = app.test_client().get(f"/events/{event_id}?lang=en").get_data(as_text=True)
    assert "Some seats are reserved for groups" in page
    assert "Young person: 3 seats left." in page
    assert "Business: 2 seats left." in page
    assert "Association: 1 seat left." in page and "Other: 1 seat left." in page
    assert "5 seats left" not in page and "4 seats left" not in page


def test_event_page_without_reserved_seats_says_one_number(app):
    event_id = make_event(app, capacity=3)
    page = app.test_client().get(f"/events/{event_id}?lang=en").get_data(as_text=True)
    assert "3 seats left." in page and "reserved for groups" not in page


def test_group_asked_only_when_seats_are_reserved(app):
    reserved_meeting = make_event(app, capacity=5, quotas={"young": 2}, kind=EventKind.open_meeting)
    plain_workshop = make_event(app, capacity=5, kind=EventKind.workshop)
    client = app.test_client()
    _url, page, _hidden = open_form(client, reserved_meeting)
    assert 'name="group"' in page
    _url, page, _hidden = open_form(client, plain_workshop)
    assert 'name="group"' not in page
    # an open meeting's young person gets the reserved seats: 2 young ones and 3 others all get a seat
    for n in range(2):
        url, _page, hidden = open_form(client, reserved_meeting)
        assert "confirmed" == _status_of(app, send(client, url, hidden, f"Ung{n}", "young"), f"ung{n}")
    for n in range(3):
        url, _page, hidden = open_form(client, reserved_meeting)
        send(client, url, hidden, f"Annan{n}", "other")
    assert offers(app, reserved_meeting)["young"] == (0, 1)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
            Registration.event_id == reserved_meeting, Registration.status == "confirmed")) == 5


def _status_of(app, response, name):
    assert response.status_code == 200
    with app.app_context():
        return str(db.session.scalar(sa.select(Registration.status).join(Registration.contact).where(
            RegistrationContact.email == f"{name}@example.se")))


def test_sign_up_page_says_seat_or_waiting_list_place_per_group(app):
    event_id = make_event(app, capacity=2, quotas={"young": 1})
    register(app, event_id, "o1", "other")
    _url, page, _hidden = open_form(app.test_client(), event_id)
    young = re.search(r'id="outcome-young">([^<]*)<', page).group(1)
    other = re.search(r'id="outcome-other">([^<]*)<', page).group(1)
    assert young == "You get a seat."
    assert other == "You get place 1 on the waiting list."
    register(app, event_id, "o2", "other")
    _url, page, _hidden = open_form(app.test_client(), event_id)
    assert re.search(r'id="outcome-other">([^<]*)<', page).group(1) == "You get place 2 on the waiting list."


def test_sign_up_page_without_groups_says_seat_or_place(app):
    event_id = make_event(app, capacity=1)
    client = app.test_client()
    _url, page, _hidden = open_form(client, event_id)
    assert "You get a seat." in page
    register(app, event_id, "o1", "other")
    _url, page, _hidden = open_form(client, event_id)
    assert "You get place 1 on the waiting list." in page


def test_race_for_the_last_seat_the_slower_one_is_told_plainly(app):
    """The page shows 1 seat to two people; both send: one gets it, the other is told someone was faster."""
    event_id = make_event(app, capacity=1)
    first, second = app.test_client(), app.test_client()
    url, page_a, hidden_a = open_form(first, event_id)
    _url, page_b, hidden_b = open_form(second, event_id)
    assert "You get a seat." in page_a and "You get a seat." in page_b
    answer_a = send(first, url, hidden_a, "Anna").get_data(as_text=True)
    answer_b = send(second, url, hidden_b, "Bo").get_data(as_text=True)
    assert "You are signed up" in answer_a and "someone else took it" not in answer_a
    assert "You are on the waiting list" in answer_b
    assert "The page said you would get a seat, but someone else took it before you sent your sign-up." in answer_b
    # who saw the waiting list coming is not told it as news
    third = app.test_client()
    _url, page_c, hidden_c = open_form(third, event_id)
    assert "You get place 2 on the waiting list." in page_c
    answer_c = send(third, url, hidden_c, "Cai").get_data(as_text=True)
    assert "You are on the waiting list" in answer_c and "someone else took it" not in answer_c


def test_race_for_a_reserved_seat(app):
    event_id = make_event(app, capacity=2, quotas={"young": 1})
    register(app, event_id, "o1", "other")
    first, second = app.test_client(), app.test_client()
    url, _page, hidden_a = open_form(first, event_id)
    _url, _page, hidden_b = open_form(second, event_id)
    assert "You are signed up" in send(first, url, hidden_a, "Ung1", "young").get_data(as_text=True)
    answer = send(second, url, hidden_b, "Ung2", "young").get_data(as_text=True)
    assert "You are on the waiting list" in answer and "someone else took it" in answer


def test_the_public_is_limited_per_address(app):
    event_id = make_event(app, capacity=100)
    client = app.test_client()
    url, _page, hidden = open_form(client, event_id)
    codes = [send(client, url, hidden, f"P{n}").status_code for n in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429


def test_organizer_at_the_desk_is_not_limited_and_each_sign_up_is_audited(app, make_user):
    event_id = make_event(app, capacity=100)
    client = app.test_client()
    login(client, make_user("organizer"))
    for n in range(35):
        url, _page, hidden = open_form(client, event_id)
        assert send(client, url, hidden, f"Desk{n}").status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "event.desk_signup")) == 35


def test_walk_in_is_audited(app, make_user):
    event_id = make_event(app, capacity=5)
    client = app.test_client()
    email = make_user("organizer")
    add_to_staff(app, event_id, email)  # the walk-in form is for those who run the event
    login(client, email)
    token = csrf_token(client, f"/staff/events/{event_id}")
    codes = [client.post(f"/staff/events/{event_id}/walk-in", data={"csrf_token": token, "name": f"Gäst {n}",
                                                                      "group": "other"}).status_code
             for n in range(35)]
    assert codes == [302] * 35  # more than the public's 30 a minute
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "event.walk_in")) == 35


def _page_then_send(url: str, instance: str, event_id: int, name: str, barrier, queue) -> None:
    """A person in their own process: loads the sign-up page, waits for the other, then sends."""
    app = make_app(url, instance)
    client = app.test_client()
    page_url, page, hidden = open_form(client, event_id)
    barrier.wait(timeout=60)
    answer = send(client, page_url, hidden, name).get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()
    queue.put(("You get a seat." in page, "You are signed up" in answer,
               "someone else took it before you sent" in answer))


def test_two_processes_send_for_the_last_seat_at_once(app, tmp_path):
    """Both pages show the seat; both send at the same moment from two processes; the database decides."""
    event_id = make_event(app, capacity=1)
    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(2), ctx.Queue()
    workers = [ctx.Process(target=_page_then_send, args=(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path),
                                                         event_id, name, barrier, queue)) for name in ("Ada", "Bea")]
    for worker in workers:
        worker.start()
    results = sorted(queue.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
    # (page promised a seat, got it, told someone was faster)
    assert results == [(True, False, True), (True, True, False)]
