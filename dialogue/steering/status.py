"""Periods and the status of an indicator against its target. Pure functions: no database.

Status, as the follow-up page explains it to residents:

- **met**: the latest measurement reaches the target (at least the target when higher is better, at
  most the target when lower is better);
- **on track**: not met yet, but a straight line from the starting point through the latest
  measurement reaches the target by the end of the target year. The starting point is the baseline
  (at the end of its year) when one is given, otherwise the first measurement;
- **off track**: not met, and the line does not reach the target in time, or the target year is over,
  or there is only one value and no baseline, so no trend can be seen;
- **no data**: nothing has been measured yet.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date

from dialogue.i18n import _l

PERIOD_RE = re.compile(r"^\s*(\d{4})\s*(?:[-/ ]?\s*([HQ])\s*([1-4]))?\s*$", re.IGNORECASE)
QUARTER_ENDS = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


class PeriodError(ValueError):
    """A period that is not a year, a half year or a quarter."""


def parse_period(raw: object) -> tuple[str, date]:
    """Normalise a period ("2024", "2024H1", "2024-h2", "2024 Q3", 2024) to (text, last day).

    :raise PeriodError: anything else, or a year outside 1900–2100
    """
    match = PERIOD_RE.match(str(raw))
    if not match or isinstance(raw, bool):
        raise PeriodError(str(raw))
    year = int(match.group(1))
    if not 1900 <= year <= 2100:
        raise PeriodError(str(raw))
    kind, number = (match.group(2) or "").upper(), int(match.group(3) or 0)
    if not kind:
        return str(year), date(year, 12, 31)
    if kind == "H":
        if number > 2:
            raise PeriodError(str(raw))
        return f"{year}H{number}", date(year, 6, 30) if number == 1 else date(year, 12, 31)
    month, day = QUARTER_ENDS[number]
    return f"{year}Q{number}", date(year, month, day)


class Status(enum.StrEnum):
    met = "met"
    on_track = "on_track"
    off_track = "off_track"
    no_data = "no_data"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {Status.met: _l("Target met"), Status.on_track: _l("On track"),
                 Status.off_track: _l("Off track"), Status.no_data: _l("No data yet")}


@dataclass(frozen=True)
class Point:
    when: date
    value: float


@dataclass(frozen=True)
class Assessment:
    status: Status
    latest: Point | None = None
    #: where the straight line reaches at the end of the target year (None without a trend)
    projected: float | None = None


def reaches(value: float, target: float, higher_is_better: bool) -> bool:
    return value >= target if higher_is_better else value <= target


def assess(points: list[Point], *, target: float, target_year: int, higher_is_better: bool = True,
           baseline: Point | None = None) -> Assessment:
    """The status of an indicator from its measurements (any order) and its target. See the module."""
    if not points:
        return Assessment(Status.no_data)
    ordered = sorted(points, key=lambda p: p.when)
    latest = ordered[-1]
    if reaches(latest.value, target, higher_is_better):
        return Assessment(Status.met, latest)
    start = baseline if baseline is not None else ordered[0]
    deadline = date(target_year, 12, 31)
    if start.when >= latest.when or latest.when >= deadline:
        return Assessment(Status.off_track, latest)
    slope = (latest.value - start.value) / (latest.when - start.when).days
    projected = latest.value + slope * (deadline - latest.when).days
    status = Status.on_track if reaches(projected, target, higher_is_better) else Status.off_track
    return Assessment(status, latest, projected)
