"""The ``indicator:`` mapping on indicator nodes of a vision file, read and written.

    - kind: indicator
      title: {sv: Kundnöjdhet i hemtjänsten, en: Customer satisfaction in home care}
      indicator:
        unit: "%"
        direction: higher            # or lower
        baseline: {value: 90, year: 2014}
        target: {value: 93, year: 2018}
        frequency: half-yearly       # yearly, half-yearly or quarterly
        source: Brukarundersökning
        committee: Socialnämnden
        kolada: U21468

Measurements are data, not part of a template: they are imported from CSV or Kolada files.
"""

from __future__ import annotations

import math
import re

import sqlalchemy as sa

from dialogue.extensions import db
from dialogue.i18n import _l
from dialogue.steering.models import Direction, Frequency, Indicator
from dialogue.vision.models import NodeKind, Vision, VisionNode

KEYS = {"unit", "direction", "baseline", "target", "frequency", "source", "committee", "kolada"}
KOLADA_RE = re.compile(r"^[A-Z0-9]{1,20}$")


def _error(message):
    from dialogue.vision.services import VisionFileError

    return VisionFileError(message)


def _number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _error(_l("%(where)s: give a number, e.g. 93 or 12.5", where=where))
    return float(value)


def _year(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2100:
        raise _error(_l("%(where)s: give a year such as 2018", where=where))
    return value


def _point(value, where: str, required: bool) -> tuple[float | None, int | None]:
    if value is None and not required:
        return None, None
    if not isinstance(value, dict) or set(value) != {"value", "year"}:
        raise _error(_l("%(where)s: give value and year, e.g. {value: 93, year: 2018}", where=where))
    return _number(value["value"], f"{where}.value"), _year(value["year"], f"{where}.year")


def _string(data: dict, key: str, where: str, limit: int) -> str:
    value = data.get(key, "")
    if not isinstance(value, (str, int, float)) or isinstance(value, bool) or len(str(value)) > limit:
        raise _error(_l("%(where)s: give a text of at most %(limit)s characters", where=f"{where}.{key}", limit=limit))
    return str(value).strip()


def read(data, node: VisionNode, where: str) -> Indicator:
    """Build the Indicator of *node* from the file's mapping; raises VisionFileError saying where."""
    where = f"{where}.indicator"
    if node.kind != NodeKind.indicator:
        raise _error(_l("%(where)s: only nodes of kind indicator carry indicator details", where=where))
    if not isinstance(data, dict):
        raise _error(_l("%(where)s: give the details as a mapping with at least direction and target", where=where))
    unknown = set(data) - KEYS
    if unknown:
        raise _error(_l("%(where)s: unknown key(s) %(unknown)s; use %(keys)s", where=where,
                        unknown=", ".join(sorted(map(str, unknown))), keys=", ".join(sorted(KEYS))))
    try:
        direction = Direction(data.get("direction", "higher"))
    except ValueError:
        raise _error(_l("%(where)s: use higher or lower", where=f"{where}.direction")) from None
    try:
        frequency = Frequency(data.get("frequency", "yearly"))
    except ValueError:
        raise _error(_l("%(where)s: use yearly, half-yearly or quarterly", where=f"{where}.frequency")) from None
    target_value, target_year = _point(data.get("target"), f"{where}.target", required=True)
    baseline_value, baseline_year = _point(data.get("baseline"), f"{where}.baseline", required=False)
    kolada = _string(data, "kolada", where, 20).upper() or None
    if kolada and not KOLADA_RE.match(kolada):
        raise _error(_l("%(where)s: give a Kolada key figure id such as U21468", where=f"{where}.kolada"))
    return Indicator(node=node, unit=_string(data, "unit", where, 30), direction=direction,
                     baseline_value=baseline_value, baseline_year=baseline_year, target_value=target_value,
                     target_year=target_year, frequency=frequency, source=_string(data, "source", where, 200),
                     committee=_string(data, "committee", where, 200), kolada_kpi=kolada)


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def write(indicator: Indicator) -> dict:
    out: dict = {}
    if indicator.unit:
        out["unit"] = indicator.unit
    out["direction"] = indicator.direction.value
    if indicator.baseline_value is not None and indicator.baseline_year is not None:
        out["baseline"] = {"value": _plain(indicator.baseline_value), "year": indicator.baseline_year}
    out["target"] = {"value": _plain(indicator.target_value), "year": indicator.target_year}
    out["frequency"] = indicator.frequency.value
    for key, value in (("source", indicator.source), ("committee", indicator.committee),
                       ("kolada", indicator.kolada_kpi)):
        if value:
            out[key] = value
    return out


def by_node(vision: Vision) -> dict[int, Indicator]:
    """The indicators of a vision, by node id, in one query."""
    rows = db.session.scalars(sa.select(Indicator).join(VisionNode, VisionNode.id == Indicator.node_id)
                              .where(VisionNode.vision_id == vision.id))
    return {indicator.node_id: indicator for indicator in rows}
