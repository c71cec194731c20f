"""Tokens and session cookies signed with keys derived once read exactly like itsdangerous' and Flask's own."""

from __future__ import annotations

from unittest import mock

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from hypothesis import given
from hypothesis import strategies as st
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

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


class _At(TimestampSigner):
    """A signer whose clock says AT (seconds since the epoch), to make old, new and future tokens."""

    at = 0

    def get_timestamp(self) -> int:
        return self.at


def _outcome(serializer, token, **options):
    try:
        return "ok", serializer.loads(token, **options)
    except Exception as error:  # noqa: BLE001 - the kind of refusal is what is compared
        return "refused", type(error)


def _mutations(token: str) -> list[str]:
    return [token, token[:-1], token + "A", token[:5] + ("x" if token[5] != "x" else "y") + token[6:],
            token.replace(".", "", 1), "." + token, token + ".", token.rsplit(".", 1)[0], "é" + token, "",
            token.upper(), token[::-1]]


@given(payload=st.one_of(st.text(max_size=40), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3)),
       age=st.integers(min_value=-100, max_value=5000), max_age=st.one_of(st.none(), st.integers(0, 3600)),
       signed_by=st.sampled_from(["current", "old", "stranger"]), salt=st.sampled_from(["form", "other"]))
def test_the_short_check_accepts_and_refuses_exactly_like_itsdangerous(payload, age, max_age, signed_by, salt):
    keys = ["old-" + "o" * 40, "current-" + "c" * 40]
    ours = signing.TimedSerializer(keys, salt="form", signer=signing.KeyOnceSigner)
    stock = URLSafeTimedSerializer(keys, salt="form")
    secret = {"current": keys[1], "old": keys[0], "stranger": "s" * 48}[signed_by]
    now = 1_800_000_000
    _At.at = now - age
    token = URLSafeTimedSerializer(secret, salt=salt, signer=_At).dumps(payload)
    fresh = max_age is None or 0 <= age <= max_age
    with mock.patch("time.time", return_value=now + 0.5):  # one clock for both, whatever the second
        assert (ours._checked(token, max_age) is not None) == (signed_by == "current" and salt == "form" and fresh)
        for candidate in _mutations(token):
            for return_timestamp in (False, True):
                options = {"max_age": max_age, "return_timestamp": return_timestamp}
                assert _outcome(ours, candidate, **options) == _outcome(stock, candidate, **options), candidate


def test_the_short_check_serves_the_common_token_and_sessions(plain_app):
    token = signing.serializer(plain_app, "questionnaire-form")
    assert token._checked(token.dumps("key"), 60)[0] == token.dump_payload("key")
    cookie = signing.SessionInterface().get_signing_serializer(plain_app)
    assert cookie._checked(cookie.dumps({"csrf_token": "abc"}), 60) is not None
    assert cookie.loads(cookie.dumps({"csrf_token": "abc"}), max_age=60) == {"csrf_token": "abc"}
