"""Fixtures shared by the questionnaire tests."""

from __future__ import annotations

import pytest

from dialogue.questionnaires import writer


@pytest.fixture
def writer_process(app):
    """A writer on the app's database as gunicorn.conf.py starts it; on PostgreSQL too (the code is the same)."""
    process = writer.spawn(app, app.config["SQLALCHEMY_DATABASE_URI"])
    yield process
    writer.client_for(app).close()
    writer.stop(process)
    app.config.pop("SUBMISSION_WRITER", None)
