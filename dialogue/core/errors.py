"""Friendly error pages in the visitor's language."""

from __future__ import annotations

import logging

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from dialogue.extensions import db

log = logging.getLogger(__name__)
PAGES = {400, 403, 404, 405, 413, 429}


class NulCharacter(BadRequest):
    """A NUL character in the request's path, a query parameter or a form field (*parameter*)."""

    def __init__(self, parameter: str) -> None:
        super().__init__()
        self.parameter = parameter


def refuse_nul() -> None:
    """400 for a request whose path, query string or form holds a NUL character, before any view reads it.

    PostgreSQL refuses NUL in text (a query with one fails in the driver), and no person types one: one
    rule here instead of a check in every view. The friendly error page answers it (the API: JSON).
    """
    if "\x00" in request.path:
        raise NulCharacter("path")
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                raise NulCharacter(key.replace("\x00", "") or "?")


def init_app(app) -> None:
    app.before_request(refuse_nul)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/error.html", code=400, csrf=True), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code not in PAGES:
            return error
        return render_template("errors/error.html", code=error.code), error.code

    @app.errorhandler(InternalServerError)
    def server_error(error):
        db.session.rollback()
        log.error("unhandled error: %s", type(getattr(error, "original_exception", error)).__name__)
        return render_template("errors/error.html", code=500), 500
