"""Operations on the municipality, staff accounts and the audit log. They flush; views commit."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g
from sqlalchemy.orm import selectinload

from dialogue.core.base import utcnow
from dialogue.core.models import AuditEvent, Locality, Municipality, Role, StaffSession, User
from dialogue.extensions import db
from dialogue.i18n import _l

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


class PasswordPolicyError(ValueError):
    pass


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_COST"])


def check_password_policy(password: str, email: str = "") -> None:
    """Length is what protects a password (NIST 800-63B); composition rules are not asked for."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(_l("The password must be at least %(n)s characters long.", n=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordPolicyError(_l("The password must be at most %(n)s characters long.", n=MAX_PASSWORD_LENGTH))
    if email and password.strip().lower() == email.strip().lower():
        raise PasswordPolicyError(_l("The password must not be the e-mail address."))
    if len(set(password)) < 4:
        raise PasswordPolicyError(_l("The password repeats too few characters to be safe."))


def create_user(email: str, password: str, role: Role | str) -> User:
    email = email.strip().lower()
    check_password_policy(password, email)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise ValueError(_l("A user with the e-mail address %(email)s exists already.", email=email))
    user = User(email=email, password_hash=_hasher().hash(password), role=Role(role))
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    check_password_policy(password, user.email)
    user.password_hash = _hasher().hash(password)
    end_sessions(user)


def authenticate(email: str, password: str) -> User | None:
    """The user if the password matches, else None; equally slow for unknown addresses."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    hasher = _hasher()
    if user is None:
        # Hash anyway so that the time taken does not tell which addresses have accounts.
        hasher.hash(password)
        return None
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if not user.active:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> str:
    """Store a new server-side session for *user* and return the token for the cookie."""
    now = utcnow()
    db.session.execute(sa.delete(StaffSession).where(StaffSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    hours = current_app.config["STAFF_SESSION_ABSOLUTE_HOURS"]
    db.session.add(StaffSession(token_hash=_token_hash(token), user_id=user.id,
                                expires_at=now + timedelta(hours=hours)))
    user.last_login_at = now
    db.session.flush()
    return token


def find_session(token: str) -> StaffSession | None:
    row = db.session.scalar(sa.select(StaffSession).where(StaffSession.token_hash == _token_hash(token)))
    if row is None or row.expires_at <= utcnow():
        return None
    return row


def end_session(token: str) -> None:
    db.session.execute(sa.delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))


def end_sessions(user: User) -> None:
    db.session.execute(sa.delete(StaffSession).where(StaffSession.user_id == user.id))


def deactivate_user(user: User) -> None:
    user.active = False
    end_sessions(user)


def audit(action: str, obj=None, actor: User | None = None, **details) -> AuditEvent:
    """Record an action. *details* must never hold residents' personal data."""
    if actor is None:
        from flask_login import current_user

        actor = current_user if getattr(current_user, "is_authenticated", False) else None
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        object_type=type(obj).__name__.lower() if obj is not None else "",
        object_id=getattr(obj, "id", None),
        details=details,
    )
    db.session.add(event)
    return event


def new_submission_key() -> str:
    """A random key chosen when a form is shown: its UNIQUE column makes a double click store one row."""
    return secrets.token_urlsafe(24)


def get_municipality_or_none() -> Municipality | None:
    return db.session.scalar(sa.select(Municipality).order_by(Municipality.id).limit(1))


def get_municipality() -> Municipality | None:
    """The municipality with its localities, loaded once per request."""
    if "municipality" not in g:
        g.municipality = db.session.scalar(
            sa.select(Municipality).options(selectinload(Municipality.localities))
            .order_by(Municipality.id).limit(1))
    return g.municipality


def active_localities() -> list[Locality]:
    """The localities residents choose from, in their order (none before the municipality is set up)."""
    municipality = get_municipality()
    return municipality.active_localities if municipality else []


def set_localities(municipality: Municipality, names: list[str]) -> None:
    """Make *names* the active localities, in that order; others are archived, not deleted."""
    wanted = [n.strip() for n in names if n.strip()]
    by_name = {loc.name: loc for loc in municipality.localities}
    for position, name in enumerate(wanted):
        loc = by_name.get(name)
        if loc is None:
            loc = Locality(name=name)
            municipality.localities.append(loc)
        loc.position = position
        loc.archived = False
    for name, loc in by_name.items():
        if name not in wanted:
            loc.archived = True
    db.session.flush()
