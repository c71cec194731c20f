from flask import Blueprint

bp = Blueprint("questionnaires", __name__)

from dialogue.questionnaires import manage, views  # noqa: E402,F401  (routes register on import)
