"""Streaming writers: CSV, XLSX, JSON Lines and a Frictionless data package, all with flat memory.

Each writer takes a Dataset and yields bytes; `Counter` counts the rows as they pass, for the audit
log. Spreadsheet safety (see dialogue.core.spreadsheets): in the files for people, CSV and XLSX, a text
cell that begins with = + - @, a tab or a carriage return gets a leading apostrophe; numbers and times
are never touched. The database does it, in the same expression that reads the value, so that no Python
code runs per CSV cell: that is what lets a million answers leave at close to the speed of sqlite3's own
CSV output. The files for programs, JSON Lines and the data package (its CSV files too), hold the data
exactly as stored: a program never runs a cell as a formula, and an apostrophe would change the values
researchers count, match and validate against the package's own constraints.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from dialogue.core.spreadsheets import DANGEROUS, neutralise
from dialogue.exports import csvsql
from dialogue.exports.cursor import batches
from dialogue.exports.datasets import Dataset
from dialogue.extensions import db

CHUNK = 1 << 16


def batch_size(dataset: Dataset) -> int:
    """Rows per fetch: about a megabyte of text, whatever the width (wide exports have many columns)."""
    return max(100, 1_000_000 // (120 * len(dataset.columns)))


#: complete Content-Type values: given as a mimetype, Werkzeug would add a second charset to text/csv
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonl": "application/jsonl; charset=utf-8",
    "datapackage": "application/zip",
}
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "jsonl": "jsonl", "datapackage": "zip"}


class Counter:
    """Rows written so far, whether the file was finished, and whom to tell as rows pass (*progress*)."""

    def __init__(self, progress: Callable[[int], None] | None = None) -> None:
        self.rows = 0
        self.complete = False
        self.progress = progress

    def add(self, rows: int) -> None:
        self.rows += rows
        if self.progress is not None:
            self.progress(self.rows)


def _text(value: str) -> sa.ColumnElement:
    return sa.literal(value, sa.String)


def safe_text(value) -> sa.ColumnElement:
    """*value* with the apostrophe in front when a spreadsheet would take it for a formula."""
    first = sa.func.substr(value, 1, 1)
    return sa.case((first.in_(DANGEROUS), _text("'").op("||")(value)), else_=value)


def csv_header(dataset: Dataset, delimiter: str, names: bool = False) -> bytes:
    """The titles, for people; or the field names, which a data package's Table Schema expects."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerow(
        [c.name for c in dataset.columns] if names else [neutralise(t) for t in dataset.titles()])
    return ("\ufeff" + buffer.getvalue()).encode()


def write_csv(dataset: Dataset, counter: Counter, delimiter: str = ",", names: bool = False) -> Iterator[bytes]:
    """UTF-8 with a byte order mark (Excel needs it to read å, ä, ö right), CRLF line ends.

    For people, with titles and neutralised text; with *names*, the data package's CSV, for programs."""
    yield csv_header(dataset, delimiter, names)
    sqlite = db.engine.dialect.name == "sqlite"
    lines = csvsql.line_select(dataset, delimiter, db.engine.dialect.name, safe=not names)
    for rows in batches(lines, batch_size(dataset), scalars=True):
        if sqlite:  # the lines came as their UTF-8 bytes: pass them on as they are
            yield b"".join(rows)
        else:
            yield "".join(rows).encode()
        counter.add(len(rows))
    counter.complete = True


def safe_select(dataset: Dataset) -> sa.Select:
    """The dataset's columns, text already neutralised by the database."""
    return dataset.query.with_only_columns(
        *(safe_text(c.expr).label(c.name) if c.type == "string" else c.expr.label(c.name) for c in dataset.columns),
        maintain_column_froms=False)


def local_times(dataset: Dataset) -> Callable[[str | None], datetime | None]:
    """ISO 8601 UTC text to the wall time in the municipality's zone: Excel's dates know no zone."""
    zone = ZoneInfo(dataset.zone)

    def local(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text).astimezone(zone).replace(tzinfo=None) if text else None

    return local


def write_xlsx_file(dataset: Dataset, counter: Counter, path: str) -> None:
    """xlsxwriter in constant-memory mode: each row goes to disk as it is written.

    Text and numbers come finished from the database; times, UTC text there, become date cells here (a
    date number format: Excel sorts, filters and computes with them) in the zone the titles name."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_urls": False, "strings_to_numbers": False,
                                          "default_date_format": "yyyy-mm-dd hh:mm:ss"})
    sheet = workbook.add_worksheet(dataset.name[:31])
    sheet.write_row(0, 0, [neutralise(t) for t in dataset.titles(dataset.zone)], workbook.add_format({"bold": True}))
    times = [n for n, c in enumerate(dataset.columns) if c.type == "datetime"]
    local = local_times(dataset)
    for rows in batches(safe_select(dataset), batch_size(dataset)):
        for offset, row in enumerate(rows, start=counter.rows + 1):
            if times:
                row = list(row)
                for n in times:
                    row[n] = local(row[n])
            sheet.write_row(offset, 0, row)
        counter.add(len(rows))
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
    encode = json.JSONEncoder(ensure_ascii=False, default=float).encode  # PostgreSQL's numerics are Decimals
    for rows in batches(dataset.select(), batch_size(dataset)):
        yield "".join([encode(dict(zip(names, row, strict=True))) + "\n" for row in rows]).encode()
        counter.add(len(rows))
    counter.complete = True


#: ISO 8601 with its zone: %z reads the "Z" as UTC, where a literal Z would give times without a zone
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


def _constraints(column) -> dict:
    found = {"required": column.required or None, "enum": column.enum,
             "minimum": column.minimum, "maximum": column.maximum}
    return {k: v for k, v in found.items() if v is not None}


def table_schema(dataset: Dataset) -> dict:
    fields = []
    for column, title in zip(dataset.columns, dataset.titles(), strict=True):
        spec = {"name": column.name, "type": column.type, "title": title, "description": column.description}
        if column.type == "datetime":
            spec["format"] = DATETIME_FORMAT
        if constraints := _constraints(column):
            spec["constraints"] = constraints
        fields.append(spec)
    schema = {"fields": fields, "missingValues": [""]}
    if dataset.primary_key:
        schema["primaryKey"] = list(dataset.primary_key)
    return schema


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
            with archive.open(f"{dataset.name}.csv", "w", force_zip64=True) as entry:
                for chunk in write_csv(dataset, counter, delimiter, names=True):
                    entry.write(chunk)
                    if sum(map(len, pipe.parts)) >= CHUNK:
                        yield pipe.take()
            counter.complete = False  # one CSV is finished, the zip is not
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


__all__ = ["Counter", "MIMETYPES", "EXTENSIONS", "write", "write_csv", "write_xlsx_file", "datapackage"]
