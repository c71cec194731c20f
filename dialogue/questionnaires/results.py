"""Queries for the results page. Hidden (spam) responses never count."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from dialogue.coding.models import Contribution
from dialogue.core.time import zone
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.questionnaires.answers import OTHER, as_list, choices_for
from dialogue.questionnaires.models import Answer, Question, QuestionType, Response


@dataclass
class Bar:
    label: str
    count: int
    percent: float


def per_day(questionnaire_id: int) -> list[tuple[date, int]]:
    """Responses per local day, oldest first (the page writes each day in the reader's words)."""
    moments = db.session.scalars(sa.select(Response.submitted_at).where(
        Response.questionnaire_id == questionnaire_id, Response.hidden.is_(False)))
    days = Counter(moment.astimezone(zone()).date() for moment in moments)
    return sorted(days.items())


def distribution(question: Question, localities) -> list[Bar]:
    """Counts per choice of a choice, scale, locality, age or group question."""
    values = db.session.scalars(sa.select(Answer.value).join(Response).where(
        Answer.question_id == question.id, Response.hidden.is_(False)))
    counts = Counter(v for value in values for v in as_list(value))
    if question.type == QuestionType.scale:
        labels = [(str(n), str(n)) for n in range(1, question.scale_max + 1)]
    else:
        labels = choices_for(question, localities)
        if question.allow_other:
            labels.append((OTHER, _("Other")))
    total = sum(counts.values()) or 1
    return [Bar(label, counts.get(value, 0), round(100 * counts.get(value, 0) / total, 1)) for value, label in labels]


def text_answers(questionnaire_id: int, *, question_id: int | None, search: str, locality_id: int | None,
                 group: str, page: int):
    query = (sa.select(Contribution, Response.id.label("response_id"), Response.hidden, Response.channel)
             .join(Answer, Contribution.answer_id == Answer.id).join(Response, Answer.response_id == Response.id)
             .where(Contribution.questionnaire_id == questionnaire_id))
    if question_id:
        query = query.where(Contribution.question_id == question_id)
    if search:
        query = query.where(sa.func.lower(Contribution.text).contains(search.lower(), autoescape=True))
    if locality_id:
        query = query.where(Contribution.locality_id == locality_id)
    if group:
        query = query.where(Contribution.respondent_group == group)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(max(page, 1), pages)
    rows = db.session.execute(query.order_by(Contribution.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE))
    return Page(items=[tuple(row) for row in rows], page=page, pages=pages, total=total)


PER_PAGE = 25


@dataclass
class Page:
    items: list
    page: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1
