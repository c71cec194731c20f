"""Single-use links that let a person choose a password: an invitation or a reset."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.base import utcnow
from dialogue.core.models import User
from dialogue.extensions import db


class Purpose(enum.StrEnum):
    invitation = "invitation"
    reset = "reset"


class AccountLink(db.Model):
    """A link mailed to a staff member. Only the SHA-256 of its 256-bit token is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[Purpose] = mapped_column(sa.Enum(Purpose, native_enum=False, length=20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    #: set once, by a conditional UPDATE: a link works one time even when two tabs race
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
