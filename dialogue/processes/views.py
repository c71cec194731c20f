"""The public home page and process pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template

from dialogue.core.time import today
from dialogue.extensions import db
from dialogue.processes import parts, services
from dialogue.processes.blueprint import bp
from dialogue.processes.models import Process


def _render(process: Process | None, day):
    return render_template("processes/display/home.html", process=process, today=day,
                           take_part=parts.take_part(process) if process else [])


@bp.route("/")
def home():
    """The current dialogue process: how to take part now, and its timeline."""
    day = today()
    return _render(services.current_process(day), day)


@bp.route("/processes/<slug>")
def show(slug: str):
    """One process and its phases.

    :raise 404: unknown or unpublished
    """
    process = db.session.scalar(sa.select(Process).where(Process.slug == slug, Process.published.is_(True)))
    if process is None:
        abort(404)
    return _render(process, today())


@bp.route("/processes/")
def index():
    """Every published dialogue that is not archived: current, coming and past."""
    return render_template("processes/display/index.html", groups=services.listed(today()))
