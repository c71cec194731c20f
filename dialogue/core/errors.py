"""Friendly error pages in the visitor's language."""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from dialogue.extensions import db

log = logging.getLogger(__name__)
PAGES = {400, 403, 404, 405, 413, 429}
_RENDERERS = "dialogue.error_renderers"


class NulCharacter(BadRequest):
    """A NUL character in the request's path, a query parameter or a form field (*parameter*)."""

    def __init__(self, parameter: str) -> None:
        super().__init__()
        self.parameter = parameter


def refuse_nul_in_path() -> None:
    """A NUL in the path is a 400 before any view reads it: nothing can be looked up by such a slug or token."""
    if "\x00" in request.path:
        raise NulCharacter("path")


def nul_in_request() -> str | None:
    """Where the request holds a NUL character: "path", the name of a parameter, or None."""
    if "\x00" in request.path:
        return "path"
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                return key.replace("\x00", "") or "?"
    return None


def render_errors_under(app, prefix: str, render: Callable[[HTTPException], object]) -> None:
    """Answer every error under the path *prefix* with *render* instead of a page: any method, any address,
    whether a route matched or not (an unknown method, an id too large for its converter, a NUL in the path).

    For a part of the site that programs read, such as the API; *render* gets the HTTPException (a server
    error as InternalServerError) and keeps the headers it needs, e.g. the Allow of a 405.
    """
    app.extensions.setdefault(_RENDERERS, []).append((prefix.rstrip("/"), render))


def _renderer() -> Callable[[HTTPException], object] | None:
    path = request.path
    for prefix, render in current_app.extensions.get(_RENDERERS, ()):
        if path == prefix or path.startswith(prefix + "/"):
            return render
    return None


def init_app(app) -> None:
    # A NUL is never a server error. PostgreSQL refuses NUL in text (the driver raises DataError), so:
    # in the path it is refused up front; in a parameter the view's own checks explain it (a month that
    # cannot be, a field with control characters), and should a view pass one on to the database anyway,
    # the refusal is answered 400 like any other bad request (JSON in the API), not 500.
    app.before_request(refuse_nul_in_path)

    @app.errorhandler(sa.exc.DataError)
    def data_error(error: sa.exc.DataError):
        db.session.rollback()
        place = nul_in_request()
        if place is None:
            raise error  # not the request's NUL: a server error like any other
        return current_app.handle_user_exception(NulCharacter(place))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if render := _renderer():
            return render(error)
        return render_template("errors/error.html", code=400, csrf=True), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if (error.code or 500) >= 400 and (render := _renderer()):
            return render(error)
        if error.code not in PAGES:
            return error
        return render_template("errors/error.html", code=error.code), error.code

    @app.errorhandler(InternalServerError)
    def server_error(error):
        db.session.rollback()
        log.error("unhandled error: %s", type(getattr(error, "original_exception", error)).__name__)
        if render := _renderer():
            return render(error)
        return render_template("errors/error.html", code=500), 500
