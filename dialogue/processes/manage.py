"""Organizers and admins create processes, publish them and keep their timeline of phases."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for

from dialogue.core.forms import read_translated, translated_data
from dialogue.core.models import Role
from dialogue.core.services import audit
from dialogue.core.time import today
from dialogue.extensions import db
from dialogue.i18n import _, default_locale, offered_languages
from dialogue.processes import parts, services
from dialogue.processes.blueprint import bp
from dialogue.processes.forms import phase_form, process_form
from dialogue.processes.models import Phase, PhaseKind, Process
from dialogue.security import staff_required

EDITORS = (Role.organizer,)


@bp.route("/staff/processes/")
@staff_required()
def manage_list():
    """All processes, published or not."""
    processes = db.session.scalars(sa.select(Process).order_by(Process.starts_on.desc())).all()
    return render_template("processes/manage/list.html", processes=processes, today=today())


def _languages() -> tuple[list[str], str]:
    return offered_languages(), default_locale()


def _show_error(form, error: services.ProcessError) -> None:
    db.session.rollback()
    form[error.field].errors = [*form[error.field].errors, str(error)]
    form._errors = None  # the error summary reads the errors anew


def _edit_process(process: Process, template: str):
    languages, default = _languages()
    data = {**translated_data("title", process.title, languages),
            **translated_data("summary", process.summary, languages)}
    form = process_form(languages, default, obj=process, data=data)
    if form.validate_on_submit():
        created = process.id is None
        try:
            services.save_process(process, slug=form.slug.data.strip(), title=read_translated(form, "title", languages),
                                  summary=read_translated(form, "summary", languages),
                                  starts_on=form.starts_on.data, ends_on=form.ends_on.data)
        except services.ProcessError as error:
            _show_error(form, error)
        else:
            audit("process.create" if created else "process.update", process)
            db.session.commit()
            flash(_("The process is saved."), "success")
            return redirect(url_for("processes.manage_process", process_id=process.id))
    belongs = parts.take_part(process, staff=True) if process.id else []
    return render_template(template, form=form, process=process, languages=languages,
                           belongs=belongs), 422 if form.errors else 200


@bp.route("/staff/processes/new", methods=["GET", "POST"])
@staff_required(*EDITORS)
def manage_new():
    return _edit_process(Process(title={}, summary={}), "processes/manage/new.html")


@bp.route("/staff/processes/<int:process_id>", methods=["GET", "POST"])
@staff_required(*EDITORS)
def manage_process(process_id: int):
    """The process's texts and dates, its state, and its timeline."""
    return _edit_process(db.get_or_404(Process, process_id), "processes/manage/edit.html")


@bp.route("/staff/processes/<int:process_id>/<any(publish, unpublish, archive, unarchive):action>",
          methods=["POST"])
@staff_required(*EDITORS)
def manage_state(process_id: int, action: str):
    process = db.get_or_404(Process, process_id)
    if action in ("publish", "unpublish"):
        process.published = action == "publish"
    else:
        process.archived = action == "archive"
    audit(f"process.{action}", process)
    db.session.commit()
    flash({"publish": _("The process is public."), "unpublish": _("The process is hidden from residents."),
           "archive": _("The process is archived: left out of the public lists, its page still answers."),
           "unarchive": _("The process is listed again.")}[action], "success")
    return redirect(url_for("processes.manage_process", process_id=process.id))


def _edit_phase(process: Process, phase: Phase):
    languages, default = _languages()
    data = {**translated_data("title", phase.title, languages),
            **translated_data("description", phase.description, languages)}
    if phase.id is None:
        data.update(starts_on=process.starts_on, ends_on=process.ends_on)
    form = phase_form(languages, default, obj=phase if phase.id else None, data=data)
    if form.validate_on_submit():
        created = phase.id is None
        try:
            services.save_phase(process, phase, kind=PhaseKind(form.kind.data),
                                title=read_translated(form, "title", languages),
                                description=read_translated(form, "description", languages),
                                starts_on=form.starts_on.data, ends_on=form.ends_on.data)
        except services.ProcessError as error:
            _show_error(form, error)
        else:
            audit("phase.create" if created else "phase.update", process, phase=phase.id)
            db.session.commit()
            flash(_("The phase is saved."), "success")
            return redirect(url_for("processes.manage_process", process_id=process.id, _anchor="phases"))
    return render_template("processes/manage/phase.html", form=form, process=process, phase=phase,
                           languages=languages), 422 if form.errors else 200


@bp.route("/staff/processes/<int:process_id>/phases/new", methods=["GET", "POST"])
@staff_required(*EDITORS)
def manage_new_phase(process_id: int):
    return _edit_phase(db.get_or_404(Process, process_id), Phase(title={}, description={}))


def _phase(process_id: int, phase_id: int) -> tuple[Process, Phase]:
    phase = db.get_or_404(Phase, phase_id)
    if phase.process_id != process_id:
        abort(404)
    return phase.process, phase


@bp.route("/staff/processes/<int:process_id>/phases/<int:phase_id>", methods=["GET", "POST"])
@staff_required(*EDITORS)
def manage_phase(process_id: int, phase_id: int):
    return _edit_phase(*_phase(process_id, phase_id))


@bp.route("/staff/processes/<int:process_id>/phases/<int:phase_id>/<any(up, down, remove):action>",
          methods=["POST"])
@staff_required(*EDITORS)
def manage_phase_action(process_id: int, phase_id: int, action: str):
    process, phase = _phase(process_id, phase_id)
    if action == "remove":
        services.remove_phase(phase)
        flash(_("The phase is removed."), "success")
    else:
        services.move_phase(phase, -1 if action == "up" else 1)
    audit(f"phase.{action}", process, phase=phase_id)
    db.session.commit()
    return redirect(url_for("processes.manage_process", process_id=process.id, _anchor="phases"))

