"""The dashboard of a process, and the population figures it compares participation with."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for

from dialogue.coding.models import Channel
from dialogue.core.models import Locality, Role
from dialogue.core.respondents import AGE_BANDS
from dialogue.core.services import active_localities
from dialogue.core.time import today
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.processes.models import Process
from dialogue.reports import figures, services
from dialogue.reports.blueprint import bp
from dialogue.reports.forms import ImportForm, TableForm
from dialogue.security import staff_required

READERS = (Role.organizer, Role.analyst)
MAX_UPLOAD = 1024 * 1024


@bp.route("/staff/reports/<int:process_id>")
@staff_required(*READERS)
def manage_dashboard(process_id: int):
    """Participation over time, by channel, against the population, per question and per building block."""
    process = db.get_or_404(Process, process_id)
    places = active_localities()
    all_places = {loc.id: loc.name for loc in db.session.scalars(sa.select(Locality).order_by(Locality.position))}
    blocks = figures.building_blocks(process)
    block_localities = sorted({loc for block in blocks for loc in block.by_locality},
                              key=lambda loc: (loc is None, list(all_places).index(loc) if loc in all_places else 0))
    return render_template(
        "reports/manage/dashboard.html", process=process, made_on=today(),
        responses=figures.response_count(process), contributions=figures.contribution_count(process),
        responses_per_week=figures.responses_per_week(process),
        contributions_per_week=figures.contributions_per_week(process),
        responses_by_channel=figures.responses_by_channel(process),
        contributions_by_channel=figures.contributions_by_channel(process),
        by_locality=figures.by_locality(process), by_age_band=figures.by_age_band(process),
        population=figures.population_total(), threshold=figures.UNDER_REPRESENTED,
        question_charts=figures.question_charts(process, places), blocks=blocks,
        block_localities=block_localities, place_names=all_places, channels=list(Channel))


def _cell(locality_id: int, band: str) -> str:
    return f"n-{locality_id}-{band}"


def _population_page(table: TableForm, upload: ImportForm, *, typed: dict | None = None,
                     cell_errors: dict | None = None, import_errors: list | None = None,
                     upload_name: str = "", status: int = 200):
    places = db.session.scalars(sa.select(Locality).where(Locality.archived.is_(False))
                                .order_by(Locality.position)).all()
    if typed is None:
        typed = {_cell(loc, band): str(n) for (loc, band), n in services.current().items()}
    return render_template("reports/manage/population.html", table=table, upload=upload, places=places,
                           bands=AGE_BANDS, cell=_cell, typed=typed, cell_errors=cell_errors or {},
                           import_errors=import_errors or [], upload_name=upload_name,
                           total=figures.population_total()), status


@bp.route("/staff/reports/population", methods=["GET", "POST"])
@staff_required(Role.admin)
def manage_population():
    """Enter the population per locality and age band in a table; empty cells have no figure."""
    table = TableForm()
    upload = ImportForm(formdata=None)
    if not table.validate_on_submit():
        return _population_page(table, upload, status=400 if request.method == "POST" else 200)
    places = db.session.scalars(sa.select(Locality).where(Locality.archived.is_(False))).all()
    typed: dict[str, str] = {}
    cell_errors: dict[str, str] = {}
    values: services.Figures = {}
    for place in places:
        for band, label in AGE_BANDS.items():
            name = _cell(place.id, band)
            raw = request.form.get(name, "")[:30]
            typed[name] = raw
            if not raw.strip():
                continue
            count = services.parse_count(raw)
            if count is None:
                cell_errors[name] = _("%(place)s, %(band)s: give a whole number from 0 to %(max)s.",
                                      place=place.name, band=label, max=services.MAX_COUNT)
            else:
                values[(place.id, band)] = count
    if cell_errors:
        return _population_page(table, upload, typed=typed, cell_errors=cell_errors, status=400)
    # figures of archived localities stay: the table does not show them
    kept = {key: n for key, n in services.current().items() if key[0] not in {p.id for p in places}}
    services.replace_all({**kept, **values}, "population.update")
    db.session.commit()
    flash(_("The population figures are saved."), "success")
    return redirect(url_for("reports.manage_population"))


@bp.route("/staff/reports/population/import", methods=["POST"])
@staff_required(Role.admin)
def manage_population_import():
    """Import figures from CSV: all or nothing, every error with its line number."""
    table = TableForm(formdata=None)
    upload = ImportForm()
    if not upload.validate_on_submit():
        return _population_page(table, upload, status=400)
    name = upload.file.data.filename[:200]
    raw = upload.file.data.read(MAX_UPLOAD + 1)
    if len(raw) > MAX_UPLOAD:
        found, errors = {}, [_("The file is larger than 1 MB.")]
    else:
        found, errors = services.parse_csv(raw)
    if errors:
        return _population_page(table, upload, import_errors=errors, upload_name=name, status=400)
    services.replace_all(found, "population.import")
    db.session.commit()
    flash(_("%(num)s population figures are imported from %(name)s.", num=len(found), name=name), "success")
    return redirect(url_for("reports.manage_population"))


@bp.app_context_processor
def report_links():
    """The staff overview links each process's report; looked up only when a page asks."""

    def report_processes():
        return db.session.scalars(sa.select(Process).order_by(Process.starts_on.desc())).all()

    return {"report_processes": report_processes}
