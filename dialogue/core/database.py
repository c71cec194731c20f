"""Engine set-up: durable, concurrent SQLite, and PostgreSQL as it comes."""

from __future__ import annotations

from contextlib import contextmanager

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import scoped_session

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
    """Requests that change state are POSTs; commands outside a request may write too.

    A POST view can read first in a plain transaction (see :func:`reading`) and take the write lock only
    for the writes, so that concurrent submissions hold the lock for the inserts and nothing more.
    """
    if not has_request_context():
        return True
    return request.method not in SAFE_METHODS and not g.get("_db_reading", False)


@contextmanager
def reading(session):
    """Run the block in a read transaction, ended before any write begins (SQLite: without the lock)."""
    _end_transaction(session)
    g._db_reading = True
    try:
        yield
    finally:
        _end_transaction(session)  # the next statement begins a writing transaction
        g._db_reading = False


def _end_transaction(session) -> None:
    if isinstance(session, scoped_session):
        if not session.registry.has():
            return  # no session yet in this request: nothing to end, and none created for nothing
        session = session()
    if session.in_transaction():
        session.commit()


def configure_engine(engine: Engine) -> None:
    """Attach the SQLite settings. Creates no connection: the server may still fork after this."""
    if engine.dialect.name != "sqlite":
        return
    event.listen(engine, "connect", _sqlite_on_connect)

    @event.listens_for(engine, "begin")
    def begin(connection) -> None:
        # SQLAlchemy's recipe for pysqlite: emit BEGIN ourselves. A deferred transaction that reads and
        # then writes fails at once with "database is locked" when another process wrote meanwhile;
        # BEGIN IMMEDIATE takes the write lock first and waits for it with SQLite's busy handler.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writes_expected() else "BEGIN")


def insert_unless_present(session, table, values: dict, key: str):
    """INSERT ... ON CONFLICT (key) DO NOTHING RETURNING id: the new id, or None when *key* is taken.

    The UNIQUE index decides, not a look-up first, so concurrent duplicates store one row.
    """
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    statement = insert.on_conflict_do_nothing(index_elements=[key]).returning(table.c.id)
    return session.execute(statement, values).scalar()
