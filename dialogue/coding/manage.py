"""The coding workspace: analysts code contributions to the vision's building blocks."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from dialogue.coding import agreement, services, sources, suggest
from dialogue.coding.blueprint import bp
from dialogue.coding.forms import STATES, Choices, QueueFilters
from dialogue.coding.models import CHANNEL_LABELS, NOTE_KINDS, Contribution
from dialogue.core.ids import page_number, parse_id
from dialogue.core.models import Locality, Role
from dialogue.core.respondents import GROUPS
from dialogue.core.services import audit
from dialogue.extensions import db
from dialogue.i18n import LANGUAGE_NAMES, _
from dialogue.security import staff_required
from dialogue.vision.models import Vision

PER_PAGE = 30


def _filters() -> tuple[QueueFilters, Choices, list[Vision]]:
    choices = Choices.load()
    visions = list(db.session.scalars(sa.select(Vision).order_by(Vision.id)))
    filters = QueueFilters.from_args(request.args, choices, [str(v.id) for v in visions])
    return filters, choices, visions


def _vision(filters: QueueFilters, visions: list[Vision]) -> Vision | None:
    """The vision chosen in the address, else the first one."""
    chosen = [v for v in visions if str(v.id) == filters.vision]
    return (chosen or visions or [None])[0]


def _ignored_message(filters: QueueFilters, choices: Choices) -> None:
    if filters.ignored:
        names = ", ".join(str(choices.label(name)) for name in filters.ignored)
        flash(_("Some filters had a value that does not exist and were left out: %(names)s.", names=names), "error")


@bp.route("/staff/coding/")
@staff_required(Role.analyst)
def manage_queue():
    """Contributions to code, filterable by state, channel, questionnaire, question, event, locality, group
    and language. The total is one COUNT over indexed columns; the page is one LIMIT/OFFSET query."""
    filters, choices, visions = _filters()
    _ignored_message(filters, choices)
    query = services.queue(filters).options(selectinload(Contribution.codings))
    page = db.paginate(query, page=page_number(request.args.get("page")), per_page=PER_PAGE, error_out=False,
                       count=True)
    vision = _vision(filters, visions)
    return render_template("coding/manage/queue.html", page=page, filters=filters, choices=choices,
                           states=STATES, channels=CHANNEL_LABELS, groups=GROUPS, languages=LANGUAGE_NAMES,
                           visions=visions, vision=vision, run=suggest.latest_run(vision) if vision else None,
                           min_coded=suggest.MIN_CODED)


@bp.route("/staff/coding/suggestions", methods=["POST"])
@staff_required(Role.analyst)
def manage_suggest():
    """Compute the suggestions again from the codes confirmed so far (for large installations: the CLI)."""
    visions = list(db.session.scalars(sa.select(Vision).order_by(Vision.id)))
    wanted = request.form.get("vision", "")
    vision = next((v for v in visions if str(v.id) == wanted), visions[0] if visions else None)
    if vision is None:
        flash(_("There is no vision with building blocks yet. Import one first."), "error")
        return redirect(url_for("coding.manage_queue"))
    run = suggest.update_suggestions(vision)
    audit("coding.suggest", vision, source=run.source, codes=run.codes, held_out=run.held_out,
          precision_at_3=run.precision_at_3)
    db.session.commit()
    flash(_("The suggestions are updated."), "success")
    return redirect(url_for("coding.manage_queue", vision=vision.id))


@dataclass
class Entry:
    """What the analyst sent (kept when the form comes back with an error)."""

    chosen: set[int]
    note: str
    publishable: bool
    excerpt: str = ""
    excerpt_node: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def _entry(contribution: Contribution, allowed: set[int]) -> Entry:
    if request.method == "GET":
        return Entry({c.node_id for c in contribution.active_codings}, contribution.coding_note,
                     contribution.publishable)
    chosen = {parse_id(v) for v in request.form.getlist("node")} & allowed
    return Entry(chosen, request.form.get("note", "").strip()[:2000], request.form.get("publishable") == "1",
                 request.form.get("excerpt", "")[:5000], request.form.get("excerpt_node", ""))


def _save(contribution: Contribution, entry: Entry, allowed: set[int], suggested: set[int]):
    """Apply the form; returns a redirect, or None when the form must come back with its errors."""
    then = request.form.get("then", "stay")
    confirm = request.form.get("confirm", "")
    confirmed = parse_id(confirm) if parse_id(confirm) in suggested else None
    span = None
    if then == "excerpt":
        node = parse_id(entry.excerpt_node)
        if node not in allowed:
            entry.errors["excerpt_node"] = _("Choose the building block the excerpt belongs to.")
        hint = request.form.get("excerpt_start", "")
        try:
            start = int(hint) if hint.isascii() and hint.isdigit() and len(hint) < 10 else None
            span = services.find_excerpt(contribution.text, entry.excerpt, start)
        except services.ExcerptError:
            entry.errors["excerpt"] = (
                _("Type or paste a part of the contribution's text.") if not entry.excerpt.strip()
                else _("The excerpt is not in the contribution's text. Copy it from the text."))
        if entry.errors:
            return None
    if confirmed is not None:
        entry.chosen.add(confirmed)
    keep = set(entry.chosen)
    if span:
        # the excerpt's block is left as it is here and replaced by code_excerpt (one code per block)
        keep.discard(node)
        keep |= {node} & {c.node_id for c in contribution.active_codings}
    added, removed = services.set_codes(contribution, keep, current_user, entry.note,
                                        from_suggestion={confirmed} if confirmed else frozenset())
    details: dict = {"added": added, "removed": removed}
    if confirmed is not None:
        details["suggestion"] = confirmed
    if span:
        services.code_excerpt(contribution, node, span[0], span[1], current_user, from_suggestion=False)
        details["excerpt"] = node
    audit("contribution.code", contribution, **details)
    if entry.publishable != contribution.publishable:
        contribution.publishable = entry.publishable
        audit("contribution.publishable", contribution, publishable=entry.publishable)
    db.session.commit()
    filters, _choices, _visions = _filters()
    if then == "next":
        _previous, following = services.neighbours(filters, contribution.id)
        if following is None:
            flash(_("That was the last contribution in the queue."), "success")
            return redirect(url_for("coding.manage_queue", **filters.as_args()))
        return redirect(url_for("coding.manage_code", contribution_id=following, **filters.as_args()))
    flash(_("The codes are saved."), "success")
    return redirect(url_for("coding.manage_code", contribution_id=contribution.id, **filters.as_args()))


@bp.route("/staff/coding/<int:contribution_id>", methods=["GET", "POST"])
@staff_required(Role.analyst)
def manage_code(contribution_id: int):
    """One contribution with its context, the building blocks, the suggestions, and the way to its neighbours."""
    contribution = db.session.get(Contribution, contribution_id)
    if contribution is None or contribution.hidden:
        abort(404)
    blinding = agreement.blinding_item(contribution.id, current_user)
    if blinding is not None:
        flash(_("This contribution is in an agreement round you code in. Code it there, without seeing other "
                "codes, until the round's results are open."), "info")
        return redirect(url_for("coding.agreement_code", round_id=blinding.round_id, item_id=blinding.id))
    filters, _choices, visions = _filters()
    vision = _vision(filters, visions)
    nodes = services.codable_nodes(vision) if vision else []
    allowed = {node.id for node in nodes}
    suggestions = suggest.suggestions_for(contribution.id, allowed)
    entry = _entry(contribution, allowed)
    if request.method == "POST":
        done = _save(contribution, entry, allowed, {s.node_id for s in suggestions})
        if done is not None:
            return done
    number_of = {node.id: n for n, node in enumerate(nodes, 1)}
    previous, following = services.neighbours(filters, contribution.id)
    active = contribution.active_codings
    locality = db.session.get(Locality, contribution.locality_id) if contribution.locality_id else None
    return render_template(
        "coding/manage/code.html", contribution=contribution, nodes=nodes, vision=vision, entry=entry,
        number_of=number_of, by_node={c.node_id: c for c in active}, suggestions=suggestions,
        suggested={s.node_id: s for s in suggestions}, run=suggest.latest_run(vision) if vision else None,
        min_coded=suggest.MIN_CODED, segments=services.segments(contribution.text, active, number_of),
        previous=previous, following=following,
        filters=filters, channels=CHANNEL_LABELS, note_kinds=NOTE_KINDS, groups=GROUPS, languages=LANGUAGE_NAMES,
        facts=sources.facts_of(contribution), locality=locality), (422 if entry.errors else 200)
