"""iCalendar output: valid structure, local times across daylight saving, updates instead of duplicates."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from dialogue.events import services
from dialogue.events.models import Event, EventKind, EventState
from dialogue.extensions import db

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def unfold(text: str) -> list[str]:
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return text.replace("\r\n ", "").split("\r\n")


def add_event(app, starts: datetime, ends: datetime, **fields) -> int:
    with app.app_context():
        event = Event(kind=EventKind.open_meeting, state=EventState.published, title={"sv": "Öppet möte, Flen; kväll"},
                      description={"sv": "Rad ett\nRad två"}, venue="Biblioteket", starts_at=starts, ends_at=ends,
                      capacity=None, **fields)
        db.session.add(event)
        db.session.commit()
        return event.id


def test_event_on_the_last_sunday_of_october_keeps_its_local_time(app, municipality):
    # 25 October 2026: summer time ends at 03:00 in Stockholm; the meeting is at 18:00 local time (17:00 UTC)
    starts = datetime(2026, 10, 25, 18, 0, tzinfo=STOCKHOLM)
    event_id = add_event(app, starts, datetime(2026, 10, 25, 20, 0, tzinfo=STOCKHOLM))
    with app.app_context():
        assert db.session.get(Event, event_id).starts_at.hour == 17  # stored in UTC
    lines = unfold(app.test_client().get(f"/events/{event_id}.ics").get_data(as_text=True))
    assert "DTSTART;TZID=Europe/Stockholm:20261025T180000" in lines
    assert "DTEND;TZID=Europe/Stockholm:20261025T200000" in lines
    assert "TZOFFSETFROM:+0200" in lines and "TZOFFSETTO:+0100" in lines
    assert "DTSTART:20261025T030000" in lines  # the change back to standard time, in summer time
    page = app.test_client().get(f"/events/{event_id}?lang=en").get_data(as_text=True)
    assert "6:00" in page or "18:00" in page


def test_structure_escaping_and_folding(app, municipality):
    event_id = add_event(app, datetime(2027, 3, 3, 18, tzinfo=STOCKHOLM), datetime(2027, 3, 3, 20, tzinfo=STOCKHOLM))
    response = app.test_client().get(f"/events/{event_id}.ics")
    assert response.mimetype == "text/calendar"
    raw = response.get_data(as_text=True)
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))
    lines = unfold(raw)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 1
    assert "SUMMARY:Öppet möte\\, Flen\\; kväll" in lines
    assert "DESCRIPTION:Rad ett\\nRad två" in lines
    assert any(line.startswith("UID:") for line in lines)


def test_a_changed_or_cancelled_event_updates_the_same_entry(app, municipality):
    event_id = add_event(app, datetime(2027, 3, 3, 18, tzinfo=STOCKHOLM), datetime(2027, 3, 3, 20, tzinfo=STOCKHOLM))
    client = app.test_client()

    def entry():
        lines = unfold(client.get("/events.ics").get_data(as_text=True))
        uid = [line for line in lines if line.startswith("UID:")]
        event_uid = next(u for u in uid if u == f"UID:{uid_of(event_id)}")
        index = lines.index(event_uid)
        block = lines[index:lines.index("END:VEVENT", index)]
        return event_uid, next(x for x in block if x.startswith("SEQUENCE:")), next(
            x for x in block if x.startswith("STATUS:"))

    def uid_of(eid):
        with app.app_context():
            return db.session.get(Event, eid).uid

    uid, sequence, status = entry()
    assert (sequence, status) == ("SEQUENCE:0", "STATUS:CONFIRMED")
    with app.app_context():
        services.cancel_event(db.session.get(Event, event_id))
        db.session.commit()
    uid2, sequence2, status2 = entry()
    assert uid2 == uid
    assert sequence2 == "SEQUENCE:1"
    assert status2 == "STATUS:CANCELLED"


def test_feed_lists_only_public_upcoming_events(app, municipality):
    lines = unfold(app.test_client().get("/events.ics").get_data(as_text=True))
    with app.app_context():
        published = db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(
            Event.state == EventState.published))
    assert lines.count("BEGIN:VEVENT") == published == 7


def test_a_lone_carriage_return_cannot_start_a_property_of_its_own(app, municipality):
    """Text stored before the forms refused line breaks (or typed in by hand) stays inside its property."""
    event_id = add_event(app, datetime(2027, 3, 3, 18, tzinfo=STOCKHOLM), datetime(2027, 3, 3, 20, tzinfo=STOCKHOLM))
    with app.app_context():
        event = db.session.get(Event, event_id)
        event.venue = "Biblioteket\rDTSTART:20000101T000000Z"
        event.title = {"sv": "Möte\rSTATUS:CANCELLED"}
        event.description = {"sv": "Rad ett\r\rRad tre\x0bslut\u2028"}
        db.session.commit()
    raw = app.test_client().get(f"/events/{event_id}.ics").get_data(as_text=True)
    assert "\r" not in raw.replace("\r\n", "") and "\n" not in raw.replace("\r\n", "")
    lines = unfold(raw)
    assert "SUMMARY:Möte\\nSTATUS:CANCELLED" in lines
    assert "DESCRIPTION:Rad ett\\n\\nRad tre\\nslut\\n" in lines
    assert "LOCATION:Biblioteket\\nDTSTART:20000101T000000Z" in lines
    assert [line for line in lines if line.startswith("STATUS:")] == ["STATUS:CONFIRMED"]
