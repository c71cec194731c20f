"""Dates as the municipality sees them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from dialogue.core.services import get_municipality


def zone() -> ZoneInfo:
    municipality = get_municipality()
    return ZoneInfo(municipality.timezone if municipality else "Europe/Stockholm")


def today() -> date:
    """Today in the municipality's time zone (not the server's)."""
    return datetime.now(zone()).date()
