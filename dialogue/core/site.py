"""The municipality as public pages read it: an immutable copy per process, checked by version."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from dialogue.core.models import Locality, Municipality
from dialogue.extensions import db


@dataclass(frozen=True, slots=True)
class PlaceSnapshot:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class MunicipalitySnapshot:
    id: int
    version: int
    name: str
    default_locale: str
    timezone: str
    contact_email: str
    contact_phone: str
    postal_address: str
    website: str
    active_localities: tuple[PlaceSnapshot, ...]


# Core, not ORM: this runs on every request, and the ORM's statement handling costs more than the query.
_table = Municipality.__table__
_VERSION = sa.select(_table.c.id, _table.c.version).order_by(_table.c.id).limit(1)


@dataclass(frozen=True, slots=True)
class _Version:
    id: int
    version: int


def cached_snapshot() -> MunicipalitySnapshot | None:
    """The snapshot this process last loaded, without asking the database (it may be out of date)."""
    cache = current_app.extensions.get("dialogue.municipality_snapshot")
    return next(iter(cache.values()), None) if cache else None


def load_snapshot(known: tuple[int, int] | None = None) -> MunicipalitySnapshot | None:
    """The snapshot; *known* is (id, version) when another query fetched them already."""
    if known is not None and known[0] is not None:
        row = _Version(*known)
    else:
        row = db.session.execute(_VERSION).first()
    if row is None:
        return None
    cache = current_app.extensions.setdefault("dialogue.municipality_snapshot", {})
    cached = cache.get(row.id)
    if cached is not None and cached.version == row.version:
        return cached
    municipality = db.session.get(Municipality, row.id)
    places = db.session.execute(
        sa.select(Locality.id, Locality.name)
        .where(Locality.municipality_id == row.id, Locality.archived.is_(False))
        .order_by(Locality.position)
    ).all()
    snapshot = MunicipalitySnapshot(
        id=municipality.id, version=municipality.version, name=municipality.name,
        default_locale=municipality.default_locale, timezone=municipality.timezone,
        contact_email=municipality.contact_email, contact_phone=municipality.contact_phone,
        postal_address=municipality.postal_address, website=municipality.website,
        active_localities=tuple(PlaceSnapshot(p.id, p.name) for p in places),
    )
    cache.clear()
    cache[row.id] = snapshot
    return snapshot
