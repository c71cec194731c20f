"""Configuration, read from the environment.

Every setting has an environment variable of the same name. ``DIALOGUE_ENV`` picks the defaults:
``development`` (``make run``), ``testing`` (the suite) or ``production`` (anything else served).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("sv", "da", "en")


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(raw: str | None, instance_path: str) -> str:
    """Turn ``DATABASE_URL`` into an SQLAlchemy URL; SQLite in ``instance/`` when unset.

    Hosting platforms hand out ``postgres://`` URLs; psycopg 3 needs its dialect named.
    """
    if not raw:
        return f"sqlite:///{Path(instance_path) / 'dialogue.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def _dev_secret_key(instance_path: str) -> str:
    """A key kept in ``instance/`` so that development sign-ins survive a restart."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def build_config(instance_path: str, overrides: dict | None = None) -> dict:
    env = os.environ
    overrides = dict(overrides or {})
    mode = overrides.get("DIALOGUE_ENV") or env.get("DIALOGUE_ENV", "production")
    development = mode == "development"
    testing = mode == "testing"

    config: dict = {
        "DIALOGUE_ENV": mode,
        "TESTING": testing,
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": database_url(env.get("DATABASE_URL"), instance_path),
        # Database errors would otherwise carry the statement's values (names, addresses) into the logs.
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
        # Sessions: staff only. The cookie is signed; the server keeps the session row (see security.py).
        "SESSION_COOKIE_NAME": "dialogue_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), not (development or testing)),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "STAFF_SESSION_IDLE_MINUTES": int(env.get("STAFF_SESSION_IDLE_MINUTES", "30")),
        "STAFF_SESSION_ABSOLUTE_HOURS": int(env.get("STAFF_SESSION_ABSOLUTE_HOURS", "12")),
        # Ten answers of 10,000 emoji, percent-encoded, stay far below these; anything larger gets a 413 page.
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 4 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session; a long answer must not expire
        "BABEL_DEFAULT_LOCALE": "sv",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "LANGUAGES": LANGUAGES,
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        # memory:// is per process: with several gunicorn workers, point this at Redis (redis://host:6379).
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis out of reach: each process counts for itself meanwhile (Flask-Limiter's own fallback),
        # rather than refusing every resident's submission with a 500
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "PASSWORD_RESET_RATE_LIMIT": env.get("PASSWORD_RESET_RATE_LIMIT", "5 per hour"),
        # Generous: a library computer may send many residents' answers from one address.
        "ANSWER_RATE_LIMIT": env.get("ANSWER_RATE_LIMIT", "60 per minute;2000 per day"),
        # A questionnaire sent back faster than this after it was shown is taken for a program.
        "QUESTIONNAIRE_MIN_SECONDS": float(env.get("QUESTIONNAIRE_MIN_SECONDS", "3")),
        # Proxies in front of the app: the exact count matters, a wrong one lets clients forge their address.
        "PROXY_COUNT": int(env.get("PROXY_COUNT", "0")),
        # Mail: "smtp" sends through MAIL_SERVER; "file" writes instance/outbox/*.eml (development).
        "MAIL_BACKEND": env.get("MAIL_BACKEND", "file" if (development or testing) else "smtp"),
        "MAIL_SERVER": env.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS"), False),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL"), False),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_SENDER": env.get("MAIL_SENDER", "dialogue@localhost"),
        "MAIL_SENDER_NAME": env.get("MAIL_SENDER_NAME", "dialogue"),
        "MAIL_TIMEOUT": float(env.get("MAIL_TIMEOUT", "10")),
        # A message that could not be sent is tried again after this many seconds, twice as long after each
        # further failure; after MAIL_MAX_ATTEMPTS failures it is set aside for an admin (/staff/mail).
        "MAIL_RETRY_SECONDS": float(env.get("MAIL_RETRY_SECONDS", "60")),
        "MAIL_MAX_ATTEMPTS": int(env.get("MAIL_MAX_ATTEMPTS", "10")),
        # Personal data of sign-ups is deleted this many days after the event (`flask events purge`).
        "SIGNUP_RETENTION_DAYS": int(env.get("SIGNUP_RETENTION_DAYS", "90")),
        # Addresses left for feedback are deleted this many days after the message (`flask steering purge`).
        "FEEDBACK_RETENTION_DAYS": int(env.get("FEEDBACK_RETENTION_DAYS", "90")),
        # The site's own address, for links in mail sent by commands (`flask steering send-feedback`).
        "PUBLIC_URL": env.get("PUBLIC_URL", "http://127.0.0.1:5000" if development else ""),
        "ARGON2_TIME_COST": 3,
        "ARGON2_MEMORY_COST": 65536,
        "HSTS": not (development or testing),
    }
    if testing:
        config.update(ARGON2_TIME_COST=1, ARGON2_MEMORY_COST=1024)
    config.update(overrides)
    if not config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A server may drop idle connections; a file database never does, so SQLite skips the ping.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, **config["SQLALCHEMY_ENGINE_OPTIONS"]}
    if not config["SECRET_KEY"]:
        if development or testing:
            config["SECRET_KEY"] = _dev_secret_key(instance_path) if development else secrets.token_hex(32)
        else:
            raise RuntimeError(
                "SECRET_KEY is not set. Set it in the environment (e.g. `python -c "
                "'import secrets; print(secrets.token_hex(32))'`) before starting dialogue in production."
            )
    return config
