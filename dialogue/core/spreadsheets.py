"""CSV and XLSX downloads that are safe to open in Excel and LibreOffice.

A cell that begins with = + - @, a tab or a carriage return would be run as a formula by a spreadsheet
program (CSV injection); such cells get a leading apostrophe. CSV is UTF-8 with a byte order mark so
that Excel shows å, ä, ö, æ and ø right; XLSX never turns strings into formulas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from flask import Response

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> object:
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def csv_rows(header: list[str], rows: Iterable[Iterable], delimiter: str = ",") -> Iterator[str]:
    """The CSV text, a chunk per row, starting with the byte order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([neutralise(h) for h in header])
    yield "\ufeff" + take()
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
        yield take()


def xlsx_bytes(sheet: str, header: list[str], rows: Iterable[Iterable]) -> bytes:
    import xlsxwriter

    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False})
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    worksheet.write_row(0, 0, [neutralise(h) for h in header], bold)
    for number, row in enumerate(rows, start=1):
        worksheet.write_row(number, 0, ["" if v is None else neutralise(v) for v in row])
    workbook.close()
    return output.getvalue()


def download(name: str, fmt: str, header: list[str], rows: Iterable[Iterable], delimiter: str = ",") -> Response:
    """A file download; never cached, since exports may hold personal data."""
    if fmt == "xlsx":
        response = Response(xlsx_bytes(name, header, rows),
                            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        filename = f"{name}.xlsx"
    else:
        response = Response(csv_rows(header, rows, delimiter), mimetype="text/csv; charset=utf-8")
        filename = f"{name}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
