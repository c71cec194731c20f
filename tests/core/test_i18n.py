"""Languages: Swedish by default, the browser's choice, the switcher, and complete catalogs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from dialogue.config import ROOT
from dialogue.i18n import tr

CATALOGS = ["sv", "da", "en"]


def _read(path: Path, locale: str | None = None):
    with open(path, "rb") as handle:
        return read_po(handle, locale=locale)


def lang_of(response) -> str:
    return re.search(r'<html lang="([a-z]+)"', response.get_data(as_text=True)).group(1)


def test_swedish_by_default(client, municipality):
    assert lang_of(client.get("/")) == "sv"


@pytest.mark.parametrize(("header", "expected"), [
    ("da-DK,da;q=0.9,en;q=0.5", "da"),
    ("en-GB,en;q=0.8", "en"),
    ("de-DE,de;q=0.9", "sv"),  # none offered: the municipality's default
])
def test_browser_language(client, municipality, header, expected):
    assert lang_of(client.get("/", headers={"Accept-Language": header})) == expected


def test_switcher_choice_is_remembered(client, municipality):
    response = client.get("/?lang=da", headers={"Accept-Language": "en"})
    assert lang_of(response) == "da"
    assert "dialogue_lang=da" in response.headers["Set-Cookie"]
    assert lang_of(client.get("/privacy", headers={"Accept-Language": "en"})) == "da"


def test_unknown_language_is_ignored(client, municipality):
    response = client.get("/?lang=xx")
    assert lang_of(response) == "sv"
    assert "dialogue_lang" not in response.headers.get("Set-Cookie", "")


def test_switcher_keeps_the_query(client, municipality):
    page = client.get("/privacy?x=1").get_data(as_text=True)
    assert 'href="/privacy?x=1&amp;lang=en"' in page


def _public_event_id(app) -> int:
    import sqlalchemy as sa

    from dialogue.events.models import Event, EventState
    from dialogue.extensions import db

    with app.app_context():
        return db.session.scalar(sa.select(Event.id).where(Event.state != EventState.draft).limit(1))


def test_replies_in_a_language_say_they_vary_on_it(app, client, municipality):
    """Pages and calendar feeds are put together in the reader's language: a cache must keep one per
    Accept-Language (and per cookie, where the switcher's choice is remembered)."""
    addresses = ["/", "/privacy", "/staff/login", "/no-such-page", "/events.ics",
                 f"/events/{_public_event_id(app)}.ics"]
    for address in addresses:
        response = client.get(address, headers={"Accept-Language": "en"})
        assert response.status_code in (200, 404), address
        assert "accept-language" in response.vary and "cookie" in response.vary, (address, response.vary)
    feed = {lang: client.get("/events.ics", headers={"Accept-Language": lang}).get_data() for lang in ("en", "sv")}
    assert feed["en"] != feed["sv"]  # it does depend on it


def test_vary_is_added_to_not_replaced(client, make_user, municipality):
    from tests.conftest import login

    login(client, make_user("admin"))
    response = client.get("/staff/")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "cookie" in response.vary and "accept-language" in response.vary
    assert response.headers.getlist("Vary") == [response.headers["Vary"]]  # one header, each name once
    assert len(response.vary) == len({name.lower() for name in response.vary})


def test_a_reply_that_never_chose_a_language_does_not_vary_on_it(client, municipality):
    response = client.get("/static/css/dialogue.css")
    response.close()
    assert response.status_code == 200
    assert "accept-language" not in response.vary


def test_interface_text_is_translated(client, municipality):
    sv = client.get("/?lang=sv").get_data(as_text=True)
    da = client.get("/?lang=da").get_data(as_text=True)
    en = client.get("/?lang=en").get_data(as_text=True)
    assert "Skip to main content" in en
    assert "Skip to main content" not in sv
    assert "Skip to main content" not in da
    assert sv != da


def test_content_falls_back_to_the_default_language(app, municipality):
    with app.test_request_context("/?lang=da"):
        app.preprocess_request()
        assert tr({"sv": "Hej", "da": "Hej med dig"}) == "Hej med dig"
        assert tr({"sv": "Hej", "en": "Hello"}) == "Hej"
        assert tr({"en": "Hello"}) == "Hello"
        assert tr(None) == ""


@pytest.mark.parametrize("locale", CATALOGS)
def test_catalog_is_complete(locale):
    template = _read(ROOT / "translations" / "messages.pot")
    catalog = _read(ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po", locale=locale)
    missing = [m.id for m in template
               if m.id and (catalog.get(m.id, m.context) is None or not catalog.get(m.id, m.context).string)]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not missing, f"{locale}: untranslated {missing[:10]}"
    assert not fuzzy, f"{locale}: fuzzy {fuzzy[:10]}"
    for message in catalog:
        if message.id and message.string:
            source = message.id if isinstance(message.id, str) else message.id[0]
            text = message.string if isinstance(message.string, str) else message.string[0]
            assert set(re.findall(r"%\(\w+\)s", source)) == set(re.findall(r"%\(\w+\)s", text)), source


def test_template_is_up_to_date():
    """Every _() in code and templates is in messages.pot (run `make update-messages`)."""
    from babel.messages.extract import extract_from_dir

    template = _read(ROOT / "translations" / "messages.pot")
    known = {m.id for m in template}
    method_map = [("dialogue/**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, options_map={"templates/**.html": {"trimmed": "true"}},
        keywords={"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)},
    ):
        found.add(message)
    missing = sorted(str(m) for m in found - known)
    assert not missing, f"not in messages.pot: {missing[:10]}"
