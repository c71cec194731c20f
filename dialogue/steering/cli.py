"""Commands: `flask --app wsgi steering import-measurements|send-feedback|purge`."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from dialogue.core.services import audit
from dialogue.extensions import db
from dialogue.i18n import _

steering_group = AppGroup("steering", help="Indicators, measurements and feedback to residents.")


@steering_group.command("import-measurements")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["csv", "kolada"]), default=None,
              help="Default: kolada for .json files, csv otherwise.")
@click.option("--vision", "slug", default=None, help="Match indicators of this vision only.")
@click.option("--municipality", default="",
              help="Kolada: import this municipality's values (code, e.g. 0685) and skip the others'; needed when "
                   "the file holds several municipalities.")
@click.option("--lang", type=click.Choice(["en", "sv", "da"]), default="en", help="The language of the messages.")
def import_measurements(file: str, fmt: str | None, slug: str | None, municipality: str, lang: str) -> None:
    """Import measurements from a CSV or Kolada JSON file: all of it, or nothing."""
    from dialogue.steering import imports
    from dialogue.vision.models import Vision

    vision_id = None
    if slug:
        vision_id = db.session.scalar(sa.select(Vision.id).where(Vision.slug == slug))
        if vision_id is None:
            raise click.ClickException(f"No vision {slug}.")
    fmt = fmt or ("kolada" if file.lower().endswith(".json") else "csv")
    # a POST: on SQLite its transactions begin with the write lock; the words and numbers follow --lang
    with current_app.test_request_context("/", method="POST"), force_locale(lang):
        try:
            result = imports.import_file(Path(file).read_bytes(), fmt, vision_id, municipality)
        except imports.MeasurementFileError as error:
            db.session.rollback()
            raise click.ClickException("\n".join([f"{file}: {_('Nothing was imported.')}", *error.errors])) \
                from error
        lines = [*imports.report(result), *(f"{_('Warning:')} {warning}" for warning in result.warnings)]
    audit("measurements.import", None, actor=None, format=fmt, created=result.created, replaced=result.replaced,
          skipped=result.skipped, municipality=municipality or None, other_municipalities=sorted(result.others),
          indicators=sorted(result.indicators))
    db.session.commit()
    for line in lines:
        click.echo(line)


@steering_group.command("send-feedback")
@click.option("--public-url", default=None, help="The site's address for links (default: PUBLIC_URL).")
def send_feedback(public_url: str | None) -> None:
    """Tell residents what came of processes that reached their decision (run daily; each address once)."""
    from dialogue.core import mail
    from dialogue.core.time import today
    from dialogue.steering import feedback

    base = (public_url or current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise click.ClickException("Set PUBLIC_URL (e.g. https://dialog.kommun.se) so that the links in the "
                                   "mail lead to the site.")
    ids: list[int] = []
    # a POST: on SQLite its transactions begin with the write lock, as two runs at once need
    with current_app.test_request_context("/", base_url=base, method="POST"):
        for follow_up in feedback.due(today()):
            queued = feedback.send(follow_up)
            if queued:
                audit("follow_up.feedback", follow_up, actor=None, process_id=follow_up.process_id,
                      messages=len(queued))
            db.session.commit()  # the claims and the queued mail together, one process at a time
            ids.extend(queued)
    sent, failed = mail.send_pending(ids)
    click.echo(f"Queued {len(ids)} message(s); sent {sent}, failed {failed} (retried by `mail send`).")


@steering_group.command("purge")
@click.option("--days", type=int, default=None, help="Days after the message (default: FEEDBACK_RETENTION_DAYS).")
def purge(days: int | None) -> None:
    """Delete feedback addresses that were told the outcome long enough ago (run daily)."""
    from dialogue.core import mail
    from dialogue.core.base import utcnow
    from dialogue.steering import feedback

    days = current_app.config["FEEDBACK_RETENTION_DAYS"] if days is None else days
    deleted = feedback.purge(utcnow(), days)
    removed = mail.purge_sent(days=7)
    audit("feedback.purge", actor=None, addresses=deleted, days=days)
    db.session.commit()
    click.echo(f"Deleted {deleted} feedback address(es); deleted {removed} sent message(s).")
