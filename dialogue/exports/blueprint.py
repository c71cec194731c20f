from flask import Blueprint

bp = Blueprint("exports", __name__)

from dialogue.exports import manage  # noqa: E402,F401  (registers the routes)
