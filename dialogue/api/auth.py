"""Bearer-token authorization for /api/v1. Never looks at the session cookie."""

from __future__ import annotations

import os
from functools import wraps

from flask import current_app, g, request

from dialogue.api import services
from dialogue.api.errors import error
from dialogue.core.models import Role
from dialogue.extensions import limiter
from dialogue.i18n import _


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def token_key() -> str:
    """The rate limit's key: the token's hash, so each token has its own allowance."""
    token = bearer_token()
    return "api:" + (services.hash_token(token) if token else (request.remote_addr or "?"))


def _rate_limit() -> str:
    # config.py belongs to the core; the setting is read here, from the app's config or the environment
    return current_app.config.get("API_RATE_LIMIT") or os.environ.get("API_RATE_LIMIT", "600 per minute")


#: every /api/v1 route: a limit per token (the staff pages for tokens, in the same blueprint, are not counted)
rate_limited = limiter.shared_limit(_rate_limit, scope="api", key_func=token_key)


def token_required(*roles: Role):
    """Let through requests with a live token whose active user has one of *roles* (any staff if none)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = bearer_token()
            found = services.find_user(token) if token else None
            if found is None:
                return error(401, _("Send a valid API token: Authorization: Bearer <token>."))
            row, user = found
            if roles and not user.has_role(*roles):
                return error(403, _("This token's user may not read this."))
            services.mark_used(row)
            g.api_user = user
            return view(*args, **kwargs)

        wrapped.api_roles = roles
        return wrapped

    return decorator
