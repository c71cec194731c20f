"""Administrators create tokens (shown once), see them listed and revoke them; all audited, with CSRF."""

from __future__ import annotations

import re

import sqlalchemy as sa

from dialogue.extensions import db
from tests.api.conftest import bearer
from tests.conftest import csrf_token, login

PAGE = "/staff/api-tokens"


def _user_id(app, email: str) -> int:
    from dialogue.core.models import User

    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.email == email))


def _audits(app, action: str) -> int:
    from dialogue.core.models import AuditEvent

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == action))


def test_create_show_once_use_and_revoke(app, client, make_user):
    login(client, make_user("admin"))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    analyst = make_user("analyst")
    form = client.get(PAGE).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    key = re.search(r'name="submission_key"[^>]*value="([^"]+)"', form).group(1)
    data = {"csrf_token": token, "user_id": _user_id(app, analyst), "name": "Statistik", "submission_key": key}
    created = client.post(PAGE, data=data)
    assert created.status_code == 200
    secret = re.search(r'value="(dlg_[A-Za-z0-9_-]+)"', created.get_data(as_text=True)).group(1)
    assert _audits(app, "api_token.create") == 1
    # the same form sent again (a double click, a reload) makes no second token and shows none
    again = client.post(PAGE, data=data)
    assert again.status_code == 302 and _audits(app, "api_token.create") == 1
    listing = client.get(PAGE).get_data(as_text=True)
    assert "Statistik" in listing and secret not in listing  # shown once only
    assert app.test_client().get("/api/v1/responses", headers=bearer(secret)).status_code == 200

    from dialogue.api.models import ApiToken

    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id))
    revoked = client.post(f"{PAGE}/{token_id}/revoke", data={"csrf_token": csrf_token(client, PAGE)})
    assert revoked.status_code == 302
    assert _audits(app, "api_token.revoke") == 1
    assert "Revoked" in client.get(PAGE).get_data(as_text=True)
    assert app.test_client().get("/api/v1/responses", headers=bearer(secret)).status_code == 401


def test_bad_form_keeps_what_was_typed(app, client, make_user):
    login(client, make_user("admin"))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_token(client, PAGE)
    response = client.post(PAGE, data={"csrf_token": token, "user_id": "", "name": "Rapporten",
                                       "submission_key": "k1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="Rapporten"' in page and "There is a problem" in page
    inactive = client.post(PAGE, data={"csrf_token": token, "user_id": "999999", "name": "x", "submission_key": "k2"})
    assert inactive.status_code == 400
    assert _audits(app, "api_token.create") == 0


def test_forms_need_the_csrf_token(app, client, make_user):
    login(client, make_user("admin"))
    analyst = make_user("analyst")
    data = {"user_id": _user_id(app, analyst), "name": "x", "submission_key": "k3"}
    assert client.post(PAGE, data=data).status_code == 400
    assert _audits(app, "api_token.create") == 0


def test_only_admins_manage_tokens(client, make_user):
    login(client, make_user("analyst"))
    assert client.get(PAGE).status_code == 403
