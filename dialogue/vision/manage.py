"""Staff pages for visions (editing in the browser comes with the coding workspace)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, render_template

from dialogue.core.models import Role
from dialogue.extensions import db
from dialogue.security import staff_required
from dialogue.vision import services
from dialogue.vision.blueprint import bp
from dialogue.vision.models import Vision


@bp.route("/staff/vision/")
@staff_required(Role.analyst, Role.organizer)
def manage_list():
    """The visions, each as a tree."""
    visions = db.session.scalars(sa.select(Vision).order_by(Vision.created_at)).all()
    return render_template("vision/manage/list.html", visions=visions)


@bp.route("/staff/vision/<int:vision_id>.yaml")
@staff_required(Role.analyst, Role.organizer)
def manage_export(vision_id: int):
    """The vision as YAML, the format `flask vision import` reads."""
    vision = db.session.get(Vision, vision_id)
    if vision is None:
        abort(404)
    response = Response(services.export_vision(vision), mimetype="application/yaml")
    response.headers["Content-Disposition"] = f'attachment; filename="{vision.slug}.yaml"'
    return response
