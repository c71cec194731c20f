"""Sessions, authorization and the headers every response carries."""

from __future__ import annotations

import time
from functools import wraps

from flask import abort, current_app, request, session
from flask_login import current_user, login_user, logout_user

from dialogue.core import services
from dialogue.core.models import Role, User
from dialogue.extensions import login_manager

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

# Set on every response unless the view set them itself.
_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
_HSTS_HEADERS = (*_HEADERS, ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "core.login"
    login_manager.login_message = None
    # The server-side session row is the protection; Flask-Login's IP/agent hashing would only
    # sign people out when their phone changes network.
    login_manager.session_protection = None
    app.after_request(security_headers)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    token = session.get("sid")
    if not token:
        return None
    row = services.find_session(token)
    if row is None or str(row.user_id) != user_id or not row.user.active:
        session.clear()
        return None
    now = int(time.time())
    idle = current_app.config["STAFF_SESSION_IDLE_MINUTES"] * 60
    if now - session.get("seen", 0) > idle:
        session.clear()
        return None
    # The idle clock lives in the signed cookie, so a page view costs no database write.
    if now - session.get("seen", 0) > 30:
        session["seen"] = now
    return row.user


def sign_in(user: User) -> None:
    session.clear()  # a new session: nothing from before sign-in carries over
    token = services.start_session(user)
    session["sid"] = token
    session["seen"] = int(time.time())
    login_user(user)


def sign_out() -> None:
    token = session.get("sid")
    if token:
        services.end_session(token)
    logout_user()
    session.clear()


def staff_required(*roles: Role | str):
    """Let through signed-in staff with one of *roles* (admins always); others get 401/403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.staff_roles = tuple(Role(r) for r in roles) or tuple(Role)
        return wrapped

    return decorator


def security_headers(response):
    headers = response.headers
    for name, value in _HSTS_HEADERS if current_app.config["HSTS"] else _HEADERS:
        headers.setdefault(name, value)
    # Signed-in staff always carry a session id (load_user requires it), so the user need not be loaded here.
    if request.path.startswith("/staff") or session.get("sid"):
        # Staff pages show personal data and must not stay in a shared computer's cache.
        headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")  # added to what is there (Accept-Language on a page), never replacing it
    return response
