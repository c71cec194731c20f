"""Backups as deploy/systemd/dialogue-backup.service makes them, restored the README's way into a fresh
database, on both engines: every row of every table is there, responses, codes and sign-ups included."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from dialogue import demo
from dialogue.coding import services as coding_services
from dialogue.coding.models import Coding, Contribution
from dialogue.core import backup
from dialogue.core.models import User
from dialogue.events import services as event_services
from dialogue.events.models import Event, Registration
from dialogue.extensions import db
from dialogue.questionnaires.models import Answer, Response
from dialogue.vision.models import NodeKind, VisionNode
from tests.conftest import make_app, skip_or_fail
from tests.deploy import shipped

pytestmark = pytest.mark.deploy


def fill(app) -> None:
    """The demo with answers, codes on some of their contributions, and sign-ups to its events."""
    with app.app_context():
        demo.load(sample_responses=30)
        analyst = db.session.scalar(sa.select(User).where(User.email == "analyst@flen.example"))
        blocks = db.session.scalars(sa.select(VisionNode.id).where(VisionNode.kind == NodeKind.building_block)
                                    .limit(3)).all()
        for n, contribution in enumerate(db.session.scalars(sa.select(Contribution).limit(12))):
            coding_services.set_codes(contribution, {blocks[n % 3], blocks[(n + 1) % 3]}, analyst, f"note {n}")
        for event in db.session.scalars(sa.select(Event)).all()[:2]:
            for n in range(3):
                event_services.register(event, group="other", name=f"Person {n}", email=f"p{n}@example.se",
                                        needs=["food"], needs_note="", locale="sv",
                                        submission_key=f"backup-{event.id}-{n}")
        db.session.commit()


def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order, and the migration the database is at."""
    with app.app_context():
        tables = {table.name: [tuple(row) for row in db.session.execute(
                      sa.select(table).order_by(*table.primary_key.columns))]
                  for table in db.metadata.sorted_tables}
        tables["alembic_version"] = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).all()
        return tables


def run_backup_unit(database_url: str, folder) -> None:
    """deploy/systemd/dialogue-backup.service's command, with the folder it backs up to moved here."""
    argv, unit_env, cwd = shipped.service_command("dialogue-backup.service",
                                                  replacements={"/var/backups/dialogue": str(folder)})
    env = {**shipped.server_environment(SECRET_KEY="backup-test", DATABASE_URL=database_url), **unit_env}
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Backed up to" in result.stdout


def restore(backend: str, made, postgres_or_none, tmp_path) -> str:
    """Into a fresh database, as the README says; returns its URL."""
    if backend == "sqlite":
        target = tmp_path / "restored" / "dialogue.sqlite3"
        target.parent.mkdir()
        shutil.copyfile(made, target)  # with the app stopped: copy the backup into place
        return f"sqlite:///{target}"
    url = postgres_or_none.create_database("dialogue_restored")  # createdb
    dbname = make_url(url)._replace(drivername="postgresql").render_as_string(hide_password=False)
    pg_restore = shutil.which("pg_restore") or str(postgres_or_none.bindir / "pg_restore")
    result = subprocess.run([pg_restore, "--no-owner", "--exit-on-error", f"--dbname={dbname}", str(made)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return url


def test_a_backup_restored_into_a_fresh_database_holds_every_response_code_and_sign_up(
        app, backend, postgres_or_none, tmp_path):
    if backend == "postgresql" and shutil.which("pg_dump") is None:
        skip_or_fail("pg_dump is not installed (Debian: postgresql-client)")
    fill(app)
    before = snapshot(app)
    folder = tmp_path / "backups"
    run_backup_unit(app.config["SQLALCHEMY_DATABASE_URI"], folder)
    (made,) = folder.iterdir()
    assert made.suffix == (".sqlite3" if backend == "sqlite" else ".dump")
    assert made.stat().st_mode & 0o077 == 0  # personal data: the owner's only

    restored = make_app(restore(backend, made, postgres_or_none, tmp_path), tmp_path / "instance")
    after = snapshot(restored)
    for model in (Response, Answer, Contribution, Coding, Registration):
        assert len(before[model.__tablename__]) > 0, model.__tablename__
    assert after == before
    assert restored.test_client().get("/healthz").status_code == 200
    with restored.app_context():
        db.engine.dispose()


def test_keep_leaves_the_newest_backups_and_nothing_else(app_factory, backend, tmp_path):
    if backend == "postgresql" and shutil.which("pg_dump") is None:
        skip_or_fail("pg_dump is not installed (Debian: postgresql-client)")
    app = app_factory()
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a backup")
    start = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)
    made = [backup.create(app.config["SQLALCHEMY_DATABASE_URI"], folder, keep=2, now=start + timedelta(days=n))
            for n in range(4)]
    assert sorted(p.name for p in folder.iterdir()) == sorted([made[2].name, made[3].name, "notes.txt"])
    assert not list(folder.glob("*.partial"))
