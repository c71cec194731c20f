"""The first page served by the fast path (dialogue/questionnaires/fastpath.py): for a plain GET by a new
visitor or one with only a CSRF token in the session, the same status, headers, cookie and page as
Flask's view; every other GET falls through to Flask unchanged."""

from __future__ import annotations

import re

import sqlalchemy as sa
from werkzeug.http import parse_cookie

from dialogue.extensions import db
from dialogue.questionnaires.models import Questionnaire, Response, State
from tests.conftest import count, login
from tests.questionnaires.helpers import URL, hidden_fields
from tests.questionnaires.test_fastpath import complete, served

SESSION = "dialogue_session"
TOKENS = re.compile(r'(name="(?:csrf_token|form)" value=")[^"]*(")')


def pages_served(app) -> int:
    return app.wsgi_app.pages_served


def get(app, fast: bool, url: str = URL, headers: dict | None = None, cookies: dict | None = None):
    """A GET by a fresh browser holding *cookies*, through the fast path or through Flask alone."""
    client = app.test_client()
    for name, value in (cookies or {}).items():
        client.set_cookie(name, value)
    app.config["SUBMIT_FAST_PATH"] = fast
    try:
        return client.get(url, headers=headers or {})
    finally:
        app.config["SUBMIT_FAST_PATH"] = True


def comparable(response) -> tuple:
    """Status, headers (but Date) and page with the random parts (tokens, the cookie's value) blanked."""
    headers = []
    for name, value in response.headers:
        if name == "Date":
            continue
        if name == "Set-Cookie" and value.startswith(f"{SESSION}="):
            value = re.sub(r"^[^;]*", f"{SESSION}=…", value)
        headers.append((name, value))
    return response.status_code, headers, TOKENS.sub(r"\1…\2", response.get_data(as_text=True))


def session_cookie(app, response) -> str:
    """The session cookie a response set (its value)."""
    [value] = [parse_cookie(v)[SESSION] for v in response.headers.getlist("Set-Cookie") if v.startswith(SESSION)]
    return value


def test_the_plain_first_page_is_served_like_flask(app, municipality):
    get(app, False)  # Flask renders the page once and keeps it; the fast path serves only a kept page
    cases = [{}, {"headers": {"Accept-Language": "da,en;q=0.5"}}, {"headers": {"Accept-Language": "de"}},
             {"cookies": {"dialogue_lang": "en"}, "headers": {"Accept-Language": "da"}}]
    for case in cases:
        flask = get(app, False, **case)  # fills the cache for this language
        before = pages_served(app)
        fast = get(app, True, **case)
        assert pages_served(app) == before + 1, case
        assert comparable(fast) == comparable(flask), case
        assert fast.headers["Vary"] == "Cookie" and "Content-Security-Policy" in fast.headers
        # a new visitor gets a session holding only the CSRF token, signed as Flask signs it
        with app.app_context():
            data = app.session_interface.get_signing_serializer(app).loads(session_cookie(app, fast))
        assert set(data) == {"csrf_token"} and re.fullmatch(r"[0-9a-f]{40}", data["csrf_token"])


def test_a_returning_visitor_keeps_the_session_and_gets_no_new_cookie(app, municipality):
    first = get(app, False)
    cookie = session_cookie(app, first)
    flask = get(app, False, cookies={SESSION: cookie})
    before = pages_served(app)
    fast = get(app, True, cookies={SESSION: cookie})
    assert pages_served(app) == before + 1
    assert comparable(fast) == comparable(flask)
    assert "Set-Cookie" not in fast.headers
    # the CSRF token is the session's: both pages carry one for the same raw token
    csrf = hidden_fields(fast.get_data(as_text=True))["csrf_token"]
    with app.app_context():
        from dialogue.core import signing

        raw = signing.serializer(app, "wtf-csrf-token").loads(csrf)
        assert raw == app.session_interface.get_signing_serializer(app).loads(cookie)["csrf_token"]


def test_the_form_from_the_fast_path_submits_through_both_paths(app, municipality):
    get(app, False)
    for fast_submit in (True, False):
        client = app.test_client()
        page = client.get(URL)
        assert page.status_code == 200
        fields = hidden_fields(page.get_data(as_text=True))
        app.config["SUBMIT_FAST_PATH"] = fast_submit
        try:
            response = client.post(URL, data=complete(app, fields))
        finally:
            app.config["SUBMIT_FAST_PATH"] = True
        assert response.status_code == 303 and "/answers/" in response.headers["Location"]
    assert pages_served(app) == 2 and served(app) == 1 and count(app, Response) == 2


def test_other_gets_fall_through_to_flask(app, client, municipality, make_user):
    get(app, False)
    before = pages_served(app)
    assert get(app, True, f"{URL}?lang=da").status_code == 200  # the switcher sets its cookie in Flask
    assert get(app, True, "/questionnaires/no-such-slug").status_code == 404
    assert get(app, True, cookies={SESSION: "not-signed"}).status_code == 200  # Flask starts a new session
    assert client.head(URL).status_code == 200
    with app.app_context():  # a flashed message in the session: Flask shows it
        flashed = app.session_interface.get_signing_serializer(app).dumps(
            {"csrf_token": "0" * 40, "_flashes": [("message", "Saved")]})
    assert get(app, True, cookies={SESSION: flashed}).status_code == 200
    login(client, make_user("admin"))
    staff = client.get(URL)
    assert staff.status_code == 200 and staff.headers["Cache-Control"] == "no-store"
    assert pages_served(app) == before

    for state in (State.closed, State.draft):
        with app.app_context():
            db.session.scalar(sa.select(Questionnaire)).state = state
            db.session.commit()
        response = get(app, True, headers={"Accept-Language": "en"})
        if state == State.closed:
            assert response.status_code == 200 and "is closed" in response.get_data(as_text=True)
        else:
            assert response.status_code == 404
        assert pages_served(app) == before
