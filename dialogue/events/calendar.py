"""iCalendar (RFC 5545) for events: one event, or a feed of all upcoming ones.

Times carry the municipality's time zone (TZID with a VTIMEZONE), so that a calendar shows 19:00 in
Flen on both sides of a daylight-saving change. UID stays and SEQUENCE rises with every change, so a
subscriber's calendar updates the event instead of adding another; a cancelled event says so. Mail
carries the event as PUBLISH, and its cancellation as CANCEL (iTIP, RFC 5546), with the organizer that
both methods require, so that a calendar that took the event in removes it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dialogue.events.models import Event, EventState
from dialogue.i18n import tr

#: a line break of any kind (CRLF, a lone CR or LF, the Unicode ones); and other control characters
_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def _escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11). Every line break, a lone CR included, becomes \\n and other control
    characters go, so that no text can end a content line early and start a property of its own."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _CONTROL.sub("", _BREAK.sub(r"\\n", text))


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a space (RFC 5545 3.1); never split a character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y%m%dT%H%M%S")


def _offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _transitions(zone: ZoneInfo, years: set[int]) -> list[tuple[datetime, timedelta, timedelta, bool]]:
    """(local start, offset before, offset after, is summer time) for every change in *years*."""
    found = []
    for year in sorted(years):
        moment = datetime(year, 1, 1, tzinfo=UTC)
        end = datetime(year + 1, 1, 1, tzinfo=UTC)
        previous = moment.astimezone(zone).utcoffset()
        while moment < end:
            step = moment + timedelta(hours=1)
            offset = step.astimezone(zone).utcoffset()
            if offset != previous:
                local = step.astimezone(zone).replace(tzinfo=None, minute=0, second=0) - (offset - previous)
                found.append((local, previous, offset, bool(step.astimezone(zone).dst())))
                previous = offset
            moment = step
    return found


def vtimezone(zone: ZoneInfo, years: set[int]) -> list[str]:
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone.key}"]
    changes = _transitions(zone, years)
    if not changes:
        offset = datetime(min(years), 1, 1, tzinfo=UTC).astimezone(zone).utcoffset()
        changes = [(datetime(min(years), 1, 1), offset, offset, False)]
    for local, before, after, summer in changes:
        kind = "DAYLIGHT" if summer else "STANDARD"
        lines += [f"BEGIN:{kind}", f"DTSTART:{local.strftime('%Y%m%dT%H%M%S')}",
                  f"TZOFFSETFROM:{_offset(before)}", f"TZOFFSETTO:{_offset(after)}", f"END:{kind}"]
    return lines + ["END:VTIMEZONE"]


def _organizer(name: str, address: str) -> str:
    """ORGANIZER with a common name: a quoted parameter value holds no DQUOTE and no control character."""
    name = _CONTROL.sub("", _BREAK.sub(" ", name)).replace('"', "'")
    return f'ORGANIZER;CN="{name}":mailto:{address}'


def vevent(event: Event, zone: ZoneInfo, url: str, locality: str, locale: str,
           organizer: tuple[str, str] | None = None) -> list[str]:
    location = ", ".join(part for part in (event.venue, event.address, locality) if part)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"SEQUENCE:{event.sequence}",
        f"DTSTAMP:{_utc(event.updated_at)}",
        f"LAST-MODIFIED:{_utc(event.updated_at)}",
        f"DTSTART;TZID={zone.key}:{_local(event.starts_at, zone)}",
        f"DTEND;TZID={zone.key}:{_local(event.ends_at, zone)}",
        f"SUMMARY:{_escape(tr(event.title, locale))}",
        f"DESCRIPTION:{_escape(tr(event.description, locale))}",
        f"LOCATION:{_escape(location)}",
        f"URL:{url}",
        f"STATUS:{'CANCELLED' if event.state == EventState.cancelled else 'CONFIRMED'}",
    ]
    if organizer:
        lines.append(_organizer(*organizer))
    return lines + ["END:VEVENT"]


def calendar(events: list[tuple[Event, str, str]], zone: ZoneInfo, name: str, locale: str,
             method: str = "PUBLISH", organizer: tuple[str, str] | None = None) -> str:
    """An iCalendar file for (event, url, locality name) triples, CRLF line ends.

    *method* is PUBLISH, or CANCEL to take a cancelled event out of the calendars it went into by mail
    (same UID, a higher SEQUENCE); *organizer* is (name, address), which mail needs (RFC 5546 3.2).
    """
    if method not in ("PUBLISH", "CANCEL"):
        raise ValueError(method)
    years = {y for event, _u, _l in events for y in (event.starts_at.astimezone(zone).year,
                                                    event.ends_at.astimezone(zone).year)}
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//dialogue//events//EN", "CALSCALE:GREGORIAN",
             f"METHOD:{method}", f"X-WR-CALNAME:{_escape(name)}", f"X-WR-TIMEZONE:{zone.key}"]
    if events:
        # the year before as well, so that the first event falls after an observance's onset
        lines += vtimezone(zone, years | {min(years) - 1})
    for event, url, locality in events:
        lines += vevent(event, zone, url, locality, locale, organizer)
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
