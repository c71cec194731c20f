from flask import Blueprint

bp = Blueprint("accounts", __name__)

from dialogue.accounts import manage, views  # noqa: E402,F401  (routes register on import)
