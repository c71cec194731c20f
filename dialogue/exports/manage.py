"""Staff page for exports: choose, then download a file that is authorized, audited and never cached.

The download is a POST with a CSRF token: a file of residents' answers should not be one cross-site
link or image tag away, and the chosen filters travel in the form rather than in logged URLs.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, render_template, request, stream_with_context
from flask_login import current_user
from wtforms import SelectChoice

from dialogue.coding.models import CHANNEL_LABELS
from dialogue.core.database import reading
from dialogue.core.ids import parse_id
from dialogue.core.models import Locality, Role
from dialogue.core.respondents import GROUPS
from dialogue.events.models import Event
from dialogue.exports import services
from dialogue.exports.blueprint import bp
from dialogue.exports.forms import ExportForm
from dialogue.exports.writers import MIMETYPES
from dialogue.extensions import db
from dialogue.filters import ExportFilters
from dialogue.i18n import _, tr
from dialogue.questionnaires.models import Questionnaire
from dialogue.security import staff_required
from dialogue.vision.models import NodeKind, Vision, VisionNode


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


@bp.route("/staff/exports/", methods=["GET", "POST"])
@staff_required(Role.analyst, Role.organizer)
def manage_export():
    if request.method == "GET":
        form = ExportForm(request.args)
        _choices(form)
        # links from other pages may preselect a dataset, questionnaire or event
        if form.dataset.data not in {c.value for c in form.dataset.choices}:
            form.dataset.data = form.dataset.default
        return render_template("exports/manage/export.html", form=form)

    if request.form.get("dataset") != "signups" and not current_user.has_role(Role.analyst):
        abort(403)
    # Everything up to the audit row only reads: on SQLite, without taking the write lock.
    with reading(db.session):
        form = ExportForm()
        _choices(form)
        checked = _check(form)
        if checked is None:
            return render_template("exports/manage/export.html", form=form), 400
        dataset, filters, event, vision, personal = checked
        tables = services.build(dataset, filters, event=event, vision=vision, personal=personal)
    export = services.start(tables, form.format.data, services.DELIMITERS[form.delimiter.data], actor=current_user,
                            dataset=dataset, filters=filters, personal=personal, obj=event or vision)
    response = Response(stream_with_context(export.chunks), mimetype=MIMETYPES[export.fmt],
                        direct_passthrough=True)
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _check(form: ExportForm):
    """(dataset, filters, event, vision, personal), or None with the errors on the form."""
    if not form.validate_on_submit():
        return None
    dataset = form.dataset.data
    if form.personal.data and not current_user.has_role(Role.admin):
        abort(403)  # the box is only shown to admins; asking for names without it is refused, not ignored
    personal = form.personal.data and dataset == "signups"

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
    return dataset, filters, event, vision, personal
