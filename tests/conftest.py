"""Fixtures: every database test runs on a real SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from dialogue import create_app
from dialogue.core import services
from dialogue.extensions import db, limiter
from tests.postgres import PostgresServer, PostgresUnavailable
from tests.smtp import smtp_server

ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PASSWORD = "correct horse battery staple"
BACKENDS = ["sqlite", "postgresql"]


# -- skipped tests fail on CI: a missing server or browser must not pass silently ----------------------

def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if ON_CI and skipped and exitstatus == 0:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; on CI every test must run.", red=True)
        session.exitstatus = 1


def skip_or_fail(reason: str):
    if ON_CI:
        pytest.fail(reason)
    pytest.skip(reason)


# -- databases -------------------------------------------------------------------------------------------

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


def _database_url(backend: str, request, migrated_urls: dict, tmp_path_factory) -> str:
    if backend not in migrated_urls:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite3'}"
        else:
            server = request.getfixturevalue("postgres")
            url = server.create_database("dialogue_test")
        app = make_app(url, tmp_path_factory.mktemp("instance"))
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            db.engine.dispose()
        migrated_urls[backend] = url
    return migrated_urls[backend]


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
    return create_app(config)


def clear_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def postgres_or_none(backend, request) -> PostgresServer | None:
    return request.getfixturevalue("postgres") if backend == "postgresql" else None


@pytest.fixture
def app_factory(backend, request, migrated_urls, tmp_path_factory, tmp_path):
    """Build apps on the test's backend with extra configuration; tables are emptied afterwards."""
    url = _database_url(backend, request, migrated_urls, tmp_path_factory)
    apps: list[Flask] = []

    def factory(**overrides) -> Flask:
        app = make_app(url, tmp_path, **overrides)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            limiter.reset()
    if apps:
        with apps[0].app_context():
            clear_tables()
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(app_factory) -> Flask:
    return app_factory()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


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
def municipality(app):
    """The demo municipality with its localities and process."""
    from dialogue import demo

    with app.app_context():
        demo.load(sample_responses=0)
        db.session.commit()
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
