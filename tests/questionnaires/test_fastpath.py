"""The submission fast path (dialogue/questionnaires/fastpath.py): taken for the common case, with the same
rows, redirect and headers as the Flask view; every other case falls through to Flask unchanged."""

from __future__ import annotations

from urllib.parse import parse_qsl

import sqlalchemy as sa
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.http import parse_cookie

from dialogue.coding.models import Contribution
from dialogue.extensions import db
from dialogue.i18n import select_locale
from dialogue.questionnaires import fastpath
from dialogue.questionnaires.models import Answer, FeedbackContact, Questionnaire, Response, State
from tests.conftest import count, login
from tests.questionnaires.helpers import URL, demo_questions, start


def served(app: Flask) -> int:
    return app.wsgi_app.served


def complete(app, fields: dict, **changes) -> dict:
    """A complete last-page submission of the demo questionnaire, as the browser sends it (no query string)."""
    q = demo_questions(app)
    data = {"csrf_token": fields["csrf_token"], "form": fields["form"], "page": "2", "website": "",
            f"q{q[0].id}": "Forests and lakes", f"q{q[1].id}": "Midsummer in Malmköping",
            f"q{q[2].id}": "Tourism", f"q{q[3].id}": "Trains", f"q{q[5].id}": "30-44",
            f"q{q[6].id}": "resident", "feedback_email": "", "move": "submit"}
    data.update(changes)
    return data


def stored(app, location: str) -> tuple:
    """What a submission stored, without ids, keys and times: response, answers, contributions."""
    token = location.split("/answers/")[1].split("?")[0]
    with app.app_context():
        from dialogue.questionnaires.services import token_hash

        response = db.session.scalar(sa.select(Response).where(Response.edit_token_hash == token_hash(token)))
        answers = sorted((a.question_id, a.value, a.other_text) for a in
                         db.session.scalars(sa.select(Answer).where(Answer.response_id == response.id)))
        answer_ids = sa.select(Answer.id).where(Answer.response_id == response.id)
        contributions = sorted(
            (c.channel.value, c.text, c.language, c.locality_id, c.respondent_group, c.question_id, c.hidden)
            for c in db.session.scalars(sa.select(Contribution).where(Contribution.answer_id.in_(answer_ids))))
        contact = db.session.scalar(sa.select(FeedbackContact).where(FeedbackContact.response_id == response.id))
        head = (contact and (contact.email, contact.locale), response.channel, response.language, response.hidden,
                response.locality_id, response.locality_other, response.respondent_group, response.age_band,
                response.entered_by_id)
        return head, answers, contributions


def submit_both(app, client, lang: str = "en", **changes):
    """The same answers sent once through the fast path and once through Flask; both responses."""
    fast = client.post(URL, data=complete(app, start(client, lang), **changes))
    app.config["SUBMIT_FAST_PATH"] = False
    try:
        flask = client.post(URL, data=complete(app, start(client, lang), **changes))
    finally:
        app.config["SUBMIT_FAST_PATH"] = True
    return fast, flask


def test_the_common_submission_is_served_by_the_fast_path(app, client, municipality):
    before = served(app)
    response = client.post(URL, data=complete(app, start(client)))
    assert response.status_code == 303
    assert served(app) == before + 1
    assert "/answers/" in response.headers["Location"] and response.headers["Location"].endswith("?received=1")
    assert "Thank you for your answers" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert count(app, Response) == 1


def test_fast_path_stores_and_answers_like_the_flask_view(app, client, municipality):
    before = served(app)
    fast, flask = submit_both(app, client)
    assert served(app) == before + 1
    assert fast.status_code == flask.status_code == 303
    assert stored(app, fast.headers["Location"]) == stored(app, flask.headers["Location"])
    assert fast.get_data() != b"" and len(fast.get_data()) == len(flask.get_data())


def test_fast_path_sends_the_same_headers_as_flask(app, client, municipality):
    fast, flask = submit_both(app, client)

    def comparable(response):
        headers = sorted((name, value) for name, value in response.headers if name != "Location")
        return headers, response.headers["Location"].split("/answers/")[0]

    assert comparable(fast) == comparable(flask)
    assert "Content-Security-Policy" in fast.headers and fast.headers["Vary"] == "Cookie"


def test_fast_path_stores_the_language_and_profile_like_flask(app, client, municipality):
    fast, flask = submit_both(app, client, "da", feedback_email="Resident@Example.se")
    head_fast, _answers, _contributions = stored(app, fast.headers["Location"])
    assert head_fast[0] == ("Resident@example.se", "da") and head_fast[2] == "da"
    assert stored(app, fast.headers["Location"]) == stored(app, flask.headers["Location"])


def test_a_retried_submission_gets_the_same_receipt_once_stored(app, client, municipality):
    data = complete(app, start(client))
    first, again = client.post(URL, data=data), client.post(URL, data=data)
    assert first.headers["Location"] == again.headers["Location"]
    assert count(app, Response) == 1


def test_bad_csrf_token_falls_through_to_the_same_400(app, client, municipality):
    before = served(app)
    data = complete(app, start(client))
    data["csrf_token"] = data["csrf_token"][:-2] + "xx"
    assert client.post(URL, data=data).status_code == 400
    del data["csrf_token"]
    assert client.post(URL, data=data).status_code == 400
    assert served(app) == before and count(app, Response) == 0


def test_no_session_falls_through(app, client, municipality):
    data = complete(app, start(client))
    client.delete_cookie("dialogue_session")
    before = served(app)
    assert client.post(URL, data=data).status_code == 400
    assert served(app) == before


def test_validation_error_falls_through_to_the_error_page(app, client, municipality):
    before = served(app)
    q = demo_questions(app)
    response = client.post(URL, data=complete(app, start(client), **{f"q{q[0].id}": ""}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html and f'href="#q{q[0].id}' in html
    bad_email = client.post(URL, data=complete(app, start(client), feedback_email="not an address"))
    assert bad_email.status_code == 422
    assert "name@example.se" in bad_email.get_data(as_text=True)
    assert served(app) == before and count(app, Response) == 0


def test_other_moves_honeypot_and_query_strings_fall_through(app, client, municipality):
    before = served(app)
    assert client.post(URL, data=complete(app, start(client), move="back")).status_code == 200
    assert client.post(URL, data=complete(app, start(client), website="http://spam.example")).status_code == 400
    assert client.post(f"{URL}?lang=en", data=complete(app, start(client))).status_code == 303
    assert served(app) == before
    assert count(app, Response) == 1  # the one with ?lang=, stored by the view


def test_too_fast_submission_falls_through_to_the_notice(app_factory, municipality):
    app = app_factory(QUESTIONNAIRE_MIN_SECONDS=3600)
    client = app.test_client()
    response = client.post(URL, data=complete(app, start(client)))
    assert response.status_code == 422
    assert "Check your answers once more" in response.get_data(as_text=True)
    assert served(app) == 0 and count(app, Response) == 0


def test_closed_questionnaire_falls_through(app, client, municipality):
    data = complete(app, start(client))
    with app.app_context():
        db.session.scalar(sa.select(Questionnaire)).state = State.closed
        db.session.commit()
    response = client.post(URL, data=data)
    assert response.status_code == 200 and "is closed" in response.get_data(as_text=True)
    assert served(app) == 0 and count(app, Response) == 0


def test_signed_in_staff_fall_through(app, client, municipality, make_user):
    login(client, make_user("admin"))
    response = client.post(URL, data=complete(app, start(client)))
    assert response.status_code == 303
    assert response.headers["Cache-Control"] == "no-store"  # added by dialogue.security for staff
    assert served(app) == 0


def test_rate_limit_counts_once_and_falls_through_to_the_429_page(app_factory, municipality):
    app = app_factory(ANSWER_RATE_LIMIT="2 per minute")
    client = app.test_client()
    codes = [client.post(URL, data=complete(app, start(client))).status_code for _ in range(3)]
    assert codes == [303, 303, 429]
    assert served(app) == 2 and count(app, Response) == 2
    windows = app.extensions["dialogue.answer_windows"].counts
    assert sum(windows.values()) == 3  # the refused POST counted once, not again by the view


def test_language_is_chosen_like_flask_babel(app, municipality):
    cases = [{}, {"HTTP_ACCEPT_LANGUAGE": "da,en;q=0.5"}, {"HTTP_ACCEPT_LANGUAGE": "de"},
             {"HTTP_COOKIE": "dialogue_lang=en", "HTTP_ACCEPT_LANGUAGE": "da"},
             {"HTTP_COOKIE": "dialogue_lang=xx", "HTTP_ACCEPT_LANGUAGE": "en-GB"}]
    for environ in cases:
        headers = {"Accept-Language": environ["HTTP_ACCEPT_LANGUAGE"]} if "HTTP_ACCEPT_LANGUAGE" in environ else {}
        if "HTTP_COOKIE" in environ:
            headers["Cookie"] = environ["HTTP_COOKIE"]
        with app.test_request_context("/", headers=headers):
            expected = select_locale()
        with app.app_context():
            cookies = parse_cookie(environ.get("HTTP_COOKIE"))
            for _time in ("parsed", "remembered"):  # each header is parsed once, then looked up
                assert fastpath._language(app, environ, cookies) == expected, environ


def test_remembered_language_headers_are_bounded_and_follow_the_languages(app, municipality):
    with app.app_context():
        for n in range(fastpath._MAX_LANGUAGE_HEADERS + 5):
            fastpath._language(app, {"HTTP_ACCEPT_LANGUAGE": f"x{n},da;q=0.1"}, {})
        assert len(app.extensions["dialogue.fast_path_languages"]) <= fastpath._MAX_LANGUAGE_HEADERS
        assert fastpath._language(app, {"HTTP_ACCEPT_LANGUAGE": "da"}, {}) == "da"
        app.config["LANGUAGES"] = [lang for lang in app.config["LANGUAGES"] if lang != "da"]
        assert fastpath._language(app, {"HTTP_ACCEPT_LANGUAGE": "da"}, {}) != "da"


def test_over_https_the_referrer_is_checked_like_flask_wtf(app, client, municipality):
    fields = start(client)
    https = {"base_url": "https://localhost"}
    same_site = client.post(URL, data=complete(app, fields), headers={"Referer": f"https://localhost{URL}"}, **https)
    assert same_site.status_code == 303 and served(app) == 1
    other_site = client.post(URL, data=complete(app, start(client)),
                             headers={"Referer": "https://evil.example/"}, **https)
    missing = client.post(URL, data=complete(app, start(client)), **https)
    assert other_site.status_code == missing.status_code == 400
    assert served(app) == 1 and count(app, Response) == 1


def test_the_receipt_address_is_built_like_url_for_under_a_prefix(app, client, municipality):
    prefix = {"environ_overrides": {"SCRIPT_NAME": "/dialogue"}}
    fast = client.post(URL, data=complete(app, start(client)), **prefix)
    app.config["SUBMIT_FAST_PATH"] = False
    try:
        flask = client.post(URL, data=complete(app, start(client)), **prefix)
    finally:
        app.config["SUBMIT_FAST_PATH"] = True
    assert served(app) == 1
    assert fast.headers["Location"].startswith(f"/dialogue{URL}/answers/")
    assert fast.headers["Location"].split("/answers/")[0] == flask.headers["Location"].split("/answers/")[0]


def test_the_kept_redirect_is_flasks_with_the_residents_token(app, client, municipality):
    """The fast path keeps the receipt redirect per address and puts each token in: byte for byte Flask's."""
    for prefix in ("", "/dialogue"):
        overrides = {"environ_overrides": {"SCRIPT_NAME": prefix}}
        responses = [client.post(URL, data=complete(app, start(client)), **overrides) for _ in range(2)]
        app.config["SUBMIT_FAST_PATH"] = False
        try:
            responses.append(client.post(URL, data=complete(app, start(client)), **overrides))
        finally:
            app.config["SUBMIT_FAST_PATH"] = True

        def comparable(response):
            token = response.headers["Location"].split("/answers/")[1].split("?")[0]
            headers = [(name, value.replace(token, "<token>")) for name, value in response.headers]
            return response.status, headers, response.get_data().replace(token.encode(), b"<token>")

        first, second, flask = responses
        assert first.headers["Location"] != second.headers["Location"]
        assert comparable(first) == comparable(second) == comparable(flask)
    assert served(app) == 4


@given(st.text(alphabet="ab=&+%2fFé;\x00 \u05e9🌊", max_size=60))
def test_the_form_is_read_as_werkzeug_reads_it(text):
    import werkzeug.formparser  # noqa: F401 - registers the "werkzeug.url_quote" error handler

    assert fastpath.parse_form(text) == parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote")


def test_the_form_keeps_what_residents_type():
    text = "q1=Sj%C3%B6n+%F0%9F%8C%8A+och+%D7%A9&q2=&q3&&q1=a%2Bb%3Dc%26d&bad=%C3%28%ZZ"
    assert fastpath.parse_form(text) == parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote")
    assert fastpath.parse_form(text)[0] == ("q1", "Sjön 🌊 och ש")
