from flask import Blueprint

bp = Blueprint("reports", __name__)

from dialogue.reports import manage  # noqa: E402,F401  (routes register on import)
