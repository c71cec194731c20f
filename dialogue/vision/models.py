"""A municipality's vision as a tree: statement, values, aims, goals, committee goals, building blocks,
challenges and indicators. Contributions are coded to its building blocks (a later step)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.base import utcnow
from dialogue.extensions import db
from dialogue.i18n import _l, _lp


class NodeKind(enum.StrEnum):
    vision = "vision"
    value = "value"
    aim = "aim"
    goal = "goal"
    committee_goal = "committee_goal"
    building_block = "building_block"
    challenge = "challenge"
    indicator = "indicator"

    @property
    def label(self) -> str:
        return str(NODE_LABELS[self])


NODE_LABELS = {
    NodeKind.vision: _l("Vision"),
    NodeKind.value: _lp("vision node", "Value"),
    NodeKind.aim: _l("Aim or strategic area"),
    NodeKind.goal: _l("Goal"),
    NodeKind.committee_goal: _l("Committee goal"),
    NodeKind.building_block: _l("Building block"),
    NodeKind.challenge: _l("Challenge"),
    NodeKind.indicator: _l("Indicator"),
}


class Vision(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    #: stable name for import and export, e.g. "flen-vision-2019"
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[dict]
    adopted_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: listed for residents at /vision/ (its page answers at its address either way)
    published: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    nodes: Mapped[list[VisionNode]] = relationship(back_populates="vision", cascade="all, delete-orphan",
                                                   order_by="VisionNode.position")

    @property
    def roots(self) -> list[VisionNode]:
        return [node for node in self.nodes if node.parent_id is None and not node.archived]


class VisionNode(db.Model):
    __table_args__ = (sa.Index("ix_vision_node_tree", "vision_id", "parent_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vision_id: Mapped[int] = mapped_column(sa.ForeignKey("vision.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("vision_node.id", ondelete="CASCADE"))
    kind: Mapped[NodeKind] = mapped_column(sa.Enum(NodeKind, native_enum=False, length=20))
    #: translations: {"sv": ..., "da": ..., "en": ...}
    title: Mapped[dict]
    text: Mapped[dict] = mapped_column(default=dict)
    position: Mapped[int] = mapped_column(default=0)
    #: archived nodes leave the tree but keep what was coded to them
    archived: Mapped[bool] = mapped_column(default=False)

    vision: Mapped[Vision] = relationship(back_populates="nodes")
    parent: Mapped[VisionNode | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[VisionNode]] = relationship(back_populates="parent", order_by="VisionNode.position")

    @property
    def active_children(self) -> list[VisionNode]:
        return [child for child in self.children if not child.archived]
