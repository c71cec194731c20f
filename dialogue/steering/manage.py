"""Staff pages: indicators and their measurements, imports, and what came of each process."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from wtforms import SelectChoice

from dialogue.core import mail
from dialogue.core.base import utcnow
from dialogue.core.models import Role
from dialogue.core.services import audit
from dialogue.core.time import today
from dialogue.extensions import db
from dialogue.i18n import _, tr
from dialogue.processes.models import Process
from dialogue.security import staff_required
from dialogue.steering import feedback, imports, services
from dialogue.steering.blueprint import bp
from dialogue.steering.forms import ConfirmForm, FollowUpForm, ImportForm, IndicatorForm, MeasurementForm
from dialogue.steering.models import Direction, FollowUp, Frequency, Indicator, Measurement
from dialogue.steering.status import parse_period
from dialogue.steering.views import indicator_chart
from dialogue.vision.models import NodeKind, Vision, VisionNode

LANGS = ("sv", "da", "en")


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _text(field) -> str:
    return (field.data or "").strip()


def _indicator_node(node_id: int) -> VisionNode:
    node = db.session.get(VisionNode, node_id)
    if node is None or node.kind != NodeKind.indicator:
        abort(404)
    return node


def _indicator(node: VisionNode) -> Indicator | None:
    return db.session.scalar(sa.select(Indicator).where(Indicator.node_id == node.id))


@bp.route("/staff/steering/")
@staff_required(Role.analyst)
def manage_index():
    """The visions with their indicators, and the processes with their follow-up."""
    visions = db.session.scalars(sa.select(Vision).order_by(Vision.created_at)).all()
    rows = {vision.id: services.indicator_rows(vision) for vision in visions}
    processes = db.session.scalars(sa.select(Process).order_by(Process.starts_on.desc())).all()
    follow_ups = {f.process_id: f for f in db.session.scalars(sa.select(FollowUp))}
    return render_template("steering/manage/index.html", visions=visions, rows=rows, processes=processes,
                           follow_ups=follow_ups, pending={p.id: feedback.pending_count(p.id) for p in processes})


@bp.route("/staff/steering/visions/<int:vision_id>")
@staff_required(Role.analyst)
def manage_vision(vision_id: int):
    """Status per goal and per committee."""
    vision = db.get_or_404(Vision, vision_id)
    return render_template("steering/manage/vision.html", vision=vision, goals=services.goals(vision),
                           committees=services.by_committee(vision))


@bp.route("/staff/steering/indicators/<int:indicator_node_id>")
@staff_required(Role.analyst)
def manage_indicator(indicator_node_id: int):
    """One indicator: its details, chart and measurements."""
    node = _indicator_node(indicator_node_id)
    indicator = _indicator(node)
    row = services.IndicatorRow(node, indicator, services.assess(indicator))
    return render_template("steering/manage/indicator.html", node=node, row=row, indicator=indicator,
                           chart=indicator_chart(row, "staff-chart"), delete_form=ConfirmForm())


@bp.route("/staff/steering/indicators/<int:indicator_node_id>/edit", methods=["GET", "POST"])
@staff_required(Role.analyst)
def manage_indicator_edit(indicator_node_id: int):
    """Set what an indicator measures, which way is better, and its target."""
    node = _indicator_node(indicator_node_id)
    indicator = _indicator(node)
    form = IndicatorForm()
    if request.method == "GET" and indicator is not None:
        form.unit.data, form.direction.data = indicator.unit, indicator.direction.value
        form.baseline_value.data = indicator.baseline_value
        form.baseline_year.data = indicator.baseline_year
        form.target_value.data, form.target_year.data = indicator.target_value, indicator.target_year
        form.frequency.data, form.source.data = indicator.frequency.value, indicator.source
        form.committee.data, form.kolada_kpi.data = indicator.committee, indicator.kolada_kpi or ""
    if form.validate_on_submit():
        creating = indicator is None
        if creating:
            indicator = Indicator(node_id=node.id)
            db.session.add(indicator)
        indicator.unit = _text(form.unit)
        indicator.direction = Direction(form.direction.data)
        indicator.baseline_value = _float(form.baseline_value.data)
        indicator.baseline_year = form.baseline_year.data
        indicator.target_value = float(form.target_value.data)
        indicator.target_year = form.target_year.data
        indicator.frequency = Frequency(form.frequency.data)
        indicator.source, indicator.committee = _text(form.source), _text(form.committee)
        indicator.kolada_kpi = (form.kolada_kpi.data or "").strip().upper() or None
        db.session.flush()
        audit("indicator.create" if creating else "indicator.update", indicator, node_id=node.id)
        db.session.commit()
        flash(_("The indicator is saved."), "success")
        return redirect(url_for("steering.manage_indicator", indicator_node_id=node.id))
    return render_template("steering/manage/indicator_edit.html", form=form, node=node), 422 if form.errors else 200


def _measurement_form(indicator: Indicator, measurement: Measurement | None):
    form = MeasurementForm()
    if request.method == "GET" and measurement is not None:
        form.period.data, form.value.data = measurement.period, measurement.value
        form.value_women.data, form.value_men.data = measurement.value_women, measurement.value_men
        form.source.data, form.comment.data = measurement.source, measurement.comment
    if form.validate_on_submit():
        if measurement is not None and parse_period(form.period.data)[0] != measurement.period:
            db.session.delete(measurement)  # a changed period moves the value (replacing one stored there)
            db.session.flush()
        stored = services.set_measurement(
            indicator, form.period.data, float(form.value.data), women=_float(form.value_women.data),
            men=_float(form.value_men.data), source=_text(form.source), comment=_text(form.comment))
        audit("measurement.update" if measurement else "measurement.create", stored, indicator_id=indicator.id,
              period=stored.period)
        db.session.commit()
        flash(_("The measurement for %(period)s is saved.", period=stored.period), "success")
        return redirect(url_for("steering.manage_indicator", indicator_node_id=indicator.node_id))
    return render_template("steering/manage/measurement.html", form=form, indicator=indicator,
                           measurement=measurement), 422 if form.errors else 200


@bp.route("/staff/steering/indicators/<int:indicator_node_id>/measurements/new", methods=["GET", "POST"])
@staff_required(Role.analyst)
def manage_measurement_new(indicator_node_id: int):
    """Add a measurement (a period stored before gets the new value)."""
    indicator = _indicator(_indicator_node(indicator_node_id))
    if indicator is None:
        flash(_("Set the indicator's target first."), "error")
        return redirect(url_for("steering.manage_indicator_edit", indicator_node_id=indicator_node_id))
    return _measurement_form(indicator, None)


@bp.route("/staff/steering/measurements/<int:measurement_id>/edit", methods=["GET", "POST"])
@staff_required(Role.analyst)
def manage_measurement_edit(measurement_id: int):
    """Correct a measurement."""
    measurement = db.get_or_404(Measurement, measurement_id)
    return _measurement_form(measurement.indicator, measurement)


@bp.route("/staff/steering/measurements/<int:measurement_id>/delete", methods=["POST"])
@staff_required(Role.analyst)
def manage_measurement_delete(measurement_id: int):
    """Delete a measurement."""
    measurement = db.get_or_404(Measurement, measurement_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    node_id, period = measurement.indicator.node_id, measurement.period
    audit("measurement.delete", measurement, indicator_id=measurement.indicator_id, period=period)
    db.session.delete(measurement)
    db.session.commit()
    flash(_("The measurement for %(period)s is deleted.", period=period), "success")
    return redirect(url_for("steering.manage_indicator", indicator_node_id=node_id))


@bp.route("/staff/steering/import", methods=["GET", "POST"])
@staff_required(Role.analyst)
def manage_import():
    """Import measurements from a CSV or Kolada file: all of it, or nothing with every problem listed."""
    form = ImportForm()
    visions = db.session.scalars(sa.select(Vision).order_by(Vision.created_at)).all()
    form.vision_id.choices = [SelectChoice("", _("All visions"))] + [SelectChoice(str(v.id), tr(v.name))
                                                                    for v in visions]
    problems: list[str] = []
    if form.validate_on_submit():
        raw = form.file.data.read(current_app.config["MAX_CONTENT_LENGTH"])
        vision_id = int(form.vision_id.data) if form.vision_id.data else None
        try:
            result = imports.import_file(raw, form.format.data, vision_id, form.municipality.data or "")
        except imports.MeasurementFileError as error:
            db.session.rollback()
            problems = error.errors
        else:
            audit("measurements.import", None, format=form.format.data, created=result.created,
                  replaced=result.replaced, skipped=result.skipped, municipality=form.municipality.data or None,
                  other_municipalities=sorted(result.others), indicators=sorted(result.indicators))
            db.session.commit()
            for line in imports.report(result):
                flash(line, "success")
            for warning in result.warnings:
                flash(f"{_('Warning:')} {warning}", "warning")
            return redirect(url_for("steering.manage_import"))
    status = 422 if (form.errors or problems) else 200
    return render_template("steering/manage/import.html", form=form, problems=problems), status


@bp.route("/staff/steering/processes/<int:process_id>", methods=["GET", "POST"])
@staff_required(Role.analyst)
def manage_process(process_id: int):
    """What came of a process: the vision it led to and a word for the residents (admins change it)."""
    process = db.get_or_404(Process, process_id)
    follow_up = feedback.follow_up_for(process)
    form = FollowUpForm()
    visions = db.session.scalars(sa.select(Vision).order_by(Vision.created_at)).all()
    form.vision_id.choices = [SelectChoice("", _("Not chosen yet"))] + [SelectChoice(str(v.id), tr(v.name))
                                                                       for v in visions]
    if request.method == "GET" and follow_up is not None:
        form.vision_id.data = str(follow_up.vision_id or "")
        for lang in LANGS:
            getattr(form, f"message_{lang}").data = follow_up.message.get(lang, "")
    if request.method == "POST":
        from flask_login import current_user

        if not current_user.has_role(Role.admin):
            abort(403)
        if form.validate_on_submit():
            if follow_up is None:
                follow_up = FollowUp(process_id=process.id, message={})
                db.session.add(follow_up)
            follow_up.vision_id = int(form.vision_id.data) if form.vision_id.data else None
            follow_up.message = {lang: _text(getattr(form, f"message_{lang}")) for lang in LANGS
                                 if _text(getattr(form, f"message_{lang}"))}
            db.session.flush()
            audit("follow_up.update", follow_up, process_id=process.id, vision_id=follow_up.vision_id)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("steering.manage_process", process_id=process.id))
    waiting, told = feedback.pending_count(process.id)
    return render_template("steering/manage/process.html", process=process, follow_up=follow_up, form=form,
                           publish_form=ConfirmForm(), waiting=waiting, told=told,
                           decided=feedback.decision_reached(process, today())), 422 if form.errors else 200


@bp.route("/staff/steering/processes/<int:process_id>/publish", methods=["POST"])
@staff_required(Role.admin)
def manage_publish(process_id: int):
    """Publish the results and tell the residents who asked to hear (each address once)."""
    process = db.get_or_404(Process, process_id)
    follow_up = feedback.follow_up_for(process)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if follow_up is None or follow_up.vision_id is None:
        flash(_("Choose the vision the process led to first."), "error")
        return redirect(url_for("steering.manage_process", process_id=process.id))
    if follow_up.published_at is None:
        follow_up.published_at = utcnow()
    ids = feedback.send(follow_up)
    audit("follow_up.publish", follow_up, process_id=process.id, messages=len(ids))
    db.session.commit()
    mail.send_pending(ids)
    flash(ngettext("The results are published; %(num)d resident gets a message.",
                   "The results are published; %(num)d residents get a message.", len(ids)), "success")
    return redirect(url_for("steering.manage_process", process_id=process.id))
