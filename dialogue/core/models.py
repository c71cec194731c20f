"""The municipality, its staff, the audit trail and the outgoing mail."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.base import utcnow
from dialogue.extensions import db


class Municipality(db.Model):
    """The one municipality this installation serves.

    dialogue runs one installation per municipality: each municipality is its own data controller,
    so its residents' answers never share a database with another's.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the municipality's own name, e.g. "Flens kommun"
    name: Mapped[str] = mapped_column(sa.String(120))
    #: the language content falls back to when a translation is missing
    default_locale: Mapped[str] = mapped_column(sa.String(5), default="sv")
    #: an IANA zone; events and dates are shown in it
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Stockholm")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    postal_address: Mapped[str] = mapped_column(sa.String(300), default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    #: the languages the site offers residents (the default one among them)
    languages: Mapped[list] = mapped_column(sa.JSON, default=lambda: ["sv", "da", "en"])
    #: the logo as uploaded (PNG or JPEG), loaded only when the logo itself is asked for
    logo: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    logo_type: Mapped[str] = mapped_column(sa.String(20), default="")
    #: SHA-256 of the logo: its address changes when it does, so browsers may keep it long
    logo_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    #: links, buttons and borders; at least 4.5:1 against white (dialogue.core.colours)
    accent_color: Mapped[str] = mapped_column(sa.String(7), default="#005a8c")
    #: the privacy notice: who is responsible, the data protection officer, and texts per language
    #: ({"sv": ..., "en": ...}); an empty text shows the shipped default
    privacy_controller: Mapped[str] = mapped_column(sa.String(300), default="")
    privacy_dpo: Mapped[str] = mapped_column(sa.String(300), default="")
    privacy_purposes: Mapped[dict] = mapped_column(default=dict)
    privacy_retention: Mapped[dict] = mapped_column(default=dict)
    privacy_complaints: Mapped[dict] = mapped_column(default=dict)
    #: the accessibility statement's known shortcomings (per language) and its last review, as DIGG asks
    accessibility_shortcomings: Mapped[dict] = mapped_column(default=dict)
    accessibility_reviewed_on: Mapped[date | None]

    localities: Mapped[list[Locality]] = relationship(
        back_populates="municipality", order_by="Locality.position", cascade="all, delete-orphan"
    )

    @property
    def active_localities(self) -> list[Locality]:
        return [loc for loc in self.localities if not loc.archived]


class Locality(db.Model):
    """A locality (*ort*) of the municipality. Archived, never deleted: answers may point to it."""

    __table_args__ = (sa.UniqueConstraint("municipality_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipality.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int] = mapped_column(default=0)
    archived: Mapped[bool] = mapped_column(default=False)

    municipality: Mapped[Municipality] = relationship(back_populates="localities")


class Role(enum.StrEnum):
    admin = "admin"
    organizer = "organizer"
    analyst = "analyst"


class User(UserMixin, db.Model):
    """A staff account. Residents never have one."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stored lower-case; the sign-in name
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(sa.Enum(Role, native_enum=False, length=20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    def has_role(self, *roles: Role | str) -> bool:
        return self.role == Role.admin or self.role in {Role(r) for r in roles}


class StaffSession(db.Model):
    """A signed-in staff session, held on the server so that signing out really ends it.

    The cookie carries a random token; only its hash is stored here. Deleting the row ends the
    session, so a copied or replayed cookie stops working the moment the user signs out.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the absolute time-out: no activity extends it
    expires_at: Mapped[datetime]

    user: Mapped[User] = relationship()


class AuditEvent(db.Model):
    """Who did what, when. Holds no personal data about residents."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    #: a dotted verb, e.g. "user.login", "settings.update"
    action: Mapped[str] = mapped_column(sa.String(80))
    object_type: Mapped[str] = mapped_column(sa.String(40), default="")
    object_id: Mapped[int | None]
    details: Mapped[dict] = mapped_column(default=dict)

    actor: Mapped[User | None] = relationship()


class OutgoingMail(db.Model):
    """A message waiting to be sent, or sent. A mail server that is down delays mail, loses none."""

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    ics: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    #: attempts made so far
    attempts: Mapped[int] = mapped_column(default=0)
    #: the class of the last error only, never the message (it may hold the address)
    last_error: Mapped[str] = mapped_column(sa.String(100), default="")
    #: when it may be tried (again): when queued, then later and later after each failure (dialogue.core.mail)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: when it was given up on: too many failures, or no message could be made of it. It is not tried again
    #: until an admin asks for it at /staff/mail
    set_aside_at: Mapped[datetime | None]
    #: what it is about, e.g. "event:12": whatever deletes that deletes its mail too (dialogue.core.mail.discard)
    topic: Mapped[str] = mapped_column(sa.String(40), default="", index=True)
    #: where List-Unsubscribe points (RFC 8058 one-click), for mail that may be declined; "" for other mail
    unsubscribe_url: Mapped[str] = mapped_column(sa.String(500), default="")
