"""The read-only JSON API under /api/v1. No names or e-mail addresses ever leave through it."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import sqlalchemy as sa
from flask import abort, jsonify, request

from dialogue.api.auth import rate_limited, token_required
from dialogue.api.blueprint import bp
from dialogue.api.errors import PREFIX, error, from_exception
from dialogue.api.paging import BadParameter, page
from dialogue.coding.models import Coding, Contribution
from dialogue.core.errors import render_errors_under
from dialogue.core.ids import MAX_ID
from dialogue.core.models import Locality, Role
from dialogue.core.respondents import AGE_BANDS, GROUPS
from dialogue.events.models import Event, Registration
from dialogue.extensions import csrf, db
from dialogue.filters import ExportFilters, apply_to_contributions, apply_to_responses
from dialogue.i18n import _, tr
from dialogue.questionnaires.answers import OTHER, as_list
from dialogue.questionnaires.models import ELSEWHERE, Answer, Question, Questionnaire, QuestionType, Response
from dialogue.vision.models import Vision, VisionNode

csrf.exempt(bp)  # bearer tokens, never cookies: nothing for a forged cross-site request to ride on


ANALYSTS = (Role.analyst,)


def _moment(value):
    return value.isoformat() if value else None


ID_PARAMETERS = ("questionnaire", "locality", "node")
DATE_PARAMETERS = ("date_from", "date_to")


def _filters(*allowed: str) -> ExportFilters:
    args = {k: v for k, v in request.args.items() if k in allowed}
    for name, value in args.items():
        # checked here before any query: a NUL or a 20-digit id would fail in the driver, not as a 400
        if len(value) > 200 or any(ord(c) < 32 for c in value):
            raise BadParameter(name, _("%(name)s has a value that cannot be right.", name=name))
        number = value.strip()
        if name in ID_PARAMETERS and number.isdigit() and (not number.isascii() or int(number) > MAX_ID):
            raise BadParameter(name, _("There is no %(name)s with that number.", name=name))
        # as documented (format: date); Python's fromisoformat would also take 20260331 or 2026-W14-2
        if name in DATE_PARAMETERS and number and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", number):
            raise BadParameter(name, _("Give the date as YYYY-MM-DD, e.g. 2026-03-31."))
    filters, errors = ExportFilters.from_args(args)
    if errors:
        name, message = next(iter(errors.items()))
        raise BadParameter(name, message)
    return filters


# -- questionnaires --------------------------------------------------------------------------------------

def _questionnaire(q: Questionnaire) -> dict:
    return {"id": q.id, "slug": q.slug, "process_id": q.process_id, "title": q.title, "state": q.state.value,
            "opens_at": _moment(q.opens_at), "closes_at": _moment(q.closes_at), "languages": q.languages,
            "created_at": _moment(q.created_at)}


def _question(q: Question) -> dict:
    return {"id": q.id, "position": q.position, "page": q.page, "type": q.type.value, "text": q.text,
            "required": q.required, "hidden": q.hidden, "allow_other": q.allow_other,
            "scale_max": q.scale_max if q.type == QuestionType.scale else None,
            "options": [{"value": str(o["value"]), "label": o["label"]} for o in q.options]}


@bp.route("/api/v1/questionnaires")
@rate_limited
@token_required()
def questionnaires():
    return jsonify(page(sa.select(Questionnaire), Questionnaire.id,
                        lambda rows: [_questionnaire(q) for q in rows]))


@bp.route("/api/v1/questionnaires/<int:questionnaire_id>")
@rate_limited
@token_required()
def questionnaire(questionnaire_id: int):
    q = db.session.get(Questionnaire, questionnaire_id)
    if q is None:
        abort(404)
    return jsonify({**_questionnaire(q), "questions": [_question(question) for question in q.questions]})


# -- responses -------------------------------------------------------------------------------------------

def _labeller(localities: dict[int, str]):
    def label(question: Question, value: str) -> str:
        kind = question.type
        if kind.is_text or kind == QuestionType.scale:
            return value
        if value == OTHER:  # like every choice, its label; what was written after it is in other_text
            return str(_("Other"))
        if kind == QuestionType.locality:
            return str(_("Elsewhere")) if value == ELSEWHERE else localities.get(int(value), value) \
                if value.isdigit() else value
        if kind == QuestionType.age_band:
            return str(AGE_BANDS.get(value, value))
        if kind == QuestionType.group:
            return str(GROUPS.get(value, value))
        options = {str(o["value"]): tr(o["label"]) for o in question.options}
        return options.get(value, value)

    return label


def _serialize_responses(rows: list[Response]) -> list[dict]:
    if not rows:
        return []
    localities = dict(db.session.execute(sa.select(Locality.id, Locality.name)).all())
    answers = db.session.scalars(sa.select(Answer).where(Answer.response_id.in_([r.id for r in rows]))
                                 .order_by(Answer.response_id, Answer.question_id)).all()
    questions = {q.id: q for q in db.session.scalars(
        sa.select(Question).where(Question.id.in_({a.question_id for a in answers})))} if answers else {}
    by_response: dict[int, list[Answer]] = defaultdict(list)
    for answer in answers:
        by_response[answer.response_id].append(answer)
    label = _labeller(localities)
    out = []
    for r in rows:
        items = []
        for answer in sorted(by_response[r.id], key=lambda a: (questions[a.question_id].position, a.question_id)):
            question = questions[answer.question_id]
            items.append({"question_id": question.id, "question": tr(question.text), "type": question.type.value,
                          "value": answer.value, "other_text": answer.other_text,
                          "labels": [label(question, v) for v in as_list(answer.value)]})
        out.append({
            "id": r.id, "questionnaire_id": r.questionnaire_id, "submitted_at": _moment(r.submitted_at),
            "updated_at": _moment(r.updated_at), "channel": r.channel.value, "language": r.language,
            "locality_id": r.locality_id, "locality": localities.get(r.locality_id) if r.locality_id else None,
            "elsewhere": r.locality_other == ELSEWHERE, "respondent_group": r.respondent_group,
            "age_band": r.age_band, "answers": items,
        })
    return out


@bp.route("/api/v1/responses")
@rate_limited
@token_required(*ANALYSTS)
def responses():
    filters = _filters("questionnaire", "date_from", "date_to", "locality", "group", "channel")
    query = apply_to_responses(sa.select(Response).where(Response.hidden.is_(False)), filters)
    return jsonify(page(query, Response.id, _serialize_responses))


# -- contributions ---------------------------------------------------------------------------------------

def _serialize_contributions(rows: list[Contribution]) -> list[dict]:
    codes: dict[int, list[dict]] = defaultdict(list)
    if rows:
        for c in db.session.scalars(sa.select(Coding).where(
                Coding.contribution_id.in_([r.id for r in rows]), Coding.removed_at.is_(None)).order_by(Coding.id)):
            codes[c.contribution_id].append({"node_id": c.node_id, "excerpt_start": c.excerpt_start,
                                             "excerpt_end": c.excerpt_end, "from_suggestion": c.from_suggestion,
                                             "coded_at": _moment(c.created_at)})
    return [{"id": r.id, "channel": r.channel.value, "text": r.text, "language": r.language,
             "locality_id": r.locality_id, "respondent_group": r.respondent_group,
             "created_at": _moment(r.created_at), "questionnaire_id": r.questionnaire_id,
             "question_id": r.question_id, "event_id": r.event_id, "note_kind": r.note_kind,
             "codes": codes[r.id]} for r in rows]


@bp.route("/api/v1/contributions")
@rate_limited
@token_required(*ANALYSTS)
def contributions():
    filters = _filters("questionnaire", "date_from", "date_to", "locality", "group", "channel", "node",
                       "coding_state")
    query = apply_to_contributions(sa.select(Contribution).where(Contribution.hidden.is_(False)), filters)
    return jsonify(page(query, Contribution.id, _serialize_contributions))


# -- events ----------------------------------------------------------------------------------------------

def _serialize_events(rows: list[Event]) -> list[dict]:
    counts: dict[int, Counter] = defaultdict(Counter)
    if rows:
        for event_id, status, number in db.session.execute(
                sa.select(Registration.event_id, Registration.status, sa.func.count())
                .where(Registration.event_id.in_([e.id for e in rows]))
                .group_by(Registration.event_id, Registration.status)):
            counts[event_id][str(status)] = number
    return [{"id": e.id, "process_id": e.process_id, "kind": e.kind.value, "state": e.state.value,
             "title": e.title, "description": e.description, "locality_id": e.locality_id, "venue": e.venue,
             "address": e.address, "starts_at": _moment(e.starts_at), "ends_at": _moment(e.ends_at),
             "capacity": e.capacity,
             "registrations": {s: counts[e.id].get(s, 0) for s in ("confirmed", "waitlisted", "attended",
                                                                     "cancelled")}} for e in rows]


@bp.route("/api/v1/events")
@rate_limited
@token_required()
def events():
    return jsonify(page(sa.select(Event), Event.id, _serialize_events))


# -- visions ---------------------------------------------------------------------------------------------

def _vision(v: Vision) -> dict:
    return {"id": v.id, "slug": v.slug, "name": v.name,
            "adopted_on": v.adopted_on.isoformat() if v.adopted_on else None}


@bp.route("/api/v1/visions")
@rate_limited
@token_required()
def visions():
    return jsonify(page(sa.select(Vision), Vision.id, lambda rows: [_vision(v) for v in rows]))


@bp.route("/api/v1/visions/<slug>")
@rate_limited
@token_required()
def vision(slug: str):
    v = db.session.scalar(sa.select(Vision).where(Vision.slug == slug))
    if v is None:
        abort(404)
    children: dict[int | None, list[VisionNode]] = defaultdict(list)
    for node in sorted(v.nodes, key=lambda n: (n.position, n.id)):
        children[node.parent_id].append(node)

    def tree(node: VisionNode) -> dict:
        return {"id": node.id, "kind": node.kind.value, "title": node.title, "text": node.text,
                "position": node.position, "archived": node.archived,
                "children": [tree(child) for child in children[node.id]]}

    return jsonify({**_vision(v), "nodes": [tree(root) for root in children[None]]})


# -- errors and the rest ---------------------------------------------------------------------------------

@bp.record_once
def _json_errors(state) -> None:
    # every error under /api/v1 is JSON: also where no API view runs (an unknown address or method, an id
    # its converter refuses, a NUL in the path), so core's error handlers ask the API to answer them
    render_errors_under(state.app, PREFIX, from_exception)


@bp.errorhandler(BadParameter)
def bad_parameter(exc: BadParameter):
    return error(400, exc.message, parameter=exc.name)


@bp.after_request
def no_store(response):
    # answers and contributions must not stay in a proxy's or client's cache
    response.headers["Cache-Control"] = "no-store"
    return response
