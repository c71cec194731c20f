from flask import Blueprint

bp = Blueprint("coding", __name__)

from dialogue.coding import hooks, manage, manage_agreement, manage_trace, views  # noqa: E402,F401  (routes register on import)

bp.record_once(hooks.register)
