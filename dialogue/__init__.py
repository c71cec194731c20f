"""dialogue: citizen dialogue for Nordic municipalities."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from dialogue.config import ROOT, build_config
from dialogue.core.ids import IdConverter


class DialogueFlask(Flask):
    def log_exception(self, exc_info) -> None:
        """Log where an error happened, never its message or the request's address.

        Database errors repeat the values of the statement (a name, an e-mail address), and addresses
        may hold private-link tokens; the route pattern and the stack are enough to find the fault.
        """
        from flask import request

        error_type, _error, tb = exc_info
        rule = request.url_rule.rule if request.url_rule else "?"
        stack = "".join(traceback.format_tb(tb))
        self.logger.error("%s in %s %s\n%s", error_type.__name__, request.method, rule, stack)


def create_app(config: dict | None = None) -> Flask:
    """Build the application. Opens no database connection, so it is safe before a fork."""
    app = DialogueFlask(
        __name__,
        instance_path=str(Path((config or {}).get("INSTANCE_PATH") or ROOT / "instance").resolve()),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.url_map.converters["int"] = IdConverter  # before any route is added
    app.config.update(build_config(app.instance_path, config))
    if app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"],
                                x_proto=app.config["PROXY_COUNT"], x_host=app.config["PROXY_COUNT"])
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("dialogue").setLevel(logging.INFO)

    _init_extensions(app)
    _register_blueprints(app)

    from dialogue import cli
    from dialogue.core import errors

    errors.init_app(app)
    cli.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    from dialogue import i18n, security
    from dialogue.core.database import configure_engine
    from dialogue.extensions import babel, csrf, db, limiter, migrate

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=_timezone)
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    app.after_request(i18n.remember_locale)
    app.after_request(i18n.vary_by_language)

    from dialogue.core import templating

    templating.init_app(app)


def _timezone() -> str:
    from dialogue.core.services import get_municipality

    municipality = get_municipality()
    return municipality.timezone if municipality else "Europe/Stockholm"


def _register_blueprints(app: Flask) -> None:
    from dialogue.accounts.blueprint import bp as accounts_bp
    from dialogue.api.blueprint import bp as api_bp
    from dialogue.coding.blueprint import bp as coding_bp
    from dialogue.core.blueprint import bp as core_bp
    from dialogue.events.blueprint import bp as events_bp
    from dialogue.exports.blueprint import bp as exports_bp
    from dialogue.processes.blueprint import bp as processes_bp
    from dialogue.questionnaires.blueprint import bp as questionnaires_bp
    from dialogue.reports.blueprint import bp as reports_bp
    from dialogue.steering.blueprint import bp as steering_bp
    from dialogue.vision.blueprint import bp as vision_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(processes_bp)
    app.register_blueprint(questionnaires_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(vision_bp)
    app.register_blueprint(coding_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(steering_bp)
    app.register_blueprint(api_bp)
