"""Operations on indicators and measurements, and the overview of a vision's goals. They flush; views commit."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from dialogue.core.base import utcnow
from dialogue.extensions import db
from dialogue.steering import status as status_rules
from dialogue.steering.models import Direction, Indicator, Measurement
from dialogue.vision.models import NodeKind, Vision, VisionNode

#: the kinds of node an indicator's status rolls up to
GOAL_KINDS = (NodeKind.goal, NodeKind.committee_goal)


def assess(indicator: Indicator | None) -> status_rules.Assessment:
    if indicator is None:
        return status_rules.Assessment(status_rules.Status.no_data)
    baseline = None
    if indicator.baseline_value is not None and indicator.baseline_year is not None:
        baseline = status_rules.Point(date(indicator.baseline_year, 12, 31), indicator.baseline_value)
    return status_rules.assess([status_rules.Point(m.period_end, m.value) for m in indicator.measurements],
                               target=indicator.target_value, target_year=indicator.target_year,
                               higher_is_better=indicator.direction == Direction.higher, baseline=baseline)


def set_measurement(indicator: Indicator, period: str, value: float, *, women: float | None = None,
                    men: float | None = None, source: str = "", comment: str = "") -> Measurement:
    """Store the value for *period*; a value stored before for the same period is replaced."""
    text, end = status_rules.parse_period(period)
    measurement = db.session.scalar(sa.select(Measurement).where(Measurement.indicator_id == indicator.id,
                                                                 Measurement.period == text))
    if measurement is None:
        measurement = Measurement(indicator=indicator, period=text)
        db.session.add(measurement)
    measurement.period_end = end
    measurement.value, measurement.value_women, measurement.value_men = value, women, men
    measurement.source, measurement.comment = source, comment
    measurement.updated_at = utcnow()
    db.session.flush()
    return measurement


@dataclass
class IndicatorRow:
    node: VisionNode
    indicator: Indicator | None
    assessment: status_rules.Assessment


@dataclass
class GoalRow:
    node: VisionNode
    indicators: list[IndicatorRow] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counted: dict[str, int] = defaultdict(int)
        for row in self.indicators:
            counted[row.assessment.status.value] += 1
        return counted


def indicator_rows(vision: Vision) -> dict[int, IndicatorRow]:
    """Every active indicator node of *vision* with its details and status, by node id."""
    details = {i.node_id: i for i in db.session.scalars(
        sa.select(Indicator).join(VisionNode, VisionNode.id == Indicator.node_id)
        .where(VisionNode.vision_id == vision.id)
        .options(sa.orm.selectinload(Indicator.measurements)))}
    return {node.id: IndicatorRow(node, details.get(node.id), assess(details.get(node.id)))
            for node in vision.nodes if node.kind == NodeKind.indicator and not node.archived}


def goals(vision: Vision) -> list[GoalRow]:
    """The goals and committee goals of *vision* in tree order, each with the indicators hung below it.

    An indicator belongs to its nearest goal above it; one hung straight under an aim or the vision
    gets a row of its own node's parent.
    """
    rows = indicator_rows(vision)
    result: dict[int, GoalRow] = {}
    order: list[int] = []

    def walk(nodes: list[VisionNode], goal: VisionNode | None) -> None:
        for node in nodes:
            here = goal
            if node.kind in GOAL_KINDS:
                here = node
                result.setdefault(node.id, GoalRow(node))
                order.append(node.id)
            elif node.id in rows:
                owner = here or node.parent or node
                if owner.id not in result:
                    result[owner.id] = GoalRow(owner)
                    order.append(owner.id)
                result[owner.id].indicators.append(rows[node.id])
            walk(node.active_children, here)

    walk(vision.roots, None)
    return [result[node_id] for node_id in order]


def by_committee(vision: Vision) -> dict[str, list[IndicatorRow]]:
    """Indicators grouped by the committee that answers for them ("" when none is named)."""
    grouped: dict[str, list[IndicatorRow]] = defaultdict(list)
    for row in indicator_rows(vision).values():
        grouped[row.indicator.committee if row.indicator else ""].append(row)
    return dict(sorted(grouped.items(), key=lambda item: (item[0] == "", item[0].lower())))
