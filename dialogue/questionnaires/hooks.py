"""What questionnaires add to the features below them, registered when their blueprint is registered on an app."""

from __future__ import annotations

import sqlalchemy as sa
from flask.blueprints import BlueprintSetupState

from dialogue.coding import sources
from dialogue.coding.models import Contribution
from dialogue.core.base import utcnow
from dialogue.extensions import db
from dialogue.i18n import _l
from dialogue.processes import parts
from dialogue.processes.models import Process
from dialogue.questionnaires.models import Question, Questionnaire, QuestionType, Response, State

#: questions whose answers are free text; a choice question's "other" text is one too
TEXT_TYPES = (QuestionType.short_text, QuestionType.long_text)


def _facts(contribution: Contribution) -> list[sources.Fact]:
    facts = []
    questionnaire = (db.session.get(Questionnaire, contribution.questionnaire_id)
                     if contribution.questionnaire_id else None)
    if questionnaire is not None:
        facts.append(sources.Fact(_l("Questionnaire"), questionnaire.title, in_round=False))
    question = db.session.get(Question, contribution.question_id) if contribution.question_id else None
    if question is not None:
        facts.append(sources.Fact(_l("Question"), question.text))
    return facts


def _filters() -> list[sources.Filter]:
    questionnaires = db.session.execute(
        sa.select(Questionnaire.id, Questionnaire.title).order_by(Questionnaire.id)).all()
    questions = db.session.execute(
        sa.select(Question.id, Question.text, Question.questionnaire_id)
        .where(sa.or_(Question.type.in_(TEXT_TYPES), Question.allow_other.is_(True)))
        .order_by(Question.questionnaire_id, Question.position)).all()
    by_questionnaire: dict[int, list[tuple[str, object]]] = {}
    for question in questions:
        by_questionnaire.setdefault(question.questionnaire_id, []).append((str(question.id), question.text))
    return [
        sources.Filter("questionnaire", _l("Questionnaire"), _l("All questionnaires"), Contribution.questionnaire_id,
                       [(str(q.id), q.title) for q in questionnaires]),
        sources.Filter("question", _l("Question"), _l("All questions"), Contribution.question_id,
                       [(q.title, by_questionnaire[q.id]) for q in questionnaires if q.id in by_questionnaire],
                       grouped=True),
    ]


def open_questionnaires(process: Process) -> list[Questionnaire]:
    """The process's questionnaires that take answers now."""
    candidates = db.session.scalars(sa.select(Questionnaire).where(
        Questionnaire.process_id == process.id, Questionnaire.state == State.open)).all()
    now = utcnow()
    return [q for q in candidates if q.is_accepting(now)]


def all_questionnaires(process: Process) -> list[tuple[Questionnaire, int, int]]:
    """Every questionnaire of the process, drafts too, with its numbers of responses and contributions."""
    responses = (sa.select(sa.func.count()).select_from(Response)
                 .where(Response.questionnaire_id == Questionnaire.id, Response.hidden.is_(False)).scalar_subquery())
    contributions = (sa.select(sa.func.count()).select_from(Contribution)
                     .where(Contribution.questionnaire_id == Questionnaire.id).scalar_subquery())
    return [tuple(row) for row in db.session.execute(
        sa.select(Questionnaire, responses, contributions).where(Questionnaire.process_id == process.id)
        .order_by(Questionnaire.created_at))]


def register(state: BlueprintSetupState) -> None:
    # coding shows and filters contributions by questionnaire and question but knows no questionnaires
    sources.register(state.app, sources.Describer(facts=_facts, filters=_filters))
    # a process's page invites residents to answer, but processes know no questionnaires
    parts.register(state.app, parts.Part(items=open_questionnaires,
                                         template="questionnaires/display/_take_part.html"))
    parts.register(state.app, parts.Part(items=all_questionnaires,
                                         template="questionnaires/manage/_process_part.html"), staff=True)
