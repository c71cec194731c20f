"""Public pages of the analysis: "what we heard", counts and quotes an analyst marked publishable."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template

from dialogue.coding import trace
from dialogue.coding.blueprint import bp
from dialogue.coding.models import CHANNEL_LABELS
from dialogue.extensions import db
from dialogue.vision.models import NodeKind, Vision
from dialogue.vision.tree import flattened

#: quotes per building block on the public page
PUBLIC_QUOTES = 5


@bp.route("/vision/<slug>/what-we-heard")
def what_we_heard(slug: str):
    """Per building block: how many contributions stand behind it (total, by channel) and the quotes an
    analyst marked publishable. Nothing else about a quote is shown (no locality, group or date), so a
    quote cannot be traced back to a person; only the quote's own words are public.

    :raise 404: unknown vision
    """
    vision = db.session.scalar(sa.select(Vision).where(Vision.slug == slug))
    if vision is None:
        abort(404)
    counts = trace.counts_behind(vision)
    blocks = [node for _depth, node in flattened(vision, include_archived=False)
              if node.kind == NodeKind.building_block]
    quotes = {block.id: trace.strongest_quotes(block, PUBLIC_QUOTES, publishable_only=True) for block in blocks}
    return render_template("coding/display/what_we_heard.html", vision=vision, blocks=blocks, counts=counts,
                           quotes=quotes, channels=CHANNEL_LABELS)
