from flask import Blueprint

bp = Blueprint("vision", __name__)

from dialogue.vision import manage, views  # noqa: E402,F401  (routes register on import)
