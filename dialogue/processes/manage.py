"""Staff pages for processes."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template

from dialogue.core.time import today
from dialogue.extensions import db
from dialogue.processes.blueprint import bp
from dialogue.processes.models import Process
from dialogue.security import staff_required


@bp.route("/staff/processes/")
@staff_required()
def manage_list():
    """All processes, published or not."""
    processes = db.session.scalars(sa.select(Process).order_by(Process.starts_on.desc())).all()
    return render_template("processes/manage/list.html", processes=processes, today=today())
