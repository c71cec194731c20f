"""Forms for signing in and for the municipality's settings."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import URL, DataRequired, Email, Length, Optional, ValidationError

from dialogue.i18n import LANGUAGE_NAMES, _l


def single_line(form, field):
    """Titles, names, venues and the like are one line: they become mail subjects, calendar lines and cells.

    Any line break counts (CR and LF, and the others Python's str.splitlines knows), so that none can
    slip into a header or start a line of its own. Every single-line text field of a form carries this.
    """
    if field.data and "".join(field.data.splitlines()) != field.data:
        raise ValidationError(_l("Write this on one line, without line breaks."))


def no_control_characters(form, field):
    """Control characters (other than line breaks and tabs) are never meant, and break exports."""
    if field.data and any(ord(c) < 32 and c not in "\r\n\t" for c in field.data):
        raise ValidationError(_l("Remove the invisible control characters from the text."))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254), single_line],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})


class Checkboxes(SelectMultipleField):
    """A list of checkboxes (WTForms renders a multiple select by default)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class SettingsForm(FlaskForm):
    name = StringField(_l("Name of the municipality"),
                       validators=[DataRequired(), Length(max=120), single_line, no_control_characters])
    localities = TextAreaField(
        _l("Localities"),
        description=_l("One locality per line, in the order residents should see them."),
        validators=[DataRequired(), Length(max=5000), no_control_characters],
    )
    default_locale = SelectField(_l("Default language"),
                                 choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64), single_line],
                           description=_l("For example Europe/Stockholm or Europe/Copenhagen."))
    contact_email = EmailField(_l("Contact e-mail"), validators=[Optional(), Email(), Length(max=254)])
    contact_phone = StringField(_l("Contact telephone"), validators=[Optional(), Length(max=40), single_line,
                                                                      no_control_characters])
    postal_address = TextAreaField(_l("Postal address"),
                                   validators=[Optional(), Length(max=300), no_control_characters])
    website = StringField(_l("Website"), validators=[Optional(), URL(require_tld=True), Length(max=300), single_line],
                          description=_l("Starts with https://"))

    def validate_timezone(self, field):
        if field.data not in available_timezones():
            raise ValidationError(_l("Give a time zone such as Europe/Stockholm."))

    def validate_website(self, field):
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError(_l("The address must start with https://"))

    def validate_localities(self, field):
        names = [line.strip() for line in field.data.splitlines() if line.strip()]
        if any(len(name) > 120 for name in names):
            raise ValidationError(_l("A locality name may be at most 120 characters long."))
        if len(set(names)) != len(names):
            raise ValidationError(_l("Each locality may appear only once."))
