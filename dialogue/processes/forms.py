"""Forms for processes and their phases, built for the languages the municipality offers."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from dialogue.core.forms import add_translated, single_line, slug_format, within_calendar
from dialogue.i18n import _l
from dialogue.processes.models import PHASE_LABELS, PhaseKind


class _Dates(FlaskForm):
    starts_on = DateField(_l("Starts"), validators=[DataRequired(), within_calendar])
    ends_on = DateField(_l("Ends"), validators=[DataRequired(), within_calendar])

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end cannot come before the start."))


class ProcessFields(_Dates):
    slug = StringField(_l("Address"), validators=[DataRequired(), Length(max=80), single_line, slug_format],
                       description=_l("Lower-case letters, digits and hyphens; the process is at "
                                      "/processes/<address>."))


class PhaseFields(_Dates):
    kind = SelectField(_l("Kind of phase"), choices=[SelectChoice(k.value, PHASE_LABELS[k]) for k in PhaseKind])


def process_form(languages: list[str], default: str, **data) -> ProcessFields:
    class Form(ProcessFields):
        pass

    add_translated(Form, "title", _l("Title"), languages, default)
    add_translated(Form, "summary", _l("Summary"), languages, None, area=True, max_length=2000)
    return Form(**data)


def phase_form(languages: list[str], default: str, **data) -> PhaseFields:
    class Form(PhaseFields):
        pass

    add_translated(Form, "title", _l("Title"), languages, default)
    add_translated(Form, "description", _l("Description"), languages, None, area=True, max_length=2000)
    return Form(**data)
