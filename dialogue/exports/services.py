"""One export, from the choice of dataset to the audited stream of bytes; shared by the page and the CLI."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import force_locale

from dialogue.core.models import AuditEvent, User
from dialogue.core.services import audit, get_municipality
from dialogue.events.models import Event
from dialogue.exports import datasets
from dialogue.exports.writers import EXTENSIONS, Counter, write
from dialogue.extensions import db
from dialogue.filters import ExportFilters
from dialogue.i18n import tr
from dialogue.questionnaires.models import Questionnaire
from dialogue.vision.models import Vision

DATASETS = ("responses_wide", "responses_long", "contributions", "signups", "codebook")
FORMATS = ("csv", "xlsx", "jsonl", "datapackage")
DELIMITERS = {"comma": ",", "semicolon": ";"}


@dataclass
class Export:
    filename: str
    fmt: str
    chunks: Iterator[bytes]
    counter: Counter


def municipality_locale() -> str:
    municipality = get_municipality()
    return municipality.default_locale if municipality else "sv"


def build(dataset: str, filters: ExportFilters, *, event: Event | None = None, vision: Vision | None = None,
          personal: bool = False, addresses: bool = False) -> list[datasets.Dataset]:
    """The tables of *dataset*, labelled in the municipality's default language."""
    with force_locale(municipality_locale()):
        if dataset in ("responses_wide", "responses_long"):
            questionnaire = db.session.get(Questionnaire, filters.questionnaire_id)
            maker = datasets.responses_wide if dataset == "responses_wide" else datasets.responses_long
            return [maker(questionnaire, filters)]
        if dataset == "contributions":
            return [datasets.contributions(filters)]
        if dataset == "signups":
            return [datasets.signups(event, filters, personal, addresses)]
        return [datasets.codebook(vision)]


def safe_filename(name: str, fmt: str) -> str:
    """ASCII letters, digits, dots and dashes only: safe in a Content-Disposition header and on any disk."""
    stem = re.sub(r"[^A-Za-z0-9.-]+", "-", name).strip("-.")[:100] or "export"
    return f"{stem}.{EXTENSIONS[fmt]}"


def package_title() -> str:
    """A data package's title: the municipality's name in its own language."""
    with force_locale(municipality_locale()):
        return tr(get_municipality().name) if get_municipality() else "dialogue"


def start(tables: list[datasets.Dataset], fmt: str, delimiter: str, *, actor: User | None, dataset: str,
          filters: ExportFilters, personal: bool, obj=None) -> Export:
    """Record the export in the audit log (committed now), then stream it (the command line; the staff
    page builds its files in the background, see dialogue.exports.jobs).

    The row count is only known at the end: the stream writes it into the same audit row, in a
    transaction of its own, with `complete` false when the download was broken off.
    """
    event = audit("export.download", obj, actor=actor, dataset=dataset, format=fmt, filters=filters.describe(),
                  personal_data=personal, rows=None, complete=False)
    db.session.commit()
    audit_id, details = event.id, dict(event.details)
    counter = Counter()
    title = package_title()

    def chunks() -> Iterator[bytes]:
        try:
            yield from write(fmt, tables, counter, delimiter, title=title)
        finally:
            details.update(rows=counter.rows, complete=counter.complete)
            with db.engine.begin() as connection:
                connection.execute(sa.update(AuditEvent).where(AuditEvent.id == audit_id).values(details=details))

    return Export(safe_filename(tables[0].name, fmt), fmt, chunks(), counter)
