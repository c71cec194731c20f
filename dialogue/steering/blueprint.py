from flask import Blueprint

bp = Blueprint("steering", __name__)
