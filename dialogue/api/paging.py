"""Cursor pagination: stable order by id, an opaque signed cursor holding the last id given."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app, request, url_for
from itsdangerous import BadData, URLSafeSerializer

from dialogue.extensions import db
from dialogue.i18n import _

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


class BadParameter(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="api.cursor")


def limit_arg() -> int:
    raw = request.args.get("limit", "").strip()
    if not raw:
        return DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadParameter("limit", _("limit must be a whole number from 1 to %(max)s.", max=MAX_LIMIT))
    return int(raw)


def cursor_arg() -> int:
    raw = request.args.get("cursor", "").strip()
    if not raw:
        return 0
    try:
        after = _serializer().loads(raw)
    except (BadData, UnicodeError, ValueError):
        after = None
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise BadParameter("cursor", _("The cursor is not one this API gave out; start again without it."))
    return after


def page(query: sa.Select, id_column, serialize: Callable[[list], list[dict]]) -> dict:
    """One page of *query* after the cursor, and the cursor of the next page (None on the last)."""
    limit, after = limit_arg(), cursor_arg()
    rows = db.session.scalars(query.where(id_column > after).order_by(id_column).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _serializer().dumps(rows[-1].id) if more else None
    next_url = None
    if next_cursor:
        args = {**request.args.to_dict(), "cursor": next_cursor}
        next_url = url_for(request.endpoint, **(request.view_args or {}), **args)
    return {"data": serialize(rows), "next_cursor": next_cursor, "next": next_url}
