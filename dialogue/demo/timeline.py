"""The demo's calendar: Flen's year of dialogue laid out around today, on days people could come.

Flen ran its process from March 2011 to March 2012. The demo keeps its order (questionnaire, three open
meetings, two trend seminars, the current-state analysis, two workshops, writing, decision) and adds the
follow-up, one phase after the other without overlap. Meetings fall on weekday evenings, never on a
public holiday or its eve, nor in the summer or Christmas holidays. A phase with events runs from a
week or two before its first event to a week or so after its last; when the holidays push an event
back, the phase before it waits longer, so the phases move with the events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from dialogue.events.models import EventKind
from dialogue.processes.models import PhaseKind

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
#: how far into the phase *at* today falls, at most (a shorter phase: its middle)
INTO_PHASE = 30


def easter(year: int) -> date:
    """Easter Sunday (the Gregorian computus, as Meeus gives it)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


@cache
def holidays(year: int) -> frozenset[date]:
    """Sweden's public holidays and the eves that are kept as such (midsummer, Christmas, New Year)."""
    sunday = easter(year)
    midsummer_eve = _on_or_after(date(year, 6, 19), FRI)
    all_saints = _on_or_after(date(year, 10, 31), SAT)
    return frozenset({date(year, 1, 1), date(year, 1, 6), date(year, 5, 1), date(year, 6, 6),
            sunday - timedelta(days=2), sunday, sunday + timedelta(days=1), sunday + timedelta(days=39),
            sunday + timedelta(days=49), midsummer_eve, midsummer_eve + timedelta(days=1), all_saints,
            date(year, 12, 24), date(year, 12, 25), date(year, 12, 26), date(year, 12, 31)})


def on_holiday(day: date) -> bool:
    """The summer holidays (midsummer to the second week of August) and Christmas to Epiphany."""
    return ((day.month, day.day) >= (6, 19) and (day.month, day.day) <= (8, 10)
            or (day.month, day.day) >= (12, 20) or (day.month, day.day) <= (1, 7))


def free_day(day: date) -> bool:
    """A day on which people can come: neither a holiday, nor its eve, nor in the holidays."""
    eve = day + timedelta(days=1)
    return day not in holidays(day.year) and eve not in holidays(eve.year) and not on_holiday(day)


def next_day(start: date, weekday: int, free=free_day) -> date:
    """The first *weekday* on or after *start* on which people can come."""
    day = _on_or_after(start, weekday)
    while not free(day):
        day += timedelta(days=7)
    return day


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local time in Flen."""
    return datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM)


@dataclass(frozen=True)
class Slot:
    """One event of the process: what, where (a key into the demo's venues) and when, in local time."""

    kind: EventKind
    key: str
    starts_at: datetime
    ends_at: datetime


@dataclass
class Timeline:
    start: date
    #: (kind, first day, last day), in order
    phases: list[tuple[PhaseKind, date, date]] = field(default_factory=list)
    events: list[Slot] = field(default_factory=list)
    #: the executive board proposes the vision; the council adopts it (Vision.adopted_on)
    proposed_on: date | None = None
    adopted_on: date | None = None

    @property
    def end(self) -> date:
        return self.phases[-1][2]

    def phase(self, kind: PhaseKind) -> tuple[date, date]:
        return next((first, last) for k, first, last in self.phases if k == kind)

    def slot(self, key: str) -> Slot:
        return next(slot for slot in self.events if slot.key == key)


#: the phases without events, and the least each lasts: they may last longer (*slack*), and they take up
#: the time the holidays add before the next event
LEAST = {PhaseKind.questionnaire: 84, PhaseKind.analysis: 35, PhaseKind.drafting: 56}


def plan(start: date, free=free_day, slack: dict[PhaseKind, int] | None = None) -> Timeline:
    """The whole process from its first day: every phase begins the day after the one before ends.

    A phase with events begins a little before its first event; when the holidays push that event
    back, the phase before it (the questionnaire, the meetings, the analysis, the writing) lasts longer.
    *free* tells the days an event may fall on (every day, to measure how long the phases would be);
    *slack*, the days a phase without events lasts beyond its LEAST.
    """
    least = {kind: days + (slack or {}).get(kind, 0) for kind, days in LEAST.items()}
    timeline = Timeline(start)
    day = start

    def phase(kind: PhaseKind, last: date) -> None:
        nonlocal day
        timeline.phases.append((kind, day, last))
        day = last + timedelta(days=1)

    def event(kind: EventKind, key: str, after: date, weekday: int, begins: tuple[int, int],
              ends: tuple[int, int]) -> date:
        when = next_day(after, weekday, free)
        timeline.events.append(Slot(kind, key, at(when, *begins), at(when, *ends)))
        return when

    # twelve weeks or more for the questionnaire, with paper copies in the libraries; then
    # "Flens kommuns hjärta": three evenings, a fortnight or so apart, each in another locality
    flen = event(EventKind.open_meeting, "meeting-flen", day + timedelta(days=least[PhaseKind.questionnaire] + 9),
                 TUE, (18, 30), (20, 30))
    phase(PhaseKind.questionnaire, flen - timedelta(days=10))
    malm = event(EventKind.open_meeting, "meeting-malmkoping", flen + timedelta(days=13), THU, (18, 30), (20, 30))
    hall = event(EventKind.open_meeting, "meeting-halleforsnas", malm + timedelta(days=12), WED, (18, 30), (20, 30))
    # two open trend seminars, three weeks apart
    first = event(EventKind.seminar, "seminar-population", hall + timedelta(days=10 + 13), WED, (18, 0), (20, 0))
    phase(PhaseKind.open_meetings, first - timedelta(days=14))
    second = event(EventKind.seminar, "seminar-work", first + timedelta(days=20), TUE, (18, 0), (20, 0))
    phase(PhaseKind.seminars, second + timedelta(days=9))
    # the current-state analysis, five weeks or more: officials read and code what was said; then
    # the vision workshops: a weekday afternoon, then a Saturday three to four weeks later
    first = event(EventKind.workshop, "workshop-1", day + timedelta(days=least[PhaseKind.analysis] + 13), THU,
                  (13, 0), (17, 0))
    phase(PhaseKind.analysis, first - timedelta(days=14))
    second = event(EventKind.workshop, "workshop-2", first + timedelta(days=23), SAT, (10, 0), (15, 0))
    phase(PhaseKind.workshops, second + timedelta(days=8))
    # the board's working committee writes the vision from the building blocks, eight weeks or more; the
    # executive board proposes it on a Monday, the council decides on a Thursday about three weeks later
    timeline.proposed_on = next_day(day + timedelta(days=least[PhaseKind.drafting] + 6), MON, free)
    timeline.adopted_on = next_day(timeline.proposed_on + timedelta(days=20), THU, free)
    phase(PhaseKind.drafting, timeline.proposed_on - timedelta(days=7))
    phase(PhaseKind.decision, timeline.adopted_on + timedelta(days=6))
    # a year of following the vision up, until the first annual report
    phase(PhaseKind.follow_up, day + timedelta(days=364))
    return timeline


def _stretch(timeline: Timeline, slack: dict[PhaseKind, int] | None = None) -> int:
    """Days the holidays add to the phases: how far the events had to be moved apart."""
    bare = plan(timeline.start, free=lambda _day: True, slack=slack)
    return sum((last - first).days for _k, first, last in timeline.phases) - sum(
        (last - first).days for _k, first, last in bare.phases)


#: the phase whose slack moves a phase: the one without events nearest before it
_MOVED_BY = {PhaseKind.questionnaire: PhaseKind.questionnaire, PhaseKind.open_meetings: PhaseKind.questionnaire,
             PhaseKind.seminars: PhaseKind.questionnaire, PhaseKind.analysis: PhaseKind.analysis,
             PhaseKind.workshops: PhaseKind.analysis, PhaseKind.drafting: PhaseKind.drafting,
             PhaseKind.decision: PhaseKind.drafting, PhaseKind.follow_up: PhaseKind.drafting}


def around(today: date, now_in: PhaseKind) -> Timeline:
    """The timeline placed so that *today* lies in the phase *now_in*, about INTO_PHASE days in.

    Where the holidays fall decides how far apart events must be, so the start is chosen among the
    days around the obvious one: the one whose phases the holidays stretch least, with today nearest
    INTO_PHASE days into the phase (or its middle), at least two weeks in and a week before its end.
    The holidays hold the later phases to a few places whatever the start, so when none of them fits,
    the phase without events before *now_in* (questionnaire, analysis or writing) takes a week or more
    longer, up to nine.
    """
    bare = plan(today, free=lambda _day: True)
    first, _last = bare.phase(now_in)
    guess = today - (first - bare.start) - timedelta(days=INTO_PHASE)
    best: tuple[float, Timeline] | None = None
    for weeks in range(10):
        slack = {_MOVED_BY[now_in]: 7 * weeks}
        for shift in sorted(range(-120, 121), key=abs):
            timeline = plan(guess + timedelta(days=shift), slack=slack)
            first, last = timeline.phase(now_in)
            into, length = (today - first).days, (last - first).days
            cost = _stretch(timeline, slack) + abs(into - min(INTO_PHASE, length // 2)) / 2 + weeks
            if not 14 <= into <= length - 7:
                cost += 1000
            if not 0 <= into <= length:
                cost += 10_000 + min(abs(into), abs(into - length)) * 100
            if best is None or cost < best[0]:
                best = (cost, timeline)
        if best[0] < 1000:
            break
    return best[1]
