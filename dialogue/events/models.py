"""Open meetings, trend seminars and workshops; sign-ups with seats per group."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.base import utcnow
from dialogue.core.models import User
from dialogue.extensions import db
from dialogue.i18n import _l


class EventKind(enum.StrEnum):
    open_meeting = "open_meeting"
    seminar = "seminar"
    workshop = "workshop"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    EventKind.open_meeting: _l("Open meeting"),
    EventKind.seminar: _l("Trend seminar"),
    EventKind.workshop: _l("Workshop"),
}


class EventState(enum.StrEnum):
    draft = "draft"
    published = "published"
    cancelled = "cancelled"


#: groups a workshop can reserve seats for; "all" is the pool of an event without reserved seats
SIGNUP_GROUPS = {
    "young": _l("Young person"),
    "association": _l("Association"),
    "business": _l("Business"),
    "other": _l("Other"),
}
ALL = "all"

#: what a person signing up may say they need
NEEDS = {
    "access": _l("Step-free access or other help to get in"),
    "food": _l("Special food (allergies, diet)"),
    "interpreter": _l("Interpreter (sign language or another language)"),
}


#: the staff who run an event: they, and admins, see the names of its sign-ups (events.services.runs)
event_staff = sa.Table(
    "event_staff", db.metadata,
    sa.Column("event_id", sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Event(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int | None] = mapped_column(sa.ForeignKey("process.id", ondelete="SET NULL"))
    kind: Mapped[EventKind] = mapped_column(sa.Enum(EventKind, native_enum=False, length=20))
    state: Mapped[EventState] = mapped_column(sa.Enum(EventState, native_enum=False, length=10),
                                              default=EventState.draft)
    title: Mapped[dict]
    description: Mapped[dict] = mapped_column(default=dict)
    locality_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locality.id", ondelete="SET NULL"))
    venue: Mapped[str] = mapped_column(sa.String(200), default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    #: how to get in: step-free access, hearing loop, ...
    accessibility: Mapped[dict] = mapped_column(default=dict)
    #: the language the event is held in
    language: Mapped[str] = mapped_column(sa.String(5), default="sv")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    #: None: no sign-up needed, just come
    capacity: Mapped[int | None]
    signup_opens_at: Mapped[datetime | None]
    signup_closes_at: Mapped[datetime | None]
    #: stable identity in calendars (RFC 5545 UID); SEQUENCE rises with every change
    uid: Mapped[str] = mapped_column(sa.String(64), unique=True, default=lambda: f"{uuid.uuid4()}@dialogue")
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: set when the personal data of its sign-ups was deleted; only counts remain
    purged_at: Mapped[datetime | None]

    quotas: Mapped[list[SeatQuota]] = relationship(back_populates="event", cascade="all, delete-orphan",
                                                   order_by="SeatQuota.group")
    staff: Mapped[list[User]] = relationship(secondary=event_staff, order_by=User.email, passive_deletes=True)

    @property
    def needs_signup(self) -> bool:
        return self.capacity is not None

    def signup_open(self, now: datetime) -> bool:
        return (self.state == EventState.published and self.needs_signup and now < self.starts_at
                and (self.signup_opens_at is None or self.signup_opens_at <= now)
                and (self.signup_closes_at is None or now < self.signup_closes_at))


class SeatQuota(db.Model):
    """Seats reserved for one group at a workshop (e.g. 10 for young people)."""

    __table_args__ = (sa.UniqueConstraint("event_id", "group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    group: Mapped[str] = mapped_column(sa.String(20))
    seats: Mapped[int]

    event: Mapped[Event] = relationship(back_populates="quotas")


class Seat(db.Model):
    """One seat of an event. Holding a seat is what "confirmed" means.

    A sign-up takes a free seat with one conditional UPDATE, so the database, not a count taken
    beforehand, decides who gets the last seat: an event can never be oversubscribed.
    """

    __table_args__ = (sa.Index("ix_seat_free", "event_id", "pool", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    #: the group the seat is reserved for, or "all"
    pool: Mapped[str] = mapped_column(sa.String(20))
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL"), unique=True)


class RegistrationStatus(enum.StrEnum):
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    cancelled = "cancelled"
    attended = "attended"


class Registration(db.Model):
    """A sign-up. Name and e-mail address live in RegistrationContact and are purged after the event."""

    __table_args__ = (sa.Index("ix_registration_event_status", "event_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    status: Mapped[RegistrationStatus] = mapped_column(sa.Enum(RegistrationStatus, native_enum=False, length=12))
    group: Mapped[str] = mapped_column(sa.String(20), default="other")
    #: the seat pool it waits for or sits in ("all" or the group)
    pool: Mapped[str] = mapped_column(sa.String(20))
    needs: Mapped[list] = mapped_column(sa.JSON, default=list)
    locale: Mapped[str] = mapped_column(sa.String(5), default="sv")
    submission_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    cancel_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_in_at: Mapped[datetime | None]
    #: a person who came without signing up, added at the door
    walk_in: Mapped[bool] = mapped_column(default=False)

    contact: Mapped[RegistrationContact | None] = relationship(back_populates="registration",
                                                               cascade="all, delete-orphan", uselist=False)


class RegistrationContact(db.Model):
    """Personal data of a sign-up, kept apart so that it can be deleted after the event."""

    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id", ondelete="CASCADE"),
                                                 primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    #: free text about needs (e.g. which interpreter); deleted with the rest
    needs_note: Mapped[str] = mapped_column(sa.Text, default="")

    registration: Mapped[Registration] = relationship(back_populates="contact")
