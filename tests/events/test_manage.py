"""Organizers schedule events, run the sign-up list and record what was said."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from dialogue.coding.models import Channel, Contribution
from dialogue.core.models import AuditEvent
from dialogue.events.models import Event, EventState, Registration, RegistrationContact, RegistrationStatus, Seat
from dialogue.extensions import db
from tests.conftest import count, csrf_token, login
from tests.events.helpers import add_to_staff, make_event
from tests.events.test_seats import sign_up
from tests.exports.helpers import wait_for_job

FORM = {"kind": "workshop", "title_sv": "Visionsworkshop", "title_en": "Vision workshop", "venue": "Slottet",
        "language": "sv", "starts_at": "2027-03-03T13:00", "ends_at": "2027-03-03T17:00", "capacity": "30",
        "seats_young": "10", "seats_association": "10", "seats_business": "10", "locality_id": ""}


def organizer(client, make_user, app=None, runs: tuple[int, ...] = ()) -> str:
    """Sign in as a new organizer who runs the events *runs*; returns the address."""
    email = make_user("organizer")
    for event_id in runs:
        add_to_staff(app, event_id, email)
    login(client, email)
    return email


def test_create_publish_and_seats_per_group(app, client, make_user, municipality):
    organizer(client, make_user)
    data = dict(FORM, csrf_token=csrf_token(client, "/staff/events/new"))
    response = client.post("/staff/events/new", data=data)
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.venue == "Slottet"))
        assert event.state == EventState.draft
        assert event.starts_at == datetime(2027, 3, 3, 12, 0, tzinfo=UTC)  # 13:00 in Stockholm, winter
        event_id = event.id
    token = csrf_token(client, f"/staff/events/{event_id}")
    assert client.post(f"/staff/events/{event_id}/publish", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        pools = dict(db.session.execute(sa.select(Seat.pool, sa.func.count()).where(Seat.event_id == event_id)
                                        .group_by(Seat.pool)).all())
    assert pools == {"young": 10, "association": 10, "business": 10}


def test_bad_input_is_explained_and_kept(client, make_user, municipality):
    organizer(client, make_user)
    data = dict(FORM, csrf_token=csrf_token(client, "/staff/events/new"), title_sv="", ends_at="2027-03-03T12:00",
                capacity="20", venue="Gamla <b>skolan</b>")
    response = client.post("/staff/events/new?lang=en", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for field in ("title_sv", "ends_at", "capacity"):
        assert f'href="#{field}"' in page
    assert "The reserved seats are more than the seats." in page
    assert 'value="Gamla &lt;b&gt;skolan&lt;/b&gt;"' in page


def test_cancel_tells_everyone_signed_up(app, client, make_user):
    event_id = make_event(app, capacity=1)
    sign_up(app, event_id, 1)
    sign_up(app, event_id, 2)
    organizer(client, make_user, app, runs=(event_id,))
    token = csrf_token(client, f"/staff/events/{event_id}")
    page = client.get(f"/staff/events/{event_id}").get_data(as_text=True)
    # at the door the search and the people come first; cancelling comes last
    assert page.index('role="search"') < page.index('class="people"') < page.index(f"/staff/events/{event_id}/cancel")
    # the event page's button asks first: a page that says who will be told, and nothing cancelled yet
    asked = client.post(f"/staff/events/{event_id}/cancel", data={"csrf_token": token})
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.get_data(as_text=True)
    assert not list((Path(app.instance_path) / "outbox").glob("*.eml"))
    with app.app_context():
        assert db.session.get(Event, event_id).state == EventState.published
    client.post(f"/staff/events/{event_id}/cancel", data={"csrf_token": token, "confirm": "yes"})
    outbox = list((Path(app.instance_path) / "outbox").glob("*.eml"))
    assert len(outbox) == 2
    with app.app_context():
        assert db.session.get(Event, event_id).state == EventState.cancelled
    # once cancelled, nobody is told twice
    client.post(f"/staff/events/{event_id}/cancel", data={"csrf_token": token, "confirm": "yes"})
    assert len(list((Path(app.instance_path) / "outbox").glob("*.eml"))) == 2


def test_check_in_and_walk_in(app, client, make_user):
    event_id = make_event(app, capacity=2)
    registration_id, _status, _token = sign_up(app, event_id, 1)
    organizer(client, make_user, app, runs=(event_id,))
    page = client.get(f"/staff/events/{event_id}?q=person")
    assert "Person 1" in page.get_data(as_text=True)
    token = csrf_token(client, f"/staff/events/{event_id}")
    client.post(f"/staff/events/{event_id}/registrations/{registration_id}/check-in", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(Registration, registration_id).status == RegistrationStatus.attended
    client.post(f"/staff/events/{event_id}/registrations/{registration_id}/check-in",
                data={"csrf_token": token, "present": "0"})
    with app.app_context():
        assert db.session.get(Registration, registration_id).status == RegistrationStatus.confirmed
    client.post(f"/staff/events/{event_id}/walk-in", data={"csrf_token": token, "name": "Dörr Gäst", "group": "other"})
    with app.app_context():
        walk_in = db.session.scalar(sa.select(Registration).where(Registration.walk_in.is_(True)))
        assert walk_in.status == RegistrationStatus.attended and walk_in.contact.name == "Dörr Gäst"


def test_the_door_list_has_names_and_needs_never_addresses_and_downloads_by_post(app, client, make_user):
    """Organizers who run the event see and download (a POST, audited, never cached) names, groups and needs;
    no e-mail address."""
    event_id = make_event(app, capacity=2)
    with app.app_context():
        event = db.session.get(Event, event_id)
        from dialogue.events import services

        services.register(event, group="young", name="=HYPERLINK(\"http://evil\")", email="åsa@example.se",
                          needs=["food", "interpreter"], needs_note="-1+1", locale="sv", submission_key="k1")
        db.session.commit()
    organizer(client, make_user, app, runs=(event_id,))
    page = client.get(f"/staff/events/{event_id}?lang=en").get_data(as_text=True)
    assert "=HYPERLINK" in page and "Special food (allergies, diet)" in page and "åsa@example.se" not in page
    # nor searched by address: that would tell who signed up
    assert "HYPERLINK" not in client.get(f"/staff/events/{event_id}?q=%C3%A5sa@example").get_data(as_text=True)
    assert "HYPERLINK" in client.get(f"/staff/events/{event_id}?q=hyperlink").get_data(as_text=True)
    # no download by GET any more
    for fmt in ("csv", "xlsx"):
        assert client.get(f"/staff/events/{event_id}/registrations.{fmt}").status_code == 404

    forms = re.findall(r'<form method="post" action="/staff/exports/">(.*?)</form>', page, re.S)
    assert len(forms) == 2
    for form, fmt in zip(forms, ("csv", "xlsx"), strict=True):
        data = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
        assert data["event"] == str(event_id) and data["format"] == fmt and data["dataset"] == "signups"
        response = client.post("/staff/exports/", data=data)
        assert response.status_code == 303
        job_id = wait_for_job(app, response.headers["Location"])
        download = client.get(f"/staff/exports/jobs/{job_id}/file")
        assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
        body = download.get_data()
        if fmt == "csv":
            text = body.decode("utf-8-sig")
            assert "'=HYPERLINK" in text and "'-1+1" in text
            assert "Specialkost (allergier, diet); Tolk (teckenspråk eller annat språk)" in text
        else:
            assert body[:2] == b"PK"
        assert "åsa@example.se".encode() not in body and b"example.se" not in body
    with app.app_context():
        asked = list(db.session.scalars(sa.select(AuditEvent.details).where(AuditEvent.action == "export.request")))
    assert [(d["dataset"], d["format"], d["personal_data"], d["addresses"]) for d in asked] == [
        ("signups", "csv", True, False), ("signups", "xlsx", True, False)]


def test_notes_become_contributions(app, client, make_user):
    event_id = make_event(app, capacity=None)
    organizer(client, make_user)
    url = f"/staff/events/{event_id}/notes"
    for text in ("Fler cykelvägar", "Bättre tåg till Stockholm"):
        response = client.post(url, data={"csrf_token": csrf_token(client, url), "text": text, "note_kind": "idea",
                                          "group": "young", "locality_id": ""})
        assert response.status_code == 302
    assert client.post(url, data={"csrf_token": csrf_token(client, url), "text": "", "note_kind": "idea"}
                       ).status_code == 422
    with app.app_context():
        notes = db.session.scalars(sa.select(Contribution).where(Contribution.event_id == event_id)).all()
        assert {n.text for n in notes} == {"Fler cykelvägar", "Bättre tåg till Stockholm"}
        assert {(n.channel, n.note_kind, n.respondent_group) for n in notes} == {(Channel.workshop, "idea", "young")}


def test_purge_deletes_personal_data_and_keeps_counts(app):
    event_id = make_event(app, capacity=5, starts_in=timedelta(days=-100))
    with app.app_context():
        db.session.get(Event, event_id).state = EventState.published
        db.session.commit()
    # signing up directly: the event is in the past, so the page would refuse
    sign_up(app, event_id, 1)
    result = app.test_cli_runner().invoke(args=["events", "purge"])
    assert result.exit_code == 0, result.output
    assert count(app, RegistrationContact) == 0
    assert count(app, Registration) == 1
    with app.app_context():
        assert db.session.get(Event, event_id).purged_at is not None


def test_purge_deletes_the_events_mail_queued_waiting_or_set_aside(app):
    """Unsent mail holds the address, the name and the cancel link: it goes with the rest of the sign-up."""
    from dialogue.core.base import utcnow
    from dialogue.core.models import OutgoingMail
    from dialogue.events.views import queue_registration_mail

    old = make_event(app, capacity=1, starts_in=timedelta(days=-100))
    recent = make_event(app, capacity=1, starts_in=timedelta(days=-10))
    people = [(old, sign_up(app, old, 1)[0], "confirmed"), (old, sign_up(app, old, 2)[0], "waitlisted"),
              (old, sign_up(app, old, 3)[0], "waitlisted"), (recent, sign_up(app, recent, 4)[0], "confirmed")]
    with app.test_request_context("/", method="POST"):
        ids = [queue_registration_mail(db.session.get(Registration, registration_id),
                                       db.session.get(Event, event_id), template, token="a-private-link")
               for event_id, registration_id, template in people]
        db.session.get(OutgoingMail, ids[1]).set_aside_at = utcnow()  # set aside after failures
        db.session.get(OutgoingMail, ids[2]).attempts = 2  # waiting for another attempt
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["events", "purge"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        left = db.session.scalars(sa.select(OutgoingMail)).all()
        assert [m.id for m in left] == [ids[3]]  # the recent event's
        assert "Person 1" not in left[0].body


def test_recent_events_keep_their_sign_ups(app):
    event_id = make_event(app, capacity=5, starts_in=timedelta(days=-10))
    sign_up(app, event_id, 1)
    app.test_cli_runner().invoke(args=["events", "purge"])
    assert count(app, RegistrationContact) == 1


def test_check_in_of_another_events_registration_is_refused(app, client, make_user):
    first = make_event(app, capacity=2)
    second = make_event(app, capacity=2)
    registration_id, _s, _t = sign_up(app, first, 1)
    organizer(client, make_user, app, runs=(first, second))
    token = csrf_token(client, f"/staff/events/{second}")
    assert client.post(f"/staff/events/{second}/registrations/{registration_id}/check-in",
                       data={"csrf_token": token}).status_code == 404


def test_analysts_cannot_see_sign_ups(client, make_user, app):
    event_id = make_event(app, capacity=2)
    login(client, make_user("analyst"))
    assert client.get(f"/staff/events/{event_id}").status_code == 403



def test_an_event_put_in_a_process_shows_on_the_process_page(app, client, make_user, municipality):
    from dialogue.processes.models import Process

    organizer(client, make_user)
    with app.app_context():
        process = db.session.scalar(sa.select(Process))
        process_id, slug = process.id, process.slug
    data = dict(FORM, kind="open_meeting", title_sv="Öppet möte i Sparreholm", seats_young="", seats_association="",
                seats_business="", starts_at=(datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT18:00"),
                ends_at=(datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT20:00"),
                process_id=str(process_id), csrf_token=csrf_token(client, "/staff/events/new"))
    assert client.post("/staff/events/new", data=data).status_code == 302
    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.title["sv"].as_string() == "Öppet möte i Sparreholm"))
        assert event.process_id == process_id
        event_id = event.id
    edit_page = client.get(f"/staff/events/{event_id}/edit").get_data(as_text=True)
    assert f'<option selected value="{process_id}">' in edit_page or f'value="{process_id}" selected' in edit_page
    token = csrf_token(client, f"/staff/events/{event_id}")
    client.post(f"/staff/events/{event_id}/publish", data={"csrf_token": token})
    assert "Öppet möte i Sparreholm" in client.get(f"/processes/{slug}?lang=sv").get_data(as_text=True)


def test_a_moment_outside_the_calendar_is_explained_and_nothing_saved(app, client, make_user, municipality):
    """Midnight on 0001-01-01 in Stockholm is before the first moment UTC can hold: it was a server error."""
    organizer(client, make_user)
    data = dict(FORM, csrf_token=csrf_token(client, "/staff/events/new"), starts_at="0001-01-01T00:00",
                signup_closes_at="9999-12-31T23:59")
    response = client.post("/staff/events/new?lang=en", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'href="#starts_at"' in page and 'href="#signup_closes_at"' in page
    assert "Give a date between Jan 1, 1900 and Dec 31, 2999." in page
    assert 'value="0001-01-01T00:00"' in page
    with app.app_context():
        assert db.session.scalar(sa.select(Event).where(Event.venue == "Slottet")) is None
