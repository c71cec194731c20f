"""Invitations, roles, deactivation and password resets. Functions flush; views commit."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from dialogue.accounts.models import AccountLink, Purpose
from dialogue.core import services as core
from dialogue.core.base import utcnow
from dialogue.core.models import Role, User
from dialogue.extensions import db
from dialogue.i18n import _l

#: how long a mailed link works
LIFETIME = {Purpose.invitation: timedelta(hours=72), Purpose.reset: timedelta(hours=2)}
#: a password hash no password matches: an invited person signs in only after choosing one
NO_PASSWORD = ""


class AccountError(ValueError):
    """A change that would leave the installation without an administrator, or a taken address."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_link(user: User, purpose: Purpose) -> str:
    """A fresh link for *user*; earlier unused links of the same purpose stop working."""
    now = utcnow()
    db.session.execute(sa.update(AccountLink).where(
        AccountLink.user_id == user.id, AccountLink.purpose == purpose, AccountLink.used_at.is_(None),
    ).values(used_at=now))
    token = secrets.token_urlsafe(32)  # 256 bits
    db.session.add(AccountLink(token_hash=_hash(token), user_id=user.id, purpose=purpose, created_at=now,
                               expires_at=now + LIFETIME[purpose]))
    db.session.flush()
    return token


def invite(email: str, role: Role) -> tuple[User, str]:
    """A new account without a password, and the token of its invitation link.

    :raise AccountError: an account with the address exists
    """
    email = email.strip().lower()
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise AccountError(_l("An account with this e-mail address exists already."))
    user = User(email=email, password_hash=NO_PASSWORD, role=role)
    db.session.add(user)
    db.session.flush()
    return user, _new_link(user, Purpose.invitation)


def invite_again(user: User) -> str:
    return _new_link(user, Purpose.invitation)


def is_pending(user: User) -> bool:
    """Invited, and no password chosen yet."""
    return user.password_hash == NO_PASSWORD


def reset_link(email: str) -> tuple[User, str] | None:
    """A reset link for the active account with *email* that has a password, else None."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or is_pending(user):
        return None
    return user, _new_link(user, Purpose.reset)


def find_link(token: str) -> AccountLink | None:
    """The unused, unexpired link of an active account with this token."""
    if not token or len(token) > 100:
        return None
    link = db.session.scalar(sa.select(AccountLink).where(AccountLink.token_hash == _hash(token)))
    if link is None or link.used_at is not None or link.expires_at <= utcnow() or not link.user.active:
        return None
    return link


def use_link(link: AccountLink, password: str) -> bool:
    """Set the password through *link*; False when the link was used meanwhile (another tab).

    :raise core.PasswordPolicyError: the password is too weak; the link stays usable
    """
    core.check_password_policy(password, link.user.email)
    claimed = db.session.execute(sa.update(AccountLink).where(
        AccountLink.id == link.id, AccountLink.used_at.is_(None)).values(used_at=utcnow()))
    if claimed.rowcount != 1:
        return False
    core.set_password(link.user, password)
    db.session.flush()
    return True


def _other_active_admins(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.role == Role.admin, User.active.is_(True), User.id != user.id,
        User.password_hash != NO_PASSWORD))


def set_role(user: User, role: Role) -> None:
    if user.role == Role.admin and role != Role.admin and not _other_active_admins(user):
        raise AccountError(_l("The last administrator keeps that role: make someone else an administrator first."))
    user.role = role
    db.session.flush()


def set_active(user: User, active: bool) -> None:
    """Deactivating ends the person's sessions; their API tokens stop working with the account."""
    if not active and user.role == Role.admin and not _other_active_admins(user):
        raise AccountError(_l("The last administrator cannot be deactivated."))
    if active:
        user.active = True
    else:
        core.deactivate_user(user)
    db.session.flush()
