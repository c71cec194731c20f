"""Streaming writers: CSV, XLSX, JSON Lines and a Frictionless data package, all with flat memory.

Each writer takes a Dataset and yields bytes; `Counter` counts the rows as they pass, for the audit
log. Spreadsheet safety (see dialogue.core.spreadsheets): a text cell that begins with = + - @, a tab
or a carriage return gets a leading apostrophe. For CSV and XLSX the database does it, in the same
expression that reads the value, so that no Python code runs per cell: that is what lets a million
answers leave at close to the speed of sqlite3's own CSV output.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator

import sqlalchemy as sa

from dialogue.core.spreadsheets import DANGEROUS, neutralise
from dialogue.exports.cursor import BATCH, batches
from dialogue.exports.datasets import Dataset
from dialogue.extensions import db

CHUNK = 1 << 16

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonl": "application/jsonl; charset=utf-8",
    "datapackage": "application/zip",
}
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "jsonl": "jsonl", "datapackage": "zip"}


class Counter:
    def __init__(self) -> None:
        self.rows = 0
        self.complete = False


def _cat(*parts) -> sa.ColumnElement:
    result = parts[0]
    for part in parts[1:]:
        result = result.op("||")(part)
    return result


def _text(value: str) -> sa.ColumnElement:
    return sa.literal(value, sa.String)


def safe_text(value) -> sa.ColumnElement:
    """*value* with the apostrophe in front when a spreadsheet would take it for a formula."""
    first = sa.func.substr(value, 1, 1)
    return sa.case((first.in_(DANGEROUS), _cat(_text("'"), value)), else_=value)


def _csv_cell(column) -> sa.ColumnElement:
    value = column.expr
    if column.type in ("integer", "number"):
        return sa.func.coalesce(sa.cast(value, sa.String), _text(""))
    if column.type == "datetime":  # digits, dashes, colons: never quoted, never a formula
        return sa.func.coalesce(value, _text(""))
    # Always quoted: cheaper for the database than deciding, and every reader accepts it.
    opening = sa.case((sa.func.substr(value, 1, 1).in_(DANGEROUS), _text("\"'")), else_=_text('"'))
    quoted = _cat(opening, sa.func.replace(value, _text('"'), _text('""')), _text('"'))
    return sa.func.coalesce(quoted, _text(""))


def csv_line_select(dataset: Dataset, delimiter: str) -> sa.Select:
    """One column: each row's finished CSV line, CRLF included."""
    parts = []
    for number, column in enumerate(dataset.columns):
        if number:
            parts.append(_text(delimiter))
        parts.append(_csv_cell(column))
    parts.append(_text("\r\n"))
    return dataset.query.with_only_columns(_cat(*parts).label("line"), maintain_column_froms=False)


def csv_header(dataset: Dataset, delimiter: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerow(
        [neutralise(c.title) for c in dataset.columns])
    return ("\ufeff" + buffer.getvalue()).encode()


def write_csv(dataset: Dataset, counter: Counter, delimiter: str = ",") -> Iterator[bytes]:
    """UTF-8 with a byte order mark (Excel needs it to read å, ä, ö right), CRLF line ends."""
    yield csv_header(dataset, delimiter)
    sqlite = db.engine.dialect.name == "sqlite"
    for rows in batches(csv_line_select(dataset, delimiter), raw_text=sqlite):
        counter.rows += len(rows)
        if sqlite:  # the driver handed over undecoded UTF-8: pass it on as it is
            yield b"".join([row[0] for row in rows])
        else:
            yield "".join([row[0] for row in rows]).encode()
    counter.complete = True


def safe_select(dataset: Dataset) -> sa.Select:
    """The dataset's columns, text already neutralised by the database."""
    return dataset.query.with_only_columns(
        *(safe_text(c.expr).label(c.name) if c.type == "string" else c.expr.label(c.name) for c in dataset.columns),
        maintain_column_froms=False)


def write_xlsx_file(dataset: Dataset, counter: Counter, path: str) -> None:
    """xlsxwriter in constant-memory mode: each row goes to disk as it is written."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_urls": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(dataset.name[:31])
    sheet.write_row(0, 0, [neutralise(c.title) for c in dataset.columns], workbook.add_format({"bold": True}))
    for rows in batches(safe_select(dataset)):
        for offset, row in enumerate(rows, start=counter.rows + 1):
            sheet.write_row(offset, 0, row)
        counter.rows += len(rows)
    workbook.close()
    counter.complete = True


def write_xlsx(dataset: Dataset, counter: Counter) -> Iterator[bytes]:
    """An XLSX file is a zip whose index comes last, so it is built in a temporary file, then sent."""
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="dialogue-export-")
    os.close(handle)
    try:
        write_xlsx_file(dataset, counter, path)
        with open(path, "rb") as file:
            while chunk := file.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def write_jsonl(dataset: Dataset, counter: Counter) -> Iterator[bytes]:
    """One JSON object per line. Nothing is neutralised: JSON is read by programs, never evaluated as a
    spreadsheet formula, and an apostrophe would change the data researchers receive."""
    names = [c.name for c in dataset.columns]
    encode = json.JSONEncoder(ensure_ascii=False).encode
    for rows in batches(dataset.select()):
        counter.rows += len(rows)
        yield "".join([encode(dict(zip(names, row, strict=True))) + "\n" for row in rows]).encode()
    counter.complete = True


def table_schema(dataset: Dataset) -> dict:
    return {"fields": [{"name": c.name, "type": c.type, "title": c.title, "description": c.description,
                        **({"format": "%Y-%m-%dT%H:%M:%SZ"} if c.type == "datetime" else {})}
                       for c in dataset.columns]}


def datapackage(datasets: list[Dataset], title: str, delimiter: str = ",") -> dict:
    return {
        "profile": "tabular-data-package",
        "name": "dialogue-export",
        "title": title,
        "resources": [{
            "profile": "tabular-data-resource",
            "name": d.name,
            "title": d.title,
            "path": f"{d.name}.csv",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8-sig",
            "dialect": {"delimiter": delimiter, "lineTerminator": "\r\n", "header": True},
            "schema": table_schema(d),
        } for d in datasets],
    }


class _Pipe(io.RawIOBase):
    """A write-only stream whose bytes are taken out as they come: zipfile writes, we yield."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:  # zipfile asks where it is; it never seeks back on an unseekable stream
        return self.position

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def write_datapackage(datasets: list[Dataset], counter: Counter, title: str, delimiter: str = ",") -> Iterator[bytes]:
    """A zip of CSV files and datapackage.json, written as it is sent (entries with data descriptors)."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(datapackage(datasets, title, delimiter), ensure_ascii=False,
                                                        indent=2))
        yield pipe.take()
        for dataset in datasets:
            part = Counter()
            with archive.open(f"{dataset.name}.csv", "w", force_zip64=True) as entry:
                for chunk in write_csv(dataset, part, delimiter):
                    entry.write(chunk)
                    if sum(map(len, pipe.parts)) >= CHUNK:
                        yield pipe.take()
            counter.rows += part.rows
    yield pipe.take()
    counter.complete = True


def write(fmt: str, datasets: list[Dataset], counter: Counter, delimiter: str = ",",
          title: str = "") -> Iterator[bytes]:
    if fmt == "datapackage":
        return write_datapackage(datasets, counter, title or datasets[0].title, delimiter)
    if fmt == "csv":
        return write_csv(datasets[0], counter, delimiter)
    if fmt == "xlsx":
        return write_xlsx(datasets[0], counter)
    return write_jsonl(datasets[0], counter)


__all__ = ["BATCH", "Counter", "MIMETYPES", "EXTENSIONS", "write", "write_csv", "write_xlsx_file", "datapackage"]
