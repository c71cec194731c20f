"""Feedback to residents: one message per address in their language, through a real SMTP server;
unsubscribing; deleting the addresses after the retention time."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from dialogue.core.base import utcnow
from dialogue.core.models import OutgoingMail
from dialogue.core.time import today
from dialogue.extensions import db
from dialogue.processes.models import PhaseKind, Process
from dialogue.questionnaires.models import FeedbackContact, Questionnaire
from dialogue.steering import feedback
from tests.conftest import count, csrf_token, load_demo, login

PUBLIC = "https://dialog.flen.example"
ADDRESSES = [("anna@example.se", "sv"), ("Bo@Example.dk", "da"), ("bo@example.dk", "da"), ("cleo@example.org", "en")]


@pytest.fixture
def mail_app(app_factory, smtp):
    return app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port,
                       MAIL_SENDER="dialog@flen.example", PUBLIC_URL=PUBLIC)


def demo(app, decided: bool = True, addresses=ADDRESSES) -> int:
    """The demo process with feedback addresses; *decided* moves its decision phase to yesterday."""
    load_demo(app)
    with app.app_context():
        process = db.session.scalar(sa.select(Process))
        if decided:
            phase = next(p for p in process.phases if p.kind == PhaseKind.decision)
            phase.starts_on = today() - timedelta(days=1)
        questionnaire_id = db.session.scalar(sa.select(Questionnaire.id))
        for email, locale in addresses:
            db.session.add(FeedbackContact(questionnaire_id=questionnaire_id, email=email, locale=locale))
        db.session.commit()
        return process.id


def send_feedback(app):
    result = app.test_cli_runner().invoke(args=["steering", "send-feedback"])
    assert result.exit_code == 0, result.output
    return result.output


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_each_address_gets_one_message_in_its_language_even_when_run_twice(mail_app, smtp):
    demo(mail_app)
    first = send_feedback(mail_app)
    assert "Queued 3 message(s); sent 3" in first
    second = send_feedback(mail_app)
    assert "Queued 0 message(s)" in second
    messages = smtp.wait_for(3)
    assert len(messages) == 3
    by_address = {m["To"].lower(): m for m in messages}
    assert set(by_address) == {"anna@example.se", "bo@example.dk", "cleo@example.org"}
    assert by_address["anna@example.se"]["Subject"].startswith("Det här blev det av dialogen")
    assert "Tack för att du var med" in body(by_address["anna@example.se"])
    assert by_address["bo@example.dk"]["Subject"].startswith("Det blev der ud af dialogen")
    assert "Tak fordi du var med" in body(by_address["bo@example.dk"])
    english = body(by_address["cleo@example.org"])
    assert "What came of the dialogue" in by_address["cleo@example.org"]["Subject"]
    assert f"{PUBLIC}/vision/flen-vision-2019/follow-up?lang=en" in english
    assert "The council has adopted the vision" in english  # the admin's words
    assert re.search(rf"{PUBLIC}/feedback/unsubscribe/\S+", english)
    with mail_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedbackContact)
                                 .where(FeedbackContact.notified_at.is_(None))) == 0
    # nothing in the output names an address
    assert "@" not in first + second


def test_nothing_goes_out_before_the_decision(mail_app, smtp):
    demo(mail_app, decided=False)
    assert "Queued 0 message(s)" in send_feedback(mail_app)
    assert count(mail_app, OutgoingMail) == 0


def test_two_runs_racing_send_once(app):
    demo(app)
    barrier = threading.Barrier(2, timeout=20)
    queued: list[int] = []

    def run():
        with app.test_request_context("/", base_url=PUBLIC, method="POST"):
            follow_up = feedback.due(today())[0]
            db.session.commit()  # on SQLite, a POST's transaction holds the write lock: let the other one read
            barrier.wait(timeout=20)
            queued.extend(feedback.send(follow_up))
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(queued) == 3
    with app.app_context():
        addresses = [a.lower() for a in db.session.scalars(sa.select(OutgoingMail.to))]
    assert sorted(addresses) == ["anna@example.se", "bo@example.dk", "cleo@example.org"]


def test_admin_publishes_results_and_residents_are_told(mail_app, smtp, make_user):
    process_id = demo(mail_app, decided=False)
    client = mail_app.test_client()
    login(client, make_user("analyst"))
    token = csrf_token(client, f"/staff/steering/processes/{process_id}")
    assert client.post(f"/staff/steering/processes/{process_id}/publish", data={"csrf_token": token}).status_code == 403
    admin = mail_app.test_client()
    login(admin, make_user("admin"))
    token = csrf_token(admin, f"/staff/steering/processes/{process_id}?lang=en")
    done = admin.post(f"/staff/steering/processes/{process_id}/publish?lang=en", data={"csrf_token": token},
                      follow_redirects=True)
    assert "3 residents get a message" in done.get_data(as_text=True)
    assert len(smtp.wait_for(3)) == 3
    again = admin.post(f"/staff/steering/processes/{process_id}/publish?lang=en", data={"csrf_token": token},
                       follow_redirects=True)
    assert "0 residents get a message" in again.get_data(as_text=True)
    assert count(mail_app, OutgoingMail) == 3


def test_unsubscribe_deletes_the_address_and_stops_the_mail(mail_app, smtp):
    demo(mail_app, decided=False)
    with mail_app.app_context():
        contact = db.session.scalar(sa.select(FeedbackContact).where(FeedbackContact.email == "anna@example.se"))
        token = feedback.unsubscribe_token(contact)
    client = mail_app.test_client()
    url = f"/feedback/unsubscribe/{token}?lang=en"
    page = client.get(url)
    assert page.status_code == 200 and "Delete my address" in page.get_data(as_text=True)
    assert count(mail_app, FeedbackContact) == 4  # a GET changes nothing
    done = client.post(url, data={"csrf_token": csrf_token(client, url)})
    text = done.get_data(as_text=True)
    assert "Done." in text
    assert count(mail_app, FeedbackContact) == 3
    # idempotent, and an unknown token reads the same
    again = client.post(url, data={"csrf_token": csrf_token(client, url)}).get_data(as_text=True)
    unknown = client.post("/feedback/unsubscribe/forged?lang=en", data={"csrf_token": csrf_token(client, url)})
    assert _main(again) == _main(text)
    assert unknown.status_code == 400 and "The link does not work" in unknown.get_data(as_text=True)
    assert client.post(url, data={}).status_code == 400  # CSRF
    with mail_app.app_context():
        process = db.session.scalar(sa.select(Process))
        next(p for p in process.phases if p.kind == PhaseKind.decision).starts_on = today()
        db.session.commit()
    send_feedback(mail_app)
    assert {m["To"].lower() for m in smtp.wait_for(2)} == {"bo@example.dk", "cleo@example.org"}


DANISH_TITLE = "Vision 2040 for Flen kommune og omegn: sådan gik det med Sörmlands vision"  # folded: it lost a space


def test_the_results_mail_offers_one_click_unsubscription_that_works(mail_app, smtp):
    """RFC 8058: the mail program POSTs List-Unsubscribe=One-Click to the header's address, with no
    cookies and no CSRF token; a GET (a link scanner) changes nothing."""
    demo(mail_app)
    with mail_app.app_context():
        process = db.session.scalar(sa.select(Process))
        process.title = {**process.title, "da": DANISH_TITLE}
        db.session.commit()
    send_feedback(mail_app)
    by_address = {m["To"].lower(): m for m in smtp.wait_for(3)}
    danish = by_address["bo@example.dk"]
    assert danish["Subject"] == f"Det blev der ud af dialogen: {DANISH_TITLE}"
    headers = {}
    for address, message in by_address.items():
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url = re.fullmatch(r"<(https://\S+)>", message["List-Unsubscribe"]).group(1)
        assert url.startswith(f"{PUBLIC}/feedback/unsubscribe/") and url in body(message)  # the link in the text
        headers[address] = url.removeprefix(PUBLIC)
    scanner = mail_app.test_client()
    page = scanner.get(headers["bo@example.dk"])
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)
    assert count(mail_app, FeedbackContact) == 4
    # the mail program: a fresh client, the form body of RFC 8058 and nothing else
    done = mail_app.test_client().post(headers["bo@example.dk"], data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "Location" not in done.headers
    with mail_app.app_context():
        assert sorted(db.session.scalars(sa.select(FeedbackContact.email))) == ["anna@example.se",
                                                                                "cleo@example.org"]
        # the message to the address went with it
        assert sorted(db.session.scalars(sa.select(OutgoingMail.to))) == ["anna@example.se", "cleo@example.org"]
    # multipart/form-data is allowed too
    done = mail_app.test_client().post(headers["cleo@example.org"], data={"List-Unsubscribe": "One-Click"},
                                       content_type="multipart/form-data")
    assert done.status_code == 200
    assert count(mail_app, FeedbackContact) == 1
    # the same POST again is no error and tells nothing
    assert mail_app.test_client().post(headers["cleo@example.org"],
                                       data={"List-Unsubscribe": "One-Click"}).status_code == 200


def test_a_forged_unsubscribe_link_is_refused_in_the_reader_s_language(mail_app):
    demo(mail_app, decided=False)
    with mail_app.app_context():
        contact = db.session.scalar(sa.select(FeedbackContact).where(FeedbackContact.email == "anna@example.se"))
        token = feedback.unsubscribe_token(contact)
    client = mail_app.test_client()
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in ("forged", tampered, "x" * 300):
        for method in (client.get, client.post):
            response = method(f"/feedback/unsubscribe/{bad}?lang=da", data={"List-Unsubscribe": "One-Click"})
            assert response.status_code == 400
            assert '<html lang="da"' in response.get_data(as_text=True)
    assert count(mail_app, FeedbackContact) == 4


def test_purge_and_unsubscribing_delete_the_queued_mail_too(app):
    """A message still queued (the mail server was down, or it was set aside) holds the address as well."""
    demo(app)
    with app.test_request_context("/", base_url=PUBLIC, method="POST"):
        queued = feedback.send(feedback.due(today())[0])
        db.session.commit()
    assert len(queued) == 3 and count(app, OutgoingMail) == 3
    with app.app_context():
        mail_to = dict(db.session.execute(sa.select(OutgoingMail.to, OutgoingMail.unsubscribe_url)).all())
        anna = db.session.scalar(sa.select(FeedbackContact).where(FeedbackContact.email == "anna@example.se"))
        anna.notified_at = utcnow() - timedelta(days=91)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["steering", "purge"])
    assert result.exit_code == 0 and "Deleted 1 feedback address(es)" in result.output
    with app.app_context():
        assert sorted(db.session.scalars(sa.select(OutgoingMail.to))) == ["bo@example.dk", "cleo@example.org"]
    path = mail_to["cleo@example.org"].removeprefix(PUBLIC)
    assert app.test_client().post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    with app.app_context():
        assert list(db.session.scalars(sa.select(OutgoingMail.to))) == ["bo@example.dk"]


def _main(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


def test_purge_deletes_addresses_after_the_retention_time(app):
    demo(app, decided=False)
    with app.app_context():
        contacts = db.session.scalars(sa.select(FeedbackContact).order_by(FeedbackContact.id)).all()
        contacts[0].notified_at = utcnow() - timedelta(days=91)
        contacts[1].notified_at = utcnow() - timedelta(days=10)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["steering", "purge"])
    assert result.exit_code == 0 and "Deleted 1 feedback address(es)" in result.output
    with app.app_context():
        assert sorted(db.session.scalars(sa.select(FeedbackContact.email))) == [
            "Bo@Example.dk", "bo@example.dk", "cleo@example.org"]
    result = app.test_cli_runner().invoke(args=["steering", "purge", "--days", "5"])
    assert "Deleted 1 feedback address(es)" in result.output


def test_send_feedback_needs_the_public_address(app_factory):
    app = app_factory(PUBLIC_URL="")
    result = app.test_cli_runner().invoke(args=["steering", "send-feedback"])
    assert result.exit_code == 1 and "PUBLIC_URL" in result.output


def test_a_mail_provider_unsubscribes_many_from_one_address_but_guessing_is_stopped(mail_app):
    """Only refused tokens count against the limit of 20 a minute per address."""
    many = [(f"person{n}@example.se", "sv") for n in range(25)]
    demo(mail_app, decided=False, addresses=many)
    with mail_app.app_context():
        tokens = [feedback.unsubscribe_token(contact) for contact in db.session.scalars(sa.select(FeedbackContact))]
    provider = mail_app.test_client()
    for token in tokens:  # 25 one-click POSTs from one address, as a provider sends them
        response = provider.post(f"/feedback/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
    assert count(mail_app, FeedbackContact) == 0
    guesses = [provider.post(f"/feedback/unsubscribe/guess{n}", data={"List-Unsubscribe": "One-Click"}).status_code
               for n in range(21)]
    assert guesses == [400] * 20 + [429]
