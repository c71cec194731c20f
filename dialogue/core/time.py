"""Dates as the municipality sees them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from dialogue.core.services import get_municipality


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
