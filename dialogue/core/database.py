"""Engine set-up: durable, concurrent SQLite, and PostgreSQL as it comes."""

from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would issue a deferred one).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # Answers are public records: FULL syncs the WAL on every commit, so a power cut loses nothing acknowledged.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def _writes_expected() -> bool:
    """Requests that change state are POSTs; commands outside a request may write too."""
    return not has_request_context() or request.method not in SAFE_METHODS


def _sqlite_on_begin(connection) -> None:
    # A deferred transaction that reads and then writes fails at once with "database is locked" when
    # another process writes; BEGIN IMMEDIATE waits for the lock (busy_timeout) instead.
    # Straight to the driver: this runs on every request, and SQLAlchemy's execution path costs more.
    connection.connection.driver_connection.execute("BEGIN IMMEDIATE" if _writes_expected() else "BEGIN")


def configure_engine(engine: Engine) -> None:
    """Attach the SQLite settings. Creates no connection: the server may still fork after this."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
