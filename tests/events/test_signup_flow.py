"""Signing up through the pages, with a real SMTP server receiving the mail."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from dialogue.core.models import OutgoingMail
from dialogue.events.models import Registration, RegistrationContact
from dialogue.extensions import db
from tests.conftest import count, csrf_token, login
from tests.events.helpers import make_event
from tests.smtp import free_port


@pytest.fixture
def mail_app(app_factory, smtp):
    return app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port,
                       MAIL_SENDER="dialog@flen.example")


def signup(client, event_id, name, email_address, group="young", lang="sv"):
    url = f"/events/{event_id}/signup?lang={lang}"
    page = client.get(url).get_data(as_text=True)
    form = re.search(r'name="form" type="hidden" value="([^"]+)"', page) or re.search(
        r'id="form" name="form" type="hidden" value="([^"]+)"', page)
    token = csrf_token(client, url)
    data = {"csrf_token": token, "form": form.group(1) if form else "", "name": name, "email": email_address,
            "group": group, "needs": ["food"]}
    return client.post(url, data=data)


def cancel_link(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/events/cancel/\S+)", body).group(1)


def test_sign_up_confirmation_mail_with_calendar_and_cancel_link(mail_app, smtp):
    event_id = make_event(mail_app, capacity=5)
    client = mail_app.test_client()
    response = signup(client, event_id, "Ebba Ek", "ebba@example.se", lang="en")
    assert response.status_code == 200
    assert "You are signed up" in response.get_data(as_text=True)
    message = smtp.wait_for(1)[0]
    assert message["To"] == "ebba@example.se"
    assert "Vision workshop" in message["Subject"]
    attachments = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert attachments and "BEGIN:VEVENT" in attachments[0].get_content()
    assert cancel_link(message).startswith("/events/cancel/")
    with mail_app.app_context():
        assert db.session.scalar(sa.select(OutgoingMail.sent_at)) is not None


def test_mail_is_in_the_language_of_the_sign_up(mail_app, smtp):
    event_id = make_event(mail_app, capacity=5)
    signup(mail_app.test_client(), event_id, "Mette", "mette@example.dk", lang="da")
    message = smtp.wait_for(1)[0]
    assert "Hej Mette" in message.get_body(("plain",)).get_content()


def test_full_event_puts_people_on_the_waiting_list_and_cancel_moves_them_up(mail_app, smtp):
    event_id = make_event(mail_app, capacity=1)
    first, second = mail_app.test_client(), mail_app.test_client()
    signup(first, event_id, "First", "first@example.se", lang="en")
    waiting = signup(second, event_id, "Second", "second@example.se", lang="en")
    assert "waiting list" in waiting.get_data(as_text=True)
    messages = smtp.wait_for(2)
    link = cancel_link(messages[0])

    page = first.get(f"{link}?lang=en")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    done = first.post(f"{link}?lang=en", data={"csrf_token": token})
    assert "is cancelled" in done.get_data(as_text=True)
    promoted = smtp.wait_for(3)[2]
    assert promoted["To"] == "second@example.se"
    assert "seat" in promoted["Subject"].lower()
    with mail_app.app_context():
        statuses = dict(db.session.execute(sa.select(RegistrationContact.name, Registration.status)
                                           .join(Registration)).all())
    assert statuses == {"First": "cancelled", "Second": "confirmed"}

    # the link works once; a used link and an unknown one get the same answer
    used = first.get(f"{link}?lang=en")
    unknown = first.get("/events/cancel/" + "x" * 43 + "?lang=en")
    assert used.status_code == unknown.status_code == 404
    token = link.rsplit("/", 1)[1]
    assert used.get_data(as_text=True).replace(token, "x" * 43) == unknown.get_data(as_text=True)


def test_same_sign_up_sent_twice_is_stored_once(mail_app, smtp):
    event_id = make_event(mail_app, capacity=5)
    client = mail_app.test_client()
    url = f"/events/{event_id}/signup"
    page = client.get(url).get_data(as_text=True)
    form = re.search(r'name="form" type="hidden" value="([^"]+)"', page).group(1)
    data = {"csrf_token": csrf_token(client, url), "form": form, "name": "A", "email": "a@example.se",
            "group": "young"}
    assert client.post(url, data=data).status_code == 200
    assert client.post(url, data=data).status_code == 200
    assert count(mail_app, Registration) == 1
    assert len(smtp.wait_for(1)) == 1


def test_bad_input_keeps_what_was_typed(mail_app):
    event_id = make_event(mail_app, capacity=5)
    client = mail_app.test_client()
    response = signup(client, event_id, "Kim <b>K</b>", "not an address", lang="en")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="error-summary"' in page and 'href="#email"' in page
    assert 'value="Kim &lt;b&gt;K&lt;/b&gt;"' in page
    assert count(mail_app, Registration) == 0


def test_mail_server_down_keeps_the_sign_up_and_retries(app_factory, smtp):
    # no wait before the next attempt here (tests/core/test_mail.py has the waits)
    app = app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2,
                      MAIL_RETRY_SECONDS=0)
    event_id = make_event(app, capacity=5)
    response = signup(app.test_client(), event_id, "Ebba", "ebba@example.se")
    assert response.status_code == 200
    assert count(app, Registration) == 1
    with app.app_context():
        queued = db.session.scalar(sa.select(OutgoingMail))
        assert queued.sent_at is None and queued.attempts == 1 and queued.last_error
    app.config["MAIL_PORT"] = smtp.port
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert smtp.wait_for(1)[0]["To"] == "ebba@example.se"


def test_draft_events_are_not_public(app):
    from dialogue.events.models import EventState

    event_id = make_event(app, state=EventState.draft)
    client = app.test_client()
    assert client.get(f"/events/{event_id}").status_code == 404
    assert client.get(f"/events/{event_id}/signup").status_code == 404
    assert client.get(f"/events/{event_id}.ics").status_code == 404


def test_cancel_links_are_rate_limited(app_factory):
    app = app_factory()
    client = app.test_client()
    codes = [client.get("/events/cancel/" + "x" * 43).status_code for _ in range(21)]
    assert codes[:20] == [404] * 20
    assert codes[20] == 429


def test_signup_page_for_an_event_without_sign_up(app):
    event_id = make_event(app, capacity=None)
    page = app.test_client().get(f"/events/{event_id}/signup?lang=en")
    assert "not open" in page.get_data(as_text=True)
    assert count(app, Registration) == 0


def calendar_of(message) -> tuple[str, dict[str, str]]:
    """(the attachment's Content-Type method, {property: value} of the calendar's METHOD and its VEVENT)."""
    part = next(p for p in message.iter_attachments() if p.get_content_type() == "text/calendar")
    text = part.get_content().replace("\r\n ", "")  # unfolded (RFC 5545 3.1)
    properties = {}
    for line in text.split("\r\n"):
        name, _sep, value = line.partition(":")
        properties.setdefault(name.split(";")[0], value)
        if line == "BEGIN:VEVENT":
            properties = {"METHOD": properties["METHOD"]}
    return part.get_param("method"), properties


def test_a_cancelled_event_leaves_the_calendars_it_was_mailed_to(mail_app, smtp, make_user):
    """RFC 5546: the cancellation is METHOD:CANCEL with the invitation's UID, STATUS:CANCELLED and a higher
    SEQUENCE, from the organizer, and the attachment's Content-Type says the same method (RFC 6047)."""
    event_id = make_event(mail_app, capacity=5)
    signup(mail_app.test_client(), event_id, "Ebba Ek", "ebba@example.se", lang="en")
    invitation_method, invitation = calendar_of(smtp.wait_for(1)[0])
    assert invitation_method == invitation["METHOD"] == "PUBLISH"
    assert invitation["STATUS"] == "CONFIRMED"
    staff = mail_app.test_client()
    login(staff, make_user("organizer"))
    staff.post(f"/staff/events/{event_id}/cancel",
               data={"csrf_token": csrf_token(staff, f"/staff/events/{event_id}"), "confirm": "yes"})
    cancellation = smtp.wait_for(2)[1]
    method, cancelled = calendar_of(cancellation)
    assert method == cancelled["METHOD"] == "CANCEL"
    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled["UID"] == invitation["UID"]
    assert int(cancelled["SEQUENCE"]) > int(invitation["SEQUENCE"])
    assert cancelled["ORGANIZER"] == invitation["ORGANIZER"] == "mailto:dialog@flen.example"
