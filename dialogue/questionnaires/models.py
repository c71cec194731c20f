"""Questionnaires, their questions, and residents' responses and answers."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.base import utcnow
from dialogue.extensions import db
from dialogue.i18n import _l


class State(enum.StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"


class QuestionType(enum.StrEnum):
    short_text = "short_text"
    long_text = "long_text"
    single_choice = "single_choice"
    multiple_choice = "multiple_choice"
    scale = "scale"
    locality = "locality"
    age_band = "age_band"
    group = "group"

    @property
    def label(self) -> str:
        return str(TYPE_LABELS[self])

    @property
    def is_text(self) -> bool:
        return self in (QuestionType.short_text, QuestionType.long_text)

    @property
    def has_options(self) -> bool:
        return self in (QuestionType.single_choice, QuestionType.multiple_choice)


TYPE_LABELS = {
    QuestionType.short_text: _l("Short text"),
    QuestionType.long_text: _l("Long text"),
    QuestionType.single_choice: _l("Single choice"),
    QuestionType.multiple_choice: _l("Multiple choice"),
    QuestionType.scale: _l("Scale"),
    QuestionType.locality: _l("Locality"),
    QuestionType.age_band: _l("Age"),
    QuestionType.group: _l("Respondent group"),
}

ELSEWHERE = "elsewhere"


class Questionnaire(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int | None] = mapped_column(sa.ForeignKey("process.id", ondelete="SET NULL"))
    #: the address: /questionnaires/<slug>
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[dict]
    intro: Mapped[dict] = mapped_column(default=dict)
    #: shown on the receipt: what happens with the answers
    next_steps: Mapped[dict] = mapped_column(default=dict)
    state: Mapped[State] = mapped_column(sa.Enum(State, native_enum=False, length=10), default=State.draft)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    #: the languages residents may answer in
    languages: Mapped[list] = mapped_column(sa.JSON, default=lambda: ["sv", "da", "en"])
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    questions: Mapped[list[Question]] = relationship(
        back_populates="questionnaire", order_by="Question.position", cascade="all, delete-orphan"
    )

    def is_accepting(self, now: datetime) -> bool:
        return (self.state == State.open
                and (self.opens_at is None or self.opens_at <= now)
                and (self.closes_at is None or now < self.closes_at))

    @property
    def visible_questions(self) -> list[Question]:
        return [q for q in self.questions if not q.hidden]


class Question(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        sa.ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    type: Mapped[QuestionType] = mapped_column(sa.Enum(QuestionType, native_enum=False, length=20))
    text: Mapped[dict]
    help: Mapped[dict] = mapped_column(default=dict)
    required: Mapped[bool] = mapped_column(default=False)
    #: choices: [{"value": "o1", "label": {"sv": ..., "en": ...}}, ...]
    options: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: multiple/single choice: offer "Other: ___"
    allow_other: Mapped[bool] = mapped_column(default=False)
    #: scale questions run from 1 to this (5 or 7)
    scale_max: Mapped[int] = mapped_column(default=5)
    scale_min_label: Mapped[dict] = mapped_column(default=dict)
    scale_max_label: Mapped[dict] = mapped_column(default=dict)
    #: long questionnaires are split into pages, numbered from 1
    page: Mapped[int] = mapped_column(default=1)
    #: hidden questions are no longer asked; their answers stay
    hidden: Mapped[bool] = mapped_column(default=False)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="questions")


class ResponseChannel(enum.StrEnum):
    web = "web"
    paper = "paper"


RESPONSE_CHANNEL_LABELS = {ResponseChannel.web: _l("Web"), ResponseChannel.paper: _l("Paper")}


class Response(db.Model):
    """One resident's answers. Holds no name or e-mail address."""

    __table_args__ = (sa.Index("ix_response_questionnaire_submitted", "questionnaire_id", "submitted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaire.id", ondelete="CASCADE"))
    #: random, chosen when the form is shown: a double click or a retry stores one response
    submission_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]
    channel: Mapped[ResponseChannel] = mapped_column(
        sa.Enum(ResponseChannel, native_enum=False, length=10), default=ResponseChannel.web
    )
    language: Mapped[str] = mapped_column(sa.String(5), default="")
    locality_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locality.id", ondelete="SET NULL"))
    #: "elsewhere" when the resident lives outside the municipality
    locality_other: Mapped[str] = mapped_column(sa.String(20), default="")
    respondent_group: Mapped[str] = mapped_column(sa.String(20), default="")
    age_band: Mapped[str] = mapped_column(sa.String(10), default="")
    #: spam, hidden by staff (audited, reversible); hidden responses do not count
    hidden: Mapped[bool] = mapped_column(default=False)
    #: SHA-256 of the resident's private link token
    edit_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan",
                                                 passive_deletes=True)


class Answer(db.Model):
    __table_args__ = (sa.UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("response.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id", ondelete="CASCADE"), index=True)
    #: text, an option value, a list of option values, a scale number or a locality id, by type
    value: Mapped[object] = mapped_column(sa.JSON)
    #: the text typed after "Other:"
    other_text: Mapped[str] = mapped_column(sa.Text, default="")

    response: Mapped[Response] = relationship(back_populates="answers")


class FeedbackContact(db.Model):
    """An address a resident left to hear about the outcome. Kept apart from the answers."""

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaire.id", ondelete="CASCADE"),
                                                  index=True)
    #: erasing the response erases the address too
    response_id: Mapped[int | None] = mapped_column(sa.ForeignKey("response.id", ondelete="CASCADE"),
                                                    unique=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    locale: Mapped[str] = mapped_column(sa.String(5))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    notified_at: Mapped[datetime | None]
