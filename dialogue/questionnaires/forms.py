"""Staff forms: a questionnaire's settings and its questions. (Residents' answers: see answers.py.)"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from dialogue.core.forms import Checkboxes, no_control_characters, single_line, slug_format, within_calendar
from dialogue.i18n import LANGUAGE_NAMES, _l
from dialogue.questionnaires.models import TYPE_LABELS, QuestionType


def _text(label, max_length, required=False, area=False, **kwargs):
    validators = [DataRequired() if required else Optional(), Length(max=max_length), no_control_characters]
    if not area:
        validators.append(single_line)
    return (TextAreaField if area else StringField)(label, validators=validators, **kwargs)


class QuestionnaireForm(FlaskForm):
    title_sv = _text(_l("Title (Swedish)"), 200, required=True)
    title_da = _text(_l("Title (Danish)"), 200)
    title_en = _text(_l("Title (English)"), 200)
    slug = StringField(_l("Address"), validators=[DataRequired(), Length(max=80), single_line, slug_format],
                       description=_l("Lower-case letters, digits and hyphens; the questionnaire is at "
                                      "/questionnaires/<address>."))
    intro_sv = _text(_l("Introduction (Swedish)"), 5000, area=True)
    intro_da = _text(_l("Introduction (Danish)"), 5000, area=True)
    intro_en = _text(_l("Introduction (English)"), 5000, area=True)
    next_steps_sv = _text(_l("What happens next (Swedish)"), 5000, area=True,
                          description=_l("Shown to residents after they have answered."))
    next_steps_da = _text(_l("What happens next (Danish)"), 5000, area=True)
    next_steps_en = _text(_l("What happens next (English)"), 5000, area=True)
    opens_at = DateTimeLocalField(_l("Opens"), format="%Y-%m-%dT%H:%M", validators=[Optional(), within_calendar])
    closes_at = DateTimeLocalField(_l("Closes"), format="%Y-%m-%dT%H:%M", validators=[Optional(), within_calendar],
                                   description=_l("Private links to change answers work until then."))
    languages = Checkboxes(_l("Languages"), choices=[SelectChoice(c, n) for c, n in LANGUAGE_NAMES.items()],
                           default=["sv", "da", "en"])
    process_id = SelectField(_l("Part of the process"), coerce=str, validate_choice=False)

    def validate_closes_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The questionnaire must close after it opens."))

    def validate_languages(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one language."))


class NewQuestionnaireForm(QuestionnaireForm):
    start_from = RadioField(_l("Start from"), default="template", choices=[
        SelectChoice("template", _l("The ready-made questionnaire “When is the municipality at its best?”")),
        SelectChoice("empty", _l("An empty questionnaire")),
    ])


class QuestionForm(FlaskForm):
    type = SelectField(_l("Type of question"), choices=[SelectChoice(t.value, TYPE_LABELS[t]) for t in QuestionType])
    text_sv = _text(_l("Question (Swedish)"), 1000, required=True, area=True)
    text_da = _text(_l("Question (Danish)"), 1000, area=True)
    text_en = _text(_l("Question (English)"), 1000, area=True)
    help_sv = _text(_l("Help text (Swedish)"), 1000)
    help_da = _text(_l("Help text (Danish)"), 1000)
    help_en = _text(_l("Help text (English)"), 1000)
    required = BooleanField(_l("An answer is required"))
    options_sv = _text(_l("Options (Swedish)"), 5000, area=True,
                       description=_l("Choice questions: one option per line. Lines in the other languages "
                                      "follow the same order."))
    options_da = _text(_l("Options (Danish)"), 5000, area=True)
    options_en = _text(_l("Options (English)"), 5000, area=True)
    allow_other = BooleanField(_l("Offer “Other” with a text field"))
    scale_max = SelectField(_l("Scale"), choices=[SelectChoice("5", "1–5"), SelectChoice("7", "1–7")], default="5")
    scale_min_label_sv = _text(_l("Label of the lowest value (Swedish)"), 100)
    scale_max_label_sv = _text(_l("Label of the highest value (Swedish)"), 100)
    page = IntegerField(_l("Page"), default=1, validators=[DataRequired(), NumberRange(min=1, max=50)])

    def validate_options_sv(self, field):
        if self.type.data in (QuestionType.single_choice, QuestionType.multiple_choice):
            lines = [line for line in (field.data or "").splitlines() if line.strip()]
            if len(lines) < 2:
                raise ValidationError(_l("A choice question needs at least two options, one per line."))
