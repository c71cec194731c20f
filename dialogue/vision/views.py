"""The vision as residents read it."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template

from dialogue.extensions import db
from dialogue.vision import extras
from dialogue.vision.blueprint import bp
from dialogue.vision.models import Vision
from dialogue.vision.tree import blocks_behind


@bp.route("/vision/<slug>")
def show(slug: str):
    """The vision, its values and aims, and how many contributions stand behind each part (counts only).

    :raise 404: unknown vision
    """
    vision = db.session.scalar(sa.select(Vision).where(Vision.slug == slug))
    if vision is None:
        abort(404)
    return render_template("vision/display/show.html", vision=vision, counts=extras.counts(vision),
                           blocks=blocks_behind(vision), channels=extras.channels())


@bp.route("/vision/")
def index():
    """The visions the municipality has published."""
    visions = db.session.scalars(sa.select(Vision).where(Vision.published.is_(True))
                                 .order_by(Vision.adopted_on.desc().nulls_last(), Vision.id.desc())).all()
    return render_template("vision/display/index.html", visions=visions)
