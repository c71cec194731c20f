"""Signing in and out, sessions and their time-outs."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from dialogue.core.base import utcnow
from dialogue.core.models import AuditEvent, StaffSession, User
from dialogue.extensions import db
from tests.conftest import PASSWORD, count, csrf_token, login, skip_or_fail
from tests.smtp import free_port


def test_sign_in_lands_on_dashboard_and_is_audited(app, client, make_user):
    email = make_user("organizer")
    response = login(client, email)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/")
    page = client.get("/staff/").get_data(as_text=True)
    assert email in page
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.action == "user.login"))


def test_wrong_password_and_unknown_address_get_the_same_answer(client, make_user):
    email = make_user("analyst")
    wrong = login(client, email, "not the password at all")
    unknown = login(client, "nobody@kommun.example", "not the password at all")
    assert wrong.status_code == unknown.status_code == 422
    def error(page):
        return page.get_data(as_text=True).split('class="error-summary"')[1].split("</div>")[0]

    assert error(wrong) == error(unknown)
    assert client.get("/staff/").status_code == 302


def test_deactivated_user_cannot_sign_in(app, client, make_user):
    email = make_user("organizer")
    with app.app_context():
        db.session.scalar(sa.select(User).where(User.email == email)).active = False
        db.session.commit()
    assert login(client, email).status_code == 422


def test_sign_in_is_rate_limited(client, make_user):
    email = make_user("admin")
    token = csrf_token(client, "/staff/login")
    codes = [client.post("/staff/login", data={"csrf_token": token, "email": email, "password": "wrong password!"})
             .status_code for _ in range(11)]
    assert codes[:10] == [422] * 10
    assert codes[10] == 429
    assert "Too many" in client.post("/staff/login?lang=en", data={"csrf_token": token}).get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, make_user):
    email = make_user("admin")
    response = client.post("/staff/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/staff/").status_code == 302


def test_sign_in_starts_a_new_session(app, client, make_user):
    email = make_user("admin")
    with client.session_transaction() as session:
        session["planted"] = "from before sign-in"
    login(client, email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["sid"]
    assert count(app, StaffSession) == 1


def test_sign_out_ends_the_session_on_the_server(app, client, make_user):
    email = make_user("admin")
    login(client, email)
    stolen = client.get_cookie("dialogue_session").value
    token = csrf_token(client, "/staff/")
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 302
    assert count(app, StaffSession) == 0

    replay = app.test_client()
    replay.set_cookie("dialogue_session", stolen)
    response = replay.get("/staff/")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_logout_needs_post_with_token(client, make_user):
    login(client, make_user("admin"))
    assert client.get("/staff/logout").status_code == 405
    assert client.post("/staff/logout").status_code == 400
    assert client.get("/staff/").status_code == 200


def test_idle_timeout(app, client, make_user):
    login(client, make_user("admin"))
    assert client.get("/staff/").status_code == 200
    with client.session_transaction() as session:
        session["seen"] -= app.config["STAFF_SESSION_IDLE_MINUTES"] * 60 + 1
    assert client.get("/staff/").status_code == 302


def test_absolute_timeout(app, client, make_user):
    login(client, make_user("admin"))
    with app.app_context():
        db.session.execute(sa.update(StaffSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.get("/staff/").status_code == 302


def test_deactivating_a_user_ends_their_sessions(app, client, make_user):
    email = make_user("organizer")
    login(client, email)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "deactivate", email])
    assert result.exit_code == 0, result.output
    assert client.get("/staff/").status_code == 302


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "/%5Cevil.example", "/%2F/evil.example",
    # a browser drops tabs and line breaks and trims control characters and spaces: all of these read "//evil"
    "/%09/evil.example", "/%0a/evil.example", "/%0d/evil.example", "/%0d%0a/evil.example", "%09//evil.example",
    "%20//evil.example", "%00//evil.example", "/staff/%0d%0aSet-Cookie:%20x=1", "javascript:alert(1)",
])
def test_sign_in_does_not_redirect_off_site(client, make_user, target):
    response = login(client, make_user("admin"), next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"


@pytest.mark.parametrize(("target", "location"), [
    ("/staff/settings", "/staff/settings"), ("/staff/audit%3Fpage%3D2", "/staff/audit?page=2"),
    ("/staff/events/%3Fq%3D%25C3%25A5sa", "/staff/events/?q=%C3%A5sa"),
])
def test_sign_in_follows_local_next(client, make_user, target, location):
    response = login(client, make_user("admin"), next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == location


def test_session_cookie_flags(client, make_user):
    response = login(client, make_user("admin"))
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("dialogue_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_password_is_stored_as_argon2id(app, make_user):
    email = make_user("admin")
    with app.app_context():
        stored = db.session.scalar(sa.select(User.password_hash).where(User.email == email))
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored




class RedisServer:
    """A real redis-server on a port of its own, which a test may stop and start again."""

    def __init__(self, folder) -> None:
        self.folder, self.port, self.process = folder, free_port(), None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(self.port), "--bind",
             "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture
def redis_server(tmp_path):
    if not (shutil.which("redis-server") or Path("/usr/bin/redis-server").exists()):
        skip_or_fail("redis-server is not installed (.ci/run installs it)")
    server = RedisServer(tmp_path)
    server.start()
    yield server  # requested before the app, so it is still up when the app's limits are reset
    server.stop()


def test_limits_are_counted_in_redis_and_go_on_in_the_process_while_it_is_down(redis_server, app_factory):
    app = app_factory(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{redis_server.port}/0", LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    # Flask-Limiter keeps its fallback counts per process, across apps: an address of this test's own
    client.environ_base["REMOTE_ADDR"] = f"2001:db8::{redis_server.port:x}"

    def attempt():
        return login(client, "nobody@kommun.example", "not the password at all").status_code

    assert [attempt(), attempt()] == [422, 422]  # counted in Redis
    redis_server.stop()
    try:
        # Redis gone: Flask-Limiter counts in this process meanwhile: answers, never a 500, still limited
        codes = [attempt() for _ in range(4)]
    finally:
        redis_server.start()  # back for the fixture's reset of the limits
    assert set(codes) <= {422, 429} and codes[-1] == 429, codes
