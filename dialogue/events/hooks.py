"""What events add to the features below them, registered when their blueprint is registered on an app."""

from __future__ import annotations

import sqlalchemy as sa
from flask.blueprints import BlueprintSetupState

from dialogue.coding import sources
from dialogue.coding.models import Contribution
from dialogue.core.base import utcnow
from dialogue.events.models import Event, EventState
from dialogue.extensions import db
from dialogue.i18n import _l
from dialogue.processes import parts
from dialogue.processes.models import Process


def _facts(contribution: Contribution) -> list[sources.Fact]:
    event = db.session.get(Event, contribution.event_id) if contribution.event_id else None
    return [sources.Fact(_l("Event"), event.title)] if event is not None else []


def _filters() -> list[sources.Filter]:
    events = db.session.execute(sa.select(Event.id, Event.title).order_by(Event.starts_at)).all()
    return [sources.Filter("event", _l("Event"), _l("All events"), Contribution.event_id,
                           [(str(e.id), e.title) for e in events])]


def upcoming_events(process: Process, limit: int = 3) -> list[Event]:
    """The process's next published events that have not ended."""
    return list(db.session.scalars(sa.select(Event).where(
        Event.process_id == process.id, Event.state == EventState.published, Event.ends_at >= utcnow())
        .order_by(Event.starts_at).limit(limit)))


def all_events(process: Process) -> list[tuple[Event, int]]:
    """Every event of the process, drafts and cancelled ones too, with its number of noted contributions."""
    notes = (sa.select(sa.func.count()).select_from(Contribution)
             .where(Contribution.event_id == Event.id).scalar_subquery())
    return [tuple(row) for row in db.session.execute(
        sa.select(Event, notes).where(Event.process_id == process.id).order_by(Event.starts_at))]


def register(state: BlueprintSetupState) -> None:
    # coding shows and filters contributions by the event they were noted at but knows no events
    sources.register(state.app, sources.Describer(facts=_facts, filters=_filters))
    # a process's page lists its next meetings, but processes know no events
    parts.register(state.app, parts.Part(items=upcoming_events, template="events/display/_take_part.html"))
    parts.register(state.app, parts.Part(items=all_events, template="events/manage/_process_part.html"), staff=True)
