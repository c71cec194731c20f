"""`flask --app wsgi export responses|contributions|codebook ...`: the same files as the staff page."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from flask_babel import force_locale

from dialogue.exports import services
from dialogue.extensions import db
from dialogue.filters import ExportFilters
from dialogue.vision.models import Vision

export_group = AppGroup("export", help="Export data (audited as the command line); purge the staff page's files.")


def _filter_options(command):
    for name, text in reversed([
        ("--from", "from this local date, YYYY-MM-DD"), ("--to", "to this local date, inclusive"),
        ("--locality", "locality id"), ("--group", "respondent group, e.g. resident"),
        ("--channel", "web, paper, open_meeting, seminar, workshop"), ("--node", "building block id"),
        ("--coding-state", "coded or uncoded")]):
        command = click.option(name, default="", help=text)(command)
    command = click.option("--format", "fmt", type=click.Choice(services.FORMATS), default="csv")(command)
    command = click.option("--delimiter", type=click.Choice([",", ";"]), default=",")(command)
    return click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
                        help="the file to write ('-' for standard output)")(command)


def _filters(questionnaire: str, options: dict) -> ExportFilters:
    args = {"questionnaire": questionnaire, "date_from": options["from"], "date_to": options["to"],
            "locality": options["locality"], "group": options["group"], "channel": options["channel"],
            "node": options["node"], "coding_state": options["coding_state"]}
    with force_locale("en"):  # no request: the messages are for the person at the terminal
        filters, errors = ExportFilters.from_args(args)
    if errors:
        raise click.ClickException(" ".join(f"{k}: {v}" for k, v in errors.items()))
    return filters


def _run(dataset: str, filters: ExportFilters, options: dict, vision=None) -> None:
    tables = services.build(dataset, filters, vision=vision)
    export = services.start(tables, options["fmt"], options["delimiter"], actor=None, dataset=dataset,
                            filters=filters, personal=False, obj=vision)
    output = sys.stdout.buffer if options["output"] == "-" else open(options["output"], "wb")
    try:
        for chunk in export.chunks:
            output.write(chunk)
    finally:
        if output is not sys.stdout.buffer:
            output.close()
    click.echo(f"{export.counter.rows} rows.", err=True)


@export_group.command("responses")
@click.option("--questionnaire", required=True, help="the questionnaire's address (slug) or id")
@click.option("--layout", type=click.Choice(["wide", "long"]), default="wide")
@_filter_options
def export_responses(questionnaire: str, layout: str, **options) -> None:
    """Responses of a questionnaire: wide (a row per response) or long (a row per answer)."""
    _run(f"responses_{layout}", _filters(questionnaire, options), options)


@export_group.command("contributions")
@click.option("--questionnaire", default="", help="only this questionnaire's (slug or id)")
@_filter_options
def export_contributions(questionnaire: str, **options) -> None:
    """Contributions from every channel with their codes."""
    _run("contributions", _filters(questionnaire, options), options)


@export_group.command("codebook")
@click.option("--vision", "slug", required=True, help="the vision's slug")
@_filter_options
def export_codebook(slug: str, **options) -> None:
    """A vision's nodes (the codebook)."""
    vision = db.session.scalar(sa.select(Vision).where(Vision.slug == slug))
    if vision is None:
        raise click.ClickException(f"No vision {slug}.")
    _run("codebook", ExportFilters(), options, vision=vision)


@export_group.command("purge")
def purge_jobs() -> None:
    """Delete the files built for the staff page a day after they were asked for. Run it daily."""
    from dialogue.core.services import audit
    from dialogue.exports import jobs

    deleted = jobs.purge()
    audit("export.purge", actor=None, jobs=deleted)
    db.session.commit()
    click.echo(f"Deleted {deleted} export job(s) and their files.")
