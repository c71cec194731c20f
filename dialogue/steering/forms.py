"""Forms for indicators, measurements, imports and follow-ups."""

from __future__ import annotations

import math

from flask_babel import format_decimal
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DecimalField, IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from dialogue.core.forms import no_control_characters, single_line
from dialogue.i18n import _, _l, _lp
from dialogue.steering.models import DIRECTION_LABELS, FREQUENCY_LABELS, Direction, Frequency
from dialogue.steering.status import PeriodError, parse_period


class ConfirmForm(FlaskForm):
    """A button and its CSRF token."""


def not_a_number() -> str:
    return _("Give a number, for example %(example)s.", example=format_decimal(12.5))


class NumberField(DecimalField):
    """A decimal number as people type it: a decimal comma works as well as a point."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")]
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(not_a_number()) from None  # WTForms' own message has no Danish
        # Decimal takes NaN, Infinity and 1e400, which no float column holds: refused as the import refuses them
        if self.data is not None and not math.isfinite(float(self.data)):
            self.data = None
            raise ValueError(not_a_number())

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return format(self.data.normalize(), "f") if hasattr(self.data, "normalize") else str(self.data)


YEAR = [Optional(), NumberRange(min=1900, max=2100, message=_l("Give a year between 1900 and 2100."))]


class IndicatorForm(FlaskForm):
    unit = StringField(_l("Unit"), validators=[Length(max=30), single_line, no_control_characters],
                       description=_l("For example %, persons or rank."))
    direction = RadioField(_l("Which way is better"), default=Direction.higher.value,
                           choices=[SelectChoice(d.value, DIRECTION_LABELS[d]) for d in Direction])
    baseline_value = NumberField(_l("Baseline value"), validators=[Optional()], places=None)
    baseline_year = IntegerField(_l("Baseline year"), validators=YEAR)
    target_value = NumberField(_l("Target value"), validators=[DataRequired(message=_l("Give the target value."))],
                               places=None)
    target_year = IntegerField(_l("Target year"), validators=[DataRequired(message=_l("Give the target year.")),
                                                              *YEAR[1:]])
    frequency = SelectField(_l("Measured"), choices=[SelectChoice(f.value, FREQUENCY_LABELS[f]) for f in Frequency])
    source = StringField(_l("Source"), validators=[Length(max=200), single_line, no_control_characters])
    committee = StringField(_l("Responsible committee"),
                            validators=[Length(max=200), single_line, no_control_characters])
    kolada_kpi = StringField(_l("Kolada key figure id"), description=_l("Optional, for example U21468."),
                             validators=[Optional(), Length(max=20), single_line,
                                         Regexp(r"^[A-Za-z0-9]+$", message=_l("Only letters and digits."))])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # both fields are optional on their own, so the pair is checked after them
        if (self.baseline_year.data is None) != (self.baseline_value.data is None) and not self.baseline_year.errors:
            self.baseline_year.errors = [*self.baseline_year.errors,
                                         _l("Give both the baseline value and its year, or neither.")]
            return False
        return valid


class MeasurementForm(FlaskForm):
    period = StringField(_l("Period"), validators=[DataRequired(message=_l("Give the period.")), Length(max=20),
                                                   single_line],
                         description=_l("A year (2024), a half year (2024H1) or a quarter (2024Q3)."))
    value = NumberField(_lp("measurement", "Value"), validators=[DataRequired(message=_l("Give the value."))],
                        places=None)
    value_women = NumberField(_l("Value for women"), validators=[Optional()], places=None)
    value_men = NumberField(_l("Value for men"), validators=[Optional()], places=None)
    source = StringField(_l("Source"), validators=[Length(max=200), single_line, no_control_characters])
    comment = StringField(_l("Comment"), validators=[Length(max=500), single_line, no_control_characters])

    def validate_period(self, field):
        try:
            parse_period(field.data)
        except PeriodError:
            raise ValidationError(_l("Write the period as 2024, 2024H1 or 2024Q3.")) from None


class ImportForm(FlaskForm):
    file = FileField(_l("File"), description=_l("CSV (columns indicator, period, value, value_women, value_men, "
                                                "source, comment) or a Kolada JSON file."))
    format = RadioField(_l("Format"), default="csv",
                        choices=[SelectChoice("csv", _l("CSV")), SelectChoice("kolada", _l("Kolada (JSON)"))])
    vision_id = SelectField(_l("Vision"), coerce=str, validate_choice=True)
    municipality = StringField(_l("Kolada municipality code"), validators=[
        Optional(), single_line, Regexp(r"^\d{4}$", message=_l("Four digits, for example 0685."))],
        description=_l("Kolada: the values of this municipality are imported and the others' skipped. Needed "
                       "when the file holds several municipalities, as a comparison download does."))

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(_l("Choose a file to import."))


class FollowUpForm(FlaskForm):
    vision_id = SelectField(_l("The vision the process led to"), coerce=str)
    message_sv = TextAreaField(_l("What came of the dialogue (Swedish)"),
                               validators=[Length(max=2000), no_control_characters])
    message_da = TextAreaField(_l("What came of the dialogue (Danish)"),
                               validators=[Length(max=2000), no_control_characters])
    message_en = TextAreaField(_l("What came of the dialogue (English)"),
                               validators=[Length(max=2000), no_control_characters])
