"""Measurements from files: CSV, and Kolada's JSON (the shape of its API's answers).

Everything is checked before anything is written: a file with one wrong row imports nothing, and the
errors name the row or record. A period imported again replaces the value stored before.

A yearly value for an indicator measured every half year or quarter is imported as the value of the
whole year, with a warning naming the indicator and the years. Kolada publishes most key figures once
a year, so the yearly figure is often the only official one; leaving it out would drop what the official
chose to import, while the warning lets them either correct how often the indicator is measured or
delete the value. Nothing is left out of a checked file without being counted and said.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import format_number, ngettext

from dialogue.extensions import db
from dialogue.i18n import _, _l, tr
from dialogue.steering import services
from dialogue.steering.models import Frequency, Indicator, Measurement
from dialogue.steering.status import PeriodError, parse_period
from dialogue.vision.models import VisionNode

COLUMNS = ("indicator", "period", "value", "value_women", "value_men", "source", "comment")
REQUIRED = ("indicator", "period", "value")
MAX_ERRORS = 25
#: municipality codes named in a message; a comparison download may hold all 290
MAX_CODES = 10


class MeasurementFileError(ValueError):
    """The file cannot be imported; ``errors`` lists every problem found (translated)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class Row:
    indicator: Indicator
    period: str
    value: float
    women: float | None = None
    men: float | None = None
    source: str = ""
    comment: str = ""


@dataclass
class Result:
    created: int = 0
    replaced: int = 0
    #: Kolada records without a total value
    skipped: int = 0
    indicators: set[int] = field(default_factory=set)
    #: Kolada records of other municipalities than the one chosen, by municipality code
    others: dict[str, int] = field(default_factory=dict)
    #: translated; the import went through, but someone should look
    warnings: list[str] = field(default_factory=list)


def _candidates(vision_id: int | None) -> list[Indicator]:
    query = sa.select(Indicator).join(VisionNode, VisionNode.id == Indicator.node_id)
    if vision_id is not None:
        query = query.where(VisionNode.vision_id == vision_id)
    return list(db.session.scalars(query))


def _number(raw, required: bool) -> float | None:
    """A value as people type it: "93.1", "93,1", "1 234" (a comma is a decimal comma)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise ValueError
        return None
    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, (int, float)):
        value = float(raw)
    elif not isinstance(raw, str):  # a list or mapping in a Kolada file
        raise ValueError
    else:
        text = raw.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        value = float(text)
    if not math.isfinite(value):
        raise ValueError
    return value


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MeasurementFileError([_("The file is not UTF-8 text. Save it as CSV UTF-8 and try again.")]) from None


def read_csv(raw: bytes, vision_id: int | None = None) -> list[Row]:
    """Rows of a CSV file (``;`` or ``,`` between columns, UTF-8 with or without BOM)."""
    text = _text(raw)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _csv_rows(reader, vision_id)
    except csv.Error:  # a cell over the csv module's limit, most often from a quotation mark never closed
        raise MeasurementFileError([_("The file could not be read as CSV: a cell is far too long, or a quotation "
                                      "mark is not closed.")]) from None


def _csv_rows(reader: csv.DictReader, vision_id: int | None) -> list[Row]:
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in headers]
    unknown = [h for h in headers if h not in COLUMNS]
    if missing or unknown or not headers:
        raise MeasurementFileError([_("The first line must name the columns: %(columns)s (missing: %(missing)s; "
                              "unknown: %(unknown)s).", columns=", ".join(COLUMNS),
                              missing=", ".join(missing) or "–", unknown=", ".join(unknown) or "–")])
    reader.fieldnames = headers
    by_id, by_kpi = _lookup(vision_id)
    rows, errors, seen = [], [], {}
    for number, record in enumerate(reader, start=2):
        if None in record:
            errors.append(_("Row %(row)d: more cells than columns.", row=number))
            continue
        cells = {k: (v or "").strip() for k, v in record.items()}
        if not any(cells.values()):
            continue
        label = _l("Row %(row)d", row=number)
        row = _row(cells, number, by_id, by_kpi, errors, label=label)
        if row is not None:
            _unique(row, label, seen, errors)
            rows.append(row)
        if len(errors) >= MAX_ERRORS:
            break
    if not rows and not errors:
        errors.append(_("The file holds no measurements."))
    if errors:
        raise MeasurementFileError(errors)
    return rows


def _lookup(vision_id: int | None) -> tuple[dict[str, Indicator], dict[str, list[Indicator]]]:
    by_id: dict[str, Indicator] = {}
    by_kpi: dict[str, list[Indicator]] = {}
    for indicator in _candidates(vision_id):
        by_id[str(indicator.node_id)] = indicator
        if indicator.kolada_kpi:
            by_kpi.setdefault(indicator.kolada_kpi.upper(), []).append(indicator)
    return by_id, by_kpi


def _row(cells: dict, number: int, by_id: dict, by_kpi: dict, errors: list[str], label: str) -> Row | None:
    key = cells.get("indicator", "")
    indicator = by_id.get(key)
    if indicator is None:
        matches = by_kpi.get(key.upper(), [])
        if len(matches) > 1:
            errors.append(_("%(where)s: the Kolada id %(id)s belongs to several indicators; use the indicator's "
                            "number instead, or choose the vision.", where=label, id=key))
            return None
        indicator = matches[0] if matches else None
    if indicator is None:
        errors.append(_("%(where)s: no indicator %(id)s. Give the indicator's number (on its page) or its "
                        "Kolada id.", where=label, id=key or "–"))
        return None
    try:
        period, _end = parse_period(cells.get("period", ""))
    except PeriodError:
        errors.append(_("%(where)s: the period %(period)s is not a year (2024), a half year (2024H1) or a "
                        "quarter (2024Q3).", where=label, period=cells.get("period") or "–"))
        return None
    values = {}
    for column, required in (("value", True), ("value_women", False), ("value_men", False)):
        try:
            values[column] = _number(cells.get(column), required)
        except ValueError:
            errors.append(_("%(where)s: %(column)s must be a number, e.g. 93.1.", where=label, column=column))
            return None
    source, comment = cells.get("source", ""), cells.get("comment", "")
    if len(source) > 200 or len(comment) > 500:
        errors.append(_("%(where)s: the source may be 200 and the comment 500 characters long.", where=label))
        return None
    return Row(indicator, period, values["value"], values["value_women"], values["value_men"], source, comment)


def _unique(row: Row, label, seen: dict, errors: list[str]) -> None:
    key = (row.indicator.id, row.period)
    if key in seen:
        errors.append(_("%(where)s: the period %(period)s of this indicator is in the file twice (first in "
                        "%(first)s).", where=label, period=row.period, first=seen[key]))
    seen.setdefault(key, label)


def _codes(codes) -> str:
    codes = sorted(codes)
    return ", ".join(codes[:MAX_CODES]) + (", …" if len(codes) > MAX_CODES else "")


def _municipalities(records: list, municipality: str) -> dict[str, int]:
    """The records of other municipalities to skip, by code; or MeasurementFileError when there is no choice.

    A comparison download holds several municipalities. Their values must never mix in one indicator,
    so such a file needs the municipality to import, and the others' records are left out and counted.
    """
    places = Counter(str(r.get("municipality") or "") for r in records if isinstance(r, dict))
    named = {code: n for code, n in places.items() if code}
    if municipality:
        if municipality not in named and named:
            raise MeasurementFileError([_("The file holds no values of municipality %(code)s, only of %(codes)s.",
                                          code=municipality, codes=_codes(named))])
        return {code: n for code, n in named.items() if code != municipality}
    if len(named) > 1:
        raise MeasurementFileError([_("The file holds values of %(count)s municipalities (%(codes)s). Give the "
                                      "code of the municipality whose values to import, for example %(example)s; "
                                      "the others' values are then skipped.", count=format_number(len(named)),
                                      codes=_codes(named), example=min(named))])
    return {}


def read_kolada(raw: bytes, vision_id: int | None = None, municipality: str = "") -> tuple[list[Row], Result]:
    """Rows of a Kolada answer: ``{"values": [{"kpi", "municipality", "period", "values": [...]}]}``.

    With *municipality* (its four-digit code) the records of other municipalities are skipped; without
    it the file may hold one municipality only. Records without a total value (Kolada's null) are
    skipped too. Returns the rows and a Result that counts what was skipped.
    """
    try:
        data = json.loads(_text(raw))
    except json.JSONDecodeError as error:
        raise MeasurementFileError([_("The file is not valid JSON (line %(line)d).", line=error.lineno)]) from None
    except RecursionError:  # the decoder reads nested arrays by recursion: [[[[...]]]] ran out of stack
        raise MeasurementFileError([_("The file is not valid JSON: it is nested too deeply.")]) from None
    if not isinstance(data, dict) or not isinstance(data.get("values"), list):
        raise MeasurementFileError([_("This is not a Kolada file: it must be an object with a list \"values\".")])
    result = Result(others=_municipalities(data["values"], municipality))
    _by_id, by_kpi = _lookup(vision_id)
    rows, errors, seen = [], [], {}
    for number, record in enumerate(data["values"], start=1):
        label = _l("Record %(n)d", n=number)  # lazy: words are needed only for errors
        if not isinstance(record, dict) or not isinstance(record.get("values"), list):
            errors.append(_("%(where)s: each record needs kpi, municipality, period and a list of values.",
                            where=label))
            continue
        kpi = str(record.get("kpi") or "").upper()
        place = str(record.get("municipality") or "")
        if place in result.others:
            continue
        if municipality and not place:
            errors.append(_("%(where)s: the record names no municipality.", where=label))
            continue
        if kpi not in by_kpi:
            errors.append(_("%(where)s: no indicator has the Kolada id %(id)s.", where=label, id=kpi or "–"))
            continue
        genders = {}
        for item in record["values"]:
            if isinstance(item, dict) and item.get("gender") in ("T", "K", "M"):
                genders[item["gender"]] = item.get("value")
        if genders.get("T") is None:
            if "T" in genders:
                result.skipped += 1
            else:
                errors.append(_("%(where)s: no total value (gender T).", where=label))
            continue
        cells = {"period": str(record.get("period", "")), "value": genders["T"], "value_women": genders.get("K"),
                 "value_men": genders.get("M"), "source": "Kolada", "comment": ""}
        for indicator in by_kpi[kpi]:
            row = _row({**cells, "indicator": str(indicator.node_id)}, number, {str(indicator.node_id): indicator},
                       {}, errors, label)
            if row is not None:
                _unique(row, label, seen, errors)
                rows.append(row)
        if len(errors) >= MAX_ERRORS:
            break
    if not rows and not errors and not result.skipped:
        errors.append(_("The file holds no measurements."))
    if errors:
        raise MeasurementFileError(errors)
    return rows, result


def _yearly_warning(indicator: Indicator, periods: list[str]) -> str:
    names = {"indicator": tr(indicator.node.title), "periods": ", ".join(sorted(periods))}
    if indicator.frequency == Frequency.quarterly:
        return ngettext(
            "“%(indicator)s” is measured every quarter, but the file gives a yearly value for %(periods)s. It was "
            "imported as the value of the whole year: delete it, or change how often the indicator is measured.",
            "“%(indicator)s” is measured every quarter, but the file gives yearly values for %(periods)s. They "
            "were imported as the values of the whole years: delete them, or change how often the indicator is "
            "measured.", len(periods), **names)
    return ngettext(
        "“%(indicator)s” is measured every half year, but the file gives a yearly value for %(periods)s. It was "
        "imported as the value of the whole year: delete it, or change how often the indicator is measured.",
        "“%(indicator)s” is measured every half year, but the file gives yearly values for %(periods)s. They were "
        "imported as the values of the whole years: delete them, or change how often the indicator is measured.",
        len(periods), **names)


def _yearly_warnings(rows: list[Row]) -> list[str]:
    """A warning per indicator measured more often than yearly that gets yearly values (see the module)."""
    years: dict[int, tuple[Indicator, list[str]]] = {}
    for row in rows:
        if row.indicator.frequency != Frequency.yearly and row.period.isdigit():
            years.setdefault(row.indicator.id, (row.indicator, []))[1].append(row.period)
    return [_yearly_warning(indicator, periods) for indicator, periods in years.values()]


def apply(rows: list[Row], result: Result | None = None) -> Result:
    """Store checked rows; a period stored before gets the new value."""
    result = result or Result()
    result.warnings.extend(_yearly_warnings(rows))
    for row in rows:
        existing = db.session.scalar(sa.select(Measurement.id).where(Measurement.indicator_id == row.indicator.id,
                                                                     Measurement.period == row.period))
        services.set_measurement(row.indicator, row.period, row.value, women=row.women, men=row.men,
                                 source=row.source, comment=row.comment)
        result.indicators.add(row.indicator.id)
        if existing is None:
            result.created += 1
        else:
            result.replaced += 1
    return result


def import_file(raw: bytes, fmt: str, vision_id: int | None = None, municipality: str = "") -> Result:
    """Check the whole file, then store it. Raises MeasurementFileError with every problem; writes nothing then."""
    if fmt == "kolada":
        return apply(*read_kolada(raw, vision_id, municipality.strip()))
    return apply(read_csv(raw, vision_id))


def report(result: Result) -> list[str]:
    """What an import did, in the reader's language: the staff page and the command line say the same."""
    lines = [_("Imported: %(created)s new and %(replaced)s replaced measurements.",
               created=format_number(result.created), replaced=format_number(result.replaced))]
    if result.skipped:
        lines.append(ngettext("Skipped %(count)s record without a value.", "Skipped %(count)s records without a "
                              "value.", result.skipped, count=format_number(result.skipped)))
    if result.others:
        total = sum(result.others.values())
        # two numbers, each with its plural: the values first, then the sentence by the municipalities
        values = ngettext("%(count)s value", "%(count)s values", total, count=format_number(total))
        lines.append(ngettext("Skipped %(values)s of another municipality (%(codes)s).",
                              "Skipped %(values)s of %(count)s other municipalities (%(codes)s).",
                              len(result.others), values=values, count=format_number(len(result.others)),
                              codes=_codes(result.others)))
    return lines
