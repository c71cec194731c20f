"""Staff pages for exports: choose; the file is built in the background (dialogue.exports.jobs); download it.

Asking for an export is a POST with a CSRF token, and the chosen filters travel in the form rather than in
logged URLs. The job page shows the progress and then the download. The download is a GET, so that a
browser can resume it with a Range request, but only for the official who asked for the export, never
from another site's link (Sec-Fetch-Site), always with a Content-Length, audited and never cached.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_number
from flask_login import current_user
from wtforms import SelectChoice

from dialogue.coding.models import CHANNEL_LABELS
from dialogue.core.database import reading
from dialogue.core.ids import parse_id
from dialogue.core.models import Locality, Role
from dialogue.core.respondents import GROUPS
from dialogue.core.services import audit, new_submission_key
from dialogue.events.models import Event
from dialogue.events.services import runs
from dialogue.exports import jobs, services
from dialogue.exports.blueprint import bp
from dialogue.exports.forms import DATASET_LABELS, FORMAT_LABELS, ExportForm
from dialogue.exports.models import ExportJob
from dialogue.exports.writers import MIMETYPES
from dialogue.extensions import db
from dialogue.filters import ExportFilters
from dialogue.i18n import _, _l, tr
from dialogue.questionnaires.models import Questionnaire
from dialogue.security import staff_required
from dialogue.vision.models import NodeKind, Vision, VisionNode

STATE_LABELS = {"queued": _l("Waiting"), "running": _l("Being built"), "done": _l("Ready"), "failed": _l("Failed"),
                "interrupted": _l("Interrupted"), "expired": _l("Deleted")}
STATE_TEXTS = {
    "queued": _l("The export is about to start."),
    "running": _l("The file is being built."),
    "done": _l("The file is ready."),
    "failed": _l("The export failed: no file was made. Start it again."),
    "interrupted": _l("The export was interrupted before the file was finished (the server restarted): no file "
                      "was made. Start it again."),
    "expired": _l("This export has been deleted: files are kept for a day."),
}


def _choices(form: ExportForm) -> None:
    anything = SelectChoice("", _("All"))
    form.questionnaire.choices = [SelectChoice("", _("Choose a questionnaire"))] + [
        SelectChoice(str(q.id), tr(q.title)) for q in db.session.scalars(
            sa.select(Questionnaire).order_by(Questionnaire.created_at.desc()))]
    form.event.choices = [SelectChoice("", _("Choose an event"))] + [
        SelectChoice(str(e.id), f"{tr(e.title)} ({e.starts_at:%Y-%m-%d})") for e in db.session.scalars(
            sa.select(Event).order_by(Event.starts_at.desc()))]
    form.vision.choices = [SelectChoice("", _("Choose a vision"))] + [
        SelectChoice(str(v.id), tr(v.name)) for v in db.session.scalars(sa.select(Vision).order_by(Vision.id))]
    form.locality.choices = [anything] + [SelectChoice(str(loc.id), loc.name) for loc in db.session.scalars(
        sa.select(Locality).order_by(Locality.archived, Locality.position))]
    form.group.choices = [anything] + [SelectChoice(k, str(v)) for k, v in GROUPS.items()]
    form.channel.choices = [anything] + [SelectChoice(k.value, str(v)) for k, v in CHANNEL_LABELS.items()]
    form.node.choices = [anything] + [SelectChoice(str(n.id), tr(n.title)) for n in db.session.scalars(
        sa.select(VisionNode).where(VisionNode.kind == NodeKind.building_block, VisionNode.archived.is_(False))
        .order_by(VisionNode.vision_id, VisionNode.position))]
    if not current_user.has_role(Role.analyst):  # organizers export their events' sign-ups only
        form.dataset.choices = [c for c in form.dataset.choices if c.value == "signups"]
        form.dataset.default = "signups"


def _pick(model, value: str, field, message: str):
    number = parse_id(value)
    obj = db.session.get(model, number) if number else None
    if obj is None:
        field.errors = list(field.errors) + [message]
    return obj


def _page(form: ExportForm, status: int = 200):
    if not form.submission_key.data:
        form.submission_key.data = new_submission_key()
    return render_template("exports/manage/export.html", form=form, jobs=jobs.recent(current_user),
                           state=jobs.state, job_labels=STATE_LABELS, dataset_labels=DATASET_LABELS), status


@bp.route("/staff/exports/", methods=["GET", "POST"])
@staff_required(Role.analyst, Role.organizer)
def manage_export():
    if request.method == "GET":
        form = ExportForm(request.args)
        _choices(form)
        # links from other pages may preselect a dataset, questionnaire or event
        if form.dataset.data not in {c.value for c in form.dataset.choices}:
            form.dataset.data = form.dataset.default
        form.submission_key.data = new_submission_key()
        return _page(form)

    if request.form.get("dataset") != "signups" and not current_user.has_role(Role.analyst):
        abort(403)
    # Everything up to the job's row only reads: on SQLite, without taking the write lock.
    with reading(db.session):
        form = ExportForm()
        _choices(form)
        checked = _check(form)
        if checked is None:
            return _page(form, 400)
        dataset, filters, event, vision, personal, addresses = checked
        if jobs.unfinished(current_user) >= jobs.RUNNING_PER_USER:
            form.form_errors.append(_("Two of your exports are being built. Start this one when one of them is "
                                      "ready."))
            form._errors = None
            return _page(form, 429)
        tables = services.build(dataset, filters, event=event, vision=vision, personal=personal,
                                addresses=addresses)
        title = services.package_title()
    fmt, delimiter = form.format.data, form.delimiter.data
    args = {"dataset": dataset, "format": fmt, "delimiter": delimiter, **{
        name: str(value) for name, value in (
            ("questionnaire", filters.questionnaire_id), ("event", event.id if event else None),
            ("vision", vision.id if vision else None), ("date_from", filters.date_from),
            ("date_to", filters.date_to), ("locality", filters.locality_id), ("group", filters.group),
            ("channel", filters.channel), ("node", filters.node_id), ("coding_state", filters.coding_state),
            ("addresses", "y" if addresses else None)) if value not in (None, "")}}
    job, new = jobs.create(current_user, form.submission_key.data or new_submission_key(), dataset=dataset,
                           fmt=fmt, args=args, filters=filters.describe(), personal=personal,
                           filename=services.safe_filename(tables[0].name, fmt))
    if new:
        audit("export.request", event or vision, actor=current_user, dataset=dataset, format=fmt,
              filters=filters.describe(), personal_data=personal, addresses=addresses, job=job.id)
    db.session.commit()
    if new:
        jobs.start(current_app._get_current_object(), job.id, tables, fmt, services.DELIMITERS[delimiter], title)
    return redirect(url_for("exports.manage_job", job_id=job.id), 303)


def _own_job(job_id: int) -> ExportJob:
    """The job, to the official who asked for it; a 404 to everyone else, who need not learn it exists."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.user_id != current_user.id:
        abort(404)
    return job


@bp.route("/staff/exports/jobs/<int:job_id>")
@staff_required(Role.analyst, Role.organizer)
def manage_job(job_id: int):
    job = _own_job(job_id)
    state = jobs.state(job)
    restart = None
    if state in ("failed", "interrupted"):
        restart = dict(job.args, submission_key=new_submission_key())
    labels = {"dataset": DATASET_LABELS.get(job.dataset, job.dataset),
              "format": FORMAT_LABELS.get(job.format, job.format)}
    return render_template("exports/manage/job.html", job=job, state=state, restart=restart, labels=labels,
                           state_texts=STATE_TEXTS, job_labels=STATE_LABELS, number=format_number,
                           megabytes=lambda size: format_decimal(size / 1e6, "#,##0.0")), \
        410 if state == "expired" else 200


@bp.route("/staff/exports/jobs/<int:job_id>/file")
@staff_required(Role.analyst, Role.organizer)
def manage_job_file(job_id: int):
    """The finished file, whole or the one byte range asked for (a resumed download)."""
    job = _own_job(job_id)
    if request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
        # a link on another site must not make an official download (and the audit log record) a file
        return redirect(url_for("exports.manage_job", job_id=job.id), 303)
    state = jobs.state(job)
    if state != "done":
        abort(410 if state == "expired" else 409)
    addresses = bool(job.args.get("addresses"))
    if (job.dataset != "signups" and not current_user.has_role(Role.analyst)) or \
            (job.personal and not _runs_event(job)) or \
            (addresses and not current_user.has_role(Role.admin)):
        abort(403)  # the role, or who runs the event, changed since the export was asked for
    size, etag = job.size, f"export-{job.id}-{job.size}"
    start, stop, status = 0, size, 200
    if request.range is not None and (request.if_range.etag is None and request.if_range.date is None
                                      or request.if_range.etag == etag):
        wanted = request.range.range_for_length(size)
        if wanted is not None:
            (start, stop), status = wanted, 206
        elif request.range.units == "bytes" and len(request.range.ranges) == 1:
            response = Response(status=416)
            response.headers["Content-Range"] = f"bytes */{size}"
            return response
    if request.method == "HEAD":  # what a download would be, without one (nothing leaves, nothing to audit)
        response = Response(status=status, content_type=MIMETYPES[job.format])
        response.content_length = stop - start
        response.headers["Accept-Ranges"] = "bytes"
        response.headers["ETag"] = f'"{etag}"'
        response.headers["Cache-Control"] = "no-store"
        return response
    obj = None
    if job.args.get("event"):
        obj = db.session.get(Event, int(job.args["event"]))
    elif job.args.get("vision"):
        obj = db.session.get(Vision, int(job.args["vision"]))
    details = {"dataset": job.dataset, "format": job.format, "filters": job.filters, "personal_data": job.personal,
               "addresses": addresses, "job": job.id, "rows": job.rows, "bytes": None, "complete": False}
    if status == 206:
        details["range"] = f"{start}-{stop - 1}/{size}"
    engine = db.engine
    audit_id = jobs.record_download(engine, job, current_user, obj, details)
    body = jobs.Download(engine, job, start, stop, audit_id, details)
    response = Response(body, status=status, content_type=MIMETYPES[job.format], direct_passthrough=True)
    response.content_length = stop - start
    if status == 206:
        response.headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    response.headers["Accept-Ranges"] = "bytes"
    response.headers["ETag"] = f'"{etag}"'
    response.headers["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _runs_event(job: ExportJob) -> bool:
    event = db.session.get(Event, int(job.args["event"])) if job.args.get("event") else None
    return event is not None and runs(current_user, event)


def _check(form: ExportForm):
    """(dataset, filters, event, vision, personal, addresses), or None with the errors on the form.

    Sign-ups come with names, groups and needs (*personal*) to those who run the event and to admins;
    with e-mail addresses (*addresses*) only to an admin who ticks the box. Analysts get neither.
    """
    if not form.validate_on_submit():
        return None
    dataset = form.dataset.data
    if form.addresses.data and not current_user.has_role(Role.admin):
        abort(403)  # the box is only shown to admins; asking for addresses without it is refused, not ignored
    addresses = bool(form.addresses.data) and dataset == "signups"

    filters, errors = ExportFilters.from_args(request.form)
    for name, message in errors.items():
        field = getattr(form, name)
        field.errors = list(field.errors) + [message]
    event = vision = None
    if dataset in ("responses_wide", "responses_long") and not errors.get("questionnaire") \
            and filters.questionnaire_id is None:
        form.questionnaire.errors = [_("Choose the questionnaire whose responses you want.")]
    if dataset == "signups":
        event = _pick(Event, form.event.data, form.event, _("Choose the event whose sign-ups you want."))
    if dataset == "codebook":
        vision = _pick(Vision, form.vision.data, form.vision, _("Choose the vision."))
    if any(f.errors for f in form):
        form._errors = None  # the errors were added after validation; let the summary see them
        return None
    personal = event is not None and runs(current_user, event)
    return dataset, filters, event, vision, personal, addresses
