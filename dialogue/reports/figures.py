"""The figures of a process's dashboard. Hidden (spam) responses and contributions never count.

Participation is compared with the population only over the responses that gave a locality in the
municipality (or an age band): the others cannot be placed, and the page says so.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import format_date
from sqlalchemy.orm import aliased, outerjoin

from dialogue.coding.models import Channel, Coding, Contribution
from dialogue.core.models import Locality
from dialogue.core.respondents import AGE_BANDS
from dialogue.core.time import zone
from dialogue.events.models import Event
from dialogue.extensions import db
from dialogue.i18n import _, tr
from dialogue.processes.models import Process
from dialogue.questionnaires import results
from dialogue.questionnaires.models import Answer, Questionnaire, Response, ResponseChannel
from dialogue.questionnaires.results import Bar
from dialogue.reports.models import PopulationFigure
from dialogue.vision.models import NodeKind, VisionNode

#: a group whose share of respondents is below this part of its share of the population is flagged
UNDER_REPRESENTED = 0.8


@dataclass
class Representation:
    key: str
    label: str
    respondents: int
    respondent_share: float  # percent, of the respondents who gave this kind of answer
    population: int
    population_share: float  # percent of the population
    ratio: float | None  # respondent share / population share; None without population figures

    @property
    def under_represented(self) -> bool:
        return self.ratio is not None and self.ratio < UNDER_REPRESENTED


@dataclass
class BlockRow:
    node_id: int
    label: str
    total: int
    by_channel: dict[str, int]
    by_locality: dict[int | None, int]


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _bars(counts: dict, labels: list[tuple]) -> list[Bar]:
    total = sum(counts.values())
    return [Bar(label, counts.get(key, 0), _percent(counts.get(key, 0), total)) for key, label in labels]


def questionnaire_ids(process: Process) -> list[int]:
    return list(db.session.scalars(sa.select(Questionnaire.id).where(Questionnaire.process_id == process.id)))


def _responses(process: Process) -> sa.Select:
    return sa.select(Response).where(Response.questionnaire_id.in_(questionnaire_ids(process)),
                                     Response.hidden.is_(False))


def _contributions(process: Process):
    events = sa.select(Event.id).where(Event.process_id == process.id)
    return sa.and_(Contribution.hidden.is_(False),
                   sa.or_(Contribution.questionnaire_id.in_(questionnaire_ids(process)),
                          Contribution.event_id.in_(events)))


def _grouped(query: sa.Select, column) -> Counter:
    """Counts per value of *column*, added up by the database rather than in Python."""
    return Counter(dict(db.session.execute(query.with_only_columns(column, sa.func.count()).group_by(column)).all()))


def _utc_hour(column):
    """The UTC hour of a moment as text 'YYYY-MM-DD HH', in each engine's own words."""
    if db.engine.dialect.name == "sqlite":  # stored as naive UTC
        return sa.func.strftime("%Y-%m-%d %H", column)
    return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM-DD HH24")


def per_week(query: sa.Select, column) -> list[Bar]:
    """Counts per local week (Monday to Sunday), every week from the first to the last, gaps as 0.

    The database counts per UTC hour (a few thousand rows at most, whatever the number of answers); the
    hours are then placed in local weeks, which is exact for zones a whole number of hours from UTC.
    """
    hour = _utc_hour(column)
    local = zone()
    weeks: Counter = Counter()
    for key, number in db.session.execute(query.with_only_columns(hour, sa.func.count()).group_by(hour)):
        day = datetime.strptime(key, "%Y-%m-%d %H").replace(tzinfo=UTC).astimezone(local).date()
        weeks[day - timedelta(days=day.weekday())] += number
    if not weeks:
        return []
    first, last = min(weeks), max(weeks)
    keys: list[date] = []
    while first <= last:
        keys.append(first)
        first += timedelta(days=7)
    return _bars(weeks, [(week, _("Week of %(day)s", day=format_date(week))) for week in keys])


def responses_per_week(process: Process) -> list[Bar]:
    return per_week(_responses(process), Response.submitted_at)


def contributions_per_week(process: Process) -> list[Bar]:
    """Contributions in the week they were made, not the week their rows were written (a load or an import).

    A questionnaire answer counts when its response was sent, a note from an event on the event's date; only
    a contribution with neither falls back on when its row was made.
    """
    answer, response, event = aliased(Answer), aliased(Response), aliased(Event)
    made = sa.func.coalesce(response.submitted_at, event.starts_at, Contribution.created_at)
    sources = (outerjoin(Contribution, answer, answer.id == Contribution.answer_id)
               .outerjoin(response, response.id == answer.response_id)
               .outerjoin(event, event.id == Contribution.event_id))
    return per_week(sa.select(Contribution.id).select_from(sources).where(_contributions(process)), made)


def responses_by_channel(process: Process) -> list[Bar]:
    counts = _grouped(_responses(process), Response.channel)
    return _bars(counts, [(ResponseChannel.web, _("Web")), (ResponseChannel.paper, _("Paper"))])


def contributions_by_channel(process: Process) -> list[Bar]:
    counts = _grouped(sa.select(Contribution.id).where(_contributions(process)), Contribution.channel)
    return _bars(counts, [(channel, channel.label) for channel in Channel])


def _representation(counts: Counter, population: Counter, labels: list[tuple[object, str]]) -> list[Representation]:
    respondents = sum(counts[key] for key, _label in labels)
    people = sum(population.values())
    rows = []
    for key, label in labels:
        respondent_share = _percent(counts[key], respondents)
        population_share = _percent(population[key], people)
        ratio = None
        if population[key] and respondents:
            # from the exact fractions, not the rounded percentages
            ratio = round((counts[key] / respondents) / (population[key] / people), 2)
        rows.append(Representation(str(key), label, counts[key], respondent_share, population[key],
                                   population_share, ratio))
    return rows


def by_locality(process: Process) -> list[Representation]:
    localities = db.session.scalars(sa.select(Locality).order_by(Locality.position)).all()
    counts = _grouped(_responses(process).where(Response.locality_id.is_not(None)), Response.locality_id)
    population = Counter(dict(db.session.execute(
        sa.select(PopulationFigure.locality_id, sa.func.sum(PopulationFigure.count))
        .group_by(PopulationFigure.locality_id)).all()))
    shown = [(loc.id, loc.name) for loc in localities if not loc.archived or counts[loc.id] or population[loc.id]]
    return _representation(counts, population, shown)


def by_age_band(process: Process) -> list[Representation]:
    counts = _grouped(_responses(process).where(Response.age_band != ""), Response.age_band)
    population = Counter(dict(db.session.execute(
        sa.select(PopulationFigure.age_band, sa.func.sum(PopulationFigure.count))
        .group_by(PopulationFigure.age_band)).all()))
    return _representation(counts, population, [(key, str(label)) for key, label in AGE_BANDS.items()])


def response_count(process: Process) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(_responses(process).subquery())) or 0


def contribution_count(process: Process) -> int:
    return db.session.scalar(sa.select(sa.func.count(Contribution.id)).where(_contributions(process))) or 0


def question_charts(process: Process, localities) -> list[tuple]:
    """(questionnaire, question, bars) for every choice, scale, locality, age and group question."""
    questionnaires = db.session.scalars(sa.select(Questionnaire).where(Questionnaire.process_id == process.id)
                                        .order_by(Questionnaire.id)).all()
    return [(questionnaire, question, results.distribution(question, localities))
            for questionnaire in questionnaires for question in questionnaire.questions
            if not question.type.is_text and not question.hidden]


def building_blocks(process: Process) -> list[BlockRow]:
    """Building blocks by the number of the process's contributions coded to them, most first."""
    rows = db.session.execute(
        sa.select(VisionNode.id, Contribution.id, Contribution.channel, Contribution.locality_id)
        .select_from(Coding).join(Contribution, Contribution.id == Coding.contribution_id)
        .join(VisionNode, VisionNode.id == Coding.node_id)
        .where(Coding.removed_at.is_(None), VisionNode.kind == NodeKind.building_block, _contributions(process))
        .distinct()
    ).all()
    # titles apart: PostgreSQL cannot compare JSON columns for DISTINCT
    titles = dict(db.session.execute(sa.select(VisionNode.id, VisionNode.title)
                                     .where(VisionNode.id.in_({row[0] for row in rows}))).all()) if rows else {}
    blocks: dict[int, BlockRow] = {}
    for node_id, _contribution_id, channel, locality_id in rows:
        block = blocks.setdefault(node_id, BlockRow(node_id, tr(titles[node_id]), 0, defaultdict(int),
                                                    defaultdict(int)))
        block.total += 1
        block.by_channel[str(channel)] += 1
        block.by_locality[locality_id] += 1
    return sorted(blocks.values(), key=lambda b: (-b.total, b.label))


def population_total() -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(PopulationFigure.count), 0))) or 0
