from flask import Blueprint

bp = Blueprint("steering", __name__)

from dialogue.steering import hooks, manage, views  # noqa: E402,F401  (routes register on import)

bp.record_once(hooks.register)
