"""An administrator sets the municipality's name, localities, language and contact details."""

from __future__ import annotations

import sqlalchemy as sa

from dialogue.core.models import AuditEvent, Locality
from dialogue.extensions import db
from tests.conftest import csrf_token, login

VALID = {
    "name": "Flens kommun",
    "localities": "Flen\nMalmköping\nHälleforsnäs",
    "default_locale": "sv",
    "timezone": "Europe/Stockholm",
    "contact_email": "kommun@flen.example",
    "contact_phone": "0157-43 00 00",
    "postal_address": "642 81 Flen",
    "website": "https://www.flen.se",
    "languages": ["sv", "da", "en"],
}


def post_settings(client, **changes):
    data = dict(VALID, **changes)
    data["csrf_token"] = csrf_token(client, "/staff/settings")
    return client.post("/staff/settings?lang=en", data=data)


def test_admin_saves_settings_and_the_site_shows_them(app, client, make_user, municipality):
    login(client, make_user("admin"))
    response = post_settings(client, name="Sörmlands hjärta kommun", contact_phone="012-34 56")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Sörmlands hjärta kommun" in page
    assert "012-34 56" in page
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "settings.update"))


def test_localities_removed_are_archived_not_deleted(app, client, make_user, municipality):
    login(client, make_user("admin"))
    assert post_settings(client, localities="Malmköping\nFlen\nNyort").status_code == 302
    with app.app_context():
        rows = {loc.name: loc for loc in db.session.scalars(sa.select(Locality))}
        assert [n for n, loc in sorted(rows.items(), key=lambda kv: kv[1].position) if not loc.archived][:3] == [
            "Malmköping", "Flen", "Nyort"]
        assert rows["Hälleforsnäs"].archived  # demo locality no longer listed
    form = client.get("/staff/settings").get_data(as_text=True)
    assert "Malmköping\nFlen\nNyort" in form


def test_bad_input_gets_errors_and_keeps_what_was_typed(client, make_user, municipality):
    login(client, make_user("admin"))
    response = post_settings(client, name="", timezone="Mars/Olympus", website="javascript:alert(1)",
                             contact_phone="0157-99 99 99", localities="Flen\nFlen")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="error-summary"' in page
    for field in ("name", "timezone", "website", "localities"):
        assert f'href="#{field}"' in page, field
    assert 'value="0157-99 99 99"' in page
    assert 'value="Mars/Olympus"' in page
    assert "Each locality may appear only once" in page


def test_control_characters_are_refused(client, make_user, municipality):
    login(client, make_user("admin"))
    response = post_settings(client, name="Flen\x00kommun")
    assert response.status_code == 422


def test_markup_in_settings_is_shown_as_text(client, make_user, municipality):
    login(client, make_user("admin"))
    post_settings(client, name='<script>alert("x")</script>', localities='<b>Ort</b>')
    page = client.get("/").get_data(as_text=True)
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page
    form = client.get("/staff/settings").get_data(as_text=True)
    assert "<b>Ort</b>" not in form
