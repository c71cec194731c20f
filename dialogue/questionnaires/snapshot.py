"""Questionnaires as residents read them: an immutable copy per process, checked by version.

Answering is the hot path. Instead of loading the questionnaire and its questions through the ORM on
every request, each process keeps a frozen copy and asks the database only for the version number
(raised by dialogue.core.versioning on every change). The copies have the attribute names of the
models, so templates and answer checks take either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, g

from dialogue.core import site
from dialogue.core.database import param_marker
from dialogue.extensions import db
from dialogue.questionnaires.models import Question, Questionnaire, QuestionType, State


@dataclass(frozen=True, slots=True)
class QuestionSnapshot:
    id: int
    position: int
    type: QuestionType
    text: dict
    help: dict
    required: bool
    options: list
    allow_other: bool
    scale_max: int
    scale_min_label: dict
    scale_max_label: dict
    page: int
    hidden: bool


@dataclass(frozen=True, slots=True)
class QuestionnaireSnapshot:
    id: int
    version: int
    slug: str
    title: dict
    intro: dict
    next_steps: dict
    state: State
    opens_at: datetime | None
    closes_at: datetime | None
    languages: list
    questions: tuple[QuestionSnapshot, ...]

    def is_accepting(self, now: datetime) -> bool:
        return Questionnaire.is_accepting(self, now)

    @property
    def visible_questions(self) -> list[QuestionSnapshot]:
        return [q for q in self.questions if not q.hidden]


_QUESTION_FIELDS = [f for f in QuestionSnapshot.__slots__]
_QUESTIONNAIRE_FIELDS = [f for f in QuestionnaireSnapshot.__slots__ if f != "questions"]
_MAX_CACHED = 200


def _cache() -> dict[str, QuestionnaireSnapshot]:
    # one cache per app (and so per database), never shared between apps in one process
    return current_app.extensions.setdefault("dialogue.questionnaire_snapshots", {})


# The version check runs on every resident's request. It goes straight to the driver on a pooled
# connection: SQLAlchemy's session and statement machinery cost several times more than the query.
_MUNICIPALITY_VERSION = ("(SELECT m.id FROM municipality m ORDER BY m.id LIMIT 1), "
                         "(SELECT m.version FROM municipality m ORDER BY m.id LIMIT 1)")
_VERSION_SQL = f"SELECT q.id, q.version, {_MUNICIPALITY_VERSION} FROM questionnaire q WHERE q.slug = {{}}"
#: [questionnaire version, municipality id, municipality version] of the questionnaire with an id: what
#: a write confirms when the answers were checked against the cached copies (services.write_jobs)
VERSIONS_BY_ID_SQL = f"SELECT q.version, {_MUNICIPALITY_VERSION} FROM questionnaire q WHERE q.id = {{}}"


def _versions(slug: str):
    engine = db.engine
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(_VERSION_SQL.format(param_marker(engine.dialect)), (slug,))
        row = cursor.fetchone()
        cursor.close()
        return row
    finally:
        connection.close()  # back to the pool, which rolls back anything open


def cached(slug: str) -> tuple[QuestionnaireSnapshot, site.MunicipalitySnapshot] | None:
    """The copies this process last loaded (the questionnaire, the municipality), without asking the database.

    They may be out of date: only for a write that confirms their versions in its own transaction
    (``expected`` in :func:`dialogue.questionnaires.services.write_job`).
    """
    questionnaire = current_app.extensions.get("dialogue.questionnaire_snapshots", {}).get(slug)
    municipality = site.cached_snapshot()
    if questionnaire is None or municipality is None:
        return None
    return questionnaire, municipality


def load(slug: str) -> QuestionnaireSnapshot | None:
    """The questionnaire with this slug as it is in the database now, or None."""
    found = _versions(slug)
    if found is None:
        return None
    questionnaire_id, version, municipality_id, municipality_version = found
    if "municipality" not in g:
        g.municipality = site.load_snapshot(known=(municipality_id, municipality_version))
    cache = _cache()
    cached = cache.get(slug)
    if cached is not None and cached.id == questionnaire_id and cached.version == version:
        return cached
    head = db.session.execute(
        sa.select(*[getattr(Questionnaire, f) for f in _QUESTIONNAIRE_FIELDS])
        .where(Questionnaire.id == questionnaire_id)
    ).one()
    questions = db.session.execute(
        sa.select(*[getattr(Question, f) for f in _QUESTION_FIELDS])
        .where(Question.questionnaire_id == questionnaire_id).order_by(Question.position, Question.id)
    ).all()
    snapshot = QuestionnaireSnapshot(
        **head._asdict(), questions=tuple(QuestionSnapshot(**q._asdict()) for q in questions))
    if len(cache) >= _MAX_CACHED:
        cache.clear()
    cache[slug] = snapshot
    return snapshot
