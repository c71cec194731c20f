"""Measurements from files: CSV, and Kolada's JSON (the shape of its API's answers).

Everything is checked before anything is written: a file with one wrong row imports nothing, and the
errors name the row or record. A period imported again replaces the value stored before.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field

import sqlalchemy as sa

from dialogue.extensions import db
from dialogue.i18n import _, _l
from dialogue.steering import services
from dialogue.steering.models import Indicator, Measurement
from dialogue.steering.status import PeriodError, parse_period
from dialogue.vision.models import VisionNode

COLUMNS = ("indicator", "period", "value", "value_women", "value_men", "source", "comment")
REQUIRED = ("indicator", "period", "value")
MAX_ERRORS = 25


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
    skipped: int = 0
    indicators: set[int] = field(default_factory=set)


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


def read_kolada(raw: bytes, vision_id: int | None = None, municipality: str = "") -> tuple[list[Row], int]:
    """Rows of a Kolada answer: ``{"values": [{"kpi", "municipality", "period", "values": [...]}]}``.

    Records without a total value (Kolada's null) are skipped and counted. Returns (rows, skipped).
    """
    try:
        data = json.loads(_text(raw))
    except json.JSONDecodeError as error:
        raise MeasurementFileError([_("The file is not valid JSON (line %(line)d).", line=error.lineno)]) from None
    if not isinstance(data, dict) or not isinstance(data.get("values"), list):
        raise MeasurementFileError([_("This is not a Kolada file: it must be an object with a list \"values\".")])
    _by_id, by_kpi = _lookup(vision_id)
    rows, errors, seen, skipped = [], [], {}, 0
    for number, record in enumerate(data["values"], start=1):
        label = _l("Record %(n)d", n=number)  # lazy: words are needed only for errors
        if not isinstance(record, dict) or not isinstance(record.get("values"), list):
            errors.append(_("%(where)s: each record needs kpi, municipality, period and a list of values.",
                            where=label))
            continue
        kpi = str(record.get("kpi") or "").upper()
        place = str(record.get("municipality") or "")
        if municipality and place != municipality:
            errors.append(_("%(where)s: the municipality is %(found)s, not %(expected)s.", where=label,
                            found=place or "–", expected=municipality))
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
                skipped += 1
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
    if not rows and not errors and not skipped:
        errors.append(_("The file holds no measurements."))
    if errors:
        raise MeasurementFileError(errors)
    return rows, skipped


def apply(rows: list[Row], skipped: int = 0) -> Result:
    """Store checked rows; a period stored before gets the new value."""
    result = Result(skipped=skipped)
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
        rows, skipped = read_kolada(raw, vision_id, municipality.strip())
        return apply(rows, skipped)
    return apply(read_csv(raw, vision_id))
