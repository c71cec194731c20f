"""The export form: what, in which format, narrowed by which filters."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import Length

from dialogue.core.forms import single_line
from dialogue.i18n import _l

DATASET_LABELS = {
    "responses_wide": _l("Responses of a questionnaire, one row per response"),
    "responses_long": _l("Responses of a questionnaire, one row per answer"),
    "contributions": _l("Contributions with their codes"),
    "signups": _l("Sign-ups for an event"),
    "codebook": _l("A vision and its building blocks (codebook)"),
}
FORMAT_LABELS = {
    "csv": _l("CSV (Excel, LibreOffice)"),
    "xlsx": _l("Excel workbook (XLSX)"),
    "jsonl": _l("JSON Lines (for programs)"),
    "datapackage": _l("Data package: CSV files and their description in a ZIP (open data, research)"),
}


class ExportForm(FlaskForm):
    """Choices are filled in by the view. Filters are plain text here and checked by ExportFilters."""

    dataset = RadioField(_l("What to export"), choices=[SelectChoice(k, v) for k, v in DATASET_LABELS.items()],
                         default="responses_wide")
    questionnaire = SelectField(_l("Questionnaire"), validate_choice=False,
                                description=_l("Needed for responses; narrows contributions."))
    event = SelectField(_l("Event"), validate_choice=False, description=_l("Needed for sign-ups."))
    vision = SelectField(_l("Vision"), validate_choice=False, description=_l("Needed for the codebook."))
    format = RadioField(_l("Format"), choices=[SelectChoice(k, v) for k, v in FORMAT_LABELS.items()], default="csv")
    delimiter = RadioField(_l("CSV separator"), default="comma", choices=[
        SelectChoice("comma", _l("Comma")), SelectChoice("semicolon", _l("Semicolon (Excel set to Swedish, Danish)"))])
    date_from = StringField(_l("From (date)"), validators=[single_line], render_kw={"type": "date"})
    date_to = StringField(_l("To (date)"), validators=[single_line], render_kw={"type": "date"})
    locality = SelectField(_l("Locality"), validate_choice=False)
    group = SelectField(_l("Respondent group"), validate_choice=False)
    channel = SelectField(_l("Channel"), validate_choice=False)
    node = SelectField(_l("Building block"), validate_choice=False, description=_l("Coded to this building block."))
    coding_state = SelectField(_l("Coding"), validate_choice=False, choices=[
        SelectChoice("", _l("Coded or not")), SelectChoice("coded", _l("Coded")),
        SelectChoice("uncoded", _l("Not coded yet"))])
    addresses = BooleanField(_l("Include e-mail addresses"), description=_l(
        "Only for sign-ups, only for administrators, and only when you must write to the people signed up. "
        "The download is recorded in the audit log."))
    #: random, chosen when the form is shown: a double click starts one export, not two
    submission_key = HiddenField(validators=[Length(max=64)])
