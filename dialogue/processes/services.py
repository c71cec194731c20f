"""Finding and changing processes. Functions flush; views commit."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from dialogue.extensions import db
from dialogue.processes.models import Process


def current_process(today: date) -> Process | None:
    """The published process running today; else the next one to start; else the latest that ended."""
    published = sa.select(Process).where(Process.published.is_(True))
    for query in (
        published.where(Process.starts_on <= today, Process.ends_on >= today).order_by(Process.starts_on.desc()),
        published.where(Process.starts_on > today).order_by(Process.starts_on),
        published.order_by(Process.ends_on.desc()),
    ):
        process = db.session.scalar(query.limit(1))
        if process is not None:
            return process
    return None
