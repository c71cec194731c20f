"""JSON errors for /api/v1: a program reading the API never gets an HTML page."""

from __future__ import annotations

from flask import jsonify


def error(status: int, message: str, **extra):
    response = jsonify({"error": {"status": status, "message": str(message), **extra}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="dialogue"'
    return response
