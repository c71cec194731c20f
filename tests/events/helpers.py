"""Events for tests: made directly with the models and services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from dialogue.core.models import User
from dialogue.events import services
from dialogue.events.models import Event, EventKind, EventState, SeatQuota
from dialogue.extensions import db


def make_event(app, *, capacity: int | None = 10, quotas: dict[str, int] | None = None,
               kind: EventKind = EventKind.workshop, starts_in: timedelta = timedelta(days=10),
               state: EventState = EventState.published, **fields) -> int:
    starts = datetime.now(UTC).replace(microsecond=0) + starts_in
    with app.app_context():
        event = Event(kind=kind, title={"sv": "Visionsworkshop", "en": "Vision workshop", "da": "Visionsworkshop"},
                      description={"sv": "Om framtiden", "en": "About the future"}, venue="Kulturhuset",
                      address="Storgatan 1", starts_at=starts, ends_at=starts + timedelta(hours=3),
                      capacity=capacity, state=EventState.draft, **fields)
        event.quotas = [SeatQuota(group=g, seats=n) for g, n in (quotas or {}).items()]
        db.session.add(event)
        db.session.flush()
        if state == EventState.published:
            services.publish(event)
        else:
            event.state = state
        db.session.commit()
        return event.id


def add_to_staff(app, event_id: int, email: str) -> None:
    """Make the staff user *email* one of those who run the event (and so see its names)."""
    with app.app_context():
        event = db.session.get(Event, event_id)
        event.staff.append(db.session.scalar(sa.select(User).where(User.email == email)))
        db.session.commit()
