"""Commands: `flask --app wsgi users ...`, `flask --app wsgi demo load`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup
from flask_babel import force_locale

from dialogue.core import services
from dialogue.core.models import Role, User
from dialogue.extensions import db
from dialogue.processes.models import PhaseKind

users = AppGroup("users", help="Staff accounts.")
demo = AppGroup("demo", help="Demo data (Flen's vision process).")


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _english(error: Exception) -> str:
    """The command line speaks English; the same messages are translated on the staff pages."""
    with force_locale("en"):
        return str(error)


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email: str, role: str, password_stdin: bool) -> None:
    """Create a staff account with ROLE."""
    password = _read_password(password_stdin)
    try:
        user = services.create_user(email, password, role)
    except ValueError as error:
        raise click.ClickException(_english(error)) from error
    services.audit("user.create", user, actor=None, role=role)
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.value}).")


@users.command("list")
def list_users() -> None:
    """List staff accounts."""
    for user in db.session.scalars(sa.select(User).order_by(User.email)):
        click.echo(f"{user.email}\t{user.role.value}\t{'active' if user.active else 'deactivated'}")


def _user(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No user {email}.")
    return user


@users.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password(email: str, password_stdin: bool) -> None:
    """Set a new password; the user's sessions end."""
    user = _user(email)
    try:
        services.set_password(user, _read_password(password_stdin))
    except ValueError as error:
        raise click.ClickException(_english(error)) from error
    services.audit("user.set_password", user, actor=None)
    db.session.commit()
    click.echo(f"Password changed for {user.email}.")


@users.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Deactivate an account; its sessions end at once."""
    user = _user(email)
    services.deactivate_user(user)
    services.audit("user.deactivate", user, actor=None)
    db.session.commit()
    click.echo(f"Deactivated {user.email}.")


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when a municipality exists already.")
@click.option("--credentials", type=click.Path(dir_okay=False), help="Write demo staff passwords here.")
@click.option("--now-in", type=click.Choice([kind.value for kind in PhaseKind]), default=PhaseKind.follow_up.value,
              show_default=True, help="The phase today falls in; what lies before it has happened.")
def load_demo(if_empty: bool, credentials: str | None, now_in: str) -> None:
    """Load Flen's vision process as demo data: by default the whole cycle, with today in the follow-up."""
    from dialogue import demo as demo_data

    if if_empty and services.get_municipality_or_none() is not None:
        click.echo("Demo data present already; keeping it.")
        return
    accounts = demo_data.load(now_in=PhaseKind(now_in))
    from dialogue.steering import demo as steering_demo

    steering_demo.load_vetlanda()  # a second vision, with indicators to follow up (made-up figures)
    db.session.commit()
    lines = [f"{email}  {role}  password: {password}" for email, role, password in accounts]
    if credentials:
        with open(credentials, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        os.chmod(credentials, 0o600)
    click.echo("Demo data loaded.")


mail_group = AppGroup("mail", help="Outgoing mail.")
events_group = AppGroup("events", help="Events and sign-ups.")


@mail_group.command("send")
def send_mail() -> None:
    """Send the queued messages that are due (those that failed before, once their wait is over)."""
    from dialogue.core import mail
    from dialogue.core.models import OutgoingMail

    sent, failed = mail.send_pending()
    set_aside = db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail).where(
        OutgoingMail.sent_at.is_(None), OutgoingMail.set_aside_at.is_not(None)))
    db.session.commit()
    click.echo(f"Sent {sent}, failed {failed}." + (f" {set_aside} set aside (see /staff/mail)." if set_aside else ""))
    if failed:
        raise SystemExit(1)


@events_group.command("purge")
@click.option("--days", type=int, default=None, help="Days after an event (default: SIGNUP_RETENTION_DAYS).")
def purge_events(days: int | None) -> None:
    """Delete sign-ups' personal data a set time after their event; counts stay. Run it daily."""
    from flask import current_app

    from dialogue.core import mail
    from dialogue.core.base import utcnow
    from dialogue.events import services as event_services

    days = current_app.config["SIGNUP_RETENTION_DAYS"] if days is None else days
    purged = event_services.purge_personal_data(utcnow(), days)
    removed = mail.purge_sent(days=7)
    services.audit("events.purge", actor=None, events=purged, days=days)
    db.session.commit()
    click.echo(f"Purged the personal data of {purged} event(s); deleted {removed} sent message(s).")


vision_group = AppGroup("vision", help="Visions and their building blocks.")


@vision_group.command("import")
@click.argument("source")
@click.option("--replace", is_flag=True, help="Replace a vision with the same slug.")
def import_vision(source: str, replace: bool) -> None:
    """Import a vision from a YAML file, or a shipped template by name (see `vision templates`)."""
    from dialogue.vision import services as vision_services

    path = next((p for p in vision_services.seed_files() if p.stem == source), None) or Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"Cannot read {source}: {error.strerror}") from error
    try:
        vision = vision_services.import_vision(text, replace=replace)
    except vision_services.VisionFileError as error:
        db.session.rollback()
        raise click.ClickException(f"{source}: {_english(error)}. Nothing was imported.") from error
    services.audit("vision.import", vision, actor=None, slug=vision.slug)
    db.session.commit()
    click.echo(f"Imported {vision.slug} ({len(vision.nodes)} nodes).")


@vision_group.command("export")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of to standard output.")
def export_vision(slug: str, output: str | None) -> None:
    """Export a vision as YAML."""
    from dialogue.vision import services as vision_services
    from dialogue.vision.models import Vision

    vision = db.session.scalar(sa.select(Vision).where(Vision.slug == slug))
    if vision is None:
        raise click.ClickException(f"No vision {slug}.")
    text = vision_services.export_vision(vision)
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@vision_group.command("templates")
def list_templates() -> None:
    """The vision templates that come with dialogue."""
    from dialogue.vision import services as vision_services

    for path in vision_services.seed_files():
        click.echo(path.stem)


def init_app(app: Flask) -> None:
    from dialogue.coding.cli import coding_group

    app.cli.add_command(coding_group)
    app.cli.add_command(vision_group)
    app.cli.add_command(users)
    app.cli.add_command(demo)
    app.cli.add_command(mail_group)
    app.cli.add_command(events_group)
    from dialogue.steering.cli import steering_group

    app.cli.add_command(steering_group)
    from dialogue.exports.cli import export_group

    app.cli.add_command(export_group)
    from dialogue.core.backup import backup_group

    app.cli.add_command(backup_group)
