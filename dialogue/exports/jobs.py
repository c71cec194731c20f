"""Exports from the staff page are built in the background into the database, then downloaded whole.

Why: a file streamed in the request that asked for it is cut off by whatever ends the request first (the
gunicorn worker's timeout, a restart, a proxy) and, without a length known in advance, over HTTP/1.0 the
official gets a 200 and a truncated file that looks whole. Built in the background, an export takes as
long as it takes; when it is done its size is known, so the download carries a Content-Length (and
answers Range requests, so a broken-off download can be resumed) and a cut is always visible.

How: the page's POST records an ExportJob and starts a thread in the same process (no extra service to
run). The thread has its own app context and database session; it reads the rows on a read-only
connection of their own (dialogue.exports.cursor) and writes the file as it comes, in chunks of
CHUNK_BYTES, to ExportChunk rows, so memory stays flat and every instance can serve the file. It writes
a heartbeat at least every BEAT seconds; a job whose heartbeat is older than STALE while it is not
finished was interrupted (the process ended: a restart, a deploy, a crash) and is shown as failed. Jobs
and their files are deleted after KEEP (``flask --app wsgi export purge``, and whenever a job starts).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask

from dialogue.core.base import utcnow
from dialogue.core.database import read_only, writing
from dialogue.core.models import AuditEvent, User
from dialogue.exports.datasets import Dataset
from dialogue.exports.models import ExportChunk, ExportJob, JobStatus
from dialogue.exports.writers import Counter, write
from dialogue.extensions import db

log = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20
#: how often a working job writes its heartbeat (and its progress), at the most
BEAT = timedelta(seconds=5)
#: a job not finished whose heartbeat is older than this was interrupted
STALE = timedelta(minutes=3)
#: jobs and their files are deleted this long after they were asked for
KEEP = timedelta(days=1)
#: jobs one official may have being built at once
RUNNING_PER_USER = 2
#: chunks deleted per transaction (MiB)
DELETE_CHUNKS = 32
INTERRUPTED = "interrupted"
UNFINISHED = (JobStatus.queued, JobStatus.running)

#: this process's jobs being built, with the engine they write to: marked interrupted if the process ends
_building: dict[int, sa.Engine] = {}
_building_lock = threading.Lock()
_exit_handler = False


class Interrupted(Exception):
    """The job was marked failed (the process is ending) or deleted while it was being built."""


def state(job: ExportJob, now: datetime | None = None) -> str:
    """queued, running, done, failed, interrupted or expired: what the official is shown."""
    now = now or utcnow()
    if job.created_at + KEEP <= now:
        return "expired"
    if job.status in UNFINISHED:
        return INTERRUPTED if job.heartbeat_at + STALE <= now else job.status.value
    if job.status == JobStatus.failed and job.error == INTERRUPTED:
        return INTERRUPTED
    return job.status.value


def unfinished(user: User, now: datetime | None = None) -> int:
    """How many of *user*'s jobs are being built (and not interrupted)."""
    now = now or utcnow()
    return db.session.scalar(sa.select(sa.func.count()).select_from(ExportJob).where(
        ExportJob.user_id == user.id, ExportJob.status.in_(UNFINISHED), ExportJob.heartbeat_at > now - STALE,
        ExportJob.created_at > now - KEEP))


def recent(user: User, limit: int = 20) -> list[ExportJob]:
    return list(db.session.scalars(sa.select(ExportJob).where(
        ExportJob.user_id == user.id, ExportJob.created_at > utcnow() - KEEP)
        .order_by(ExportJob.id.desc()).limit(limit)))


def create(user: User, submission_key: str, *, dataset: str, fmt: str, args: dict, filters: dict, personal: bool,
           filename: str) -> tuple[ExportJob, bool]:
    """The job for *submission_key*: (a new one, True), or (the one this form already started, False).

    The UNIQUE key decides, so a double click starts one job. The same key with other choices (the form
    sent again after going back and changing it) starts a new job under a new key.
    """
    from dialogue.core.database import insert_unless_present
    from dialogue.core.services import new_submission_key

    now = utcnow()
    values = {"user_id": user.id, "dataset": dataset, "format": fmt, "args": args, "filters": filters,
              "personal": personal, "filename": filename, "status": JobStatus.queued.value, "rows": 0, "size": 0,
              "chunk_size": CHUNK_BYTES, "error": "", "created_at": now, "heartbeat_at": now}
    job_id = insert_unless_present(db.session, ExportJob.__table__, {**values, "submission_key": submission_key},
                                   key="submission_key")
    if job_id is None:
        existing = db.session.scalar(sa.select(ExportJob).where(ExportJob.submission_key == submission_key))
        if existing is not None and existing.user_id == user.id and existing.args == args:
            return existing, False
        job_id = insert_unless_present(db.session, ExportJob.__table__,
                                       {**values, "submission_key": new_submission_key()}, key="submission_key")
    return db.session.get(ExportJob, job_id), True


def start(app: Flask, job_id: int, tables: list[Dataset], fmt: str, delimiter: str, title: str) -> threading.Thread:
    """Build the committed job *job_id* in a thread of this process; returns the thread."""
    global _exit_handler
    with _building_lock:
        _building[job_id] = db.engine
        if not _exit_handler:
            atexit.register(mark_interrupted)
            _exit_handler = True
    thread = threading.Thread(target=run, args=(app, job_id, tables, fmt, delimiter, title),
                              name=f"export-job-{job_id}", daemon=True)
    thread.start()
    return thread


def run(app: Flask, job_id: int, tables: list[Dataset], fmt: str, delimiter: str, title: str) -> None:
    """The thread's work: the whole file into ExportChunk rows, or the job marked failed."""
    with app.app_context():
        try:
            try:
                purge()
            except Exception:  # noqa: BLE001 - the hourly purge will do it; this file is what was asked for
                log.exception("export job %s: purging the expired jobs failed", job_id)
            sink = _Sink(job_id)
            sink.begin()
            counter = Counter(progress=sink.progress)
            for data in write(fmt, tables, counter, delimiter, title=title):
                sink.write(data)
            if not counter.complete:
                raise RuntimeError("the writer stopped before the end")
            sink.finish(counter.rows)
        except Exception as error:  # noqa: BLE001 - every failure must end as a visible "failed"
            db.session.rollback()
            if not isinstance(error, Interrupted):
                log.exception("export job %s failed", job_id)
            _fail(job_id, INTERRUPTED if isinstance(error, Interrupted) else type(error).__name__)
        finally:
            db.session.remove()
            with _building_lock:
                _building.pop(job_id, None)


class _Sink:
    """Takes the writer's bytes and stores them in chunks, with the job's progress and heartbeat."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.buffer = bytearray()
        self.sequence = 0
        self.size = 0
        self.rows = 0
        self.beaten = 0.0

    def _update(self, **values) -> None:
        """Update the job (still being built), in the transaction under way; Interrupted if it is not."""
        done = db.session.execute(sa.update(ExportJob).where(
            ExportJob.id == self.job_id, ExportJob.status.in_(UNFINISHED)).values(**values))
        if done.rowcount != 1:
            raise Interrupted()

    def begin(self) -> None:
        self._update(status=JobStatus.running, heartbeat_at=utcnow())
        db.session.commit()
        self.beaten = time.monotonic()

    def progress(self, rows: int) -> None:
        self.rows = rows
        if time.monotonic() - self.beaten >= BEAT.total_seconds():
            self._beat()

    def _beat(self) -> None:
        self._update(rows=self.rows, size=self.size, heartbeat_at=utcnow())
        db.session.commit()
        self.beaten = time.monotonic()

    def write(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= CHUNK_BYTES:
            self._store(bytes(self.buffer[:CHUNK_BYTES]))
            del self.buffer[:CHUNK_BYTES]
            self._beat()

    def _store(self, data: bytes) -> None:
        db.session.execute(sa.insert(ExportChunk).values(job_id=self.job_id, sequence=self.sequence, data=data))
        self.sequence += 1
        self.size += len(data)

    def finish(self, rows: int) -> None:
        self.rows = rows
        if self.buffer:
            self._store(bytes(self.buffer))
            self.buffer.clear()
        now = utcnow()
        self._update(status=JobStatus.done, rows=rows, size=self.size, heartbeat_at=now, finished_at=now)
        db.session.commit()


def _fail(job_id: int, error: str) -> None:
    """Mark the job failed and delete what it wrote: a failed job never offers a part of a file."""
    with writing(db.engine) as connection:
        connection.execute(sa.update(ExportJob).where(ExportJob.id == job_id, ExportJob.status.in_(UNFINISHED))
                           .values(status=JobStatus.failed, error=error[:200], finished_at=utcnow()))
    _delete_chunks(job_id)


def _delete_chunks(job_id: int) -> None:
    """Delete a job's chunks DELETE_CHUNKS at a time, each in a short transaction of its own: on SQLite a
    file of some hundred megabytes deleted at once would hold the write lock that submissions wait for."""
    while True:
        with writing(db.engine) as connection:
            some = (sa.select(ExportChunk.sequence).where(ExportChunk.job_id == job_id)
                    .order_by(ExportChunk.sequence).limit(DELETE_CHUNKS))
            deleted = connection.execute(sa.delete(ExportChunk).where(
                ExportChunk.job_id == job_id, ExportChunk.sequence.in_(some.scalar_subquery()))).rowcount
        if deleted < DELETE_CHUNKS:
            return


def mark_interrupted() -> None:
    """At the process's exit: its jobs still being built are failed now, not only when their heartbeat is old."""
    with _building_lock:
        building = dict(_building)
    for job_id, engine in building.items():
        try:
            with engine.begin() as connection:
                connection.execute(sa.update(ExportJob).where(
                    ExportJob.id == job_id, ExportJob.status.in_(UNFINISHED)).values(
                    status=JobStatus.failed, error=INTERRUPTED, finished_at=utcnow()))
        except Exception:  # noqa: BLE001 - at exit: the heartbeat tells the rest
            log.warning("could not mark export job %s interrupted", job_id)


def purge(now: datetime | None = None) -> int:
    """Delete the jobs asked for more than KEEP ago, with their files; returns how many."""
    cutoff = (now or utcnow()) - KEEP
    with read_only(db.engine) as connection:
        expired = connection.scalars(sa.select(ExportJob.id).where(ExportJob.created_at <= cutoff)).all()
    for job_id in expired:
        _delete_chunks(job_id)
        with writing(db.engine) as connection:
            connection.execute(sa.delete(ExportJob).where(ExportJob.id == job_id))
    return len(expired)


# -- the download ---------------------------------------------------------------------------------------

class Download:
    """Bytes *start* to *stop* of a finished job's file, read a chunk at a time, each in a short read.

    The audit row (written before the first byte) learns at the end how many bytes went out and whether
    all of them did: *complete* is set only when the server came back for more after the last piece.
    """

    def __init__(self, engine: sa.Engine, job: ExportJob, start: int, stop: int, audit_id: int,
                 details: dict) -> None:
        self.engine = engine
        self.job_id = job.id
        self.chunk_size = job.chunk_size
        self.position = start
        self.stop = stop
        self.audit_id = audit_id
        self.details = details
        self.sent = 0
        self.finished = False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self.position >= self.stop:
            self._finish(complete=True)
            raise StopIteration
        sequence, offset = divmod(self.position, self.chunk_size)
        with read_only(self.engine) as connection:
            data = connection.scalar(sa.select(ExportChunk.data).where(
                ExportChunk.job_id == self.job_id, ExportChunk.sequence == sequence))
        if data is None:  # deleted meanwhile: end short of the Content-Length, which the client notices
            self._finish(complete=False)
            raise StopIteration
        piece = bytes(data[offset:offset + self.stop - self.position])
        self.position += len(piece)
        self.sent += len(piece)
        return piece

    def close(self) -> None:
        self._finish(complete=False)

    def _finish(self, complete: bool) -> None:
        if self.finished:
            return
        self.finished = True
        details = {**self.details, "bytes": self.sent, "complete": complete}
        with writing(self.engine) as connection:
            connection.execute(sa.update(AuditEvent).where(AuditEvent.id == self.audit_id).values(details=details))


def record_download(engine: sa.Engine, job: ExportJob, actor: User, obj, details: dict) -> int:
    """The audit row of a download, committed before the first byte goes out; returns its id."""
    with writing(engine) as connection:
        return connection.execute(sa.insert(AuditEvent).values(
            at=utcnow(), actor_id=actor.id, action="export.download", object_type=type(obj).__name__.lower()
            if obj is not None else "", object_id=getattr(obj, "id", None), details=details)).inserted_primary_key[0]
