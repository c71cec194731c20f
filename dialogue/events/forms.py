"""Forms for signing up to events and for organizers' event editing."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Email, Length, ValidationError

from dialogue.events.models import SIGNUP_GROUPS
from dialogue.i18n import _l

NEEDS = {
    "access": _l("Step-free access or other help to get in"),
    "food": _l("Special food (allergies, diet)"),
    "interpreter": _l("Interpreter (sign language or another language)"),
}


def no_control_characters(form, field):
    if field.data and any(ord(c) < 32 and c not in "\r\n\t" for c in field.data):
        raise ValidationError(_l("Remove the invisible control characters from the text."))


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class SignupForm(FlaskForm):
    form = HiddenField()
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200), no_control_characters],
                       render_kw={"autocomplete": "name"})
    email = EmailField(_l("Your e-mail address"), validators=[DataRequired(), Email(), Length(max=254)],
                       description=_l("We send the confirmation and a link to cancel here."),
                       render_kw={"autocomplete": "email"})
    group = RadioField(_l("I come as"), default="other",
                       choices=[SelectChoice(k, v) for k, v in SIGNUP_GROUPS.items()])
    needs = CheckboxesField(_l("I need"), choices=[SelectChoice(k, v) for k, v in NEEDS.items()])
    needs_note = TextAreaField(_l("Anything else we should know"),
                               validators=[Length(max=1000), no_control_characters],
                               description=_l("Optional. Deleted with your sign-up after the event."))
