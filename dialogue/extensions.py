"""Extension objects, bound to the app in ``create_app``."""

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from dialogue.core.base import Base

# Objects stay readable after commit: views commit and then render what they just stored.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()


class _Limiter(Limiter):
    """Flask-Limiter, except for the endpoints in ``counted_in_view``: they count for themselves, with
    one hit, instead of going through its per-request machinery (see dialogue/questionnaires/ratelimit.py)."""

    counted_in_view: set[str] = set()

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if request.endpoint in self.counted_in_view:
            return
        super()._check_request_limit(callable_name, in_middleware)


limiter = _Limiter(key_func=get_remote_address)
