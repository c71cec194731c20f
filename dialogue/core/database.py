"""Engine set-up: durable, concurrent SQLite, and PostgreSQL as it comes."""

from __future__ import annotations

import fcntl
import os
import weakref
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


class _WriterQueue:
    """Writers of one database file line up on an advisory file lock before BEGIN IMMEDIATE.

    SQLite's own busy handler polls: a writer that finds the database locked sleeps 1, 2, 5, 10 ... up
    to 100 ms and tries again, so under load the lock often lies free while every waiter sleeps. A
    blocking flock() wakes the next writer the moment the last one commits. The SQLite lock still
    guards the data; this only orders the queue in front of it.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.held: dict[int, int] = {}  # id(DBAPI connection) -> locked file descriptor

    @staticmethod
    def _key(connection) -> int:
        # SQLAlchemy hands over the pool's proxy in some places and the driver's connection in others
        return id(getattr(connection, "driver_connection", connection))

    def acquire(self, connection) -> None:
        key = self._key(connection)
        if key in self.held:  # this connection is the one in front already
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        self.held[key] = fd

    def release(self, connection) -> None:
        fd = self.held.pop(self._key(connection), None)
        if fd is not None:
            os.close(fd)  # closing drops the lock


def _wrap(method, queue: _WriterQueue):
    def call(dbapi_connection):
        try:
            method(dbapi_connection)
        finally:
            queue.release(dbapi_connection)

    return call


# engine -> its writer queue (SQLite files only), for the transactions begun without SQLAlchemy
_queues: weakref.WeakKeyDictionary[Engine, _WriterQueue] = weakref.WeakKeyDictionary()


def configure_engine(engine: Engine) -> None:
    """Attach the SQLite settings. Creates no connection: the server may still fork after this."""
    if engine.dialect.name != "sqlite":
        return
    event.listen(engine, "connect", _sqlite_on_connect)
    database = engine.url.database
    queue = _WriterQueue(f"{database}.writers") if database and database != ":memory:" else None
    if queue is not None:
        _queues[engine] = queue

    @event.listens_for(engine, "begin")
    def begin(connection) -> None:
        # A deferred transaction that reads and then writes fails at once with "database is locked" when
        # another process writes; BEGIN IMMEDIATE waits for the lock instead.
        # Straight to the driver: this runs on every request, and SQLAlchemy's execution path costs more.
        driver = connection.connection.driver_connection
        if not _writes_expected():
            driver.execute("BEGIN")
            return
        if queue is not None:
            queue.acquire(driver)
        try:
            driver.execute("BEGIN IMMEDIATE")
        except BaseException:
            if queue is not None:
                queue.release(driver)
            raise

    if queue is not None:
        # the queue moves on when the transaction ends, however it ends
        engine.dialect.do_commit = _wrap(engine.dialect.do_commit, queue)
        engine.dialect.do_rollback = _wrap(engine.dialect.do_rollback, queue)
        event.listen(engine, "close", lambda dbapi_connection, _record: queue.release(dbapi_connection))


def insert_unless_present(session, table, values: dict, key: str):
    """INSERT ... ON CONFLICT (key) DO NOTHING RETURNING id: the new id, or None when *key* is taken.

    The UNIQUE index decides, not a look-up first, so concurrent duplicates store one row.
    """
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    statement = insert.on_conflict_do_nothing(index_elements=[key]).returning(table.c.id)
    return session.execute(statement, values).scalar()


@contextmanager
def driver_transaction(engine: Engine):
    """A write transaction on a pooled DB-API connection: committed when the block ends, else rolled back.

    For the hot path only: the ORM session and SQLAlchemy's per-statement work cost several times
    more than the statements. On SQLite it begins as every writer does: in line, then BEGIN IMMEDIATE.
    """
    proxy = engine.raw_connection()
    driver = proxy.driver_connection
    queue = _queues.get(engine)
    try:
        if engine.dialect.name == "sqlite":
            if queue is not None:
                queue.acquire(driver)
            driver.execute("BEGIN IMMEDIATE")
        yield driver
        driver.commit()
    except BaseException:
        driver.rollback()
        raise
    finally:
        if queue is not None:
            queue.release(driver)
        proxy.close()  # back to the pool


def param_marker(dialect) -> str:
    """The DB-API placeholder for one value: ``?`` on SQLite, ``%s`` on PostgreSQL."""
    return "?" if dialect.paramstyle == "qmark" else "%s"


class DriverInsert:
    """``INSERT INTO table (columns) VALUES ...``, built once per dialect and run on a DB-API cursor.

    Each value passes through its column's own bind processor (JSON, enums, SQLite's date format), and
    columns left out get their Python defaults, so a row is stored exactly as SQLAlchemy would store
    it; what is skipped is SQLAlchemy's per-statement work. Every row must give every named column.
    """

    def __init__(self, table, columns: list[str], *, returning: tuple[str, ...] = (),
                 unless_present: str | None = None) -> None:
        self.table = table
        self.given = list(columns)
        self.defaults = {c.name: c.default for c in table.columns
                         if c.name not in columns and not c.primary_key and c.default is not None}
        self.columns = [*columns, *self.defaults]
        self.returning = returning
        self.unless_present = unless_present
        self._built: dict[str, tuple] = {}

    def _build(self, dialect) -> tuple:
        built = self._built.get(dialect.name)
        if built is None:
            if dialect.paramstyle not in ("qmark", "format", "pyformat"):
                raise NotImplementedError(f"paramstyle {dialect.paramstyle}")
            for name, default in self.defaults.items():
                if not (default.is_scalar or default.is_callable):
                    raise NotImplementedError(f"{self.table.name}.{name}: give it a value")
            quote = dialect.identifier_preparer.quote
            marker = param_marker(dialect)
            head = f"INSERT INTO {quote(self.table.name)} ({', '.join(quote(c) for c in self.columns)}) VALUES "
            tail = ""
            if self.unless_present:
                tail += f" ON CONFLICT ({quote(self.unless_present)}) DO NOTHING"
            if self.returning:
                tail += f" RETURNING {', '.join(quote(c) for c in self.returning)}"
            row = f"({', '.join([marker] * len(self.columns))})"
            processors = [self.table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in self.columns]
            given = len(self.given)
            convert = [(i, process) for i, process in enumerate(processors[:given]) if process is not None]
            # a default is (its value, converted once) when constant, or (None, the default, its processor)
            defaults = [(None, default, process) if default.is_callable else
                        (default.arg if process is None or default.arg is None else process(default.arg), None, None)
                        for default, process in zip(self.defaults.values(), processors[given:], strict=True)]
            built = self._built[dialect.name] = (head, row, tail, convert, defaults)
        return built

    def sql(self, dialect, rows: int = 1) -> str:
        """One statement for *rows* rows."""
        head, row, tail, _convert, _defaults = self._build(dialect)
        return head + ", ".join([row] * rows) + tail

    def params(self, dialect, rows: list[dict]) -> list:
        """The parameters of *rows*, flat, in the statement's order."""
        _head, _row, _tail, convert, defaults = self._build(dialect)
        given = self.given
        flat = []
        for values in rows:
            row = [values[column] for column in given]
            for i, process in convert:
                if row[i] is not None:
                    row[i] = process(row[i])
            for constant, default, process in defaults:
                if default is None:
                    row.append(constant)
                else:
                    value = default.arg(None)
                    row.append(value if process is None or value is None else process(value))
            flat += row
        return flat
