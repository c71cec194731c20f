"""Staff accounts from the command line, and the demo loader."""

from __future__ import annotations

import sqlalchemy as sa

from dialogue.coding.models import Contribution
from dialogue.core.models import Municipality, Role, User
from dialogue.events.models import Event
from dialogue.extensions import db
from dialogue.processes.models import Process
from dialogue.questionnaires.models import Response
from tests.conftest import count, login


def test_create_user_with_password_from_stdin(app, client):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "Ebba@Kommun.example", "--role", "organizer", "--password-stdin"],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert (user.email, user.role) == ("ebba@kommun.example", Role.organizer)
    assert login(client, "ebba@kommun.example", "a long enough passphrase").status_code == 302


def test_create_user_prompts_twice_for_the_password(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "a@kommun.example", "--role", "analyst"],
        input="a long enough passphrase\na long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert count(app, User) == 1


def test_short_password_is_refused_with_a_reason(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "a@kommun.example", "--role", "admin", "--password-stdin"], input="short\n")
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert count(app, User) == 0


def test_unknown_role_is_refused(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "a@kommun.example", "--role", "mayor", "--password-stdin"],
        input="a long enough passphrase\n")
    assert result.exit_code == 2
    assert count(app, User) == 0


def test_duplicate_address_is_refused(app, make_user):
    email = make_user("admin")
    result = app.test_cli_runner().invoke(
        args=["users", "create", email.upper(), "--role", "admin", "--password-stdin"],
        input="a long enough passphrase\n")
    assert result.exit_code == 1
    assert "exists already" in result.output


def test_set_password_and_list(app, client, make_user):
    email = make_user("analyst")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "set-password", email, "--password-stdin"],
                           input="another long passphrase\n")
    assert result.exit_code == 0, result.output
    assert login(client, email, "another long passphrase").status_code == 302
    listing = runner.invoke(args=["users", "list"]).output
    assert email in listing and "analyst" in listing


def test_demo_load_if_empty_keeps_existing_data(app, tmp_path):
    runner = app.test_cli_runner()
    credentials = tmp_path / "credentials.txt"
    first = runner.invoke(args=["demo", "load", "--if-empty", "--credentials", str(credentials)])
    assert first.exit_code == 0, first.output
    assert credentials.read_text().count("password:") == 3
    assert credentials.stat().st_mode & 0o077 == 0
    second = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "keeping" in second.output
    assert count(app, Municipality) == 1
    assert count(app, Process) == 1
    assert count(app, User) == 3
    # Flen's questionnaire got about 200 answers; the demo has as many, with their text as contributions
    assert count(app, Response) == 200
    assert count(app, Contribution) > 400
    assert count(app, Event) == 7
