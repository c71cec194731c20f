"""Rows straight from the driver, in batches, without SQLAlchemy's transaction set-up or ORM objects.

Why a raw connection: on SQLite every SQLAlchemy transaction opened outside a GET takes the write lock
(BEGIN IMMEDIATE, see dialogue.core.database), and an export downloaded by POST or from the command line
would hold it, and stop every resident's submission, for as long as the file takes. A driver cursor in
autocommit mode reads from one consistent snapshot (WAL) and locks nothing. On PostgreSQL a named
(server-side) cursor hands the rows over batch by batch, so memory stays flat.
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from dialogue.extensions import db

BATCH = 5000


def _compiled(statement: sa.Select, dialect):
    if dialect.name == "sqlite":
        # Values written into the SQL (SQLAlchemy quotes them): SQLite then treats the labels and format
        # strings as constants, and a wide export runs in half the time it takes with parameters.
        return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True})), ()
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    for name, value in params.items():
        processor = compiled.binds[name].type.bind_processor(dialect) if name in compiled.binds else None
        if processor is not None:
            params[name] = processor(value)
    if compiled.positional:
        return str(compiled), [params[name] for name in compiled.positiontup]
    return str(compiled), params


def batches(statement: sa.Select, size: int = BATCH, raw_text: bool = False) -> Iterator[list[tuple]]:
    """The rows of *statement* as lists of tuples, *size* at a time.

    *raw_text* (SQLite): text comes back as UTF-8 bytes, undecoded, for writers that only pass it on.
    """
    engine = db.engine
    sql, params = _compiled(statement, engine.dialect)
    connection = engine.raw_connection()
    driver = connection.driver_connection
    sqlite = engine.dialect.name == "sqlite"
    try:
        if sqlite:
            if raw_text:
                driver.text_factory = bytes
            cursor = driver.cursor()
        else:
            cursor = driver.cursor(name="dialogue_export")
            cursor.itersize = size
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(size):
            yield rows
        cursor.close()
    finally:
        if sqlite:
            driver.text_factory = str
        connection.rollback()
        connection.close()
