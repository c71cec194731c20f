"""Operations on questionnaires and responses. They flush; views commit."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from dialogue.coding.models import Channel, Contribution
from dialogue.core.base import utcnow
from dialogue.core.database import DriverInsert, param_marker
from dialogue.extensions import db
from dialogue.questionnaires import snapshot
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


class StaleSnapshot(Exception):  # noqa: N818 - a state, not an error: the caller checks again and retries
    """The questionnaire or the municipality changed after the answers were checked against them."""


# -- submission keys and private links ---------------------------------------------------------------

def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


def edit_token(submission_key: str) -> str:
    """The resident's private-link token, derived from the submission key (256-bit HMAC).

    Deriving it lets a retried or double-clicked submission show the same link again, although only
    its hash is stored; the submission key itself never leaves the resident's page.
    """
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, b"edit-link:" + submission_key.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_response_by_token(questionnaire: Questionnaire, token: str) -> Response | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(sa.select(Response).where(
        Response.edit_token_hash == token_hash(token), Response.questionnaire_id == questionnaire.id))


# -- storing answers ---------------------------------------------------------------------------------

# Submitting is the hot path: the statements are built once and run straight on the DB-API connection.
_INSERT_RESPONSE = DriverInsert(Response.__table__, [
    "questionnaire_id", "submission_key", "submitted_at", "channel", "language", "hidden", "entered_by_id",
    "updated_at", "edit_token_hash", "locality_id", "locality_other", "respondent_group", "age_band",
], returning=("id", "submission_key"), unless_present="submission_key")
_INSERT_ANSWERS = DriverInsert(Answer.__table__, ["response_id", "question_id", "value", "other_text"])
_INSERT_CONTACT = DriverInsert(FeedbackContact.__table__, [
    "questionnaire_id", "response_id", "email", "locale", "created_at", "notified_at",
])


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


def _insert(cursor, dialect, statement: DriverInsert, rows: list[dict]):
    cursor.execute(statement.sql(dialect, len(rows)), statement.params(dialect, rows))
    return cursor


def response_job(questionnaire_id: int, questions: list[Question], answers: Answers, *, submission_key: str,
                 language: str, channel: ResponseChannel = ResponseChannel.web, entered_by_id: int | None = None,
                 feedback_email: str = "", expected: list[int] | None = None, token: str | None = None) -> dict:
    """Everything :func:`write_job` stores, as plain data (it may travel to the writer process).

    *expected*: [questionnaire version, municipality id, municipality version] the answers were checked
    against, when they were read from this process's copies without asking the database. *token*: the
    private-link token, when the caller has made it already (``edit_token(submission_key)``).
    """
    if channel == ResponseChannel.web:
        token_digest = token_hash(token or edit_token(submission_key))
    else:
        token_digest = None
    return {
        "expected": expected,
        "questionnaire_id": questionnaire_id, "submission_key": submission_key, "language": language,
        "channel": channel.value, "entered_by_id": entered_by_id, "feedback_email": feedback_email,
        "edit_token_hash": token_digest,
        "profile": _profile(questions, answers),
        "answers": _answer_rows(questions, answers),
    }


def _answer_rows(questions: list[Question], answers: Answers) -> list[list]:
    """[question id, value, "other" text, whether it is a contribution (free text)] per answered question."""
    return [[q.id, answers.values[q.id], answers.other.get(q.id, ""), q.type.is_text]
            for q in questions if q.id in answers.values]


def _insert_answers(cursor, dialect, stored: list[tuple[int, dict]]) -> None:
    """The answers of each (new response id, its job), then a contribution per free-text answer: one
    statement each."""
    answers = [{"response_id": response_id, "question_id": question_id, "value": value, "other_text": other}
               for response_id, job in stored for question_id, value, other, _is_text in job["answers"]]
    if not answers:
        return
    _insert(cursor, dialect, _INSERT_ANSWERS, answers)
    texts = [(response_id, question_id, value)
             for response_id, job in stored for question_id, value, _other, is_text in job["answers"] if is_text]
    if texts:
        cursor.execute(*_CONTRIBUTIONS.statement(dialect, texts, utcnow()))


class _ContributionsOfAnswers:
    """``INSERT INTO contribution ... SELECT``: a contribution per (response id, question id, text), its
    channel, language, place and group read from the response and its answer id from the answer just
    stored, in SQL rather than row by row in Python. The other columns get their model defaults."""

    def __init__(self) -> None:
        self._built: dict[str, tuple] = {}

    def _build(self, dialect) -> tuple:
        built = self._built.get(dialect.name)
        if built is None:
            table = Contribution.__table__
            marker = param_marker(dialect)

            def stored(column, value):  # a value as its column's bind processor stores it
                process = column.type.dialect_impl(dialect).bind_processor(dialect)
                return value if process is None else process(value)

            head = ("channel", "text", "language", "locality_id", "respondent_group", "created_at", "answer_id",
                    "questionnaire_id", "question_id", "hidden")
            defaults = {c.name: c.default.arg for c in table.columns
                        if c.name not in head and not c.primary_key and c.default is not None}
            if any(callable(value) for value in defaults.values()):
                raise NotImplementedError("contribution: a default computed per row")
            quote = dialect.identifier_preparer.quote
            columns = ", ".join(quote(name) for name in [*head, *defaults])
            select = (f"CASE WHEN r.channel = {marker} THEN {marker} ELSE {marker} END, t.text, r.language, "
                      f"r.locality_id, r.respondent_group, {marker}, a.id, r.questionnaire_id, a.question_id, "
                      f"{marker}" + "".join(f", {marker}" for _ in defaults))
            constants = [
                stored(Response.__table__.c.channel, ResponseChannel.paper), stored(table.c.channel, Channel.paper),
                stored(table.c.channel, Channel.questionnaire)]
            after_time = [stored(table.c.hidden, False),
                          *(stored(table.c[name], value) for name, value in defaults.items())]
            tail = (f" INSERT INTO contribution ({columns}) SELECT {select} FROM t "
                    "JOIN answer a ON a.response_id = t.response_id AND a.question_id = t.question_id "
                    "JOIN response r ON r.id = t.response_id ORDER BY a.id")
            row = f"({marker}, {marker}, {marker})"
            moment = table.c.created_at.type.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)
            built = self._built[dialect.name] = (row, tail, constants, after_time, moment)
        return built

    def statement(self, dialect, texts: list[tuple[int, int, str]], now) -> tuple[str, list]:
        row, tail, constants, after_time, moment = self._build(dialect)
        sql = "WITH t (response_id, question_id, text) AS (VALUES " + ", ".join([row] * len(texts)) + ")" + tail
        params = [value for text in texts for value in text]
        params += [*constants, moment(now), *after_time]
        return sql, params


_CONTRIBUTIONS = _ContributionsOfAnswers()


def write_job(connection, dialect, job: dict) -> tuple[int, bool]:
    """Store a response once per submission key on a DB-API *connection*; return (id, whether it is new).

    The UNIQUE key, not a look-up first, decides: two tabs or a double click racing each other
    store one response, on SQLite and PostgreSQL alike. The caller commits.

    :raise StaleSnapshot: the job's ``expected`` versions are no longer those in the database (and the
        key is not stored yet); nothing is written
    """
    (result,) = write_jobs(connection, dialect, [job])
    if result is None:
        raise StaleSnapshot
    return result


def write_jobs(connection, dialect, jobs: list[dict]) -> list[tuple[int, bool] | None]:
    """:func:`write_job` for several jobs in one statement per table (the writer's batches).

    Per job: (response id, whether this job stored it), or None when its ``expected`` versions no longer
    hold and its key is not stored (nothing written for it). Of jobs sharing a key, the first stores it.
    On an error some rows may be written: the caller rolls back.
    """
    now = utcnow()
    cursor = connection.cursor()
    try:
        stale = _stale(cursor, dialect, jobs)
        first: dict[str, dict] = {}  # the job that may store each key
        for index, job in enumerate(jobs):
            if index not in stale:
                first.setdefault(job["submission_key"], job)
        new: dict[str, int] = {}
        if first:
            rows = _insert(cursor, dialect, _INSERT_RESPONSE, [dict(
                questionnaire_id=job["questionnaire_id"], submission_key=key, submitted_at=now,
                channel=ResponseChannel(job["channel"]), language=job["language"], hidden=False,
                entered_by_id=job["entered_by_id"], updated_at=None, edit_token_hash=job["edit_token_hash"],
                **job["profile"]) for key, job in first.items()]).fetchall()
            new = {key: response_id for response_id, key in rows}
            _insert_answers(cursor, dialect, [(new[key], job) for key, job in first.items() if key in new])
            contacts = [{"questionnaire_id": job["questionnaire_id"], "response_id": new[key],
                         "email": job["feedback_email"], "locale": job["language"], "created_at": now,
                         "notified_at": None} for key, job in first.items() if key in new and job["feedback_email"]]
            if contacts:
                _insert(cursor, dialect, _INSERT_CONTACT, contacts)
        missing = {job["submission_key"] for job in jobs} - new.keys()
        stored = _stored_ids(cursor, dialect, missing) if missing else {}
        results: list[tuple[int, bool] | None] = []
        for job in jobs:
            key = job["submission_key"]
            if key in new and first[key] is job:
                results.append((new[key], True))
            elif key in new or key in stored:
                results.append((new.get(key) or stored[key], False))
            else:
                results.append(None)
        return results
    finally:
        cursor.close()


def _stored_ids(cursor, dialect, keys: set[str]) -> dict[str, int]:
    """{submission key: response id} of those *keys* stored already."""
    keys = sorted(keys)
    cursor.execute(f"SELECT submission_key, id FROM response WHERE submission_key IN "
                   f"({', '.join([param_marker(dialect)] * len(keys))})", keys)
    return dict(cursor.fetchall())




def _stale(cursor, dialect, jobs: list[dict]) -> set[int]:
    """The indexes of *jobs* whose ``expected`` versions no longer hold; one query per questionnaire."""
    found: dict[int, list] = {}
    stale = set()
    for index, job in enumerate(jobs):
        if not job.get("expected"):
            continue
        questionnaire_id = job["questionnaire_id"]
        if questionnaire_id not in found:
            # In the write's own transaction: on SQLite it holds the write lock already; on PostgreSQL
            # FOR SHARE keeps the questionnaire from changing (closing it, say) until the commit.
            sql = (snapshot.VERSIONS_BY_ID_SQL.format(param_marker(dialect))
                   + (" FOR SHARE" if dialect.name == "postgresql" else ""))
            cursor.execute(sql, (questionnaire_id,))
            found[questionnaire_id] = list(cursor.fetchone() or ())
        if found[questionnaire_id] != list(job["expected"]):
            stale.add(index)
    return stale


def _session_connection():
    """The DB-API connection of the ORM session's transaction, after a flush (raw rows may refer to new ones)."""
    db.session.flush()
    connection = db.session.connection()
    return connection.connection.driver_connection, connection.dialect


def store_response(questionnaire: Questionnaire, questions: list[Question], answers: Answers, *,
                   submission_key: str, language: str, channel: ResponseChannel = ResponseChannel.web,
                   entered_by_id: int | None = None, feedback_email: str = "") -> tuple[int, bool]:
    """:func:`write_job` in the ORM session's transaction (paper answers, the demo); the view commits."""
    driver, dialect = _session_connection()
    return write_job(driver, dialect, response_job(
        questionnaire.id, questions, answers, submission_key=submission_key, language=language, channel=channel,
        entered_by_id=entered_by_id, feedback_email=feedback_email))


def update_response(response: Response, questionnaire: Questionnaire, questions: list[Question],
                    answers: Answers) -> None:
    """Replace the answers of *response* (the resident changed them through the private link)."""
    profile = _profile(questions, answers)
    asked = [q.id for q in questions]
    db.session.execute(sa.delete(Answer).where(Answer.response_id == response.id, Answer.question_id.in_(asked)))
    for key, value in profile.items():
        setattr(response, key, value)
    response.updated_at = utcnow()
    driver, dialect = _session_connection()
    cursor = driver.cursor()
    try:
        _insert_answers(cursor, dialect, [(response.id, {"answers": _answer_rows(questions, answers)})])
    finally:
        cursor.close()


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
    questions = list(question.questionnaire.questions)
    index = questions.index(question)
    target = index + offset
    if not 0 <= target < len(questions):
        return
    questions[index], questions[target] = questions[target], questions[index]
    for position, item in enumerate(questions):
        item.position = position
    db.session.flush()


def remove_question(question: Question) -> None:
    if has_answers(question):
        raise QuestionnaireError("answered")
    questionnaire = question.questionnaire
    questionnaire.questions.remove(question)
    for position, item in enumerate(questionnaire.questions):
        item.position = position
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
