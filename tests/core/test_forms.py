"""Rules every form follows: single-line fields hold one line."""

from __future__ import annotations

import re

import pytest
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import Email

from dialogue.core.forms import single_line, within_calendar
from tests.conftest import csrf_token, login
from tests.events.helpers import make_event

#: forms other changes are writing or rewriting right now; they take the validator with them (then drop these)


def _forms(cls=FlaskForm):
    for sub in cls.__subclasses__():
        if sub.__module__.startswith("dialogue."):
            yield sub
        yield from _forms(sub)


def test_every_single_line_field_refuses_line_breaks(app):
    """A title, name or venue with a line break broke every mail about it; no such field may take one."""
    with app.test_request_context():
        forms = set(_forms())
        assert len(forms) > 10
        unchecked = []
        for cls in forms:
            for field in cls(meta={"csrf": False}):
                if not isinstance(field, StringField) or isinstance(field, TextAreaField | PasswordField | HiddenField):
                    continue
                # an Email() validator refuses line breaks itself
                if single_line not in field.validators and not any(isinstance(v, Email) for v in field.validators):
                    unchecked.append(f"{cls.__module__}.{cls.__name__}.{field.name}")
    assert not unchecked, unchecked


@pytest.mark.parametrize("text", ["Möte\ri Flen", "Möte\ni Flen", "Möte\r\nBcc: x@example.se", "Möte\u2028i Flen"])
def test_an_event_title_with_a_line_break_is_refused_with_a_clear_message(app, client, make_user, municipality,
                                                                          text):
    login(client, make_user("organizer"))
    data = {"csrf_token": csrf_token(client, "/staff/events/new"), "kind": "open_meeting", "title_sv": text,
            "venue": "Biblioteket\rSal 2", "language": "sv", "starts_at": "2027-03-03T18:00",
            "ends_at": "2027-03-03T20:00", "locality_id": ""}
    response = client.post("/staff/events/new?lang=en", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count("Write this on one line, without line breaks.") >= 2  # the summary and the field
    assert 'href="#title_sv"' in page and 'href="#venue"' in page


def test_a_name_with_a_line_break_cannot_sign_up(app, client):
    event_id = make_event(app, capacity=5)
    url = f"/events/{event_id}/signup?lang=en"
    page = client.get(url).get_data(as_text=True)
    form = re.search(r'name="form" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "form": form, "name": "Ebba\rEk",
                                      "email": "ebba@example.se", "group": "other"})
    assert response.status_code == 422
    assert "Write this on one line" in response.get_data(as_text=True)


def test_every_date_field_keeps_to_the_calendar(app):
    """0001-01-01 or 9999-12-31 typed into a date broke the conversion to UTC (a server error): every date
    and date-time field refuses dates outside dialogue.core.time's EARLIEST and LATEST."""
    with app.test_request_context():
        forms = set(_forms())
        dated, unchecked = 0, []
        for cls in forms:
            for field in cls(meta={"csrf": False}):
                if isinstance(field, DateField | DateTimeLocalField):
                    dated += 1
                    if within_calendar not in field.validators:
                        unchecked.append(f"{cls.__module__}.{cls.__name__}.{field.name}")
    assert dated >= 7 and not unchecked, unchecked
