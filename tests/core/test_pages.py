"""Headers, error pages and the pages every site must have."""

from __future__ import annotations

import pytest

from tests.conftest import login


def test_security_headers_on_every_response(client, municipality):
    for url in ("/", "/accessibility", "/staff/login", "/nowhere"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert "object-src 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_staff_pages_are_not_cached(client, make_user):
    assert client.get("/staff/login").headers["Cache-Control"] == "no-store"
    login(client, make_user("admin"))
    assert client.get("/staff/").headers["Cache-Control"] == "no-store"


def test_every_page_has_skip_link_switcher_and_footer_links(client, municipality):
    for url in ("/", "/accessibility", "/privacy", "/staff/login", "/nowhere"):
        page = client.get(url).get_data(as_text=True)
        assert 'href="#main"' in page and 'id="main"' in page, url
        assert 'hreflang="da"' in page and 'hreflang="en"' in page, url
        assert 'href="/accessibility"' in page and 'href="/privacy"' in page, url


@pytest.mark.parametrize(("lang", "words"), [("en", "Page not found"), ("sv", "Sidan"), ("da", "Siden")])
def test_not_found_page_in_the_visitors_language(client, municipality, lang, words):
    response = client.get(f"/nowhere?lang={lang}")
    assert response.status_code == 404
    assert words in response.get_data(as_text=True)


def test_forbidden_page(client, make_user, municipality):
    login(client, make_user("analyst"))
    response = client.get("/staff/settings?lang=en")
    assert response.status_code == 403
    assert "You do not have access" in response.get_data(as_text=True)


def test_server_error_page_is_friendly(app_factory):
    app = app_factory(PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret detail that must not be shown")

    response = app.test_client().get("/boom?lang=en")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page
    assert "secret detail" not in page


def test_csrf_failure_page(client, municipality):
    response = client.post("/staff/login?lang=en", data={"email": "a@b.example", "password": "x"})
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
