"""Tokens and session cookies signed with keys derived once read exactly like itsdangerous' and Flask's own."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

from dialogue.core import signing


@pytest.fixture
def plain_app() -> Flask:
    app = Flask("signing")
    app.config.update(SECRET_KEY="s" * 64, SECRET_KEY_FALLBACKS=["old" * 20])
    return app


def test_tokens_are_interchangeable_with_itsdangerous(plain_app):
    ours = signing.serializer(plain_app, "questionnaire-form")
    stock = URLSafeTimedSerializer("s" * 64, salt="questionnaire-form")
    assert stock.loads(ours.dumps("key-1")) == "key-1"
    assert ours.loads(stock.dumps("key-2")) == "key-2"
    assert ours.loads(ours.dumps("key-3")) == "key-3"  # the cached key works twice
    with pytest.raises(BadSignature):
        ours.loads(URLSafeTimedSerializer("t" * 64, salt="questionnaire-form").dumps("forged"))
    with pytest.raises(BadSignature):
        ours.loads(URLSafeTimedSerializer("s" * 64, salt="another-salt").dumps("other purpose"))


def test_session_cookies_are_flasks_own_and_old_keys_still_read(plain_app):
    ours = signing.SessionInterface().get_signing_serializer(plain_app)
    stock = SecureCookieSessionInterface().get_signing_serializer(plain_app)
    assert stock.loads(ours.dumps({"csrf_token": "abc"})) == {"csrf_token": "abc"}
    assert ours.loads(stock.dumps({"sid": "x"})) == {"sid": "x"}
    plain_app.config["SECRET_KEY"] = "n" * 64  # rotated: the old key now comes from the fallbacks
    plain_app.config["SECRET_KEY_FALLBACKS"] = ["s" * 64]
    rotated = signing.SessionInterface().get_signing_serializer(plain_app)
    assert rotated.loads(ours.dumps({"seen": 1})) == {"seen": 1}
