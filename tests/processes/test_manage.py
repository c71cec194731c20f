"""Organizers create a process, keep its phases, publish and archive it; nothing is half-saved."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from dialogue.core.models import AuditEvent
from dialogue.extensions import db
from dialogue.processes.models import Phase, Process
from tests.conftest import count, csrf_token, login

PROCESS = {"slug": "vision-2040", "title_sv": "Vision 2040", "title_en": "Vision 2040 (en)", "title_da": "",
           "summary_sv": "Vi skriver visionen tillsammans.", "starts_on": "2027-01-01", "ends_on": "2027-12-31"}


@pytest.fixture
def organizer(client, make_user):
    login(client, make_user("organizer"))
    return client


def create(client, **changes):
    data = dict(PROCESS, **changes)
    data["csrf_token"] = csrf_token(client, "/staff/processes/new")
    return client.post("/staff/processes/new?lang=en", data=data)


def process_id(app, slug="vision-2040") -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Process.id).where(Process.slug == slug))


def add_phase(client, pid, **changes):
    data = {"kind": "questionnaire", "title_sv": "Enkät", "title_en": "", "title_da": "",
            "starts_on": "2027-02-01", "ends_on": "2027-03-15", **changes}
    data["csrf_token"] = csrf_token(client, f"/staff/processes/{pid}/phases/new")
    return client.post(f"/staff/processes/{pid}/phases/new?lang=en", data=data)


def test_an_organizer_creates_a_process_with_phases_and_publishes_it(app, organizer):
    assert create(organizer).status_code == 302
    pid = process_id(app)
    assert organizer.get("/processes/vision-2040").status_code == 404  # hidden until published
    assert add_phase(organizer, pid).status_code == 302
    assert add_phase(organizer, pid, kind="workshops", title_sv="Verkstäder", starts_on="2027-04-01",
                     ends_on="2027-04-30").status_code == 302
    token = csrf_token(organizer, f"/staff/processes/{pid}")
    assert organizer.post(f"/staff/processes/{pid}/publish", data={"csrf_token": token}).status_code == 302
    page = organizer.get("/processes/vision-2040?lang=sv").get_data(as_text=True)
    assert "Vision 2040" in page and "Enkät" in page and "Verkstäder" in page
    english = organizer.get("/processes/vision-2040?lang=en").get_data(as_text=True)
    assert "Vision 2040 (en)" in english and "Enkät" in english  # no English title: the default language
    with app.app_context():
        actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"process.create", "phase.create", "process.publish"} <= actions


def test_the_phases_can_be_reordered_changed_and_removed(app, organizer):
    create(organizer)
    pid = process_id(app)
    add_phase(organizer, pid, title_sv="Första")
    add_phase(organizer, pid, title_sv="Andra")
    with app.app_context():
        first, second = db.session.scalars(sa.select(Phase.id).order_by(Phase.position)).all()
    token = csrf_token(organizer, f"/staff/processes/{pid}")
    organizer.post(f"/staff/processes/{pid}/phases/{second}/up", data={"csrf_token": token})
    with app.app_context():
        assert db.session.scalars(sa.select(Phase.id).order_by(Phase.position)).all() == [second, first]
    data = {"kind": "analysis", "title_sv": "Analys", "starts_on": "2027-05-01", "ends_on": "2027-05-31",
            "csrf_token": token}
    assert organizer.post(f"/staff/processes/{pid}/phases/{first}", data=data).status_code == 302
    organizer.post(f"/staff/processes/{pid}/phases/{second}/remove", data={"csrf_token": token})
    with app.app_context():
        assert [p.title["sv"] for p in db.session.scalars(sa.select(Phase))] == ["Analys"]


@pytest.mark.parametrize(("changes", "message"), [
    ({"ends_on": "2026-12-01"}, "The end cannot come before the start."),
    ({"slug": "Vision 2040!"}, "lower-case letters"),
    ({"title_sv": ""}, "This field is required."),
    ({"title_sv": "Två\nrader"}, "without line breaks"),
])
def test_bad_process_input_gets_a_clear_error_and_keeps_what_was_typed(app, organizer, changes, message):
    reply = create(organizer, **changes)
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert message in html and 'class="error-summary"' in html
    assert "Vi skriver visionen tillsammans." in html
    assert count(app, Process) == 0


def test_a_taken_address_is_refused(app, organizer):
    create(organizer)
    reply = create(organizer, title_sv="En annan")
    assert reply.status_code == 422 and "Another process has this address already." in reply.get_data(as_text=True)
    assert count(app, Process) == 1


def test_a_phase_outside_the_process_is_refused_and_nothing_is_saved(app, organizer):
    create(organizer)
    pid = process_id(app)
    reply = add_phase(organizer, pid, starts_on="2026-12-01")
    assert reply.status_code == 422
    assert "must lie within the process" in reply.get_data(as_text=True)
    assert count(app, Phase) == 0
    add_phase(organizer, pid, starts_on="2027-11-01", ends_on="2027-12-31")
    # shortening the process would leave the phase outside: refused, and the dates stay as they were
    data = dict(PROCESS, ends_on="2027-06-30", csrf_token=csrf_token(organizer, f"/staff/processes/{pid}"))
    reply = organizer.post(f"/staff/processes/{pid}?lang=en", data=data)
    assert reply.status_code == 422 and "would fall outside" in reply.get_data(as_text=True)
    with app.app_context():
        assert str(db.session.get(Process, pid).ends_on) == "2027-12-31"


def test_an_archived_process_leaves_the_lists_but_keeps_its_page(app, organizer):
    create(organizer)
    pid = process_id(app)
    token = csrf_token(organizer, f"/staff/processes/{pid}")
    organizer.post(f"/staff/processes/{pid}/publish", data={"csrf_token": token})
    organizer.post(f"/staff/processes/{pid}/archive", data={"csrf_token": token})
    assert organizer.get("/processes/vision-2040").status_code == 200
    with app.app_context():
        from datetime import date

        from dialogue.processes import services

        listed = services.listed(date(2027, 6, 1))
        assert not any(listed.values())
        assert services.current_process(date(2027, 6, 1)) is None


def test_analysts_may_not_change_processes(client, make_user, app):
    login(client, make_user("analyst"))
    assert client.get("/staff/processes/new").status_code == 403
    assert not re.search(r"New process", client.get("/staff/processes/?lang=en").get_data(as_text=True))


def test_the_staff_page_shows_all_that_belongs_to_the_process(app, client, make_user, municipality):
    login(client, make_user("organizer"))
    with app.app_context():
        process = db.session.scalar(sa.select(Process))
        pid = process.id
    html = client.get(f"/staff/processes/{pid}?lang=en").get_data(as_text=True)
    part = html.split('id="belongs"')[1].split('id="phases"')[0]
    assert "/staff/questionnaires/" in part and "0 responses" in part
    assert part.count("/staff/events/") >= 3  # the demo's meetings, seminars and workshops
    assert "Not published yet." in part and f"/staff/steering/processes/{pid}" in part
    assert f"/staff/reports/{pid}" in part
