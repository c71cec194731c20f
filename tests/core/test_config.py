"""Configuration from the environment, and refusing to run unsafely."""

from __future__ import annotations

import pytest

from dialogue import create_app
from dialogue.config import database_url


def test_production_refuses_to_start_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DIALOGUE_ENV", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_production_cookies_are_secure_and_hsts_is_sent(app_factory):
    app = app_factory(DIALOGUE_ENV="production", SECRET_KEY="x" * 64)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["DEBUG"] is False
    response = app.test_client().get("/accessibility", base_url="https://kommun.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_development_key_is_kept_in_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path), "DIALOGUE_ENV": "development"})
    second = create_app({"INSTANCE_PATH": str(tmp_path), "DIALOGUE_ENV": "development"})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(("raw", "expected"), [
    ("postgres://u:p@db/dialogue", "postgresql+psycopg://u:p@db/dialogue"),
    ("postgresql://u@db/dialogue", "postgresql+psycopg://u@db/dialogue"),
    ("postgresql+psycopg://u@db/x", "postgresql+psycopg://u@db/x"),
])
def test_database_url_selects_psycopg(raw, expected):
    assert database_url(raw, "/srv/instance") == expected


def test_default_database_is_sqlite_in_instance():
    assert database_url(None, "/srv/instance") == "sqlite:////srv/instance/dialogue.sqlite3"
