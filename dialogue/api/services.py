"""Creating, checking and revoking API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from dialogue.api.models import ApiToken
from dialogue.core.base import utcnow
from dialogue.core.database import insert_unless_present
from dialogue.core.models import User
from dialogue.core.services import audit
from dialogue.extensions import db

PREFIX = "dlg_"
#: last_used_at is written at most this often, so reading the API costs no write per request
USE_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str, created_by: User,
                 submission_key: str | None = None) -> tuple[ApiToken, str] | None:
    """A new token for *user*; returns the row and the token itself, which is never stored.

    None when a token with *submission_key* exists already (the form was sent twice): the UNIQUE index
    decides, so two racing requests still make one token.
    """
    token = PREFIX + secrets.token_urlsafe(32)  # 256 random bits
    token_id = insert_unless_present(db.session, ApiToken.__table__, {
        "user_id": user.id, "name": name, "token_hash": hash_token(token), "created_by_id": created_by.id,
        "submission_key": submission_key or secrets.token_urlsafe(24), "created_at": utcnow(),
    }, key="submission_key")
    if token_id is None:
        return None
    row = db.session.get(ApiToken, token_id)
    audit("api_token.create", row, actor=created_by, user_id=user.id)
    return row, token


def revoke_token(row: ApiToken, revoked_by: User) -> bool:
    """Revoke *row*; False when it was revoked already."""
    if row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    db.session.flush()
    audit("api_token.revoke", row, actor=revoked_by, user_id=row.user_id)
    return True


def find_user(token: str) -> tuple[ApiToken, User] | None:
    """The live token and its active user, or None."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    row = db.session.execute(
        sa.select(ApiToken, User).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None), User.active.is_(True))
    ).first()
    return (row[0], row[1]) if row else None


def mark_used(row: ApiToken) -> None:
    """Note the use, at most once a minute. Runs in a transaction of its own that only writes."""
    now = utcnow()
    if row.last_used_at is not None and now - row.last_used_at < USE_RESOLUTION:
        return
    db.session.commit()  # end the read: on SQLite the update then takes the write lock without a stale snapshot
    db.session.execute(sa.update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    db.session.commit()
    row.last_used_at = now
