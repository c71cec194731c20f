"""Friendly error pages in the visitor's language."""

from __future__ import annotations

import logging

from flask import render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from dialogue.extensions import db

log = logging.getLogger(__name__)
PAGES = {400, 403, 404, 405, 413, 429}


def init_app(app) -> None:
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
