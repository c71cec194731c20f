"""Rows for the writers in batches, through SQLAlchemy's own streaming, on a connection of their own.

The connection only reads (dialogue.core.database.read_only): its transaction sees one consistent
snapshot, and on SQLite (WAL) it begins with a plain BEGIN, so an export that takes minutes holds no
lock that residents' submissions, or the export job's own writes, wait for. With ``stream_results``
PostgreSQL hands the rows over from a server-side cursor, batch by batch, so memory stays flat.
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from dialogue.core.database import read_only
from dialogue.extensions import db

BATCH = 5000


def batches(statement: sa.Select, size: int = BATCH, scalars: bool = False) -> Iterator[list]:
    """The rows of *statement*, *size* at a time; with *scalars*, the first column's values instead of rows
    (no Row object is made: half SQLAlchemy's cost per row, for the CSV lines' million rows)."""
    engine = db.engine
    with read_only(engine, stream_results=True, yield_per=size) as connection:
        if engine.dialect.name == "sqlite":
            # Values written into the SQL (SQLAlchemy quotes them): SQLite then treats the labels and
            # format strings as constants, and a wide export runs in half the time it takes with parameters.
            sql = str(statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
            result = connection.exec_driver_sql(sql)
        else:
            result = connection.execute(statement)
        yield from (result.scalars() if scalars else result).partitions(size)
