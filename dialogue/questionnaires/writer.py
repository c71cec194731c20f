"""One process that stores residents' submissions on SQLite, several per transaction (group commit).

With ``synchronous=FULL`` every commit waits for the disk, and SQLite commits one at a time: when the
disk is slow or busy, that wait, not the CPU, caps how many answers a second the site takes. The
gunicorn workers (see gunicorn.conf.py) hand each checked submission to this process over a Unix
socket; it stores whatever has arrived in one transaction, each submission in its own savepoint,
commits once, and only then answers each worker, which then acknowledges the resident.

The writer is an optimisation, never a dependency: when it is missing, slow to answer or fails, the
worker stores the submission itself. The submission key (UNIQUE) keeps that to one row even when the
writer did store it but could not say so.

Run by gunicorn.conf.py: ``python -m dialogue.questionnaires.writer SOCKET DATABASE_URL``.
"""

from __future__ import annotations

import logging
import marshal
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

BATCH = 64  # submissions per transaction at most
STALE = "stale"  # the reply for a job whose questionnaire changed since it was checked (services.StaleSnapshot)
REPLY_TIMEOUT = 10  # seconds a worker waits before storing it itself (well inside gunicorn's 30 s timeout)
_HEADER = struct.Struct("!I")


# -- the wire: a length, then marshal (plain data only: it cannot carry code) -------------------------

def _frame(payload) -> bytes:
    data = marshal.dumps(payload)
    return _HEADER.pack(len(data)) + data


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise EOFError("the writer closed the connection")
        chunks += chunk
    return bytes(chunks)


# -- the worker's side ----------------------------------------------------------------------------------

class Client:
    """A process's connections to the writer: one per thread, opened on first use (after the fork)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.stored = 0  # submissions the writer stored for this process
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[tuple[int, socket.socket]] = []  # (pid, socket), to close them all

    def store(self, job: dict) -> tuple[int, bool] | str | None:
        """(response id, whether it is new) once committed; :data:`STALE` when the job's ``expected``
        versions no longer hold (nothing stored); None when the caller must store it itself."""
        sock = getattr(self._local, "sock", None)
        try:
            if sock is None or self._local.pid != os.getpid():  # a socket inherited through fork is the parent's
                sock = self._connect()
            sock.sendall(_frame(job))
            (size,) = _HEADER.unpack(_read_exactly(sock, _HEADER.size))
            reply = marshal.loads(_read_exactly(sock, size))
        except (OSError, EOFError, ValueError):
            self._forget()
            return None
        if reply is None or reply == STALE:
            return reply
        with self._lock:
            self.stored += 1
        return reply[0], reply[1]

    def _connect(self) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(REPLY_TIMEOUT)
        try:
            sock.connect(self.path)
        except OSError:
            sock.close()
            raise
        self._local.sock, self._local.pid = sock, os.getpid()
        with self._lock:
            self._open.append((os.getpid(), sock))
        return sock

    def _forget(self) -> None:
        sock = getattr(self._local, "sock", None)
        self._local.sock = None
        if sock is not None and self._local.pid == os.getpid():
            sock.close()

    def close(self) -> None:
        """Close every connection this process opened."""
        with self._lock:
            mine = [sock for pid, sock in self._open if pid == os.getpid()]
            self._open = []
        for sock in mine:
            sock.close()


def client_for(app) -> Client | None:
    """The writer client of *app* when gunicorn.conf.py started a writer for it (config SUBMISSION_WRITER)."""
    path = app.config.get("SUBMISSION_WRITER")
    if not path:
        return None
    client = app.extensions.get("dialogue.writer")
    if client is None or client.path != path:
        client = app.extensions["dialogue.writer"] = Client(path)
    return client


# -- the writer's side ----------------------------------------------------------------------------------

def _write_batch(engine, jobs: list[dict]) -> list:
    """Store *jobs* in one transaction; a reply per job: [id, new], STALE, or None for a job that failed.

    All jobs go in one statement per table; should that fail, each job is tried on its own, so that
    one bad submission does not sink the others.
    """
    from dialogue.core.database import driver_transaction
    from dialogue.questionnaires.services import write_jobs  # imported in serve() already: costs nothing here

    try:
        with driver_transaction(engine) as connection:
            cursor = connection.cursor()
            try:
                cursor.execute("SAVEPOINT batch")
                try:
                    results = write_jobs(connection, engine.dialect, jobs)
                    cursor.execute("RELEASE batch")
                except Exception:  # noqa: BLE001 - tried one by one below
                    cursor.execute("ROLLBACK TO batch")
                    cursor.execute("RELEASE batch")
                    results = [_write_alone(cursor, connection, engine.dialect, job) for job in jobs]
            finally:
                cursor.close()
    except Exception as error:  # noqa: BLE001 - the workers store them themselves
        log.error("a batch failed in the writer: %s", type(error).__name__)
        return [None] * len(jobs)
    return [None if result is _FAILED else STALE if result is None else list(result) for result in results]


_FAILED = object()  # a job that failed on its own: its worker stores it itself


def _write_alone(cursor, connection, dialect, job: dict):
    from dialogue.questionnaires.services import write_jobs

    cursor.execute("SAVEPOINT submission")
    try:
        (result,) = write_jobs(connection, dialect, [job])
    except Exception as error:  # noqa: BLE001 - the worker stores it itself, or shows its error page
        # the type only: the statement's values hold what the resident wrote
        log.error("a submission failed in the writer: %s", type(error).__name__)
        cursor.execute("ROLLBACK TO submission")
        result = _FAILED
    cursor.execute("RELEASE submission")
    return result


def serve(path: str, database_url: str) -> None:
    """Accept workers on the Unix socket *path* and store what they send, until the parent goes away."""
    import sqlalchemy as sa

    import dialogue.models  # noqa: F401  (every table, before the first batch rather than in it)
    from dialogue.core.database import configure_engine
    from dialogue.questionnaires import services  # noqa: F401

    engine = sa.create_engine(database_url, hide_parameters=True)
    configure_engine(engine)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(512)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    buffers: dict[socket.socket, bytearray] = {}
    parent = os.getppid()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while os.getppid() == parent:  # gunicorn's master gone (even by SIGKILL): stop too
        jobs: list[tuple[socket.socket, dict]] = []
        for key, _events in selector.select(timeout=1.0):
            if key.fileobj is listener:
                client, _address = listener.accept()
                selector.register(client, selectors.EVENT_READ)
                buffers[client] = bytearray()
                continue
            client = key.fileobj
            data = client.recv(1 << 20)
            if not data:
                selector.unregister(client)
                buffers.pop(client, None)
                client.close()
                continue
            buffer = buffers[client]
            buffer += data
            while len(buffer) >= _HEADER.size:
                (size,) = _HEADER.unpack_from(buffer)
                if len(buffer) < _HEADER.size + size:
                    break
                jobs.append((client, marshal.loads(bytes(buffer[_HEADER.size:_HEADER.size + size]))))
                del buffer[:_HEADER.size + size]
        for start in range(0, len(jobs), BATCH):
            batch = jobs[start:start + BATCH]
            for (client, _job), reply in zip(batch, _write_batch(engine, [job for _c, job in batch]), strict=True):
                try:
                    client.sendall(_frame(reply))
                except OSError:
                    pass  # the worker went away; it stores the submission itself if it is still there


# -- started and stopped by gunicorn.conf.py --------------------------------------------------------------

def start(app) -> subprocess.Popen | None:
    """Start a writer for *app* when it stores into an SQLite file; tell the app where it listens.

    Call it in gunicorn's master before the workers fork, so that they inherit the setting.
    """
    url = (app.config.get("SQLALCHEMY_DATABASE_URI") or "") if hasattr(app, "config") else ""
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        return None  # PostgreSQL groups concurrent commits itself
    return spawn(app, url)


def spawn(app, url: str) -> subprocess.Popen:
    """A writer process on the database *url*; *app* sends its submissions there from now on."""
    path = str(Path(tempfile.mkdtemp(prefix="dialogue-writer-")) / "writer.sock")  # a private (0700) directory
    process = subprocess.Popen([sys.executable, "-m", "dialogue.questionnaires.writer", path, url])
    deadline = time.monotonic() + 15
    while not os.path.exists(path) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if os.path.exists(path):
        app.config["SUBMISSION_WRITER"] = path
    else:
        log.error("the submission writer did not start; the workers store submissions themselves")
    return process


def stop(process: subprocess.Popen | None) -> None:
    if process is None:
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
    except ChildProcessError:
        pass  # gunicorn's master reaped it already
    path = Path(process.args[3])
    path.unlink(missing_ok=True)
    path.parent.rmdir()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    serve(sys.argv[1], sys.argv[2])
