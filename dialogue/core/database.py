"""Engine set-up: durable, concurrent SQLite, and PostgreSQL as it comes."""

from __future__ import annotations

from contextlib import contextmanager

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import scoped_session

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: execution options: this connection only reads (on SQLite: a plain BEGIN, never the write lock), or writes
#: (BEGIN IMMEDIATE, also in a GET request)
READ_ONLY = "dialogue_read_only"
WRITES = "dialogue_writes"


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


def _writes_expected(connection=None) -> bool:
    """Requests that change state are POSTs; commands outside a request may write too.

    A POST view can read first in a plain transaction (see :func:`reading`) and take the write lock only
    for the writes, so that concurrent submissions hold the lock for the inserts and nothing more. A
    connection opened with :func:`read_only` or :func:`writing` says for itself, wherever it is used.
    """
    if connection is not None:
        options = connection.get_execution_options()
        if options.get(READ_ONLY) or options.get(WRITES):
            return bool(options.get(WRITES))
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


@contextmanager
def read_only(engine, **options):
    """A connection of its own that only reads, with *options* (e.g. ``stream_results=True``).

    Its transaction reads one consistent snapshot; on SQLite (WAL) it begins with a plain BEGIN, so a
    long read holds no lock that a writer waits for, in a request or outside one. Ended by a rollback.
    """
    with engine.connect() as connection:
        yield connection.execution_options(**{READ_ONLY: True, **options})


@contextmanager
def writing(engine):
    """A short transaction of its own that writes, committed at the end of the block.

    For a write that a GET request must make (an audit row for a download): the request's own transaction
    only reads, and on SQLite a read transaction that then writes fails when another process wrote
    meanwhile; this one takes the write lock first (BEGIN IMMEDIATE) and waits for it.
    """
    with engine.connect() as connection:
        connection = connection.execution_options(**{WRITES: True})
        with connection.begin():
            yield connection


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
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writes_expected(connection) else "BEGIN")


def insert_unless_present(session, table, values: dict, key: str):
    """INSERT ... ON CONFLICT (key) DO NOTHING RETURNING id: the new id, or None when *key* is taken.

    The UNIQUE index decides, not a look-up first, so concurrent duplicates store one row.
    """
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    statement = insert.on_conflict_do_nothing(index_elements=[key]).returning(table.c.id)
    return session.execute(statement, values).scalar()
