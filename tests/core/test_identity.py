"""The municipality's own languages, logo, colour, privacy notice and accessibility statement."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from dialogue.core import colours
from dialogue.core.models import Municipality
from dialogue.extensions import db
from tests.conftest import csrf_token, login
from tests.core.test_settings import VALID, post_settings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # the signature is what is checked; browsers get it as uploaded
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def admin(client, make_user, municipality):
    login(client, make_user("admin"))
    return client


def post_appearance(client, **data):
    data["csrf_token"] = csrf_token(client, "/staff/settings/appearance")
    # encoded in memory: the test client would spool a large body to a file it leaves open
    boundary, body = encode_multipart(data)
    return client.post("/staff/settings/appearance?lang=en", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_contrast_follows_wcag():
    assert colours.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert colours.contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert colours.weakest_contrast(colours.DEFAULT) >= colours.MINIMUM
    assert colours.darker("#ff8000") == "#b25a00"  # 255 × 0.7 = 178.5, rounded to even


def test_only_the_offered_languages_are_offered(app, admin):
    assert post_settings(admin, languages=["sv", "en"]).status_code == 302
    page = admin.get("/?lang=en").get_data(as_text=True)
    assert 'hreflang="en"' in page and 'hreflang="sv"' in page and 'hreflang="da"' not in page
    # Danish is not offered: a new visitor asking for it gets the default language
    assert '<html lang="sv"' in app.test_client().get("/?lang=da").get_data(as_text=True)


def test_the_default_language_must_be_offered(admin):
    reply = post_settings(admin, languages=["en"], default_locale="sv")
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert "Offer the default language too." in html
    assert re.search(r'value="en"\s+checked|checked[^>]*value="en"', html)  # what was ticked stays ticked


def test_a_pale_accent_colour_is_refused_with_the_reason(admin):
    reply = post_appearance(admin, accent_color="#ffcc00")
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert "at least 4.5:1" in html and "1.4:1" in html and 'value="#ffcc00"' in html
    assert post_appearance(admin, accent_color="blue").status_code == 422


def test_the_accent_colour_reaches_every_page(app, admin):
    assert post_appearance(admin, accent_color="#6B1F5C").status_code == 302
    page = admin.get("/").get_data(as_text=True)
    href = re.search(r'href="(/theme\.css\?v=[^"]+)"', page).group(1)
    theme = admin.get(href)
    assert theme.status_code == 200 and theme.mimetype == "text/css"
    assert "--accent: #6b1f5c;" in theme.get_data(as_text=True)
    again = admin.get(href, headers={"If-None-Match": theme.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(("image", "kind"), [(PNG, "image/png"), (JPEG, "image/jpeg")])
def test_a_logo_is_shown_on_public_pages_from_the_database(app, admin, image, kind):
    reply = post_appearance(admin, accent_color="#005a8c", logo=FileStorage(io.BytesIO(image), "logo.bin"))
    assert reply.status_code == 302
    page = admin.get("/").get_data(as_text=True)
    src = re.search(r'<img class="logo" src="(/logo/[0-9a-f]{64})"', page).group(1)
    served = app.test_client().get(src)
    assert served.data == image and served.mimetype == kind
    assert "immutable" in served.headers["Cache-Control"]
    assert app.test_client().get("/logo/" + "0" * 64).status_code == 404
    post_appearance(admin, accent_color="#005a8c", remove_logo="y")
    assert app.test_client().get(src).status_code == 404
    assert "/logo/" not in admin.get("/").get_data(as_text=True)


@pytest.mark.parametrize(("content", "message"), [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "must be a PNG or JPEG"),
    (b"GIF89a" + b"\x00" * 20, "must be a PNG or JPEG"),
    (PNG + b"\x00" * 600_000, "at most 512 kB"),
])
def test_other_files_are_refused(app, admin, content, message):
    reply = post_appearance(admin, accent_color="#005a8c", logo=FileStorage(io.BytesIO(content), "logo.png"))
    assert reply.status_code == 422 and message in reply.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Municipality.logo_hash)) == ""


def test_the_statements_are_the_municipalitys_own_with_the_default_otherwise(app, admin):
    default = admin.get("/privacy?lang=en").get_data(as_text=True)
    assert "task of public interest" in default
    data = {"csrf_token": csrf_token(admin, "/staff/settings/statements"),
            "privacy_controller": "Kommunstyrelsen i Flens kommun", "privacy_dpo": "dataskydd@flen.example",
            "privacy_purposes_sv": "Vi behandlar uppgifterna för dialogen.\n\nAndra stycket.",
            "privacy_purposes_en": "We handle the data for the dialogue.",
            "accessibility_shortcomings_sv": "Diagrammen saknar ljudbeskrivning.",
            "accessibility_reviewed_on": "2026-11-30"}
    assert admin.post("/staff/settings/statements?lang=en", data=data).status_code == 302
    english = admin.get("/privacy?lang=en").get_data(as_text=True)
    assert "Kommunstyrelsen i Flens kommun" in english and "dataskydd@flen.example" in english
    assert "We handle the data for the dialogue." in english and "task of public interest" not in english
    assert "own rights" not in english and "IMY in Sweden" in english  # complaints: still the default
    swedish = admin.get("/privacy?lang=sv").get_data(as_text=True)
    assert "<p>Vi behandlar uppgifterna för dialogen.</p>" in swedish and "<p>Andra stycket.</p>" in swedish
    statement = admin.get("/accessibility?lang=da").get_data(as_text=True)
    assert "Diagrammen saknar ljudbeskrivning." in statement  # Danish falls back to the default language
    assert "2026" in statement


def test_statement_markup_is_text(admin):
    data = {"csrf_token": csrf_token(admin, "/staff/settings/statements"),
            "privacy_purposes_en": "<script>alert(1)</script>"}
    admin.post("/staff/settings/statements", data=data)
    page = admin.get("/privacy?lang=en").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("url", ["/staff/settings/appearance", "/staff/settings/statements"])
def test_only_admins_change_the_identity(client, make_user, municipality, url):
    login(client, make_user("organizer"))
    assert client.get(url).status_code == 403


def test_settings_keep_the_languages(app, admin):
    assert post_settings(admin).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Municipality.languages)) == VALID["languages"]
