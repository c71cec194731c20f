"""Forms for signing in and for the municipality's settings."""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import available_timezones

from flask_babel import format_date, format_decimal
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    DateField,
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

from dialogue.core import colours
from dialogue.core.time import EARLIEST, LATEST, in_calendar
from dialogue.i18n import LANGUAGE_NAMES, _, _l


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


def outside_calendar() -> str:
    return _("Give a date between %(first)s and %(last)s.", first=format_date(EARLIEST), last=format_date(LATEST))


def within_calendar(form, field):
    """Every date and date-time field carries this: see dialogue.core.time.EARLIEST."""
    if field.data is not None and not in_calendar(field.data if type(field.data) is date else field.data.date()):
        raise ValidationError(outside_calendar())


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
    languages = Checkboxes(_l("Languages offered"),
                           choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
                           description=_l("Residents can switch between these. Texts missing in a language "
                                          "are shown in the default language."))
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

    def validate_languages(self, field):
        if self.default_locale.data not in (field.data or []):
            raise ValidationError(_l("Offer the default language too."))

    def validate_localities(self, field):
        names = [line.strip() for line in field.data.splitlines() if line.strip()]
        if any(len(name) > 120 for name in names):
            raise ValidationError(_l("A locality name may be at most 120 characters long."))
        if len(set(names)) != len(names):
            raise ValidationError(_l("Each locality may appear only once."))


LOGO_MAX_BYTES = 512 * 1024
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def image_type(data: bytes) -> str | None:
    """image/png or image/jpeg by the file's own first bytes (never its name or the browser's word)."""
    return next((kind for magic, kind in _SIGNATURES.items() if data.startswith(magic)), None)


class AppearanceForm(FlaskForm):
    logo = FileField(_l("Logo"), description=_l("PNG or JPEG, at most 512 kB. Shown at the top of every page "
                                                  "and on printed reports."))
    remove_logo = BooleanField(_l("Remove the logo"))
    accent_color = StringField(
        _l("Accent colour"), validators=[DataRequired(), Length(max=7), single_line],
        description=_l("As #rrggbb, for example #005a8c. Links and buttons use it, so it must be dark enough "
                       "to read against white."))

    def validate_accent_color(self, field):
        value = (field.data or "").strip()
        if not colours.HEX.fullmatch(value):
            raise ValidationError(_l("Write the colour as # and six hexadecimal digits, for example #005a8c."))
        ratio = colours.weakest_contrast(value)
        if ratio < colours.MINIMUM:
            raise ValidationError(_l(
                "The colour has a contrast of only %(ratio)s:1 against white and the pale background; at least "
                "4.5:1 is needed so that links and button texts can be read. Choose a darker colour.",
                ratio=format_decimal(ratio, "0.0")))

    def validate_logo(self, field):
        upload = field.data
        if not isinstance(upload, FileStorage) or not upload.filename:
            return
        data = upload.read(LOGO_MAX_BYTES + 1)
        upload.seek(0)
        if len(data) > LOGO_MAX_BYTES:
            raise ValidationError(_l("The logo may be at most 512 kB."))
        if image_type(data) is None:
            raise ValidationError(_l("The logo must be a PNG or JPEG image."))


class StatementsForm(FlaskForm):
    """The privacy notice and accessibility statement; texts per language, empty for the shipped default."""

    privacy_controller = StringField(
        _l("Controller"), validators=[Optional(), Length(max=300), single_line],
        description=_l("Who is responsible for the personal data, for example the municipal executive board."))
    privacy_dpo = StringField(_l("Data protection officer"), validators=[Optional(), Length(max=300), single_line],
                              description=_l("How to reach the data protection officer."))
    accessibility_reviewed_on = DateField(_l("Last review of accessibility"), validators=[Optional(), within_calendar])


STATEMENT_TEXTS = {
    "privacy_purposes": _l("Why we handle the data"),
    "privacy_retention": _l("What we keep, and for how long"),
    "privacy_complaints": _l("Your rights and how to complain"),
    "accessibility_shortcomings": _l("Known accessibility shortcomings"),
}


def statements_form(languages: list[str], **data) -> StatementsForm:
    """The form with a text area per statement text and offered language (built from the languages)."""

    class Form(StatementsForm):
        pass

    for name, label in STATEMENT_TEXTS.items():
        add_translated(Form, name, label, languages, None, area=True, max_length=5000)
    return Form(**data)


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slug_format(form, field):
    """An address part: lower-case letters a–z, digits and single hyphens."""
    if field.data and not SLUG.match(field.data):
        raise ValidationError(_l("Use lower-case letters a–z, digits and hyphens only, e.g. vision-2030."))


def add_translated(form_class, name: str, label, languages: list[str], default: str | None, *,
                   area: bool = False, max_length: int = 200) -> None:
    """Add a field per offered language, ``<name>_<lang>``: required in the *default* language only (the
    others fall back to it when residents read them); none is required when *default* is None."""
    for lang in languages:
        validators = [DataRequired() if lang == default else Optional(), Length(max=max_length),
                      no_control_characters]
        if not area:
            validators.append(single_line)
        field_class = TextAreaField if area else StringField
        setattr(form_class, f"{name}_{lang}", field_class(
            _l("%(text)s (%(language)s)", text=label, language=LANGUAGE_NAMES[lang]), validators=validators))


def read_translated(form, name: str, languages: list[str]) -> dict:
    """{lang: text} of the filled-in ``<name>_<lang>`` fields."""
    texts = {lang: (form[f"{name}_{lang}"].data or "").strip() for lang in languages}
    return {lang: text for lang, text in texts.items() if text}


def translated_data(name: str, value: dict | None, languages: list[str]) -> dict:
    """Form data for the ``<name>_<lang>`` fields from a stored {lang: text}."""
    return {f"{name}_{lang}": (value or {}).get(lang, "") for lang in languages}
