from flask import Blueprint

bp = Blueprint("api", __name__)

from dialogue.api import manage, openapi, views  # noqa: E402,F401  (routes register on import)
