"""Staff pages for events."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template

from dialogue.core.models import Role
from dialogue.events.blueprint import bp
from dialogue.events.models import Event
from dialogue.extensions import db
from dialogue.security import staff_required


@bp.route("/staff/events/")
@staff_required(Role.organizer)
def manage_list():
    """All events, newest first."""
    events = db.session.scalars(sa.select(Event).order_by(Event.starts_at.desc())).all()
    return render_template("events/manage/list.html", events=events)
