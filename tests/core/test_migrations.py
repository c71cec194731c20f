"""Migrations: one head, and the migrated schema matches the models on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from dialogue.config import ROOT


def test_single_head():
    config = Config(str(ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_migrated_schema_matches_the_models(app):
    """What `flask db check` asks; the app fixture's database was built by `flask db upgrade`."""
    import dialogue.models  # noqa: F401
    from dialogue.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_downgrade_and_upgrade_again(backend, tmp_path, postgres_or_none):
    from flask_migrate import downgrade, upgrade

    from tests.conftest import make_app

    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    else:
        url = postgres_or_none.create_database("dialogue_roundtrip")
    app = make_app(url, tmp_path)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        from dialogue.extensions import db

        db.engine.dispose()
