"""Those who run an event, and admins, see the names of its sign-ups; other organizers get the counts."""

from __future__ import annotations

import re

import sqlalchemy as sa

from dialogue.core.models import AuditEvent, User
from dialogue.events.models import Event, Registration, RegistrationStatus
from dialogue.extensions import db
from tests.conftest import csrf_token, login
from tests.events.helpers import add_to_staff, make_event
from tests.events.test_manage import FORM
from tests.events.test_seats import sign_up
from tests.exports.helpers import wait_for_job


def _staff(app, event_id: int) -> list[str]:
    with app.app_context():
        return [u.email for u in db.session.get(Event, event_id).staff]


def _user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.email == email))


def _edit_form(client, event_id: int, **changes) -> dict:
    """The event's edit form as the page fills it, with *changes*; `staff` is a list of user ids."""
    page = client.get(f"/staff/events/{event_id}/edit").get_data(as_text=True)
    data = dict(FORM, csrf_token=csrf_token(client, f"/staff/events/{event_id}/edit"))
    data["staff"] = [int(v) for v in re.findall(r'<input checked[^>]*name="staff"[^>]*value="(\d+)"', page)]
    data.update(changes)
    return data


def _export(app, client, event_id: int) -> str:
    token = csrf_token(client, f"/staff/exports/?dataset=signups&event={event_id}")
    response = client.post("/staff/exports/", data={
        "csrf_token": token, "submission_key": f"run-by-{event_id}-{token[-8:]}", "dataset": "signups",
        "event": str(event_id), "format": "csv", "delimiter": "comma"})
    assert response.status_code == 303
    job_id = wait_for_job(app, response.headers["Location"])
    download = client.get(f"/staff/exports/jobs/{job_id}/file")
    assert download.status_code == 200
    return download.get_data().decode("utf-8-sig")


def test_whoever_creates_an_event_runs_it_and_the_list_says_so(app, client, make_user, municipality):
    email = make_user("organizer")
    login(client, email)
    form = client.get("/staff/events/new?lang=en").get_data(as_text=True)
    assert "Run by" in form and email in form
    data = dict(FORM, csrf_token=csrf_token(client, "/staff/events/new"))  # no box ticked: the creator still runs it
    assert client.post("/staff/events/new", data=data).status_code == 302
    with app.app_context():
        event_id = db.session.scalar(sa.select(Event.id).where(Event.venue == "Slottet"))
        staff = db.session.scalar(sa.select(AuditEvent.details).where(AuditEvent.action == "event.create"))["staff"]
    assert _staff(app, event_id) == [email] and staff == [_user_id(app, email)]
    other = make_event(app)
    listing = client.get("/staff/events/?lang=en").get_data(as_text=True)
    rows = {row for row in re.findall(r"<tr>(.*?)</tr>", listing, re.S) if "/staff/events/" in row}
    assert {f"/staff/events/{event_id}\"" in row for row in rows if "You run this" in row} == {True}
    assert not any(f"/staff/events/{other}\"" in row and "You run this" in row for row in rows)


def test_the_run_by_list_changes_and_keeps_at_least_one(app, client, make_user, municipality):
    first, second = make_user("organizer"), make_user("organizer")
    analyst = make_user("analyst")
    event_id = make_event(app)
    add_to_staff(app, event_id, first)
    login(client, first)
    page = client.get(f"/staff/events/{event_id}/edit").get_data(as_text=True)
    assert second in page and analyst not in page  # active organizers and admins are offered, no analysts

    both = [_user_id(app, first), _user_id(app, second)]
    changed = client.post(f"/staff/events/{event_id}/edit", data=_edit_form(client, event_id, staff=both))
    assert changed.status_code == 302
    assert _staff(app, event_id) == sorted([first, second])

    # nobody left: refused in the reader's language, and what was typed stays
    refused = client.post(f"/staff/events/{event_id}/edit?lang=en",
                          data=_edit_form(client, event_id, staff=[], venue="Nya salen"))
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Choose at least one person to run the event." in text and 'href="#staff"' in text
    assert 'value="Nya salen"' in text
    swedish = client.post(f"/staff/events/{event_id}/edit?lang=sv", data=_edit_form(client, event_id, staff=[]))
    assert "Välj minst en person som håller i aktiviteten." in swedish.get_data(as_text=True)
    assert _staff(app, event_id) == sorted([first, second])

    # the first steps back; from then on they may still change the event, not who runs it
    assert client.post(f"/staff/events/{event_id}/edit",
                       data=_edit_form(client, event_id, staff=[_user_id(app, second)])).status_code == 302
    assert _staff(app, event_id) == [second]
    page = client.get(f"/staff/events/{event_id}/edit?lang=en").get_data(as_text=True)
    assert 'name="staff"' not in page and f"Run by: {second}." in page
    data = _edit_form(client, event_id, staff=[_user_id(app, first)], venue="Biblioteket")
    assert client.post(f"/staff/events/{event_id}/edit", data=data).status_code == 302
    assert _staff(app, event_id) == [second]
    with app.app_context():
        assert db.session.get(Event, event_id).venue == "Biblioteket"


def test_an_organizer_who_does_not_run_the_event_gets_counts_not_names(app, client, make_user, municipality):
    event_id = make_event(app, capacity=5, quotas={"young": 2})
    registration_id, _status, _token = sign_up(app, event_id, 1, group="young")
    runner = make_user("organizer", email="runner@kommun.example")
    add_to_staff(app, event_id, runner)
    login(client, make_user("organizer"))

    page = client.get(f"/staff/events/{event_id}?lang=en&q=Person").get_data(as_text=True)
    assert "Person 1" not in page and 'class="people"' not in page and "check-in" not in page
    assert "Names are shown to the staff who run this event: runner@kommun.example." in page
    counts = re.search(r"<caption>Sign-ups per group</caption>(.*?)</table>", page, re.S).group(1)
    assert re.search(r"Young person</th><td[^>]*>1</td>", counts)
    listing = client.get("/staff/events/?lang=en").get_data(as_text=True)
    assert "You run this" not in listing

    token = csrf_token(client, f"/staff/events/{event_id}")
    assert client.post(f"/staff/events/{event_id}/registrations/{registration_id}/check-in",
                       data={"csrf_token": token}).status_code == 403
    assert client.post(f"/staff/events/{event_id}/walk-in",
                       data={"csrf_token": token, "name": "Dörr Gäst", "group": "other"}).status_code == 403
    with app.app_context():
        assert db.session.get(Registration, registration_id).status == RegistrationStatus.confirmed
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1

    export = _export(app, client, event_id)
    header = export.splitlines()[0]
    assert "Person 1" not in export and "needs" not in header and "name" not in header
    assert str(registration_id) in export and "young" in export


def test_a_job_with_names_is_not_handed_to_someone_who_no_longer_runs_the_event(app, client, make_user,
                                                                                municipality):
    event_id = make_event(app)
    sign_up(app, event_id, 1)
    email = make_user("organizer")
    add_to_staff(app, event_id, email)
    login(client, email)
    assert "Person 1" in _export(app, client, event_id)
    job_id = _last_job(app)
    with app.app_context():
        db.session.get(Event, event_id).staff = []
        db.session.commit()
    assert client.get(f"/staff/exports/jobs/{job_id}/file").status_code == 403


def _last_job(app) -> int:
    from dialogue.exports.models import ExportJob

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(ExportJob.id)))


def test_an_admin_sees_names_and_checks_in_at_any_event(app, client, make_user, municipality):
    event_id = make_event(app)
    registration_id, _status, _token = sign_up(app, event_id, 1)
    login(client, make_user("admin"))
    page = client.get(f"/staff/events/{event_id}").get_data(as_text=True)
    assert "Person 1" in page and 'class="people"' in page
    assert 'name="staff"' in client.get(f"/staff/events/{event_id}/edit").get_data(as_text=True)
    token = csrf_token(client, f"/staff/events/{event_id}")
    client.post(f"/staff/events/{event_id}/registrations/{registration_id}/check-in", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(Registration, registration_id).status == RegistrationStatus.attended
    assert "Person 1" in _export(app, client, event_id)


def test_a_copy_is_run_by_the_same_staff_and_whoever_copied_it(app, client, make_user):
    event_id = make_event(app)
    runner, copier = make_user("organizer"), make_user("organizer")
    add_to_staff(app, event_id, runner)
    login(client, copier)
    token = csrf_token(client, f"/staff/events/{event_id}")
    response = client.post(f"/staff/events/{event_id}/copy", data={"csrf_token": token})
    copy_id = int(re.search(r"/staff/events/(\d+)/edit", response.headers["Location"]).group(1))
    assert _staff(app, copy_id) == sorted([runner, copier])


def test_on_upgrade_every_active_organizer_runs_the_events_there_are(backend, tmp_path, postgres_or_none):
    """Before event_staff every organizer saw every event's names; the migration keeps that for them."""
    from flask_migrate import upgrade

    from tests.conftest import make_app

    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
    else:
        url = postgres_or_none.create_database("dialogue_event_staff")
    app = make_app(url, tmp_path)
    with app.app_context():
        upgrade(revision="b3c4d5e6f019")
        with db.engine.begin() as conn:
            for n, (role, active) in enumerate((("organizer", True), ("organizer", False), ("admin", True),
                                                ("analyst", True), ("organizer", True))):
                conn.execute(sa.text(
                    'INSERT INTO "user" (id, email, password_hash, role, active, created_at) '
                    "VALUES (:id, :email, 'x', :role, :active, CURRENT_TIMESTAMP)"),
                    {"id": n + 1, "email": f"u{n}@kommun.example", "role": role, "active": active})
            for event_id in (1, 2):
                conn.execute(sa.text(
                    "INSERT INTO event (id, kind, state, title, description, venue, address, accessibility, "
                    "language, starts_at, ends_at, uid, sequence, created_at, updated_at) VALUES (:id, 'workshop', "
                    "'draft', '{}', '{}', 'Salen', '', '{}', 'sv', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :uid, 0, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"id": event_id, "uid": f"e{event_id}@dialogue"})
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT event_id, user_id FROM event_staff ORDER BY 1, 2")).all()
        db.engine.dispose()
    assert [tuple(row) for row in rows] == [(1, 1), (1, 5), (2, 1), (2, 5)]
