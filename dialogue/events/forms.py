"""Forms for signing up to events and for organizers' event editing."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from dialogue.coding.models import NOTE_KINDS
from dialogue.core.forms import Checkboxes, no_control_characters, single_line, within_calendar
from dialogue.events.models import KIND_LABELS, NEEDS, SIGNUP_GROUPS, EventKind
from dialogue.i18n import LANGUAGE_NAMES, _l


class SignupForm(FlaskForm):
    form = HiddenField()
    #: the groups the page promised a seat to, so that the answer can say plainly when someone was faster
    promised = HiddenField()
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200), single_line,
                                                    no_control_characters],
                       render_kw={"autocomplete": "name"})
    email = EmailField(_l("Your e-mail address"), validators=[DataRequired(), Email(), Length(max=254)],
                       description=_l("We send the confirmation and a link to cancel here."),
                       render_kw={"autocomplete": "email"})
    group = RadioField(_l("I come as"), default="other",
                       choices=[SelectChoice(k, v) for k, v in SIGNUP_GROUPS.items()])
    needs = Checkboxes(_l("I need"), choices=[SelectChoice(k, v) for k, v in NEEDS.items()])
    needs_note = TextAreaField(_l("Anything else we should know"),
                               validators=[Length(max=1000), no_control_characters],
                               description=_l("Optional. Deleted with your sign-up after the event."))


class EventForm(FlaskForm):
    """An event as an organizer edits it; times are in the municipality's time zone."""

    #: set by the view: a new event is run at least by whoever creates it
    creating = False

    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, KIND_LABELS[k]) for k in EventKind])
    title_sv = StringField(_l("Title (Swedish)"),
                           validators=[DataRequired(), Length(max=200), single_line, no_control_characters])
    title_da = StringField(_l("Title (Danish)"), validators=[Optional(), Length(max=200), single_line,
                                                            no_control_characters])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200), single_line,
                                                             no_control_characters])
    description_sv = TextAreaField(_l("Description (Swedish)"), validators=[Length(max=5000), no_control_characters])
    description_da = TextAreaField(_l("Description (Danish)"), validators=[Length(max=5000), no_control_characters])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=5000), no_control_characters])
    process_id = SelectField(_l("Part of the process"), coerce=str, validate_choice=False,
                             description=_l("The process's page lists its coming events."))
    locality_id = SelectField(_l("Locality"), coerce=str, validate_choice=False)
    venue = StringField(_l("Venue"), validators=[DataRequired(), Length(max=200), single_line, no_control_characters])
    address = StringField(_l("Street address"), validators=[Optional(), Length(max=300), single_line,
                                                            no_control_characters])
    accessibility_sv = TextAreaField(_l("Accessibility of the venue"),
                                     description=_l("For example step-free entrance, hearing loop, toilet."),
                                     validators=[Length(max=1000), no_control_characters])
    language = SelectField(_l("Language of the event"), choices=[SelectChoice(c, n) for c, n in LANGUAGE_NAMES.items()])
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(), within_calendar])
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(), within_calendar])
    capacity = IntegerField(_l("Seats"), validators=[Optional(), NumberRange(min=1, max=10000)],
                            description=_l("Leave empty when no sign-up is needed."))
    seats_young = IntegerField(_l("Seats reserved for young people"), validators=[Optional(), NumberRange(0, 10000)])
    seats_association = IntegerField(_l("Seats reserved for associations"),
                                     validators=[Optional(), NumberRange(0, 10000)])
    seats_business = IntegerField(_l("Seats reserved for businesses"), validators=[Optional(), NumberRange(0, 10000)])
    signup_opens_at = DateTimeLocalField(_l("Sign-up opens"), format="%Y-%m-%dT%H:%M",
                                         validators=[Optional(), within_calendar])
    signup_closes_at = DateTimeLocalField(_l("Sign-up closes"), format="%Y-%m-%dT%H:%M",
                                          validators=[Optional(), within_calendar])
    #: user ids; the choices are set by the view, which removes the field for those who may not change it
    staff = Checkboxes(_l("Run by"), coerce=int,
                       description=_l("They and the administrators see the names of the people who sign up and "
                                      "check them in at the door. Whoever creates an event runs it."))

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The event must end after it starts."))

    def validate_capacity(self, field):
        reserved = sum(f.data or 0 for f in (self.seats_young, self.seats_association, self.seats_business))
        if reserved and not field.data:
            raise ValidationError(_l("Give the number of seats when seats are reserved for groups."))
        if field.data and reserved > field.data:
            raise ValidationError(_l("The reserved seats are more than the seats."))

    def validate_staff(self, field):
        if not field.data and not self.creating:  # whoever creates an event runs it
            raise ValidationError(_l("Choose at least one person to run the event."))

    def validate_signup_closes_at(self, field):
        if self.signup_opens_at.data and field.data and field.data <= self.signup_opens_at.data:
            raise ValidationError(_l("Sign-up must close after it opens."))


class NoteForm(FlaskForm):
    """One thing said at an event, typed in quickly."""

    text = TextAreaField(_l("What was said"), validators=[DataRequired(), Length(max=10000), no_control_characters])
    note_kind = SelectField(_l("Noted as"), choices=[SelectChoice(k, v) for k, v in NOTE_KINDS.items()])
    locality_id = SelectField(_l("Locality (if known)"), coerce=str, validate_choice=False)
    group = SelectField(_l("Group (if known)"), choices=[SelectChoice("", _l("Not known"))] + [
        SelectChoice(k, v) for k, v in SIGNUP_GROUPS.items()])


class WalkInForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), single_line, no_control_characters])
    group = SelectField(_l("Group"), choices=[SelectChoice(k, v) for k, v in SIGNUP_GROUPS.items()])
