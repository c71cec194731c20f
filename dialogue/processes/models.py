"""A dialogue process (e.g. "Vision 2019") and the phases residents can follow."""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.extensions import db
from dialogue.i18n import _l


class PhaseKind(enum.StrEnum):
    questionnaire = "questionnaire"
    open_meetings = "open_meetings"
    seminars = "seminars"
    analysis = "analysis"
    workshops = "workshops"
    drafting = "drafting"
    decision = "decision"
    follow_up = "follow_up"

    @property
    def label(self) -> str:
        return str(PHASE_LABELS[self])


PHASE_LABELS = {
    PhaseKind.questionnaire: _l("Questionnaire"),
    PhaseKind.open_meetings: _l("Open meetings"),
    PhaseKind.seminars: _l("Trend seminars"),
    PhaseKind.analysis: _l("Analysis"),
    PhaseKind.workshops: _l("Workshops"),
    PhaseKind.drafting: _l("Writing the vision"),
    PhaseKind.decision: _l("Decision"),
    PhaseKind.follow_up: _l("Follow-up"),
}


class Process(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    #: translations: {"sv": ..., "da": ..., "en": ...}
    title: Mapped[dict]
    summary: Mapped[dict] = mapped_column(default=dict)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    published: Mapped[bool] = mapped_column(default=False)
    #: left out of the public lists, but its page still answers at its address
    archived: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    phases: Mapped[list[Phase]] = relationship(
        back_populates="process", order_by="Phase.position", cascade="all, delete-orphan"
    )

    def current_phase(self, today: date) -> Phase | None:
        """The latest-started phase going on today (phases may overlap)."""
        running = [p for p in self.phases if p.status(today) == "current"]
        return max(running, key=lambda p: p.starts_on, default=None)


class Phase(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PhaseKind] = mapped_column(sa.Enum(PhaseKind, native_enum=False, length=20))
    title: Mapped[dict]
    description: Mapped[dict] = mapped_column(default=dict)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    position: Mapped[int] = mapped_column(default=0)

    process: Mapped[Process] = relationship(back_populates="phases")

    def status(self, today: date) -> str:
        if today < self.starts_on:
            return "upcoming"
        if today > self.ends_on:
            return "done"
        return "current"
