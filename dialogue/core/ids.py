"""Ids from addresses, query strings and forms: whole numbers a database column can hold, or nothing.

Every id column is an INTEGER: on PostgreSQL that holds up to 2³¹−1, and a larger number bound to it
("... = %(pk)s::INTEGER") is refused as out of range. Python's `str.isdigit` admits "²", which `int`
refuses. Both used to end in a server error instead of a 404 or a clear message.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

#: the largest id there can be: PostgreSQL's INTEGER (SQLite's holds more, but the ids are the same)
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """The `<int:...>` converter of every route, bounded so that an id too large for the database is a 404."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def parse_id(value: object) -> int | None:
    """*value* as an id (ASCII digits, 1 to MAX_ID), else None."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def page_number(value: object) -> int:
    """A pager's page from the query string: 1 when absent or odd, and never so large that the
    OFFSET it leads to overflows the database."""
    return min(parse_id(value) or 1, 1_000_000)
