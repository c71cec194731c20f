"""The coding workspace: analysts code contributions to the vision's building blocks."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from dialogue.coding import services
from dialogue.coding.blueprint import bp
from dialogue.coding.models import CHANNEL_LABELS, NOTE_KINDS, Channel, Contribution
from dialogue.core.models import Role
from dialogue.core.services import audit, get_municipality
from dialogue.events.models import Event
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.questionnaires.models import GROUPS, Question
from dialogue.security import staff_required
from dialogue.vision.models import Vision

PER_PAGE = 30


def _vision() -> Vision | None:
    wanted = request.args.get("vision", type=int)
    query = sa.select(Vision).order_by(Vision.id)
    if wanted:
        query = query.where(Vision.id == wanted)
    return db.session.scalar(query.limit(1))


@bp.route("/staff/coding/")
@staff_required(Role.analyst)
def manage_queue():
    """Contributions to code, filterable by channel, locality, group and state."""
    state = request.args.get("state", "uncoded")
    state = state if state in ("uncoded", "coded", "all") else "uncoded"
    channel = request.args.get("channel", "")
    channel = channel if channel in Channel.__members__ else ""
    group = request.args.get("group", "")
    locality_id = request.args.get("locality", type=int)
    query = services.queue(state=state, channel=channel, locality_id=locality_id, group=group)
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    municipality = get_municipality()
    return render_template("coding/manage/queue.html", page=page, state=state, channel=channel, group=group,
                           locality_id=locality_id, channels=CHANNEL_LABELS, groups=GROUPS,
                           places=municipality.active_localities if municipality else ())


@bp.route("/staff/coding/<int:contribution_id>", methods=["GET", "POST"])
@staff_required(Role.analyst)
def manage_code(contribution_id: int):
    """One contribution, its context, and the building blocks to code it to."""
    contribution = db.session.get(Contribution, contribution_id)
    if contribution is None or contribution.hidden:
        abort(404)
    vision = _vision()
    nodes = services.codable_nodes(vision) if vision else []
    if request.method == "POST":
        allowed = {node.id for node in nodes}
        chosen = {int(v) for v in request.form.getlist("node") if v.isdigit() and int(v) in allowed}
        note = request.form.get("note", "").strip()[:2000]
        added, removed = services.set_codes(contribution, chosen, current_user, note)
        audit("contribution.code", contribution, added=added, removed=removed)
        db.session.commit()
        if request.form.get("then") == "next":
            following = services.next_uncoded(contribution.id)
            if following is None:
                flash(_("Everything is coded."), "success")
                return redirect(url_for("coding.manage_queue"))
            return redirect(url_for("coding.manage_code", contribution_id=following))
        flash(_("The codes are saved."), "success")
        return redirect(url_for("coding.manage_code", contribution_id=contribution.id))
    question = db.session.get(Question, contribution.question_id) if contribution.question_id else None
    event = db.session.get(Event, contribution.event_id) if contribution.event_id else None
    return render_template("coding/manage/code.html", contribution=contribution, nodes=nodes, vision=vision,
                           chosen={c.node_id for c in contribution.active_codings}, question=question, event=event,
                           channels=CHANNEL_LABELS, note_kinds=NOTE_KINDS, groups=GROUPS)
