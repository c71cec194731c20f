"""Alembic environment, run through Flask-Migrate (`flask --app wsgi db ...`)."""

import logging

from alembic import context
from flask import current_app

import dialogue.models  # noqa: F401  (every table must be known to autogenerate)
from dialogue.core.base import UTCDateTime

config = context.config
log = logging.getLogger("alembic.env")
db = current_app.extensions["migrate"].db


def _skip_empty_autogenerate(context, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


def _render_item(type_, obj, autogen_context):
    """Migrations name plain SQLAlchemy types, so they never break when app code moves."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_online() -> None:
    args = dict(current_app.extensions["migrate"].configure_args)
    args.setdefault("process_revision_directives", _skip_empty_autogenerate)
    args.setdefault("render_item", _render_item)
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations copy and drop tables; with foreign keys on, the drop would cascade.
            # The pragma only takes effect outside a transaction, so it goes straight to the driver.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(connection=connection, target_metadata=db.metadata, **args)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.rollback()
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
            if problems:
                raise RuntimeError(f"migration left broken foreign keys: {problems[:5]}")


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run `flask db upgrade` against a database.")
run_migrations_online()
