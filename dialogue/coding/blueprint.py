from flask import Blueprint

bp = Blueprint("coding", __name__)

from dialogue.coding import manage  # noqa: E402,F401  (routes register on import)
