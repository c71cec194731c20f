"""Traceability for analysts: a building block, the contributions behind it, and residents' own words."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template

from dialogue.coding import trace
from dialogue.coding.blueprint import bp
from dialogue.core.models import Locality, Role
from dialogue.core.respondents import GROUPS
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.security import staff_required
from dialogue.vision.models import VisionNode
from dialogue.vision.tree import blocks_behind


@bp.route("/staff/coding/blocks/<int:node_id>")
@staff_required(Role.analyst)
def manage_block(node_id: int):
    """Contributions behind a building block (or any node) by channel, locality and group; its strongest
    quotes, each linking to the contribution in the workspace."""
    node = db.get_or_404(VisionNode, node_id)
    counts = trace.block_counts(node)
    place_ids = [place_id for place_id, _n in counts["locality"] if place_id is not None]
    names = dict(db.session.execute(sa.select(Locality.id, Locality.name).where(Locality.id.in_(place_ids))).all()
                 ) if place_ids else {}
    rows = {
        "channel": [(channel.label, n) for channel, n in counts["channel"]],
        "locality": [(names.get(place_id, _("Not known")) if place_id else _("Not known"), n)
                     for place_id, n in counts["locality"]],
        "group": [(str(GROUPS.get(group, group)) if group else _("Not known"), n) for group, n in counts["group"]],
    }
    return render_template("coding/manage/trace/block.html", node=node, total=counts["total"], rows=rows,
                           path=trace.ancestors(node), quotes=trace.strongest_quotes(node), limit=trace.QUOTES,
                           blocks=blocks_behind(node.vision).get(node.id, []))
