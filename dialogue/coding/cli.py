"""Commands: `flask --app wsgi coding suggest [--vision SLUG]`."""

from __future__ import annotations

import time

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from dialogue.core.services import audit
from dialogue.extensions import db
from dialogue.vision.models import Vision

coding_group = AppGroup("coding", help="Coding contributions to the vision's building blocks.")


@coding_group.command("suggest")
@click.option("--vision", "slug", help="The vision's slug (default: every vision).")
def suggest_command(slug: str | None) -> None:
    """Compute the suggestions for every contribution from the codes confirmed so far."""
    from dialogue.coding import suggest

    query = sa.select(Vision).order_by(Vision.id)
    if slug:
        query = query.where(Vision.slug == slug)
    visions = list(db.session.scalars(query))
    if not visions:
        raise click.ClickException(f"No vision {slug}." if slug else "No vision yet: import one first.")
    for vision in visions:
        began = time.perf_counter()
        run = suggest.update_suggestions(vision)
        audit("coding.suggest", vision, actor=None, source=run.source, codes=run.codes, held_out=run.held_out,
              precision_at_3=run.precision_at_3)
        db.session.commit()
        shown = (run.measure or {}).get("shown")
        measured = (f"right block among the three for {shown['hits_at_3']} of {shown['evaluated']} coded "
                    f"contributions, first for {shown['hits_at_1']}" if shown else "nothing coded to measure on")
        click.echo(f"{vision.slug}: {run.suggested} contributions, source {run.source}, {run.codes} codes, "
                   f"{measured}, {time.perf_counter() - began:.1f} s.")
