from flask import Blueprint

bp = Blueprint("events", __name__)

from dialogue.events import hooks, manage, views  # noqa: E402,F401  (routes register on import)

bp.record_once(hooks.register)
