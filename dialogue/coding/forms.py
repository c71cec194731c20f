"""The coding queue's filters, read from the address (a GET form: they travel in every link).

Not a WTForm: a value that is not among the choices is simply left out (the queue shows everything
for that filter), and the page says which filter it ignored; nothing here can fail a request.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from dialogue.coding.models import CHANNEL_LABELS
from dialogue.core.respondents import GROUPS
from dialogue.core.services import get_municipality
from dialogue.events.models import Event
from dialogue.extensions import db
from dialogue.i18n import LANGUAGE_NAMES, _l
from dialogue.questionnaires.models import Question, Questionnaire, QuestionType

STATES = {"uncoded": _l("Not coded yet"), "coded": _l("Coded"), "all": _l("All")}
TEXT_TYPES = (QuestionType.short_text, QuestionType.long_text)

LABELS = {"state": _l("State"), "channel": _l("Channel"), "questionnaire": _l("Questionnaire"),
          "question": _l("Question"), "event": _l("Event"), "locality": _l("Locality"), "group": _l("Group"),
          "language": _l("Language"), "vision": _l("Vision")}


@dataclass
class Choices:
    """What each filter offers; ids are strings, as they come in the address."""

    questionnaires: list[tuple[str, object]] = field(default_factory=list)
    #: (questionnaire title, [(question id, question text), ...])
    questions: list[tuple[object, list[tuple[str, object]]]] = field(default_factory=list)
    events: list[tuple[str, object]] = field(default_factory=list)
    localities: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def load(cls) -> Choices:
        questionnaires = db.session.execute(
            sa.select(Questionnaire.id, Questionnaire.title).order_by(Questionnaire.id)).all()
        questions = db.session.execute(
            sa.select(Question.id, Question.text, Question.questionnaire_id)
            .where(sa.or_(Question.type.in_(TEXT_TYPES), Question.allow_other.is_(True)))
            .order_by(Question.questionnaire_id, Question.position)).all()
        by_questionnaire: dict[int, list[tuple[str, object]]] = {}
        for question in questions:
            by_questionnaire.setdefault(question.questionnaire_id, []).append((str(question.id), question.text))
        events = db.session.execute(sa.select(Event.id, Event.title).order_by(Event.starts_at)).all()
        municipality = get_municipality()
        places = municipality.active_localities if municipality else ()
        return cls(
            questionnaires=[(str(q.id), q.title) for q in questionnaires],
            questions=[(q.title, by_questionnaire[q.id]) for q in questionnaires if q.id in by_questionnaire],
            events=[(str(e.id), e.title) for e in events],
            localities=[(str(p.id), p.name) for p in places],
        )


@dataclass
class QueueFilters:
    state: str = "uncoded"
    channel: str = ""
    questionnaire: str = ""
    question: str = ""
    event: str = ""
    locality: str = ""
    group: str = ""
    language: str = ""
    vision: str = ""
    #: names of filters whose value was not among the choices, and so left out
    ignored: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args: MultiDict, choices: Choices, vision_ids: list[str]) -> QueueFilters:
        allowed = {
            "state": set(STATES),
            "channel": {str(key) for key in CHANNEL_LABELS},
            "questionnaire": {key for key, _title in choices.questionnaires},
            "question": {key for _title, items in choices.questions for key, _text in items},
            "event": {key for key, _title in choices.events},
            "locality": {key for key, _name in choices.localities},
            "group": set(GROUPS),
            "language": set(LANGUAGE_NAMES),
            "vision": set(vision_ids),
        }
        filters = cls()
        for name, values in allowed.items():
            wanted = args.get(name, "").strip()
            if wanted in values:
                setattr(filters, name, wanted)
            elif wanted:
                filters.ignored.append(name)
        return filters

    def ids(self, name: str) -> int | None:
        value = getattr(self, name)
        return int(value) if value else None

    def as_args(self) -> dict[str, str]:
        """The filters that are set, for links (the queue's default state is left out)."""
        default = {"state": "uncoded"}
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name != "ignored" and getattr(self, f.name) and getattr(self, f.name) != default.get(f.name)}
