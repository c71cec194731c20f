"""Staff pages for questionnaires."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template

from dialogue.core.models import Role
from dialogue.extensions import db
from dialogue.questionnaires.blueprint import bp
from dialogue.questionnaires.models import Questionnaire
from dialogue.security import staff_required


@bp.route("/staff/questionnaires/")
@staff_required(Role.organizer, Role.analyst)
def manage_list():
    """All questionnaires with their state and number of responses."""
    questionnaires = db.session.scalars(sa.select(Questionnaire).order_by(Questionnaire.created_at.desc())).all()
    return render_template("questionnaires/manage/list.html", questionnaires=questionnaires)
