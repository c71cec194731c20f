"""Events for tests: made directly with the models and services."""

from __future__ import annotations

import re
import threading
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


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def on_cancel_page(app, token: str, n: int):
    """A resident's browser of its own, on the page of their cancel link: the client and the form's CSRF
    token. Each gets address *n* of its own, since the links' rate limit is per address."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.environ_base["REMOTE_ADDR"] = f"10.0.{n // 250}.{n % 250 + 1}"
    page = client.get(f"/events/cancel/{token}")
    assert page.status_code == 200
    return client, CSRF.search(page.get_data(as_text=True)).group(1)


def at_once(*steps) -> list:
    """Run each step in a thread of its own, all released together; what each returned, or what it raised
    (the test client hands on what would be a 500)."""
    barrier = threading.Barrier(len(steps))
    results: list = [None] * len(steps)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = steps[index]()
        except Exception as error:
            results[index] = repr(error)[:300]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(steps))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
