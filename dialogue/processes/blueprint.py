from flask import Blueprint

bp = Blueprint("processes", __name__)

from dialogue.processes import manage, views  # noqa: E402,F401  (routes register on import)
