"""Dates as the municipality sees them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from dialogue.core.services import get_municipality

#: The dates anyone types into a form or filter: 0001-01-01 or 9999-12-31 is a slip of the keyboard, and a
#: moment at either end of Python's calendar cannot be moved to UTC (nor a day added to it).
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


def in_calendar(day: date) -> bool:
    return EARLIEST <= day <= LATEST


def zone() -> ZoneInfo:
    municipality = get_municipality()
    return ZoneInfo(municipality.timezone if municipality else "Europe/Stockholm")


def today() -> date:
    """Today in the municipality's time zone (not the server's)."""
    return datetime.now(zone()).date()


def to_local(moment: datetime | None) -> datetime | None:
    """A stored UTC moment as the naive local time a datetime-local field shows."""
    return moment.astimezone(zone()).replace(tzinfo=None) if moment else None


def from_local(naive: datetime | None) -> datetime | None:
    """A naive local time typed into a form, as UTC."""
    return naive.replace(tzinfo=zone()).astimezone(UTC) if naive else None
