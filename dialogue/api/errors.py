"""JSON errors for /api/v1: a program reading the API never gets an HTML page."""

from __future__ import annotations

from flask import jsonify
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from dialogue.core.errors import NulCharacter
from dialogue.i18n import _, _l

PREFIX = "/api/v1"
#: the API only reads; Flask answers HEAD and OPTIONS of every GET route itself
ALLOW = "GET, HEAD, OPTIONS"

MESSAGES = {
    400: _l("The request could not be handled"),
    404: _l("There is nothing at this address."),
    405: _l("The API only reads: use GET."),
    413: _l("What you sent is too large"),
    429: _l("Too many requests with this token; wait a minute and try again."),
    500: _l("Something went wrong on our side."),
}


def error(status: int, message: str, **extra):
    response = jsonify({"error": {"status": status, "message": str(message), **extra}})
    response.status_code = status
    # set here as well as after each API view: an address no route matches never reaches the blueprint
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="dialogue"'
    if status == 405:
        response.headers["Allow"] = ALLOW
    return response


def from_exception(exc: HTTPException):
    """Any HTTP error under /api/v1, whatever the method or the address, as JSON with its status.

    core.errors calls this for every error under PREFIX, routed or not: TRACE or PUT on an API address,
    an id too large for its converter, a NUL in the path, a limit met, a server error.
    """
    status = exc.code or 500
    if isinstance(exc, NulCharacter):
        return error(400, _("%(name)s has a value that cannot be right.", name=exc.parameter),
                     parameter=exc.parameter)
    response = error(status, MESSAGES.get(status) or MESSAGES[500 if status >= 500 else 400])
    for name, value in exc.get_headers():
        if name.lower() != "content-type":  # e.g. Retry-After; the body is JSON, not the exception's HTML
            response.headers[name] = value
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        # the methods the address answers (GET, HEAD, OPTIONS for every API route), in a stable order
        response.headers["Allow"] = ", ".join(sorted(set(exc.valid_methods)))
    return response
