"""The form for a new API token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from dialogue.core.forms import no_control_characters, single_line
from dialogue.i18n import _l


class TokenForm(FlaskForm):
    user_id = SelectField(_l("Staff user"), validators=[DataRequired()],
                          description=_l("The token reads with this user's role and stops working if the "
                                         "account is deactivated."))
    name = StringField(_l("What the token is for"), validators=[DataRequired(), Length(max=120), single_line,
                                                               no_control_characters],
                       description=_l("For example: the statistics unit's report."))
    submission_key = HiddenField(validators=[DataRequired(), Length(max=64)])
