"""Fixtures: every database test runs on a real SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

import csv
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket

from dialogue import create_app
from dialogue.core import services
from dialogue.extensions import db, limiter
from tests.postgres import PostgresServer, PostgresUnavailable
from tests.smtp import smtp_server

ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PASSWORD = "correct horse battery staple"
BACKENDS = ["sqlite", "postgresql"]


# -- every test builds its own app: templates compiled for one app are reused by the next ----------------
#
# Jinja compiles each template again in each app's environment; Jinja's own bytecode cache (below) keeps
# the code of each template source per process, for environments whose settings shape the code alike.
# (Werkzeug compiles each rule's URL builder per app too; that cost stays: replacing its private
# compiler would test another Werkzeug than the one the app runs on.)


class _TemplateCode(BytecodeCache):
    """Compiled templates by name and source checksum: a changed template is compiled again."""

    def __init__(self) -> None:
        self.codes: dict[str, tuple[str, object]] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        checksum, code = self.codes.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.codes[bucket.key] = (bucket.checksum, bucket.code)


_template_code: dict[tuple, _TemplateCode] = {}


def _share_template_code(env: Environment) -> None:
    """One cache for the environments that agree on everything the compiler reads."""
    shape = (env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string,
             env.comment_start_string, env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
             env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline, env.optimized,
             env.is_async, env.finalize is not None, getattr(env, "newstyle_gettext", None),
             getattr(env.autoescape, "__qualname__", env.autoescape), tuple(sorted(env.extensions)))
    env.bytecode_cache = _template_code.setdefault(shape, _TemplateCode())


# -- skipped tests fail on CI: a missing server or browser must not pass silently ----------------------

def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):
        return  # a pytest-xdist worker: the controller receives every worker's reports and decides
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if ON_CI and skipped and exitstatus == 0:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; on CI every test must run.", red=True)
        session.exitstatus = 1


def pytest_collection_modifyitems(config, items):
    """With ``--dist loadgroup`` (make test) the tests that share a module-scoped fixture, such as a deployed
    stack, go to one pytest-xdist worker, so that it is set up once rather than once per worker."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info and any(defs[-1].scope == "module" for defs in info.name2fixturedefs.values()):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


def skip_or_fail(reason: str):
    if ON_CI:
        pytest.fail(reason)
    pytest.skip(reason)


# -- databases -------------------------------------------------------------------------------------------
#
# Each backend is migrated once per session (under pytest-xdist: once per worker, which has its own
# PostgreSQL server and its own files). On SQLite every test then gets its own copy of the migrated file;
# on PostgreSQL the tests of a worker share its database and app_factory empties the tables after each test.
# load_demo() loads the demo for real the first time and keeps its rows aside; a later test whose database
# is still empty gets the same rows copied in by INSERT ... SELECT instead of a second load.

SHM = Path("/dev/shm")
_session_dir: Path | None = None
_demo_snapshots: dict[tuple, DemoSnapshot] = {}


@pytest.fixture(scope="session")
def database_dir(tmp_path_factory) -> Iterator[Path]:
    """This session's SQLite files: on tmpfs when there is one, since SQLite syncs every commit to disk."""
    global _session_dir
    if SHM.is_dir() and os.access(SHM, os.W_OK):
        path = Path(tempfile.mkdtemp(prefix="dialogue-tests-", dir=SHM))
    else:
        path = tmp_path_factory.mktemp("databases")
    _session_dir = path
    yield path
    _session_dir = None
    _demo_snapshots.clear()
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer().start()
    except PostgresUnavailable as error:
        skip_or_fail(str(error))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def migrated_urls() -> dict[str, str]:
    """One migrated database per backend, built lazily the first time a backend is asked for."""
    return {}


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _migrated_url(backend: str, request, migrated_urls: dict, database_dir: Path) -> str:
    if backend not in migrated_urls:
        if backend == "sqlite":
            url = f"sqlite:///{database_dir / 'migrated.sqlite3'}"
        else:
            url = request.getfixturevalue("postgres").create_database("dialogue_test")
        app = make_app(url, database_dir)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            db.engine.dispose()
        if backend == "sqlite":
            # everything in the main file, so that a copy of it is the whole database
            with closing(sqlite3.connect(_sqlite_path(url))) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        migrated_urls[backend] = url
    return migrated_urls[backend]


@pytest.fixture
def database_url(backend, request, migrated_urls, database_dir) -> Iterator[str]:
    """The test's database: a fresh copy of the migrated SQLite file, or the session's PostgreSQL database."""
    url = _migrated_url(backend, request, migrated_urls, database_dir)
    if backend != "sqlite":
        yield url
        return
    directory = Path(tempfile.mkdtemp(dir=database_dir))
    path = directory / "test.sqlite3"
    shutil.copyfile(_sqlite_path(url), path)
    yield f"sqlite:///{path}"
    shutil.rmtree(directory, ignore_errors=True)


def make_app(url: str, instance: Path, **overrides) -> Flask:
    config = {
        "DIALOGUE_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": str(instance),
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": None,
        # the minimum fill time has its own tests; elsewhere a test answers faster than any person
        "QUESTIONNAIRE_MIN_SECONDS": 0,
    }
    config.update(overrides)
    app = create_app(config)
    _share_template_code(app.jinja_env)
    return app


def clear_tables() -> None:
    """Empty every table; one query finds the tables with rows, and only those get a DELETE."""
    tables = list(reversed(db.metadata.sorted_tables))
    filled = db.session.execute(sa.select(*(sa.exists().select_from(t) for t in tables))).one()
    for table, has_rows in zip(tables, filled, strict=True):
        if has_rows:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def postgres_or_none(backend, request) -> PostgresServer | None:
    return request.getfixturevalue("postgres") if backend == "postgresql" else None


@pytest.fixture
def app_factory(backend, database_url, tmp_path):
    """Build apps on the test's database with extra configuration; on PostgreSQL tables are emptied afterwards."""
    apps: list[Flask] = []

    def factory(**overrides) -> Flask:
        app = make_app(database_url, tmp_path, **overrides)
        apps.append(app)
        return app

    yield factory
    # each step runs even if one before it fails (a limiter whose Redis is down): otherwise the next test
    # on this worker would find this one's rows, and a connection left open would warn in another test
    try:
        for app in apps:
            with app.app_context():
                db.session.remove()
        for app in apps:
            with app.app_context():
                limiter.reset()
    finally:
        try:
            if apps and backend != "sqlite":
                with apps[0].app_context():
                    clear_tables()
        finally:
            for app in apps:
                with app.app_context():
                    db.engine.dispose()


@pytest.fixture
def app(app_factory) -> Flask:
    return app_factory()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


# -- the demo --------------------------------------------------------------------------------------------

@dataclass
class DemoSnapshot:
    """The rows of a freshly loaded demo: an SQLite file (VACUUM INTO) or a PostgreSQL schema of copies."""

    where: str
    accounts: list[tuple[str, str, str]]
    sequences: list[tuple[str, str, str]] = field(default_factory=list)


def _columns(table: sa.Table) -> str:
    return ", ".join(f'"{column.name}"' for column in table.columns)


def _any_rows() -> bool:
    tables = db.metadata.sorted_tables
    return bool(db.session.scalar(sa.select(sa.or_(*(sa.exists().select_from(t) for t in tables)))))


def _keep_demo(name: str, accounts) -> DemoSnapshot:
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "sqlite":
        assert _session_dir is not None, "the database_dir fixture comes first"
        where = str(_session_dir / f"{name}.sqlite3")
        with closing(sqlite3.connect(db.engine.url.database, isolation_level=None)) as conn:
            conn.execute("VACUUM INTO ?", (where,))
        return DemoSnapshot(where, accounts)
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
        for table in tables:
            conn.exec_driver_sql(f'CREATE TABLE "{name}"."{table.name}" AS TABLE public."{table.name}"')
        # the sequences of the id columns, set past the copied ids after each copy
        sequences = conn.exec_driver_sql(
            "SELECT quote_ident(s.relname), quote_ident(t.relname), quote_ident(a.attname) FROM pg_class s "
            "JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass "
            "AND d.refclassid = 'pg_class'::regclass "
            "JOIN pg_class t ON t.oid = d.refobjid "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
            "WHERE s.relkind = 'S' AND t.relnamespace = 'public'::regnamespace").all()
    return DemoSnapshot(name, accounts, [tuple(row) for row in sequences])


def _copy_demo(snapshot: DemoSnapshot) -> None:
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "sqlite":
        with closing(sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=15)) as conn:
            conn.execute("ATTACH DATABASE ? AS demo", (snapshot.where,))
            conn.execute("BEGIN IMMEDIATE")
            for table in tables:
                columns = _columns(table)
                conn.execute(f'INSERT INTO main."{table.name}" ({columns}) SELECT {columns} FROM demo."{table.name}"')
            conn.execute("COMMIT")
            conn.execute("DETACH DATABASE demo")
        return
    with db.engine.begin() as conn:
        for table in tables:
            columns = _columns(table)
            conn.exec_driver_sql(f'INSERT INTO public."{table.name}" ({columns}) '
                                 f'SELECT {columns} FROM "{snapshot.where}"."{table.name}"')
        if snapshot.sequences:
            conn.exec_driver_sql("SELECT " + ", ".join(
                f"setval('public.{seq}', GREATEST((SELECT max({col}) FROM public.{tbl}), "
                f"(SELECT last_value FROM public.{seq})))" for seq, tbl, col in snapshot.sequences))


def load_demo(app: Flask, sample_responses: int = 0) -> list[tuple[str, str, str]]:
    """``demo.load(sample_responses)`` and commit; returns the staff accounts (email, role, password).

    Into an empty database the rows of this session's first load of the same demo in the same hour are
    copied, which takes a fraction of the time. The demo is placed around today and now (what happened
    before now is done), so a copy is at most an hour behind, and a new day in Stockholm, which begins on
    a whole UTC hour, makes a new load.
    """
    from dialogue import demo

    with app.app_context():
        # an SQLite snapshot is a file of its own; a PostgreSQL one lives in the database it was made in
        where = "sqlite" if db.engine.dialect.name == "sqlite" else str(db.engine.url)
        hour = datetime.now(UTC).strftime("%Y%m%d%H")
        key = (where, sample_responses, hour)
        empty = not _any_rows()
        db.session.rollback()
        snapshot = _demo_snapshots.get(key)
        if snapshot and empty:
            _copy_demo(snapshot)
            return snapshot.accounts
        accounts = demo.load(sample_responses=sample_responses)
        db.session.commit()
        if empty and key not in _demo_snapshots:
            name = f"demo_{sample_responses}_{hour}"
            _demo_snapshots[key] = _keep_demo(name, accounts)
        return accounts


# -- data ------------------------------------------------------------------------------------------------

@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for the test; its inbox."""
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture
def make_user(app):
    """Create a staff user; returns its e-mail address."""

    def factory(role: str = "admin", email: str | None = None, password: str = PASSWORD) -> str:
        email = email or f"{role}-{os.urandom(3).hex()}@kommun.example"
        with app.app_context():
            services.create_user(email, password, role)
            db.session.commit()
        return email

    return factory


@pytest.fixture
def csv_limit_as_shipped():
    """The csv module's cell limit as the app meets it (Python's 131,072 characters): frictionless, a test
    dependency only, raises it for the whole process when a test imports it."""
    before = csv.field_size_limit(131_072)
    yield
    csv.field_size_limit(before)


@pytest.fixture
def municipality(app):
    """The demo municipality with its localities and process."""
    load_demo(app)
    with app.app_context():
        return services.get_municipality_or_none().id


# -- helpers ---------------------------------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} (status {page.status_code})"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str = PASSWORD, next_url: str | None = None):
    token = csrf_token(client, "/staff/login")
    url = "/staff/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"csrf_token": token, "email": email, "password": password})


def count(app: Flask, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))
