"""Contributions: every piece of text residents give, whatever the channel, ready for coding."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.base import utcnow
from dialogue.extensions import db
from dialogue.i18n import _l


class Channel(enum.StrEnum):
    questionnaire = "questionnaire"
    paper = "paper"
    open_meeting = "open_meeting"
    seminar = "seminar"
    workshop = "workshop"

    @property
    def label(self) -> str:
        return str(CHANNEL_LABELS[self])


CHANNEL_LABELS = {
    Channel.questionnaire: _l("Questionnaire (web)"),
    Channel.paper: _l("Questionnaire (paper)"),
    Channel.open_meeting: _l("Open meeting"),
    Channel.seminar: _l("Seminar"),
    Channel.workshop: _l("Workshop"),
}


NOTE_KINDS = {
    "statement": _l("Statement"),
    "idea": _l("Idea"),
    "challenge": _l("Challenge"),
    "building_block": _l("Building block"),
}


class Contribution(db.Model):
    """One taggable piece of text: a free-text answer, a note from a meeting, a post-it.

    Coding, exports and "what we heard" work over this one concept, so a new channel costs nothing
    downstream. It holds no personal data: only the text and what is known of its context.
    """

    __table_args__ = (
        sa.Index("ix_contribution_channel_created", "channel", "created_at"),
        # the coding queue filters on these; with 100,000 contributions a scan is too slow
        sa.Index("ix_contribution_question_id", "question_id"),
        sa.Index("ix_contribution_locality_id", "locality_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(sa.Enum(Channel, native_enum=False, length=20))
    text: Mapped[str] = mapped_column(sa.Text)
    #: the language the resident wrote in, as far as it is known (the page's language)
    language: Mapped[str] = mapped_column(sa.String(5), default="")
    locality_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locality.id", ondelete="SET NULL"))
    respondent_group: Mapped[str] = mapped_column(sa.String(20), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the answer it came from; the contribution goes when the answer is erased
    answer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("answer.id", ondelete="CASCADE"), unique=True
    )
    questionnaire_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("question.id", ondelete="CASCADE"))
    #: the meeting, seminar or workshop where it was said
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    #: what an organizer noted it as: a statement, an idea, or a workshop's challenge or building block
    note_kind: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    #: who typed it in (staff), for notes from events
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    #: hidden with its response (spam); hidden contributions are not coded or counted
    hidden: Mapped[bool] = mapped_column(default=False)
    #: the analysts' note while coding
    coding_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    #: an analyst judged it fit to quote on the public "what we heard" page (no personal data in it)
    publishable: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    codings: Mapped[list[Coding]] = relationship(back_populates="contribution", cascade="all, delete-orphan",
                                                 passive_deletes=True)

    @property
    def active_codings(self) -> list[Coding]:
        return [c for c in self.codings if c.removed_at is None]


class Coding(db.Model):
    """A contribution coded to a building block (or another node of the vision).

    Removing a code keeps the row with who removed it and when: the history of the analysis stays.
    """

    __table_args__ = (
        sa.Index("uq_coding_active", "contribution_id", "node_id", unique=True,
                 sqlite_where=sa.text("removed_at IS NULL"), postgresql_where=sa.text("removed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(sa.ForeignKey("contribution.id", ondelete="CASCADE"), index=True)
    node_id: Mapped[int] = mapped_column(sa.ForeignKey("vision_node.id", ondelete="CASCADE"), index=True)
    coder_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the analyst confirmed a suggestion rather than choosing the block unprompted
    from_suggestion: Mapped[bool] = mapped_column(default=False)
    #: the coded part of the text, as character offsets, when not the whole text
    excerpt_start: Mapped[int | None]
    excerpt_end: Mapped[int | None]
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    contribution: Mapped[Contribution] = relationship(back_populates="codings")


class Suggestion(db.Model):
    """A building block the suggestion model proposes for a contribution, with its score.

    Kept apart from `Coding` on purpose: a suggestion never counts as a code until an analyst confirms
    it (the code then records `from_suggestion`). Recomputed in bulk; the newest run replaces the last.
    """

    # the unique constraint's index also serves "suggestions of this contribution"
    __table_args__ = (sa.UniqueConstraint("contribution_id", "node_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(sa.ForeignKey("contribution.id", ondelete="CASCADE"))
    node_id: Mapped[int] = mapped_column(sa.ForeignKey("vision_node.id", ondelete="CASCADE"), index=True)
    #: 1 is the most likely block
    rank: Mapped[int]
    score: Mapped[float]
    #: "model" (learnt from confirmed codes) or "titles" (the blocks' own words; "keywords" in older runs)
    source: Mapped[str] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SuggestionRun(db.Model):
    """One computation of the suggestions for a vision, with how good they were on held-out codes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    vision_id: Mapped[int] = mapped_column(sa.ForeignKey("vision.id", ondelete="CASCADE"), index=True)
    #: "model" or "titles", as in `Suggestion.source`
    source: Mapped[str] = mapped_column(sa.String(10))
    #: confirmed, active codes on the vision's blocks when it ran
    codes: Mapped[int]
    #: coded contributions the suggestions were measured on (by cross-validation for a model)
    held_out: Mapped[int]
    #: share of the three suggestions that were right, on those contributions (None: nothing to measure)
    precision_at_3: Mapped[float | None]
    #: the same for the blocks' own words alone
    keyword_precision_at_3: Mapped[float | None]
    #: the best precision at 3 possible on those contributions (a contribution with one code reaches 1/3)
    best_precision_at_3: Mapped[float | None]
    #: contributions that got at least one suggestion
    suggested: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: hits at 1 and 3 with intervals, in all and per language, of the source shown and the other one
    #: (`dialogue.coding.learn.suggest`); None before the first code, and in runs older than this field
    measure: Mapped[dict | None]

    @property
    def figures(self):
        """The measure in the words and numbers shown to analysts (`dialogue.coding.figures.Figures`)."""
        from dialogue.coding.figures import Figures

        return Figures.of(self)


class AgreementRound(db.Model):
    """A random sample of contributions coded twice, blind, to measure how well analysts agree."""

    id: Mapped[int] = mapped_column(primary_key=True)
    vision_id: Mapped[int] = mapped_column(sa.ForeignKey("vision.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    #: share of the codable contributions drawn, in percent
    sample_percent: Mapped[int]
    coder_a_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    coder_b_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: no more coding or settling once set
    closed_at: Mapped[datetime | None]
    #: the creating form's random key: a double click or a retry draws one sample, not two
    submission_key: Mapped[str] = mapped_column(sa.String(64), unique=True)

    items: Mapped[list[AgreementItem]] = relationship(back_populates="round", cascade="all, delete-orphan",
                                                      passive_deletes=True, order_by="AgreementItem.id")


class AgreementItem(db.Model):
    """One sampled contribution; each analyst marks it done, even when no block applies."""

    __table_args__ = (sa.UniqueConstraint("round_id", "contribution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("agreement_round.id", ondelete="CASCADE"), index=True)
    contribution_id: Mapped[int] = mapped_column(sa.ForeignKey("contribution.id", ondelete="CASCADE"), index=True)
    a_done_at: Mapped[datetime | None]
    b_done_at: Mapped[datetime | None]
    #: when an admin settled a disagreement on this item
    settled_at: Mapped[datetime | None]

    round: Mapped[AgreementRound] = relationship(back_populates="items")
    codes: Mapped[list[AgreementCode]] = relationship(back_populates="item", cascade="all, delete-orphan",
                                                      passive_deletes=True)


class AgreementCode(db.Model):
    """One analyst's code in an agreement round; the other analyst never sees it while coding."""

    __table_args__ = (sa.UniqueConstraint("item_id", "coder_id", "node_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("agreement_item.id", ondelete="CASCADE"), index=True)
    coder_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    node_id: Mapped[int] = mapped_column(sa.ForeignKey("vision_node.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[AgreementItem] = relationship(back_populates="codes")
