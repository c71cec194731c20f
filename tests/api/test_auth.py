"""Who may read what: bearer tokens only, with the token's user's role; revoked and deactivated stop at once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dialogue.extensions import db
from tests.api.conftest import bearer
from tests.conftest import login

ANALYST_ONLY = ["/api/v1/responses", "/api/v1/contributions"]
ANY_STAFF = ["/api/v1/questionnaires", "/api/v1/events", "/api/v1/visions"]


def _unauthorized(response) -> None:
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.is_json and response.json["error"]["status"] == 401
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("url", ANALYST_ONLY + ANY_STAFF)
def test_no_token_and_a_wrong_token_get_401(client, url):
    _unauthorized(client.get(url))
    _unauthorized(client.get(url, headers=bearer("dlg_" + "x" * 43)))
    _unauthorized(client.get(url, headers={"Authorization": "Basic YWRtaW46YWRtaW4="}))


def test_a_signed_in_session_is_not_enough(client, make_user):
    """The API never reads the session cookie: a forged cross-site request has nothing to ride on."""
    login(client, make_user("admin"))
    assert client.get("/staff/").status_code == 200
    _unauthorized(client.get("/api/v1/responses"))


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_analysts_and_admins_read_everything(client, make_token, role):
    token, _email = make_token(role)
    for url in ANALYST_ONLY + ANY_STAFF:
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store"


def test_organizers_read_events_and_visions_but_not_answers(client, make_token):
    token, _email = make_token("organizer")
    for url in ANY_STAFF:
        assert client.get(url, headers=bearer(token)).status_code == 200, url
    for url in ANALYST_ONLY:
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 403, url
        assert response.json["error"]["status"] == 403


def test_revoked_token_stops_working(app, client, make_token):
    from dialogue.api.models import ApiToken
    from dialogue.api.services import hash_token, revoke_token
    from dialogue.core.models import User

    token, email = make_token("analyst")
    assert client.get("/api/v1/responses", headers=bearer(token)).status_code == 200
    with app.app_context():
        row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
        assert row.last_used_at is not None
        revoke_token(row, db.session.scalar(sa.select(User).where(User.email == email)))
        db.session.commit()
    _unauthorized(client.get("/api/v1/responses", headers=bearer(token)))


def test_deactivated_users_token_stops_working(app, client, make_token):
    from dialogue.core.models import User
    from dialogue.core.services import deactivate_user

    token, email = make_token("analyst")
    assert client.get("/api/v1/events", headers=bearer(token)).status_code == 200
    with app.app_context():
        deactivate_user(db.session.scalar(sa.select(User).where(User.email == email)))
        db.session.commit()
    _unauthorized(client.get("/api/v1/events", headers=bearer(token)))


def test_only_a_hash_of_the_token_is_stored(app, make_token):
    from dialogue.api.models import ApiToken

    token, _email = make_token("analyst")
    assert len(token) >= 40
    with app.app_context():
        stored = db.session.scalars(sa.select(ApiToken.token_hash)).all()
    assert token not in stored and all(len(h) == 64 for h in stored)


def test_rate_limit_per_token(app_factory, make_user):
    from dialogue.api.services import create_token
    from dialogue.core.models import User

    app = app_factory(API_RATE_LIMIT="3 per minute")
    tokens = []
    with app.app_context():
        from dialogue.core import services

        for role in ("analyst", "organizer"):
            services.create_user(f"{role}-limit@kommun.example", "correct horse battery staple", role)
        db.session.flush()
        for role in ("analyst", "organizer"):
            user = db.session.scalar(sa.select(User).where(User.email == f"{role}-limit@kommun.example"))
            tokens.append(create_token(user, "limit", user)[1])
        db.session.commit()
    client = app.test_client()
    for _n in range(3):
        assert client.get("/api/v1/events", headers=bearer(tokens[0])).status_code == 200
    limited = client.get("/api/v1/events", headers=bearer(tokens[0]))
    assert limited.status_code == 429 and limited.is_json
    # one allowance for the whole API, not one per address
    assert client.get("/api/v1/visions", headers=bearer(tokens[0])).status_code == 429
    # another token has its own allowance
    assert client.get("/api/v1/events", headers=bearer(tokens[1])).status_code == 200


def test_errors_are_json(client, make_token):
    token, _email = make_token("analyst")
    missing = client.get("/api/v1/nothing-here", headers=bearer(token))
    assert missing.status_code == 404 and missing.is_json
    assert client.get("/api/v1/questionnaires/999999", headers=bearer(token)).status_code == 404
    assert client.get("/api/v1/visions/no-such-vision", headers=bearer(token)).is_json
    for method in ("post", "put", "delete", "patch"):
        wrong = getattr(client, method)("/api/v1/responses", headers=bearer(token))
        assert wrong.status_code == 405 and wrong.is_json, method
        assert "GET" in wrong.headers["Allow"]
