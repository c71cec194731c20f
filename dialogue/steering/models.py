"""Steering by the vision: indicators with targets, their measurements, and what came of a process.

An indicator is a node of kind ``indicator`` in the vision tree (under a goal or a committee goal) with
its details in :class:`Indicator`, one to one. Keeping it a node means the tree editor, the YAML files,
the order and the translations of its title work for indicators as for every other part of the vision,
and one goal can carry several indicators.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.base import utcnow
from dialogue.extensions import db
from dialogue.i18n import _l
from dialogue.vision.models import VisionNode


class Direction(enum.StrEnum):
    higher = "higher"
    lower = "lower"

    @property
    def label(self) -> str:
        return str(DIRECTION_LABELS[self])


DIRECTION_LABELS = {Direction.higher: _l("Higher is better"), Direction.lower: _l("Lower is better")}


class Frequency(enum.StrEnum):
    yearly = "yearly"
    half_yearly = "half-yearly"
    quarterly = "quarterly"

    @property
    def label(self) -> str:
        return str(FREQUENCY_LABELS[self])


FREQUENCY_LABELS = {Frequency.yearly: _l("Every year"), Frequency.half_yearly: _l("Every half year"),
                    Frequency.quarterly: _l("Every quarter")}


class Indicator(db.Model):
    """The details of an indicator node: what is measured, which way is better, and the target."""

    id: Mapped[int] = mapped_column(primary_key=True)
    node_id: Mapped[int] = mapped_column(sa.ForeignKey("vision_node.id", ondelete="CASCADE"), unique=True)
    #: "%", "persons", "rank" ...; free text, shown after values
    unit: Mapped[str] = mapped_column(sa.String(30), default="")
    direction: Mapped[Direction] = mapped_column(sa.Enum(Direction, native_enum=False, length=10),
                                                 default=Direction.higher)
    baseline_value: Mapped[float | None]
    baseline_year: Mapped[int | None]
    target_value: Mapped[float]
    target_year: Mapped[int]
    frequency: Mapped[Frequency] = mapped_column(sa.Enum(Frequency, native_enum=False, length=12),
                                                 default=Frequency.yearly)
    #: where the figures come from, e.g. "Kolada" or "the municipality's user survey"
    source: Mapped[str] = mapped_column(sa.String(200), default="")
    #: the committee (nämnd) that answers for it
    committee: Mapped[str] = mapped_column(sa.String(200), default="")
    #: the key figure in Kolada, e.g. "U21468"; Kolada files are matched on it
    kolada_kpi: Mapped[str | None] = mapped_column(sa.String(20), index=True)

    node: Mapped[VisionNode] = relationship()
    measurements: Mapped[list[Measurement]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="Measurement.period_end")


class Measurement(db.Model):
    """One value of an indicator for a period. Importing the same period again replaces the value."""

    __table_args__ = (sa.UniqueConstraint("indicator_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicator.id", ondelete="CASCADE"))
    #: normalised: "2024", "2024H1", "2024Q3"
    period: Mapped[str] = mapped_column(sa.String(7))
    #: the last day of the period, for sorting and for the trend
    period_end: Mapped[date]
    value: Mapped[float]
    value_women: Mapped[float | None]
    value_men: Mapped[float | None]
    source: Mapped[str] = mapped_column(sa.String(200), default="")
    comment: Mapped[str] = mapped_column(sa.String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    indicator: Mapped[Indicator] = relationship(back_populates="measurements")


class FollowUp(db.Model):
    """What came of a process: the vision it led to and a word to the residents who asked to hear.

    Feedback mail goes out once the process reaches its decision phase, or when an admin publishes
    the results, whichever comes first.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"), unique=True)
    vision_id: Mapped[int | None] = mapped_column(sa.ForeignKey("vision.id", ondelete="SET NULL"))
    #: translations: what came of the dialogue, in a few sentences
    message: Mapped[dict] = mapped_column(default=dict)
    published_at: Mapped[datetime | None]
