"""Population figures: entered in a table, imported from CSV (all or nothing), and the demo's."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from dialogue.core.models import Locality
from dialogue.core.respondents import AGE_BANDS
from dialogue.core.services import audit
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.reports.models import PopulationFigure

MAX_COUNT = 10_000_000
MAX_LINES = 5_000
COLUMNS = ("locality", "age_band", "count")

Figures = dict[tuple[int, str], int]


def current() -> Figures:
    return {(f.locality_id, f.age_band): f.count for f in db.session.scalars(sa.select(PopulationFigure))}


def replace_all(figures: Figures, action: str, **details) -> None:
    """Make *figures* the population: every figure not in it is removed. Audited."""
    db.session.execute(sa.delete(PopulationFigure))
    db.session.add_all(PopulationFigure(locality_id=loc, age_band=band, count=n) for (loc, band), n in figures.items())
    db.session.flush()
    audit(action, figures=len(figures), total=sum(figures.values()), **details)


def parse_count(raw: str) -> int | None:
    """A count as typed: spaces (thin or not) between thousands are fine. None when it is no count."""
    text = raw.strip().replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if not text.isdigit() or not text.isascii() or int(text) > MAX_COUNT:
        return None
    return int(text)


def parse_csv(raw: bytes) -> tuple[Figures, list[str]]:
    """Figures from a CSV file with the columns locality, age_band, count; errors name the line.

    The locality is its name as in the settings (case does not matter); the age band is written as in the
    questionnaires, e.g. 20-29 or 80-. Commas or semicolons separate the columns.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}, [_("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")]
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        return {}, [_("The file is empty.")]
    if len(lines) > MAX_LINES:
        return {}, [_("The file has more than %(max)s lines.", max=MAX_LINES)]
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return _figures(reader)
    except csv.Error:  # a cell over the csv module's limit, most often from a quotation mark never closed
        return {}, [_("The file could not be read as CSV: a cell is far too long, or a quotation mark is not "
                      "closed.")]


def _figures(reader) -> tuple[Figures, list[str]]:
    header = [cell.strip().lower() for cell in next(reader)]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        return {}, [_("Line 1 must name the columns locality, age_band and count (missing: %(names)s).",
                      names=", ".join(missing))]
    where = {name: header.index(name) for name in COLUMNS}
    localities = {loc.name.casefold(): loc.id for loc in db.session.scalars(sa.select(Locality))}
    figures: Figures = {}
    errors: list[str] = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            errors.append(_("Line %(line)s has too few columns.", line=number))
            continue
        place, band, raw_count = (row[where[name]].strip() for name in COLUMNS)
        locality_id = localities.get(place.casefold())
        if locality_id is None:
            errors.append(_("Line %(line)s: there is no locality “%(name)s” (see the settings).", line=number,
                            name=place[:60]))
        if band not in AGE_BANDS:
            errors.append(_("Line %(line)s: “%(band)s” is not an age band; use one of %(bands)s.", line=number,
                            band=band[:20], bands=", ".join(AGE_BANDS)))
        count = parse_count(raw_count)
        if count is None:
            errors.append(_("Line %(line)s: the count must be a whole number from 0 to %(max)s.", line=number,
                            max=MAX_COUNT))
        if locality_id is None or band not in AGE_BANDS or count is None:
            continue
        if (locality_id, band) in figures:
            errors.append(_("Line %(line)s repeats %(name)s, %(band)s.", line=number, name=place, band=band))
            continue
        figures[(locality_id, band)] = count
    if not errors and not figures:
        errors.append(_("The file has no figures below its first line."))
    return figures, errors


# Plausible figures for the demo: Flen has about 16,000 inhabitants. Each locality stands for its
# surrounding countryside too, so the figures add up to the whole municipality.
DEMO_LOCALITIES = {"Flen": 7200, "Malmköping": 2600, "Hälleforsnäs": 2300, "Sparreholm": 1100, "Mellösa": 1000,
                   "Bettna": 800, "Vadsbro": 550, "Skebokvarn": 450}
DEMO_AGE_SHARES = {"0-15": 0.18, "16-19": 0.045, "20-29": 0.105, "30-44": 0.16, "45-64": 0.26, "65-79": 0.19,
                   "80-": 0.06}


def load_demo() -> None:
    """The demo population, for the localities of the demo municipality (no audit: not a staff action)."""
    ids = {loc.name: loc.id for loc in db.session.scalars(sa.select(Locality))}
    db.session.add_all(PopulationFigure(locality_id=ids[name], age_band=band, count=round(people * share))
                       for name, people in DEMO_LOCALITIES.items() if name in ids
                       for band, share in DEMO_AGE_SHARES.items())
    db.session.flush()
