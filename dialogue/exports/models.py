"""Export jobs: a file built in the background, kept in the database in chunks for a day."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.base import utcnow
from dialogue.core.models import User
from dialogue.extensions import db


class JobStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class ExportJob(db.Model):
    """One export asked for on the staff page: who, what, how far, and the finished file's size.

    Holds no personal data: the filters are ids and dates, *error* names the kind of failure only.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: random, chosen when the form is shown: a double click starts one job, not two
    submission_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    dataset: Mapped[str] = mapped_column(sa.String(40))
    format: Mapped[str] = mapped_column(sa.String(20))
    #: the form's fields as sent (dataset, format, ids, dates): shown on the job page, sent again to restart
    args: Mapped[dict] = mapped_column(default=dict)
    #: the filters that were set, as the audit log records them
    filters: Mapped[dict] = mapped_column(default=dict)
    personal: Mapped[bool] = mapped_column(default=False)
    filename: Mapped[str] = mapped_column(sa.String(120))
    status: Mapped[JobStatus] = mapped_column(sa.Enum(JobStatus, native_enum=False, length=10),
                                              default=JobStatus.queued)
    rows: Mapped[int] = mapped_column(default=0)
    #: bytes written so far; the file's size when done
    size: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    chunk_size: Mapped[int] = mapped_column(default=0)
    #: what went wrong, without personal data (e.g. "interrupted", "OperationalError")
    error: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: written by the thread that builds the file at least every few seconds while it works
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class ExportChunk(db.Model):
    """A piece of a built file, in order; every piece but the last is exactly the job's chunk_size."""

    job_id: Mapped[int] = mapped_column(sa.ForeignKey("export_job.id", ondelete="CASCADE"), primary_key=True)
    sequence: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
