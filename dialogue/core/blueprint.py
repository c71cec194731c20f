from flask import Blueprint

bp = Blueprint("core", __name__)

from dialogue.core import manage, manage_mail, views  # noqa: E402,F401  (routes register on import)
