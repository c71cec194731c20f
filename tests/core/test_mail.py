"""The mail queue: one bad message never stops the others; failures back off and end set aside for an admin."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from dialogue.core import mail
from dialogue.core.base import utcnow
from dialogue.core.models import AuditEvent, OutgoingMail
from dialogue.events.models import Event
from dialogue.extensions import db
from tests.conftest import count, csrf_token, login
from tests.events.helpers import make_event
from tests.smtp import free_port


@pytest.fixture
def mail_app(app_factory, smtp):
    return app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port,
                       MAIL_SENDER="dialog@flen.example", MAIL_MAX_ATTEMPTS=3, MAIL_RETRY_SECONDS=60)


def add_mail(app, **fields) -> int:
    """A row as it may lie in the queue: written before the rules of today, or by hand."""
    with app.app_context():
        row = OutgoingMail(**{"to": "ebba@example.se", "subject": "Hej", "body": "Text\n", **fields})
        db.session.add(row)
        db.session.commit()
        return row.id


def row(app, mail_id) -> OutgoingMail:
    with app.app_context():
        return db.session.get(OutgoingMail, mail_id)


def send(app, ids=None):
    with app.app_context():
        return mail.send_pending(ids)


def test_a_message_that_cannot_be_made_is_set_aside_and_the_others_go_out(mail_app, smtp):
    first = add_mail(mail_app, to="bad@example.se\r\nBcc: everyone@example.se")
    second = add_mail(mail_app, to="ok@example.se", subject="Du är anmäld: Möte\ri Flen\n")
    assert send(mail_app) == (1, 1)
    message = smtp.wait_for(1)[0]
    assert message["To"] == "ok@example.se"
    assert message["Subject"] == "Du är anmäld: Möte i Flen"  # the header stays one line
    assert row(mail_app, second).sent_at is not None
    bad = row(mail_app, first)
    assert bad.sent_at is None and bad.set_aside_at is not None and bad.attempts == 1 and bad.last_error
    # never tried again by itself
    assert send(mail_app) == (0, 0)
    assert len(smtp.messages) == 1 and row(mail_app, first).attempts == 1


def test_the_command_sends_what_lies_behind_a_bad_message(mail_app, smtp):
    add_mail(mail_app, to="bad@example.se\nBcc: x@example.se")
    add_mail(mail_app, to="a@example.se")
    add_mail(mail_app, to="b@example.se")
    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 1  # something failed: the scheduler's log shows it
    assert "Sent 2, failed 1. 1 set aside" in result.output
    assert sorted(m["To"] for m in smtp.wait_for(2)) == ["a@example.se", "b@example.se"]
    again = runner.invoke(args=["mail", "send"])
    assert again.exit_code == 0 and "Sent 0, failed 0. 1 set aside" in again.output


def test_failures_wait_longer_each_time_and_end_set_aside(app_factory, smtp, make_user):
    app = app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2,
                      MAIL_MAX_ATTEMPTS=3, MAIL_RETRY_SECONDS=60)
    mail_id = add_mail(app)
    waits = []
    for attempt in (1, 2, 3):
        before = utcnow()
        assert send(app) == (0, 1)
        queued = row(app, mail_id)
        assert queued.attempts == attempt and queued.last_error
        waits.append(round((queued.next_attempt_at - before).total_seconds() / 60))
        assert send(app) == (0, 0)  # not due yet: not tried
        if attempt < 3:
            assert queued.set_aside_at is None
            with app.app_context():  # the wait is over
                db.session.get(OutgoingMail, mail_id).next_attempt_at = utcnow() - timedelta(seconds=1)
                db.session.commit()
    assert waits == [1, 2, 4]
    assert row(app, mail_id).set_aside_at is not None
    with app.app_context():
        db.session.get(OutgoingMail, mail_id).next_attempt_at = utcnow() - timedelta(days=1)
        db.session.commit()
    assert send(app) == (0, 0)  # set aside: only an admin tries it again

    # the server is back; an admin tries the message again from the staff page
    app.config["MAIL_PORT"] = smtp.port
    client = app.test_client()
    login(client, make_user("admin"))
    page = client.get("/staff/mail?lang=en").get_data(as_text=True)
    assert "ebba@example.se" in page and "Set aside" in page
    response = client.post(f"/staff/mail/{mail_id}/retry", data={"csrf_token": csrf_token(client, "/staff/mail")})
    assert response.status_code == 302
    assert smtp.wait_for(1)[0]["To"] == "ebba@example.se"
    assert row(app, mail_id).sent_at is not None


def test_admins_see_and_delete_what_was_set_aside(mail_app, make_user):
    mail_id = add_mail(mail_app, to="bad@example.se\nBcc: x@example.se")
    send(mail_app)
    client = mail_app.test_client()
    login(client, make_user("organizer"))
    assert client.get("/staff/mail").status_code == 403
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")})
    login(client, make_user("admin"))
    page = client.get("/staff/mail?lang=en")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "bad@example.se" in page.get_data(as_text=True)
    assert f"/staff/mail/{mail_id}/delete" in page.get_data(as_text=True)
    response = client.post(f"/staff/mail/{mail_id}/delete", data={"csrf_token": csrf_token(client, "/staff/mail")})
    assert response.status_code == 302
    assert count(mail_app, OutgoingMail) == 0
    with mail_app.app_context():
        assert db.session.scalar(sa.select(AuditEvent.object_id).where(AuditEvent.action == "mail.delete")) == mail_id


def test_a_title_with_a_line_break_no_longer_breaks_sign_ups(mail_app, smtp):
    """A title stored with a line break (before the forms refused them) made every sign-up a 500."""
    event_id = make_event(mail_app, capacity=5)
    with mail_app.app_context():
        db.session.get(Event, event_id).title = {"sv": "Möte\ri Flen", "en": "Meeting\nin Flen"}
        db.session.commit()
    client = mail_app.test_client()
    url = f"/events/{event_id}/signup?lang=en"
    page = client.get(url).get_data(as_text=True)
    form = re.search(r'name="form" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "form": form, "name": "Ebba",
                                      "email": "ebba@example.se", "group": "other"})
    assert response.status_code == 200
    message = smtp.wait_for(1)[0]
    assert message["Subject"] == "You are signed up: Meeting in Flen"


def test_every_message_has_a_date_and_a_message_id(mail_app, smtp):
    from email.utils import parsedate_to_datetime

    with mail_app.app_context():
        mail.queue("anna@example.se", "Hej", "Text")
        db.session.commit()
        mail.send_pending()
    message = smtp.wait_for(1)[0]
    sent = parsedate_to_datetime(message["Date"])
    assert abs(sent - utcnow()) < timedelta(minutes=5)
    assert re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", message["Message-ID"])


def test_headers_keep_every_space_and_letter_through_a_real_server(app_factory, smtp):
    """The default policy's folder dropped the space before an encoded word on a continuation line."""
    app = app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port,
                      MAIL_SENDER="dialog@flen.example", MAIL_SENDER_NAME="Flens kommun – Dialog")
    subjects = ["Tilbagemelding fra Flen: sådan gik det med Sörmlands vision",
                "Det blev der ud af dialogen: En lang titel som er meget lang og fortsætter Sörmlands vision "
                "for fremtiden og mere tekst her",
                "Ä ö " * 70, "A plain subject in ASCII that is long enough to be folded " * 3]
    with app.app_context():
        for subject in subjects:
            mail.queue("Åsa Öberg-Sørensen <asa@example.se>", subject, "Text")
        db.session.commit()
        assert mail.send_pending() == (len(subjects), 0)
    received = smtp.wait_for(len(subjects))
    assert [m["Subject"] for m in received] == [mail.one_line(s)[:mail.SUBJECT_LENGTH] for s in subjects]
    for message in received:
        assert str(message["From"]) == "Flens kommun – Dialog <dialog@flen.example>"
        assert message["To"].addresses[0].display_name == "Åsa Öberg-Sørensen"
        assert message["To"].addresses[0].addr_spec == "asa@example.se"
    # what went over the wire: headers in ASCII, in lines of at most 78 characters (RFC 5322 2.1.1)
    for raw in smtp.raw:
        head = raw.split(b"\r\n\r\n")[0]
        assert head.isascii() and max(len(line) for line in head.split(b"\r\n")) <= 78


def test_list_unsubscribe_goes_out_on_one_line_with_one_click(mail_app, smtp):
    url = "https://dialog.flen.example/feedback/unsubscribe/" + "A" * 90 + ".x_y-z?lang=da"
    with mail_app.app_context():
        mail.queue("anna@example.se", "Hej", "Text", unsubscribe_url=url)
        mail.queue("bo@example.se", "Hej", "Text")
        bad = mail.queue("cleo@example.se", "Hej", "Text", unsubscribe_url="https://x.example/a>, <mailto:x@y")
        db.session.commit()
        assert mail.send_pending() == (2, 1)
    by_address = {m["To"]: m for m in smtp.wait_for(2)}
    assert by_address["anna@example.se"]["List-Unsubscribe"] == f"<{url}>"
    assert f"\r\nList-Unsubscribe: <{url}>\r\n".encode() in b"".join(smtp.raw)  # one line, neither folded nor encoded
    assert by_address["anna@example.se"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "List-Unsubscribe" not in by_address["bo@example.se"]
    assert "List-Unsubscribe-Post" not in by_address["bo@example.se"]
    assert row(mail_app, bad).set_aside_at is not None
