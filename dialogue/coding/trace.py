"""Traceability: which contributions stand behind each part of a vision.

A node stands on what was coded to it and to every node below it in the tree: the vision statement on
its building blocks, a goal on its committee goals, and so on. Hidden (spam) contributions never count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from dialogue.coding.models import Channel, Coding, Contribution
from dialogue.extensions import db
from dialogue.vision.models import Vision, VisionNode


def counts_behind(vision: Vision) -> dict[int, dict[str, int]]:
    """For every node of *vision*: distinct contributions behind it, by channel, plus "total".

    A recursive query pairs every node with itself and each node above it, so the database counts
    each contribution once per node, however many of the blocks below that node it is coded to; only
    (node, channel, count) rows come back. A contribution has one channel, so the channels add up to
    the total.
    """
    up = (sa.select(VisionNode.id.label("node_id"), VisionNode.id.label("ancestor_id"))
          .where(VisionNode.vision_id == vision.id).cte("up", recursive=True))
    up = up.union_all(sa.select(up.c.node_id, VisionNode.parent_id)
                      .join(VisionNode, VisionNode.id == up.c.ancestor_id).where(VisionNode.parent_id.is_not(None)))
    rows = db.session.execute(
        sa.select(up.c.ancestor_id, Contribution.channel, sa.func.count(sa.distinct(Contribution.id)))
        .select_from(Coding).join(up, up.c.node_id == Coding.node_id)
        .join(Contribution, Contribution.id == Coding.contribution_id)
        .where(Coding.removed_at.is_(None), Contribution.hidden.is_(False))
        .group_by(up.c.ancestor_id, Contribution.channel)
    ).all()
    counts: dict[int, dict[str, int]] = {node.id: {"total": 0} for node in vision.nodes}
    for node_id, channel, n in rows:
        counts[node_id][str(channel)] = n
        counts[node_id]["total"] += n
    return counts


# -- one building block, and what residents said -------------------------------------------------------

#: how many quotes a building block page shows; the page says how they are chosen
QUOTES = 10


@dataclass(frozen=True)
class Quote:
    contribution_id: int
    #: the coded excerpt when the code was set on one, else the whole text
    text: str
    excerpt: bool
    publishable: bool
    #: how many nodes the contribution is coded to in all (1: it speaks to this block only)
    spread: int


def subtree_ids(node: VisionNode) -> list[int]:
    """*node* and every node below it: what "stands behind" it is coded to one of these."""
    below: dict[int | None, list[int]] = defaultdict(list)
    for other in node.vision.nodes:
        below[other.parent_id].append(other.id)
    found, todo = [], [node.id]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(below.get(current, []))
    return found


def _coded(node_ids: list[int]):
    """The WHERE for active codes on *node_ids* of contributions that are not hidden."""
    return (Coding.node_id.in_(node_ids), Coding.removed_at.is_(None), Contribution.hidden.is_(False))


def _grouped(column, node_ids: list[int]) -> list[tuple[object, int]]:
    distinct = sa.func.count(sa.distinct(Contribution.id))
    return db.session.execute(
        sa.select(column, distinct).select_from(Coding).join(Contribution, Contribution.id == Coding.contribution_id)
        .where(*_coded(node_ids)).group_by(column).order_by(distinct.desc(), column)
    ).all()


def block_counts(node: VisionNode) -> dict:
    """Distinct contributions behind *node*: "total", and lists of (key, n) "channel", "locality", "group".

    Counted in the database (GROUP BY), so the page costs the same with 100 or 100,000 contributions
    behind it. A locality is its id (None when not known); a group its key ("" when not known).
    """
    ids = subtree_ids(node)
    total = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Contribution.id))).select_from(Coding)
        .join(Contribution, Contribution.id == Coding.contribution_id).where(*_coded(ids)))
    return {"total": total or 0,
            "channel": [(Channel(c), n) for c, n in _grouped(Contribution.channel, ids)],
            "locality": _grouped(Contribution.locality_id, ids),
            "group": _grouped(Contribution.respondent_group, ids)}


def strongest_quotes(node: VisionNode, limit: int = QUOTES, publishable_only: bool = False) -> list[Quote]:
    """The contributions that speak most directly to *node*, best first.

    Order: marked publishable first; then coded to the fewest nodes (a text coded to this block
    only says the most about it); then coded on an excerpt (an analyst picked out the words); then
    the newest. Never hidden ones; with *publishable_only*, only those an analyst marked publishable.
    """
    other = aliased(Coding)
    spread = (sa.select(sa.func.count()).where(other.contribution_id == Contribution.id, other.removed_at.is_(None))
              .correlate(Contribution).scalar_subquery())
    start, end = sa.func.min(Coding.excerpt_start), sa.func.max(Coding.excerpt_end)
    query = (sa.select(Contribution.id, Contribution.text, Contribution.publishable, start, end, spread.label("spread"))
             .select_from(Coding).join(Contribution, Contribution.id == Coding.contribution_id)
             .where(*_coded(subtree_ids(node))).group_by(Contribution.id)
             .order_by(Contribution.publishable.desc(), sa.literal_column("spread"), start.is_(None),
                       Contribution.created_at.desc(), Contribution.id.desc())
             .limit(limit))
    if publishable_only:
        query = query.where(Contribution.publishable.is_(True))
    quotes = []
    for contribution_id, text, publishable, first, last, count in db.session.execute(query):
        excerpt = first is not None and last is not None and 0 <= first < last <= len(text)
        quotes.append(Quote(contribution_id, text[first:last] if excerpt else text, excerpt, publishable, count))
    return quotes


def ancestors(node: VisionNode) -> list[VisionNode]:
    """The nodes above *node*, from the top of the tree down."""
    chain, current = [], node.parent
    while current is not None:
        chain.append(current)
        current = current.parent
    return chain[::-1]
