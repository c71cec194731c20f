"""Coding contributions to the vision's building blocks. Functions flush; views commit."""

from __future__ import annotations

import sqlalchemy as sa

from dialogue.coding.models import Coding, Contribution
from dialogue.core.base import utcnow
from dialogue.core.models import User
from dialogue.extensions import db
from dialogue.vision.models import NodeKind, Vision, VisionNode

CODABLE = (NodeKind.building_block, NodeKind.challenge)


def codable_nodes(vision: Vision) -> list[VisionNode]:
    """The building blocks and challenges of *vision*, in tree order; numbered 1.. in the workspace."""
    return [node for node in walk(vision.roots) if node.kind in CODABLE]


def walk(nodes: list[VisionNode]):
    for node in nodes:
        yield node
        yield from walk(node.active_children)


def set_codes(contribution: Contribution, node_ids: set[int], coder: User, note: str) -> tuple[int, int]:
    """Make *node_ids* the contribution's codes; return (added, removed). Removed codes keep their history."""
    active = {coding.node_id: coding for coding in contribution.active_codings}
    now = utcnow()
    added = 0
    for node_id in node_ids - set(active):
        contribution.codings.append(Coding(node_id=node_id, coder_id=coder.id, created_at=now))
        added += 1
    removed = 0
    for node_id in set(active) - node_ids:
        active[node_id].removed_at = now
        active[node_id].removed_by_id = coder.id
        removed += 1
    contribution.coding_note = note
    db.session.flush()
    return added, removed


def queue(*, state: str, channel: str, locality_id: int | None, group: str):
    """Contributions to code, oldest first; hidden (spam) ones never."""
    coded = sa.select(Coding.contribution_id).where(Coding.removed_at.is_(None))
    query = sa.select(Contribution).where(Contribution.hidden.is_(False))
    if state == "uncoded":
        query = query.where(Contribution.id.not_in(coded))
    elif state == "coded":
        query = query.where(Contribution.id.in_(coded))
    if channel:
        query = query.where(Contribution.channel == channel)
    if locality_id:
        query = query.where(Contribution.locality_id == locality_id)
    if group:
        query = query.where(Contribution.respondent_group == group)
    return query.order_by(Contribution.id)


def next_uncoded(after_id: int) -> int | None:
    coded = sa.select(Coding.contribution_id).where(Coding.removed_at.is_(None))
    return db.session.scalar(sa.select(Contribution.id).where(
        Contribution.hidden.is_(False), Contribution.id > after_id, Contribution.id.not_in(coded))
        .order_by(Contribution.id).limit(1))
