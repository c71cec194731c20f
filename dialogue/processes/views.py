"""The public home page and process pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template

from dialogue.core.time import today
from dialogue.extensions import db
from dialogue.processes import services
from dialogue.processes.blueprint import bp
from dialogue.processes.models import Process


@bp.route("/")
def home():
    """The current dialogue process and its timeline."""
    day = today()
    return render_template("processes/display/home.html", process=services.current_process(day), today=day)


@bp.route("/processes/<slug>")
def show(slug: str):
    """One process and its phases.

    :raise 404: unknown or unpublished
    """
    process = db.session.scalar(sa.select(Process).where(Process.slug == slug, Process.published.is_(True)))
    if process is None:
        abort(404)
    return render_template("processes/display/home.html", process=process, today=today())
