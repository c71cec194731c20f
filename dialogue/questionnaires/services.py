"""Operations on questionnaires and responses. They flush; views commit."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from dialogue.coding.models import Channel, Contribution
from dialogue.coding.services import add_contributions
from dialogue.core import ordering
from dialogue.core.base import utcnow
from dialogue.core.database import insert_unless_present
from dialogue.extensions import db
from dialogue.questionnaires.answers import Answers
from dialogue.questionnaires.models import (
    ELSEWHERE,
    Answer,
    FeedbackContact,
    Question,
    Questionnaire,
    QuestionType,
    Response,
    ResponseChannel,
    State,
)


class QuestionnaireError(ValueError):
    """A change that the questionnaire's state does not allow."""


# -- private links -----------------------------------------------------------------------------------

def new_edit_token() -> str:
    """The resident's private-link token: 256 random bits, shown once, stored only as its hash."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_response_by_token(questionnaire: Questionnaire, token: str) -> Response | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(sa.select(Response).where(
        Response.edit_token_hash == token_hash(token), Response.questionnaire_id == questionnaire.id))


# -- storing answers ---------------------------------------------------------------------------------

def _profile(questions: list[Question], answers: Answers) -> dict:
    """Locality, group and age band as the resident gave them, for filtering and representativeness."""
    profile = {"locality_id": None, "locality_other": "", "respondent_group": "", "age_band": ""}
    for question in questions:
        value = answers.values.get(question.id)
        if value is None:
            continue
        if question.type == QuestionType.locality and profile["locality_id"] is None:
            if value == ELSEWHERE:
                profile["locality_other"] = ELSEWHERE
            else:
                profile["locality_id"] = int(value)
        elif question.type == QuestionType.group and not profile["respondent_group"]:
            profile["respondent_group"] = value
        elif question.type == QuestionType.age_band and not profile["age_band"]:
            profile["age_band"] = value
    return profile


@dataclass(frozen=True)
class Stored:
    """A response just stored: its id and, for web answers, the private-link token to show once."""

    response_id: int
    token: str | None


def store_response(questionnaire: Questionnaire, questions: list[Question], answers: Answers, *,
                   submission_key: str, language: str, channel: ResponseChannel = ResponseChannel.web,
                   entered_by_id: int | None = None, feedback_email: str = "") -> Stored | None:
    """Store a response with its answers, its contributions and the feedback address; flushes.

    None when a response with *submission_key* is stored already: the UNIQUE key, not a look-up
    first, decides, so two tabs or a double click racing each other store one response.
    """
    token = new_edit_token() if channel == ResponseChannel.web else None
    response_id = insert_unless_present(db.session, Response.__table__, {
        "questionnaire_id": questionnaire.id, "submission_key": submission_key, "submitted_at": utcnow(),
        "channel": channel, "language": language, "entered_by_id": entered_by_id,
        "edit_token_hash": token_hash(token) if token else None, **_profile(questions, answers),
    }, "submission_key")
    if response_id is None:
        return None
    _add_answers(response_id, questions, answers)
    if feedback_email:
        db.session.add(FeedbackContact(questionnaire_id=questionnaire.id, response_id=response_id,
                                       email=feedback_email, locale=language))
    db.session.flush()
    return Stored(response_id, token)


def _add_answers(response_id: int, questions: list[Question], answers: Answers) -> None:
    """The answers of a response, then a contribution per free-text answer: one INSERT each."""
    asked = [q for q in questions if q.id in answers.values]
    if not asked:
        return
    ids = db.session.scalars(
        sa.insert(Answer).returning(Answer.id, sort_by_parameter_order=True),
        [{"response_id": response_id, "question_id": q.id, "value": answers.values[q.id],
          "other_text": answers.other.get(q.id, "")} for q in asked],
    ).all()
    texts = [(answer_id, q) for answer_id, q in zip(ids, asked, strict=True) if q.type.is_text]
    if not texts:
        return
    response = db.session.execute(sa.select(
        Response.questionnaire_id, Response.channel, Response.language, Response.locality_id,
        Response.respondent_group, Response.submitted_at).where(Response.id == response_id)).one()
    channel = Channel.paper if response.channel == ResponseChannel.paper else Channel.questionnaire
    add_contributions([
        {"channel": channel, "text": answers.values[q.id], "language": response.language,
         "locality_id": response.locality_id, "respondent_group": response.respondent_group,
         "created_at": response.submitted_at, "answer_id": answer_id,
         "questionnaire_id": response.questionnaire_id, "question_id": q.id}
        for answer_id, q in texts])


def update_response(response: Response, questionnaire: Questionnaire, questions: list[Question],
                    answers: Answers) -> None:
    """Replace the answers of *response* (the resident changed them through the private link)."""
    asked = [q.id for q in questions]
    db.session.execute(sa.delete(Answer).where(Answer.response_id == response.id, Answer.question_id.in_(asked)))
    for key, value in _profile(questions, answers).items():
        setattr(response, key, value)
    response.updated_at = utcnow()
    db.session.flush()
    _add_answers(response.id, questions, answers)


def erase_response(response: Response) -> None:
    """Erase a response with its answers, contributions and feedback address."""
    db.session.execute(sa.delete(Response).where(Response.id == response.id))
    db.session.flush()


def set_hidden(response: Response, hidden: bool) -> None:
    response.hidden = hidden
    answer_ids = sa.select(Answer.id).where(Answer.response_id == response.id).scalar_subquery()
    db.session.execute(sa.update(Contribution).where(Contribution.answer_id.in_(answer_ids)).values(hidden=hidden))
    db.session.flush()


# -- building questionnaires -------------------------------------------------------------------------

def has_answers(question: Question) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(Answer.question_id == question.id)))


def questionnaire_has_responses(questionnaire: Questionnaire) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(Response.questionnaire_id == questionnaire.id)))


def add_question(questionnaire: Questionnaire, question: Question) -> Question:
    question.position = max((q.position for q in questionnaire.questions), default=-1) + 1
    if not question.page:
        question.page = max((q.page for q in questionnaire.questions), default=1)
    questionnaire.questions.append(question)
    db.session.flush()
    return question


def move_question(question: Question, offset: int) -> None:
    """Move a question up (-1) or down (+1) among its questionnaire's questions."""
    ordering.move(question.questionnaire.questions, question, offset)
    db.session.flush()


def remove_question(question: Question) -> None:
    if has_answers(question):
        raise QuestionnaireError("answered")
    questionnaire = question.questionnaire
    questionnaire.questions.remove(question)
    ordering.renumber(questionnaire.questions)
    db.session.flush()


def change_type(question: Question, new_type: QuestionType) -> None:
    if new_type != question.type and has_answers(question):
        raise QuestionnaireError("answered")
    question.type = new_type


def open_questionnaire(questionnaire: Questionnaire) -> None:
    if not questionnaire.visible_questions:
        raise QuestionnaireError("no-questions")
    questionnaire.state = State.open
    db.session.flush()


def close_questionnaire(questionnaire: Questionnaire) -> None:
    questionnaire.state = State.closed
    db.session.flush()


def _copy_question(question: Question) -> Question:
    columns = ("position", "type", "text", "help", "required", "options", "allow_other", "scale_max",
               "scale_min_label", "scale_max_label", "page", "hidden")
    return Question(**{c: getattr(question, c) for c in columns})


def copy_questionnaire(source: Questionnaire, slug: str, title: dict) -> Questionnaire:
    copy = Questionnaire(slug=slug, title=title, intro=dict(source.intro), next_steps=dict(source.next_steps),
                         languages=list(source.languages), process_id=source.process_id, state=State.draft)
    copy.questions = [_copy_question(q) for q in source.questions]
    db.session.add(copy)
    db.session.flush()
    return copy


def unique_slug(base: str) -> str:
    slug, n = base, 1
    while db.session.scalar(sa.select(sa.exists().where(Questionnaire.slug == slug))):
        n += 1
        slug = f"{base}-{n}"
    return slug


def count_responses(questionnaire_id: int, since: datetime | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(Response).where(
        Response.questionnaire_id == questionnaire_id, Response.hidden.is_(False))
    if since is not None:
        query = query.where(Response.submitted_at >= since)
    return db.session.scalar(query)
