"""SQLite runs durable and concurrent; no connection exists before a server forks."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest
import sqlalchemy as sa

from dialogue.core.models import AuditEvent
from dialogue.extensions import db
from tests.conftest import make_app

only_sqlite = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.fixture
def sqlite_app(app):
    return app


def sqlite_path(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")


@only_sqlite
def test_sqlite_pragmas(sqlite_app):
    with sqlite_app.app_context():
        conn = db.session.connection()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def _other_writer_can_lock(path: str) -> bool:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)  # noqa: PT017  (a probe, not a test: any other error must surface)
        return False
    finally:
        other.close()


@only_sqlite
def test_post_requests_begin_immediate_and_get_requests_do_not(sqlite_app):
    path = sqlite_path(sqlite_app)
    with sqlite_app.test_request_context("/", method="POST"):
        db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
        assert not _other_writer_can_lock(path), "a POST's transaction must hold the write lock from BEGIN"
        db.session.rollback()
    with sqlite_app.test_request_context("/", method="GET"):
        db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
        assert _other_writer_can_lock(path), "a GET's read must not block writers"
        db.session.rollback()


@only_sqlite
def test_a_post_reading_first_takes_the_write_lock_only_to_write(sqlite_app):
    from dialogue.core.database import reading

    path = sqlite_path(sqlite_app)
    with sqlite_app.test_request_context("/", method="POST"):
        with reading(db.session):
            db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
            assert _other_writer_can_lock(path)
        db.session.add(AuditEvent(action="test.write"))
        db.session.flush()
        assert not _other_writer_can_lock(path)
        db.session.commit()


def _writer(url: str, instance: str, writes: int, start, queue) -> None:
    app = make_app(url, instance)
    done = errors = 0
    start.wait(timeout=60)  # all writers begin together, however long each took to start
    for _ in range(writes):
        with app.test_request_context("/", method="POST"):
            try:
                # read, then write: the pattern that fails at once under deferred transactions
                n = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
                db.session.add(AuditEvent(action="test.write", details={"seen": n}))
                db.session.commit()
                done += 1
            except sa.exc.OperationalError:
                db.session.rollback()
                errors += 1
    with app.app_context():
        db.engine.dispose()
    queue.put((done, errors))


@only_sqlite
def test_no_database_locked_under_multiprocess_writes(sqlite_app, tmp_path):
    url = sqlite_app.config["SQLALCHEMY_DATABASE_URI"]
    ctx = multiprocessing.get_context("spawn")
    queue, start = ctx.Queue(), ctx.Barrier(4)
    workers = [ctx.Process(target=_writer, args=(url, str(tmp_path), 25, start, queue)) for _ in range(4)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    committed = sum(done for done, _ in results)
    assert sum(errors for _, errors in results) == 0
    assert committed == 4 * 25
    with sqlite_app.app_context():
        stored = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert stored == committed


def test_create_app_opens_no_connection(backend, app_factory):
    app = app_factory()
    with app.app_context():
        pool = db.engine.pool
        assert pool.checkedout() == 0
        assert pool.checkedin() == 0, "create_app connected to the database before a fork"


def test_database_errors_do_not_carry_personal_data_into_logs(app_factory, caplog):
    """A failing statement's values (here an e-mail address) appear neither in the log nor on the page."""
    from dialogue.core import services

    app = app_factory(PROPAGATE_EXCEPTIONS=False)

    @app.route("/duplicate/<token>")
    def duplicate(token):
        services.create_user("anna.andersson@kommun.example", "a long enough passphrase", "admin")
        db.session.add(services.User(email="anna.andersson@kommun.example", password_hash="x", role="admin"))
        db.session.flush()

    response = app.test_client().get("/duplicate/secret-token-123")
    assert response.status_code == 500
    assert "IntegrityError" in caplog.text
    assert "anna.andersson" not in caplog.text
    assert "secret-token-123" not in caplog.text
    assert "anna.andersson" not in response.get_data(as_text=True)
