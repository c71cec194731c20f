"""Backups of the whole database into a folder: `flask --app wsgi backup create FOLDER --keep N`.

SQLite: the online backup API (a consistent copy while the app keeps writing), checked with
`PRAGMA integrity_check`. PostgreSQL: `pg_dump --format=custom`, restored with `pg_restore`. A backup is
written under a temporary name and renamed when complete, readable by its owner only (it holds personal
data); the newest *keep* backups stay, older ones made by this command are deleted.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.engine import make_url

NAME = re.compile(r"^dialogue-\d{8}T\d{6}Z\.(sqlite3|dump)$")


class BackupError(RuntimeError):
    pass


def create(database_url: str, folder: Path, keep: int, now: datetime | None = None) -> Path:
    """Back up the database at *database_url* into *folder*; returns the new file."""
    url = make_url(database_url)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if url.get_backend_name() == "sqlite":
        target = folder / f"dialogue-{stamp}.sqlite3"
        write = _sqlite
    elif url.get_backend_name() == "postgresql":
        target = folder / f"dialogue-{stamp}.dump"
        write = _pg_dump
    else:
        raise BackupError(f"cannot back up a {url.get_backend_name()} database")
    partial = target.with_name(target.name + ".partial")
    old_umask = os.umask(0o077)
    try:
        write(url, partial)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself reaches the disk
        finally:
            os.close(directory)
    finally:
        os.umask(old_umask)
        partial.unlink(missing_ok=True)
    prune(folder, keep)
    return target


def _sqlite(url, target: Path) -> None:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    source_path = Path(url.database)
    if not source_path.exists():
        raise BackupError(f"no database at {source_path}")
    source = sqlite3.connect(source_path)
    copy = sqlite3.connect(target)
    try:
        source.execute("PRAGMA busy_timeout=15000")
        source.backup(copy)
        result = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"the copy failed its integrity check: {result}")
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, without -wal and -shm
    finally:
        copy.close()
        source.close()


def _pg_dump(url, target: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump is not installed (Debian: postgresql-client)")
    # The password travels in the environment, not on the command line where `ps` shows it.
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    dbname = url._replace(drivername="postgresql", password=None).render_as_string(hide_password=False)
    result = subprocess.run([pg_dump, "--format=custom", "--no-password", f"--file={target}", f"--dbname={dbname}"],
                            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest *keep* backups this command made in *folder* (their names sort by time)."""
    ours = sorted(p for p in folder.iterdir() if NAME.match(p.name))
    removed = ours[:-keep] if keep > 0 else []
    for path in removed:
        path.unlink()
    return removed


backup_group = AppGroup("backup", help="Backups of the database.")


@backup_group.command("create")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--keep", type=click.IntRange(min=1), default=14, show_default=True,
              help="How many backups to keep in the folder; older ones made by this command are deleted.")
def create_command(folder: Path, keep: int) -> None:
    """Back up the database into FOLDER (SQLite's online backup, or pg_dump for PostgreSQL)."""
    try:
        path = create(current_app.config["SQLALCHEMY_DATABASE_URI"], folder, keep)
    except (BackupError, OSError, sqlite3.Error) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up to {path} ({path.stat().st_size} bytes).")
