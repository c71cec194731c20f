"""Staff accounts in the browser's forms: invitations, roles, deactivation, forgotten passwords (real SMTP)."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from dialogue.accounts.models import AccountLink
from dialogue.core.models import AuditEvent, Role, StaffSession, User
from dialogue.extensions import db
from tests.conftest import PASSWORD, count, csrf_token, login

NEW_PASSWORD = "seven blue herons by the lake"


@pytest.fixture
def mail_app(app_factory, smtp):
    return app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port,
                       MAIL_SENDER="dialog@flen.example")


def mailed_path(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/staff/password/\S+)", body).group(1)


def invite(client, email: str, role: str = "organizer", lang: str = "en"):
    token = csrf_token(client, f"/staff/users?lang={lang}")
    return client.post(f"/staff/users/invite?lang={lang}", data={"csrf_token": token, "email": email, "role": role})


def choose(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    token = csrf_token(client, f"{path}?lang=en")
    return client.post(f"{path}?lang=en", data={"csrf_token": token, "password": password,
                                                 "confirm": password if confirm is None else confirm})


def user(app, email: str) -> User:
    with app.app_context():
        found = db.session.scalar(sa.select(User).where(User.email == email))
        db.session.expunge(found)
        return found


def test_an_invited_organizer_chooses_a_password_and_is_signed_in(mail_app, smtp, make_user):
    admin = mail_app.test_client()
    login(admin, make_user("admin"))
    assert invite(admin, "Nils@Flen.example").status_code == 302
    message = smtp.wait_for(1)[0]
    assert message["To"] == "nils@flen.example"
    path = mailed_path(message)
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 bits
    with mail_app.app_context():
        assert db.session.scalar(sa.select(AccountLink.token_hash)) != token  # only the hash is kept
    invited = user(mail_app, "nils@flen.example")
    assert invited.role == Role.organizer
    assert "Invited, no password yet" in admin.get("/staff/users?lang=en").get_data(as_text=True)
    # an invited account cannot sign in before it has a password
    assert login(mail_app.test_client(), "nils@flen.example", "").status_code == 422

    newcomer = mail_app.test_client()
    assert choose(newcomer, path).status_code == 302
    assert newcomer.get("/staff/").status_code == 200  # signed in
    assert login(mail_app.test_client(), "nils@flen.example", NEW_PASSWORD).status_code == 302
    # single use
    assert mail_app.test_client().get(path).status_code == 404
    with mail_app.app_context():
        actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"user.invite", "user.invitation_accepted"} <= actions


def test_a_weak_or_mistyped_password_is_refused_and_the_link_still_works(mail_app, smtp, make_user):
    admin = mail_app.test_client()
    login(admin, make_user("admin"))
    invite(admin, "kim@flen.example")
    path = mailed_path(smtp.wait_for(1)[0])
    client = mail_app.test_client()
    short = choose(client, path, "short")
    assert short.status_code == 422 and "at least 12 characters" in short.get_data(as_text=True)
    differ = choose(client, path, NEW_PASSWORD, "another one entirely")
    assert differ.status_code == 422 and "The two passwords differ." in differ.get_data(as_text=True)
    swedish = client.get(f"{path}?lang=sv")
    assert swedish.status_code == 200
    assert choose(client, path).status_code == 302


def test_a_link_works_once_even_when_two_tabs_race(app, make_user):
    from dialogue.accounts import services

    email = make_user("analyst")
    with app.app_context():
        found = services.reset_link(email)
        db.session.commit()
        token = found[1]
    client = app.test_client()
    path = f"/staff/password/{token}"
    data = [{"csrf_token": csrf_token(tab, path), "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
            for tab in (client, client)]
    barrier = threading.Barrier(2)
    codes = []

    def send(form):
        tab = app.test_client()
        tab.set_cookie("dialogue_session", client.get_cookie("dialogue_session").value)
        barrier.wait()
        codes.append(tab.post(path, data=form).status_code)

    threads = [threading.Thread(target=send, args=(form,)) for form in data]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(codes) == [302, 404]


def test_an_expired_link_does_not_work(app, make_user):
    from dialogue.accounts import services

    email = make_user("analyst")
    with app.app_context():
        _user, token = services.reset_link(email)
        link = db.session.scalar(sa.select(AccountLink))
        link.expires_at -= timedelta(hours=3)
        db.session.commit()
    assert app.test_client().get(f"/staff/password/{token}").status_code == 404


def test_forgot_password_answers_the_same_for_unknown_addresses(mail_app, smtp, make_user):
    email = make_user("organizer")
    client = mail_app.test_client()

    def ask(address):
        token = csrf_token(client, "/staff/password/forgot?lang=en")
        reply = client.post("/staff/password/forgot?lang=en", data={"csrf_token": token, "email": address})
        return reply.status_code, re.sub(r'value="[^"]*"', "", reply.get_data(as_text=True))

    assert ask(email) == ask("nobody@flen.example")
    message = smtp.wait_for(1)[0]
    assert len(smtp.messages) == 1 and message["To"] == email
    assert choose(mail_app.test_client(), mailed_path(message)).status_code == 302
    assert login(mail_app.test_client(), email, NEW_PASSWORD).status_code == 302
    assert login(mail_app.test_client(), email, PASSWORD).status_code == 422


def test_forgot_password_is_rate_limited(app_factory, make_user):
    app = app_factory(PASSWORD_RESET_RATE_LIMIT="2 per hour")
    client = app.test_client()
    codes = []
    for _ in range(3):
        token = csrf_token(client, "/staff/password/forgot")
        codes.append(client.post("/staff/password/forgot", data={"csrf_token": token,
                                                                 "email": "x@flen.example"}).status_code)
    assert codes == [200, 200, 429]


def test_an_admin_changes_roles_and_deactivates_and_reactivates(app, client, make_user):
    login(client, make_user("admin"))
    organizer = make_user("organizer")
    other = app.test_client()
    login(other, organizer)
    target = user(app, organizer)
    token = csrf_token(client, "/staff/users")
    role = client.post(f"/staff/users/{target.id}/role", data={"csrf_token": token, "role": "analyst"})
    assert role.status_code == 302
    assert user(app, organizer).role == Role.analyst
    assert client.post(f"/staff/users/{target.id}/deactivate", data={"csrf_token": token}).status_code == 302
    assert other.get("/staff/").status_code == 302  # signed out at once
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffSession)
                                 .where(StaffSession.user_id == target.id)) == 0
    assert login(app.test_client(), organizer).status_code == 422
    assert client.post(f"/staff/users/{target.id}/reactivate", data={"csrf_token": token}).status_code == 302
    assert login(app.test_client(), organizer).status_code == 302


def test_the_last_admin_keeps_the_role_and_stays_active(app, client, make_user):
    admin = make_user("admin")
    login(client, admin)
    me = user(app, admin)
    token = csrf_token(client, "/staff/users")
    client.post(f"/staff/users/{me.id}/role?lang=en", data={"csrf_token": token, "role": "analyst"})
    client.post(f"/staff/users/{me.id}/deactivate?lang=en", data={"csrf_token": token})
    still = user(app, admin)
    assert (still.role, still.active) == (Role.admin, True)
    assert "The last administrator" in client.get("/staff/users?lang=en").get_data(as_text=True)


def test_a_taken_address_gets_a_clear_error_and_the_form_keeps_it(app, client, make_user):
    login(client, make_user("admin"))
    taken = make_user("analyst")
    reply = invite(client, taken)
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert "exists already" in html and f'value="{taken}"' in html
    assert count(app, User) == 2


@pytest.mark.parametrize("role", ["organizer", "analyst"])
def test_only_admins_manage_accounts(client, make_user, role):
    login(client, make_user(role))
    assert client.get("/staff/users").status_code == 403
    token = csrf_token(client, "/staff/")
    assert client.post("/staff/users/invite", data={"csrf_token": token, "email": "a@b.se",
                                                    "role": "admin"}).status_code == 403
