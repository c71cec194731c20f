"""Finding and changing processes. Functions flush; views commit."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import format_date
from sqlalchemy.exc import IntegrityError

from dialogue.core import ordering
from dialogue.extensions import db
from dialogue.i18n import _l, tr
from dialogue.processes.models import Phase, PhaseKind, Process


def current_process(today: date) -> Process | None:
    """The published process running today; else the next one to start; else the latest that ended."""
    published = sa.select(Process).where(Process.published.is_(True), Process.archived.is_(False))
    for query in (
        published.where(Process.starts_on <= today, Process.ends_on >= today).order_by(Process.starts_on.desc()),
        published.where(Process.starts_on > today).order_by(Process.starts_on),
        published.order_by(Process.ends_on.desc()),
    ):
        process = db.session.scalar(query.limit(1))
        if process is not None:
            return process
    return None


class ProcessError(ValueError):
    """A change that would leave the process inconsistent; *field* is the form field to show it at."""

    def __init__(self, field: str, message) -> None:
        super().__init__(message)
        self.field = field


def _outside(phase_start: date, phase_end: date, process: Process) -> bool:
    return phase_start < process.starts_on or phase_end > process.ends_on


def save_process(process: Process, *, slug: str, title: dict, summary: dict, starts_on: date,
                 ends_on: date) -> Process:
    """Create or change a process; flushes.

    :raise ProcessError: the address is taken, or a phase would fall outside the new dates
    """
    taken = db.session.scalar(sa.select(Process.id).where(Process.slug == slug, Process.id != process.id))
    if taken is not None:
        raise ProcessError("slug", _l("Another process has this address already."))
    process.starts_on, process.ends_on = starts_on, ends_on
    outside = [phase for phase in process.phases if _outside(phase.starts_on, phase.ends_on, process)]
    if outside:
        raise ProcessError("starts_on", _l("The phase “%(title)s” would fall outside the process's dates: "
                                           "change or remove it first.", title=tr(outside[0].title)))
    process.slug, process.title, process.summary = slug, title, summary
    db.session.add(process)
    try:
        with db.session.begin_nested():  # another organizer may have taken the address a moment ago
            db.session.flush()
    except IntegrityError as error:
        raise ProcessError("slug", _l("Another process has this address already.")) from error
    return process


def save_phase(process: Process, phase: Phase, *, kind: PhaseKind, title: dict, description: dict,
               starts_on: date, ends_on: date) -> Phase:
    """Add *phase* to *process*, or change it; flushes.

    :raise ProcessError: the phase lies outside the process's dates
    """
    if _outside(starts_on, ends_on, process):
        raise ProcessError("starts_on", _l("A phase must lie within the process's dates, %(start)s to %(end)s.",
                                           start=format_date(process.starts_on), end=format_date(process.ends_on)))
    phase.kind, phase.title, phase.description = kind, title, description
    phase.starts_on, phase.ends_on = starts_on, ends_on
    if phase not in process.phases:
        phase.position = max((p.position for p in process.phases), default=-1) + 1
        process.phases.append(phase)
    db.session.flush()
    return phase


def move_phase(phase: Phase, offset: int) -> None:
    """Move a phase up (-1) or down (+1) in its process's timeline."""
    ordering.move(phase.process.phases, phase, offset)
    db.session.flush()


def remove_phase(phase: Phase) -> None:
    process = phase.process
    process.phases.remove(phase)
    ordering.renumber(process.phases)
    db.session.flush()


def listed(today: date) -> dict[str, list[Process]]:
    """Published, not archived processes: current, upcoming and past, for the public list."""
    processes = db.session.scalars(sa.select(Process).where(
        Process.published.is_(True), Process.archived.is_(False)).order_by(Process.starts_on.desc())).all()
    return {
        "current": [p for p in processes if p.starts_on <= today <= p.ends_on],
        "upcoming": sorted((p for p in processes if p.starts_on > today), key=lambda p: p.starts_on),
        "past": [p for p in processes if p.ends_on < today],
    }


def choices(none_label) -> list[tuple[str, str]]:
    """(id, title) of every process, newest first, after (“”, *none_label*): for "part of the process"."""
    processes = db.session.scalars(sa.select(Process).order_by(Process.starts_on.desc())).all()
    return [("", str(none_label))] + [(str(p.id), tr(p.title)) for p in processes]
