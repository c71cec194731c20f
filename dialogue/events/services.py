"""Operations on events and sign-ups. They flush; views commit.

Seats are rows (see models.Seat). Taking one is a single conditional UPDATE, so that concurrent
sign-ups from any number of processes can never confirm more people than there are seats.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime, timedelta

import sqlalchemy as sa

from dialogue.core import mail
from dialogue.core.base import utcnow
from dialogue.core.database import insert_unless_present
from dialogue.core.models import Role, User
from dialogue.events.models import (
    ALL,
    SIGNUP_GROUPS,
    Event,
    EventState,
    Registration,
    RegistrationContact,
    RegistrationStatus,
    Seat,
)
from dialogue.extensions import db


class EventError(ValueError):
    """A change the event's state does not allow; the message is a code the view words."""


# -- who runs it ----------------------------------------------------------------------------------

def runs(user: User, event: Event) -> bool:
    """Whether *user* may see the names, groups, needs and notes of the event's sign-ups and check people in.

    Admins always; organizers for the events they run. The one rule: every page and export asks here.
    """
    return user.has_role(Role.admin) or (user.has_role(Role.organizer) and user in event.staff)


def staff_choices(event: Event) -> list[User]:
    """Who can be chosen to run *event*: active organizers and admins, and whoever runs it now."""
    users = db.session.scalars(sa.select(User).where(User.active.is_(True),
                                                     User.role.in_([Role.organizer, Role.admin]))).all()
    return sorted(set(users) | set(event.staff), key=lambda u: u.email)


# -- seats -----------------------------------------------------------------------------------------

def wanted_seats(event: Event) -> dict[str, int]:
    """Seats per pool: each group's reserved seats, and the rest of the capacity for anyone."""
    if event.capacity is None:
        return {}
    pools = {quota.group: quota.seats for quota in event.quotas if quota.seats > 0}
    rest = event.capacity - sum(pools.values())
    if rest < 0:
        raise EventError("quotas-exceed-capacity")
    if rest:
        pools[ALL] = rest
    return pools


def sync_seats(event: Event) -> None:
    """Make the seat rows match capacity and quotas; taken seats are never removed."""
    db.session.flush()
    wanted = wanted_seats(event)
    rows = db.session.execute(sa.select(Seat.pool, Seat.id, Seat.registration_id)
                              .where(Seat.event_id == event.id).order_by(Seat.id)).all()
    by_pool: dict[str, list] = {}
    for row in rows:
        by_pool.setdefault(row.pool, []).append(row)
    for pool in set(by_pool) | set(wanted):
        have = by_pool.get(pool, [])
        want = wanted.get(pool, 0)
        if len(have) < want:
            db.session.execute(sa.insert(Seat), [{"event_id": event.id, "pool": pool}] * (want - len(have)))
        elif len(have) > want:
            free = [row.id for row in have if row.registration_id is None]
            surplus = len(have) - want
            if len(free) < surplus:
                raise EventError("capacity-below-confirmed")
            db.session.execute(sa.delete(Seat).where(Seat.id.in_(free[-surplus:])))
    db.session.flush()
    for pool in wanted:
        _fill_from_waitlist(event, pool)


def _claim_seat(event_id: int, pool: str, registration_id: int) -> bool:
    """Take a free seat of *pool* for the registration; False when none is free."""
    for _attempt in range(50):
        free = (sa.select(Seat.id)
                .where(Seat.event_id == event_id, Seat.pool == pool, Seat.registration_id.is_(None))
                .order_by(Seat.id).limit(1)
                .with_for_update(skip_locked=True)  # PostgreSQL; SQLite serialises writers anyway
                .scalar_subquery())
        taken = db.session.execute(
            sa.update(Seat).where(Seat.id == free, Seat.registration_id.is_(None))
            .values(registration_id=registration_id).returning(Seat.id)
            .execution_options(synchronize_session=False)
        ).first()
        if taken is not None:
            return True
        still_free = db.session.scalar(sa.select(sa.func.count()).select_from(Seat).where(
            Seat.event_id == event_id, Seat.pool == pool, Seat.registration_id.is_(None)))
        if not still_free:
            return False
        time.sleep(0.002)  # the free seats are locked by sign-ups that have not committed yet
    return False


def reserved_groups(event: Event) -> list[str]:
    """The groups the event reserves seats for; empty when every seat is open to anyone."""
    return [quota.group for quota in event.quotas if quota.seats > 0]


def asks_for_group(event: Event) -> bool:
    """A sign-up asks which group the person comes as only when seats are reserved for groups."""
    return event.needs_signup and bool(reserved_groups(event))


def signup_group(event: Event, group: str | None) -> str:
    """The group a sign-up is stored under: the one chosen when the event asks, else "other"."""
    return group if asks_for_group(event) and group in SIGNUP_GROUPS else "other"


def seats_per_group(event: Event) -> dict[str, tuple[int, int]]:
    """What a sign-up in each group gets now: (free seats it may take, its place on the waiting list if none).

    The one answer the event page, the sign-up page and register() share. Seats a sign-up may take are the
    free open seats plus the free seats reserved for its group. An event without reserved seats has a single
    entry, ALL ("no group"); with reserved seats, one per SIGNUP_GROUPS. The waiting-list place is the number
    of people already waiting for the same seats, plus one. Empty for an event without sign-up.

    It is a snapshot: at the insert the database alone decides (see _claim_seat), so a sign-up sent after
    someone else took the last seat lands on the waiting list, and is told so.
    """
    if event.capacity is None:
        return {}
    free = dict(db.session.execute(
        sa.select(Seat.pool, sa.func.count()).where(Seat.event_id == event.id, Seat.registration_id.is_(None))
        .group_by(Seat.pool)).all())
    waiting = dict(db.session.execute(
        sa.select(Registration.pool, sa.func.count())
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.waitlisted)
        .group_by(Registration.pool)).all())
    reserved = reserved_groups(event)
    if not reserved:
        return {ALL: (free.get(ALL, 0), sum(waiting.values()) + 1)}
    result = {}
    for group in SIGNUP_GROUPS:
        seats = free.get(ALL, 0) + (free.get(group, 0) if group in reserved else 0)
        # a group with reserved seats waits in its own line; the others wait for an open seat
        place = waiting.get(group, 0) + 1 if group in reserved else waiting.get(ALL, 0) + 1
        result[group] = (seats, place)
    return result


def pools_for(event: Event, group: str) -> list[str]:
    """The pools a person of *group* may sit in, their own first."""
    wanted = wanted_seats(event)
    return [pool for pool in (group, ALL) if pool in wanted]


# -- signing up ------------------------------------------------------------------------------------

def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def register(event: Event, *, group: str, name: str, email: str, needs: list[str], needs_note: str,
             locale: str, submission_key: str, walk_in: bool = False) -> tuple[Registration, str | None]:
    """Sign a person up: a seat if one is free, else the waiting list.

    Returns the registration and its cancel token (None when this submission was stored before). Someone
    added at the door of a cancelled event is refused (EventError "event-cancelled").
    """
    if walk_in:
        _door_open(event.id)
    token = secrets.token_urlsafe(32)
    pools = pools_for(event, group)
    registration_id = insert_unless_present(db.session, Registration.__table__, {
        "event_id": event.id, "status": RegistrationStatus.waitlisted, "group": group,
        "pool": pools[0] if pools else ALL, "needs": needs, "locale": locale, "submission_key": submission_key,
        "cancel_token_hash": None if walk_in else token_hash(token), "created_at": utcnow(),
        "checked_in_at": utcnow() if walk_in else None, "walk_in": walk_in,
    }, "submission_key")
    if registration_id is None:
        existing = db.session.scalar(sa.select(Registration).where(Registration.submission_key == submission_key))
        return existing, None
    db.session.add(RegistrationContact(registration_id=registration_id, name=name, email=email,
                                       needs_note=needs_note))
    seated = next((pool for pool in pools if _claim_seat(event.id, pool, registration_id)), None)
    if seated or walk_in:
        # someone at the door is in the room, seat or no seat
        db.session.execute(sa.update(Registration).where(Registration.id == registration_id).values(
            status=RegistrationStatus.attended if walk_in else RegistrationStatus.confirmed,
            pool=seated or ALL).execution_options(synchronize_session=False))
    db.session.flush()
    registration = db.session.get(Registration, registration_id)
    db.session.refresh(registration)
    return registration, (None if walk_in else token)


def find_by_cancel_token(token: str) -> Registration | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(sa.select(Registration).where(Registration.cancel_token_hash == token_hash(token)))


def may_cancel(registration: Registration) -> bool:
    """Someone checked in at the door came: their sign-up can no longer be cancelled."""
    return registration.status != RegistrationStatus.attended


def cancel_registration(registration: Registration) -> Registration | None:
    """Cancel; the seat goes at once to the first person waiting for it. Returns whoever moved up.

    The sign-up's row is locked and read again first: a second click on the same link, or a move up of this
    very person that committed meanwhile, is seen as it is (cancelling twice does nothing more). So is a
    check-in at the door: then the cancellation is refused (EventError "checked-in").
    """
    current = db.session.scalars(
        sa.select(Registration).where(Registration.id == registration.id)
        .with_for_update()  # PostgreSQL; SQLite serialises writers anyway
        .execution_options(populate_existing=True)).one()
    if current.status == RegistrationStatus.cancelled:
        return None
    if not may_cancel(current):
        raise EventError("checked-in")
    registration.status = RegistrationStatus.cancelled
    registration.cancel_token_hash = None  # single use
    db.session.flush()
    return _give_seat_on(registration)


def _give_seat_on(registration: Registration) -> Registration | None:
    """Free the seat of a sign-up that has just been cancelled, for the first person waiting for it."""
    freed = db.session.scalar(sa.select(Seat.pool).where(Seat.registration_id == registration.id))
    if freed is None:
        return None
    db.session.execute(sa.update(Seat).where(Seat.registration_id == registration.id)
                       .values(registration_id=None).execution_options(synchronize_session=False))
    moved = _fill_from_waitlist(db.session.get(Event, registration.event_id), freed)
    return moved[0] if moved else None


def _fill_from_waitlist(event: Event, pool: str) -> list[Registration]:
    """Give free seats of *pool* to the people waiting longest who may sit there.

    Several cancellations at once each free a seat and look for someone waiting, and see the same person
    first. So a free seat is locked first, then the person moves up with an UPDATE that only matches while
    they still wait: whoever comes second finds them gone and takes the next (on PostgreSQL the UPDATE waits
    for the first transaction and then reads the row again). Locks are always taken seat first, then the
    person waiting, so two such transactions never wait for each other in a circle.
    """
    moved = []
    while True:
        seat = db.session.scalar(
            sa.select(Seat.id)
            .where(Seat.event_id == event.id, Seat.pool == pool, Seat.registration_id.is_(None))
            .order_by(Seat.id).limit(1)
            .with_for_update(skip_locked=True))  # PostgreSQL; SQLite serialises writers anyway
        candidate = _move_up_next(event.id, pool) if seat is not None else None
        if candidate is None:
            return moved
        db.session.execute(sa.update(Seat).where(Seat.id == seat).values(registration_id=candidate)
                           .execution_options(synchronize_session=False))
        db.session.flush()
        registration = db.session.scalars(sa.select(Registration).where(Registration.id == candidate)
                                          .execution_options(populate_existing=True)).one()
        moved.append(registration)


def _move_up_next(event_id: int, pool: str) -> int | None:
    """Confirm the person waiting longest for *pool*, if still waiting when the row is written; their id."""
    while True:
        query = sa.select(Registration.id).where(Registration.event_id == event_id,
                                                 Registration.status == RegistrationStatus.waitlisted)
        if pool != ALL:
            query = query.where(Registration.group == pool)
        candidate = db.session.scalar(query.order_by(Registration.id).limit(1))
        if candidate is None:
            return None
        taken = db.session.execute(
            sa.update(Registration)
            .where(Registration.id == candidate, Registration.status == RegistrationStatus.waitlisted)
            .values(status=RegistrationStatus.confirmed, pool=pool).returning(Registration.id)
            .execution_options(synchronize_session=False)).first()
        if taken is not None:
            return candidate
        # moved up by another cancellation, or cancelled, since it was read: the next one


def _door_open(event_id: int) -> None:
    """Raise EventError "event-cancelled" unless people may be let in; holds a shared lock on the event's row
    until the commit, so that cancel_event's UPDATE of it waits (PostgreSQL; SQLite serialises writers)."""
    state = db.session.scalar(sa.select(Event.state).where(Event.id == event_id).with_for_update(read=True))
    if state == EventState.cancelled:
        raise EventError("event-cancelled")


def check_in(registration: Registration, present: bool = True) -> bool:
    """Check a person in at the door, or undo it; False when it was so already (a second door device).

    The rule cancel_registration follows, from the other side: an UPDATE that only matches the status it
    expects, so a check-in and a cancellation at the same moment end as one or the other, never both. The
    event's row is read with a shared lock first (_door_open): a check-in and the event's cancellation at
    the same moment end as one or the other too. Undoing the check-in of someone added at the door (a
    walk-in) cancels them and gives their seat, if they had one, to the first person waiting.
    Raises EventError "event-cancelled", "registration-cancelled" or "no-seat" (waiting list).
    """
    _door_open(registration.event_id)
    expected, wanted = RegistrationStatus.confirmed, RegistrationStatus.attended
    if not present:
        # someone added at the door signed up for nothing to go back to: undoing takes them off the list
        expected, wanted = wanted, RegistrationStatus.cancelled if registration.walk_in else expected
    changed = db.session.execute(
        sa.update(Registration).where(Registration.id == registration.id, Registration.status == expected)
        .values(status=wanted, checked_in_at=utcnow() if present else None).returning(Registration.id)
        .execution_options(synchronize_session=False)).first()
    db.session.refresh(registration)  # what won, when this UPDATE found the row changed meanwhile
    if changed is not None:
        if wanted == RegistrationStatus.cancelled:
            _give_seat_on(registration)
        return True
    if registration.status == wanted or not present:
        return False
    raise EventError("registration-cancelled" if registration.status == RegistrationStatus.cancelled else "no-seat")


def counts(event: Event) -> dict[str, dict[str, int]]:
    """Sign-ups per group and status."""
    rows = db.session.execute(
        sa.select(Registration.group, Registration.status, sa.func.count())
        .where(Registration.event_id == event.id).group_by(Registration.group, Registration.status)).all()
    result: dict[str, dict[str, int]] = {}
    for group, status, n in rows:
        result.setdefault(group, {})[str(status)] = n
    return result


def seats_left(event: Event) -> int | None:
    if event.capacity is None:
        return None
    return db.session.scalar(sa.select(sa.func.count()).select_from(Seat).where(
        Seat.event_id == event.id, Seat.registration_id.is_(None)))


# -- the event's life ------------------------------------------------------------------------------

def touch(event: Event) -> None:
    """Record a change that calendars must pick up (RFC 5545 SEQUENCE)."""
    event.sequence = (event.sequence or 0) + 1
    event.updated_at = utcnow()


def publish(event: Event) -> None:
    if event.state == EventState.cancelled:
        raise EventError("cancelled")
    event.state = EventState.published
    touch(event)
    sync_seats(event)


def cancel_event(event: Event) -> list[Registration] | None:
    """Cancel the event; returns the sign-ups to tell, or None when it was cancelled already.

    An UPDATE that only matches an event not yet cancelled: when two organizers cancel at the same moment,
    one of them does and the other is told, so nobody gets the cancellation twice. It waits for check-ins
    in progress (their shared lock on the event's row, see _door_open).
    """
    cancelled = db.session.execute(
        sa.update(Event).where(Event.id == event.id, Event.state != EventState.cancelled)
        .values(state=EventState.cancelled, sequence=sa.func.coalesce(Event.sequence, 0) + 1, updated_at=utcnow())
        .returning(Event.id).execution_options(synchronize_session=False)).first()
    db.session.refresh(event)
    if cancelled is None:
        return None
    return list(db.session.scalars(sa.select(Registration).where(
        Registration.event_id == event.id,
        Registration.status.in_([RegistrationStatus.confirmed, RegistrationStatus.waitlisted]))))


def copy_event(source: Event, starts_at: datetime) -> Event:
    shift = starts_at - source.starts_at
    copy = Event(kind=source.kind, title=dict(source.title), description=dict(source.description),
                 locality_id=source.locality_id, venue=source.venue, address=source.address,
                 accessibility=dict(source.accessibility), language=source.language, process_id=source.process_id,
                 starts_at=starts_at, ends_at=source.ends_at + shift, capacity=source.capacity,
                 signup_opens_at=None, signup_closes_at=None, state=EventState.draft)
    from dialogue.events.models import SeatQuota

    copy.quotas = [SeatQuota(group=q.group, seats=q.seats) for q in source.quotas]
    copy.staff = list(source.staff)
    db.session.add(copy)
    db.session.flush()
    return copy


def mail_topic(event: Event) -> str:
    """What mail about *event* is filed under (see dialogue.core.mail.queue)."""
    return f"event:{event.id}"


def purge_personal_data(now: datetime, retention_days: int) -> int:
    """Delete names, addresses and needs of sign-ups to events that ended *retention_days* ago, and every
    message about the event (queued, waiting or set aside mail holds the address, name and cancel link).

    The registrations stay, without personal data, so the event keeps its counts.
    """
    cutoff = now - timedelta(days=retention_days)
    events = db.session.scalars(sa.select(Event).where(Event.ends_at < cutoff, Event.purged_at.is_(None))).all()
    for event in events:
        ids = sa.select(Registration.id).where(Registration.event_id == event.id).scalar_subquery()
        db.session.execute(sa.delete(RegistrationContact).where(RegistrationContact.registration_id.in_(ids)))
        db.session.execute(sa.update(Registration).where(Registration.event_id == event.id)
                           .values(cancel_token_hash=None, needs=[])
                           .execution_options(synchronize_session=False))
        mail.discard(mail_topic(event))
        event.purged_at = now
    db.session.flush()
    return len(events)
