"""The coding queue's "most uncertain first" order.

A contribution's uncertainty is how unsure its suggestions are for the vision in view: the margin between
the likelihoods of its first and second suggestion, smallest first (contributions without any suggestion
come last). Coding those first is meant to teach the model the most per code (margin sampling; the
benchmark measures what it saves against arrival order). The order follows the suggestions as they were
last computed, so it changes when an analyst updates them.
"""

from __future__ import annotations

import sqlalchemy as sa

from dialogue.coding.models import Contribution, Suggestion
from dialogue.extensions import db
from dialogue.vision.models import Vision, VisionNode

#: above any likelihood: contributions without a suggestion sort last
NONE = 2.0


def key(vision_id: str | int | None):
    """The SQL expression that orders contributions most uncertain first (with their id after it)."""
    if not vision_id:
        vision_id = db.session.scalar(sa.select(Vision.id).order_by(Vision.id).limit(1))
    nodes = sa.select(VisionNode.id).where(VisionNode.vision_id == vision_id)

    def likelihood(rank: int):
        return (sa.select(Suggestion.score)
                .where(Suggestion.contribution_id == Contribution.id, Suggestion.rank == rank,
                       Suggestion.node_id.in_(nodes))
                .limit(1).scalar_subquery())

    return sa.func.coalesce(likelihood(1) - sa.func.coalesce(likelihood(2), 0.0), NONE)


def neighbours(query, vision_id: str | int | None, contribution_id: int) -> tuple[int | None, int | None]:
    """The previous and the next contribution of *query* around *contribution_id*, most uncertain first."""
    order = key(vision_id)
    here = db.session.scalar(sa.select(order).where(Contribution.id == contribution_id))
    if here is None:
        return None, None
    ids = query.with_only_columns(Contribution.id).order_by(None)
    previous = db.session.scalar(
        ids.where(sa.or_(order < here, sa.and_(order == here, Contribution.id < contribution_id)))
        .order_by(order.desc(), Contribution.id.desc()).limit(1))
    following = db.session.scalar(
        ids.where(sa.or_(order > here, sa.and_(order == here, Contribution.id > contribution_id)))
        .order_by(order, Contribution.id).limit(1))
    return previous, following
