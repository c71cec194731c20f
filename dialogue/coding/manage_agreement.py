"""Agreement rounds: an admin draws a sample, two analysts code it blind, kappa shows how well they agree.

Who sees what: the two coders see only their own codes while coding, and the results once both have
finished every item; an admin who does not code in the round watches progress and results all along.
Anybody else gets 403 on a round's pages.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from dialogue.coding import agreement, sources
from dialogue.coding.blueprint import bp
from dialogue.coding.models import CHANNEL_LABELS, NOTE_KINDS, AgreementItem, AgreementRound, Contribution
from dialogue.core.forms import no_control_characters, single_line
from dialogue.core.models import Role, User
from dialogue.core.respondents import GROUPS
from dialogue.core.services import audit
from dialogue.extensions import db
from dialogue.i18n import _, _l, tr
from dialogue.security import staff_required
from dialogue.vision.models import Vision


class RoundForm(FlaskForm):
    key = HiddenField()
    name = StringField(_l("Name of the round"),
                       validators=[DataRequired(), Length(max=200), single_line, no_control_characters],
                       description=_l("For example: Spring questionnaire, first check."))
    vision_id = SelectField(_l("Vision"), validators=[DataRequired(_l("Choose a vision."))])
    sample_percent = IntegerField(
        _l("Sample size in percent"), default=10,
        validators=[InputRequired(_l("Give a percent between 1 and 100.")),
                    NumberRange(min=1, max=100, message=_l("Give a percent between 1 and 100."))],
        description=_l("Drawn at random from all contributions that are not hidden; at least one."))
    coder_a = SelectField(_l("Coder A"), validators=[DataRequired(_l("Choose coder A."))])
    coder_b = SelectField(_l("Coder B"), validators=[DataRequired(_l("Choose coder B."))])

    def validate_coder_b(self, field):
        if field.data and field.data == self.coder_a.data:
            raise ValidationError(_l("Choose two different people as coder A and coder B."))


def _item(agreement_round: AgreementRound, item_id: int) -> AgreementItem:
    item = db.session.get(AgreementItem, item_id)
    if item is None or item.round_id != agreement_round.id:
        abort(404)
    return item


def _watcher(agreement_round: AgreementRound) -> bool:
    """An admin who does not code in the round: sees progress and results, never codes."""
    return current_user.role == Role.admin and agreement.side(agreement_round, current_user) is None


def _coders(agreement_round: AgreementRound) -> dict[str, User | None]:
    return {"a": db.session.get(User, agreement_round.coder_a_id) if agreement_round.coder_a_id else None,
            "b": db.session.get(User, agreement_round.coder_b_id) if agreement_round.coder_b_id else None}


@bp.route("/staff/coding/agreement/")
@staff_required(Role.analyst)
def agreement_rounds():
    """Admins see every round; analysts see the rounds they code in ("my agreement rounds")."""
    query = sa.select(AgreementRound).order_by(AgreementRound.created_at.desc(), AgreementRound.id.desc())
    if current_user.role != Role.admin:
        query = query.where(sa.or_(AgreementRound.coder_a_id == current_user.id,
                                   AgreementRound.coder_b_id == current_user.id))
    rounds = db.session.scalars(query).all()
    return render_template("coding/manage/agreement/list.html", rounds=rounds, progress=agreement.progress,
                           side=agreement.side)


@bp.route("/staff/coding/agreement/new", methods=["GET", "POST"])
@staff_required(Role.admin)
def agreement_new():
    """Draw a sample for double coding and name its two coders."""
    form = RoundForm()
    visions = db.session.scalars(sa.select(Vision).order_by(Vision.id)).all()
    form.vision_id.choices = [SelectChoice(str(v.id), tr(v.name)) for v in visions]
    people = [SelectChoice("", _("Choose a person"))] + [
        SelectChoice(str(u.id), f"{u.email} ({u.role.value})") for u in agreement.eligible_coders()]
    form.coder_a.choices = form.coder_b.choices = people
    if request.method == "GET":
        form.key.data = secrets.token_urlsafe(24)
    if form.validate_on_submit():
        key = (form.key.data or "")[:64] or secrets.token_urlsafe(24)
        existing = agreement.find_by_key(key)
        if existing is not None:  # a double click or a retry: the round is already drawn
            return redirect(url_for("coding.agreement_round", round_id=existing.id))
        vision = db.session.get(Vision, int(form.vision_id.data))
        coder_a = db.session.get(User, int(form.coder_a.data))
        coder_b = db.session.get(User, int(form.coder_b.data))
        try:
            agreement_round = agreement.create_round(vision=vision, name=form.name.data.strip(),
                                                     percent=form.sample_percent.data, coder_a=coder_a,
                                                     coder_b=coder_b, created_by=current_user, submission_key=key)
        except agreement.AgreementError as error:
            form.form_errors.append(str(error))
        else:
            audit("agreement.create", agreement_round, percent=agreement_round.sample_percent,
                  items=len(agreement_round.items), coder_a=coder_a.id, coder_b=coder_b.id)
            db.session.commit()
            flash(_("The round is drawn: %(num)s contributions to code twice.", num=len(agreement_round.items)),
                  "success")
            return redirect(url_for("coding.agreement_round", round_id=agreement_round.id))
    status = 422 if form.errors else 200
    return render_template("coding/manage/agreement/new.html", form=form, has_vision=bool(visions)), status


def _round_for_viewer(round_id: int):
    """The round and the current user's side in it (None for an admin who is not one of its coders).

    :raise 404: no such round
    :raise 403: neither one of its coders nor an admin
    """
    agreement_round = db.get_or_404(AgreementRound, round_id)
    which = agreement.side(agreement_round, current_user)
    if which is None and current_user.role != Role.admin:
        abort(403)
    return agreement_round, which


@bp.route("/staff/coding/agreement/<int:round_id>")
@staff_required(Role.analyst)
def agreement_round(round_id: int):
    """A coder's list of items, or an admin's view of both coders' progress."""
    agreement_round, which = _round_for_viewer(round_id)
    texts = dict(db.session.execute(sa.select(Contribution.id, Contribution.text).where(
        Contribution.id.in_([item.contribution_id for item in agreement_round.items]))).all()) if which else {}
    return render_template("coding/manage/agreement/round.html", round=agreement_round, side=which, texts=texts,
                           progress=agreement.progress(agreement_round), coders=_coders(agreement_round),
                           complete=agreement.is_complete(agreement_round), is_done=agreement.is_done,
                           next_item=agreement.next_item(agreement_round, current_user) if which else None,
                           watcher=_watcher(agreement_round))


@bp.route("/staff/coding/agreement/<int:round_id>/items/<int:item_id>", methods=["GET", "POST"])
@staff_required(Role.analyst)
def agreement_code(round_id: int, item_id: int):
    """Code one sampled contribution blind: only this coder's own blocks, no real codes, no suggestions."""
    agreement_round, which = _round_for_viewer(round_id)
    item = _item(agreement_round, item_id)
    if which is None:
        flash(_("Only the two coders code in a round; here is its progress."), "info")
        return redirect(url_for("coding.agreement_round", round_id=agreement_round.id))
    nodes = agreement.round_nodes(agreement_round)
    if request.method == "POST":
        allowed = {node.id for node in nodes}
        chosen = {int(v) for v in request.form.getlist("node") if v.isdigit() and int(v) in allowed}
        try:
            added, removed = agreement.save_codes(item, current_user, chosen)
        except agreement.AgreementError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("coding.agreement_code", round_id=agreement_round.id, item_id=item.id))
        audit("agreement.code", item, added=added, removed=removed)
        db.session.commit()
        if request.form.get("then") == "next":
            following = agreement.next_item(agreement_round, current_user, item.id)
            if following is None:
                flash(_("You have coded every item in this round. Thank you."), "success")
                return redirect(url_for("coding.agreement_round", round_id=agreement_round.id))
            return redirect(url_for("coding.agreement_code", round_id=agreement_round.id, item_id=following.id))
        flash(_("Your codes are saved."), "success")
        return redirect(url_for("coding.agreement_code", round_id=agreement_round.id, item_id=item.id))
    contribution = db.session.get(Contribution, item.contribution_id)
    position = [i.id for i in agreement_round.items].index(item.id) + 1
    return render_template("coding/manage/agreement/code.html", round=agreement_round, item=item, nodes=nodes,
                           chosen=agreement.own_codes(item, current_user.id), contribution=contribution,
                           facts=sources.facts_of(contribution), position=position, done=agreement.is_done(item, which),
                           editable=agreement.can_change(agreement_round, item), channels=CHANNEL_LABELS,
                           note_kinds=NOTE_KINDS, groups=GROUPS)


@bp.route("/staff/coding/agreement/<int:round_id>/results")
@staff_required(Role.analyst)
def agreement_results(round_id: int):
    """Kappa per building block and overall, and the disagreements to settle."""
    agreement_round, which = _round_for_viewer(round_id)
    if which is not None and not (agreement.is_complete(agreement_round) or agreement_round.closed_at):
        # Blind until the end: a coder must not learn the other's codes while either may still change.
        flash(_("The results open once both coders have finished every item."), "info")
        return redirect(url_for("coding.agreement_round", round_id=agreement_round.id))
    nodes = agreement.round_nodes(agreement_round)
    outcome = agreement.results(agreement_round, nodes)
    items = {item.id: item for item in agreement_round.items}
    disagreements = [items[item_id] for item_id in outcome.disagreements]
    texts = {c.id: c.text for c in db.session.scalars(
        sa.select(Contribution).where(Contribution.id.in_([i.contribution_id for i in disagreements])))}
    return render_template("coding/manage/agreement/results.html", round=agreement_round, outcome=outcome,
                           titles={node.id: tr(node.title) for node in nodes}, disagreements=disagreements,
                           texts=texts, scale=agreement.SCALE, interpretation=agreement.interpretation,
                           progress=agreement.progress(agreement_round), coders=_coders(agreement_round),
                           may_settle=current_user.role == Role.admin and not agreement_round.closed_at,
                           figure=lambda value: format_decimal(value, "0.00"),
                           percent=lambda value: format_percent(float(value)))


@bp.route("/staff/coding/agreement/<int:round_id>/items/<int:item_id>/settle", methods=["GET", "POST"])
@staff_required(Role.admin)
def agreement_settle(round_id: int, item_id: int):
    """An admin picks the final blocks for a disagreement; they become the contribution's real codes."""
    agreement_round = db.get_or_404(AgreementRound, round_id)
    item = _item(agreement_round, item_id)
    results_url = url_for("coding.agreement_results", round_id=agreement_round.id)
    if agreement.side(agreement_round, current_user) and not agreement.is_complete(agreement_round):
        # an admin who codes in the round stays blind like the other coder until both have finished
        flash(_("The results open once both coders have finished every item."), "info")
        return redirect(url_for("coding.agreement_round", round_id=agreement_round.id))
    if agreement_round.closed_at or not (item.a_done_at and item.b_done_at):
        flash(_("This item cannot be settled: the round is closed or a coder has not finished it."), "error")
        return redirect(results_url)
    nodes = agreement.round_nodes(agreement_round)
    node_ids = {node.id for node in nodes}
    if request.method == "POST":
        chosen = {int(v) for v in request.form.getlist("node") if v.isdigit() and int(v) in node_ids}
        added, removed = agreement.settle(item, chosen, current_user, node_ids)
        audit("agreement.settle", item, contribution=item.contribution_id, added=added, removed=removed)
        db.session.commit()
        flash(_("Settled: the chosen blocks are now the contribution's codes."), "success")
        return redirect(results_url + "#disagreements")
    a_codes = agreement.own_codes(item, agreement_round.coder_a_id)
    b_codes = agreement.own_codes(item, agreement_round.coder_b_id)
    real = agreement.real_codes(item.contribution_id) & node_ids
    chosen = real if item.settled_at else a_codes & b_codes
    contribution = db.session.get(Contribution, item.contribution_id)
    return render_template("coding/manage/agreement/settle.html", round=agreement_round, item=item, nodes=nodes,
                           contribution=contribution, a_codes=a_codes, b_codes=b_codes, chosen=chosen)


@bp.route("/staff/coding/agreement/<int:round_id>/close", methods=["POST"])
@staff_required(Role.admin)
def agreement_close(round_id: int):
    """Freeze the round: no more coding or settling; the results stay."""
    agreement_round = db.get_or_404(AgreementRound, round_id)
    if agreement_round.closed_at is None:
        agreement.close(agreement_round)
        audit("agreement.close", agreement_round)
        db.session.commit()
        flash(_("The round is closed."), "success")
    return redirect(url_for("coding.agreement_round", round_id=agreement_round.id))
