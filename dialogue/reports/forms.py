"""Forms for the population figures."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms.validators import ValidationError

from dialogue.i18n import _l


class TableForm(FlaskForm):
    """Only the CSRF token: the cells of the table are read by hand (one field per locality and age band)."""


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), description=_l(
        "Columns locality, age_band and count, with these names on the first line; commas or semicolons. "
        "The file replaces all figures."))

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(_l("Choose a CSV file."))
