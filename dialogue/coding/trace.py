"""Traceability: which contributions stand behind each part of a vision.

A node stands on what was coded to it and to every node below it in the tree: the vision statement on
its building blocks, a goal on its committee goals, and so on. Hidden (spam) contributions never count.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from dialogue.coding.models import Coding, Contribution
from dialogue.extensions import db
from dialogue.vision.models import Vision, VisionNode


def counts_behind(vision: Vision) -> dict[int, dict[str, int]]:
    """For every node of *vision*: distinct contributions behind it, by channel, plus "total".

    One query fetches the (node, contribution, channel) rows; the tree is folded in memory, so a
    contribution coded to two blocks under one goal counts once for that goal.
    """
    rows = db.session.execute(
        sa.select(Coding.node_id, Contribution.id, Contribution.channel)
        .join(Contribution, Contribution.id == Coding.contribution_id)
        .join(VisionNode, VisionNode.id == Coding.node_id)
        .where(VisionNode.vision_id == vision.id, Coding.removed_at.is_(None), Contribution.hidden.is_(False))
        .distinct()
    ).all()
    parent_of = {node.id: node.parent_id for node in vision.nodes}
    behind: dict[int, dict[int, str]] = defaultdict(dict)
    for node_id, contribution_id, channel in rows:
        current: int | None = node_id
        while current is not None:
            behind[current][contribution_id] = str(channel)
            current = parent_of.get(current)
    counts: dict[int, dict[str, int]] = {}
    for node_id in parent_of:
        channels: dict[str, int] = defaultdict(int)
        for channel in behind.get(node_id, {}).values():
            channels[channel] += 1
        counts[node_id] = {**channels, "total": len(behind.get(node_id, {}))}
    return counts
