from flask import Blueprint

bp = Blueprint("questionnaires", __name__)

from dialogue.questionnaires import hooks, manage, views  # noqa: E402,F401  (routes register on import)

bp.record_once(hooks.register)
