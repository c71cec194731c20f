"""Residents answer a questionnaire, see the receipt, and later see, change or erase their answers."""

from __future__ import annotations

import time

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import abort, current_app, make_response, redirect, render_template, request, session, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import selectinload

from dialogue.core.base import utcnow
from dialogue.core.services import active_localities, new_submission_key
from dialogue.extensions import db, limiter
from dialogue.i18n import _, select_locale
from dialogue.questionnaires import answers as answers_mod
from dialogue.questionnaires import services
from dialogue.questionnaires.blueprint import bp
from dialogue.questionnaires.models import Answer, Questionnaire, State

HONEYPOT = "website"
#: the session key that carries a new private link from the submission to the receipt, once
RECEIPT = "receipt"
bp.add_app_template_global(answers_mod.choices_for, "choices_for")
bp.add_app_template_global(answers_mod.describe_answer, "describe_answer")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="questionnaire-form")


def _load(slug: str, *, for_answers: bool = False) -> Questionnaire:
    """The questionnaire with its questions; drafts and unknown slugs are not found.

    *for_answers*: on PostgreSQL the row is share-locked until the commit, so that the questionnaire
    cannot be closed or changed between the checks of the answers and their storing. (SQLite holds the
    write lock for the whole POST anyway.)
    """
    query = (sa.select(Questionnaire).where(Questionnaire.slug == slug)
             .options(selectinload(Questionnaire.questions)))
    if for_answers:
        query = query.with_for_update(read=True)
    questionnaire = db.session.scalar(query)
    if questionnaire is None or questionnaire.state == State.draft:
        abort(404)
    return questionnaire


def _closed(questionnaire: Questionnaire):
    return render_template("questionnaires/display/closed.html", questionnaire=questionnaire, now=utcnow())


def _private(page, status: int = 200):
    """A page that shows a resident's own answers or link: never kept in a shared computer's cache."""
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def render_form(questionnaire: Questionnaire, pages, index: int, answers, *, form_token: str,
                feedback_email: str = "", feedback_error: str | None = None, notice: str | None = None,
                mode: str = "answer", action: str | None = None, status: int = 200):
    return render_template(
        "questionnaires/display/form.html", questionnaire=questionnaire, pages=pages, index=index,
        answers=answers, form_token=form_token, localities=active_localities(), feedback_email=feedback_email,
        feedback_error=feedback_error, notice=notice, mode=mode, honeypot=HONEYPOT,
        action=action or request.path,
    ), status


@bp.route("/questionnaires/")
def index():
    """The questionnaires residents can answer now."""
    now = utcnow()
    candidates = db.session.scalars(sa.select(Questionnaire).where(Questionnaire.state == State.open)
                                    .order_by(Questionnaire.closes_at.is_(None), Questionnaire.closes_at,
                                              Questionnaire.created_at.desc())).all()
    return render_template("questionnaires/display/index.html",
                           questionnaires=[q for q in candidates if q.is_accepting(now)])


@bp.route("/questionnaires/<slug>")
def show(slug: str):
    """The first page of an open questionnaire.

    :raise 404: draft or unknown
    """
    questionnaire = _load(slug)
    if not questionnaire.is_accepting(utcnow()):
        return _closed(questionnaire)
    # The form token binds the submission key to this questionnaire and dates the first view.
    token = _serializer().dumps([questionnaire.id, new_submission_key()])
    pages = answers_mod.paginate(questionnaire.questions)
    return render_form(questionnaire, pages, 0, answers_mod.Answers(), form_token=token)


def _feedback_email(raw: str) -> tuple[str, str | None]:
    raw = raw.strip()
    if not raw:
        return "", None
    try:
        return validate_email(raw, check_deliverability=False).normalized, None
    except EmailNotValidError:
        return raw, _("Write an e-mail address such as name@example.se, or leave the field empty.")


def answer_limit() -> str:
    return current_app.config["ANSWER_RATE_LIMIT"]


def _submission_key(questionnaire: Questionnaire, form_token: str) -> tuple[str, float]:
    """The submission key in the form token and when the form was first shown; 400 for a token that
    is forged or was made for another questionnaire."""
    try:
        payload, started = _serializer().loads(form_token, return_timestamp=True)
    except BadSignature:
        abort(400)
    if not (isinstance(payload, list) and len(payload) == 2 and payload[0] == questionnaire.id
            and isinstance(payload[1], str)):
        abort(400)
    return payload[1], started.timestamp()


@bp.route("/questionnaires/<slug>", methods=["POST"])
@limiter.limit(answer_limit)
def answer(slug: str):
    """Move between pages (every answer travels along in the form) and finally submit."""
    questionnaire = _load(slug, for_answers=True)
    if not questionnaire.is_accepting(utcnow()):
        return _closed(questionnaire)
    if request.form.get(HONEYPOT):
        abort(400)  # only a program fills the hidden field; nothing is stored
    form_token = request.form.get("form", "")
    submission_key, started = _submission_key(questionnaire, form_token)

    pages = answers_mod.paginate(questionnaire.questions)
    visible = [q for page in pages for q in page]
    answers = answers_mod.read(request.form, visible, {loc.id for loc in active_localities()})
    feedback_email, feedback_error = _feedback_email(request.form.get("feedback_email", ""))
    index = min(max(request.form.get("page", type=int) or 0, 0), len(pages) - 1)
    move = request.form.get("move", "submit")
    keep = {"form_token": form_token, "feedback_email": feedback_email}

    if move == "back":
        answers.errors.clear()
        return render_form(questionnaire, pages, max(index - 1, 0), answers, **keep)
    page_ids = {q.id for q in pages[index]}
    if move == "next" and index < len(pages) - 1:
        if any(qid in page_ids for qid in answers.errors):
            answers.errors = {k: v for k, v in answers.errors.items() if k in page_ids}
            return render_form(questionnaire, pages, index, answers, status=422, **keep)
        answers.errors.clear()
        return render_form(questionnaire, pages, index + 1, answers, **keep)

    if answers.errors or feedback_error:
        first = next((i for i, page in enumerate(pages) if any(q.id in answers.errors for q in page)), index)
        return render_form(questionnaire, pages, first, answers, feedback_error=feedback_error, status=422, **keep)
    if time.time() - started < current_app.config["QUESTIONNAIRE_MIN_SECONDS"]:
        # Faster than a person can read: likely a program. A person just sends again.
        return render_form(questionnaire, pages, index, answers, status=422,
                           notice=_("Check your answers once more and send them again."), **keep)

    stored = services.store_response(questionnaire, visible, answers, submission_key=submission_key,
                                     language=select_locale(), feedback_email=feedback_email)
    db.session.commit()
    # Post/redirect/get: reloading the receipt sends nothing. The private link travels in the session
    # and is shown once; a repeated POST of the same form stores nothing and shows no link, so the next
    # person at a shared computer cannot reach the first one's answers by sending the form again.
    if stored is not None:
        session[RECEIPT] = {"slug": slug, "token": stored.token}
    return redirect(url_for("questionnaires.received", slug=slug), 303)


@bp.route("/questionnaires/<slug>/received")
def received(slug: str):
    """The receipt: the private link right after sending, else only that the answers were received."""
    questionnaire = _load(slug)
    receipt = session.get(RECEIPT)
    private_url = None
    if receipt and receipt.get("slug") == slug:
        session.pop(RECEIPT)
        private_url = url_for("questionnaires.mine", slug=slug, token=receipt["token"], _external=True)
    return _private(render_template("questionnaires/display/receipt.html", questionnaire=questionnaire,
                                    private_url=private_url))


# -- the resident's own answers, through the private link ---------------------------------------------

def _own_response(slug: str, token: str):
    questionnaire = _load(slug)
    response = services.find_response_by_token(questionnaire, token)
    if response is None or not questionnaire.is_accepting(utcnow()):
        # Unknown, erased and expired links get the same answer.
        abort(404)
    return questionnaire, response


def _answers_of(response) -> answers_mod.Answers:
    stored = answers_mod.Answers()
    for row in db.session.scalars(sa.select(Answer).where(Answer.response_id == response.id)):
        stored.values[row.question_id] = row.value
        if row.other_text:
            stored.other[row.question_id] = row.other_text
    return stored


TOKEN_LIMIT = "30 per minute"


@bp.route("/questionnaires/<slug>/answers/<token>")
@limiter.limit(TOKEN_LIMIT)
def mine(slug: str, token: str):
    """The resident's answers, with ways to change or erase them."""
    questionnaire, response = _own_response(slug, token)
    return _private(render_template("questionnaires/display/mine.html", questionnaire=questionnaire,
                                    response=response, answers=_answers_of(response), localities=active_localities(),
                                    token=token))


@bp.route("/questionnaires/<slug>/answers/<token>/edit", methods=["GET", "POST"])
@limiter.limit(TOKEN_LIMIT)
def edit_mine(slug: str, token: str):
    """Change the answers: every question on one page."""
    questionnaire, response = _own_response(slug, token)
    questions = [q for page in answers_mod.paginate(questionnaire.questions) for q in page]
    pages = [questions]
    if request.method == "POST":
        answers = answers_mod.read(request.form, questions, {loc.id for loc in active_localities()})
        if answers.errors:
            return _private(*render_form(questionnaire, pages, 0, answers, form_token="", mode="edit", status=422))
        services.update_response(response, questionnaire, questions, answers)
        db.session.commit()
        return _private(render_template("questionnaires/display/mine.html", questionnaire=questionnaire,
                                        response=response, answers=_answers_of(response),
                                        localities=active_localities(), token=token, saved=True))
    return _private(*render_form(questionnaire, pages, 0, _answers_of(response), form_token="", mode="edit"))


@bp.route("/questionnaires/<slug>/answers/<token>/erase", methods=["GET", "POST"])
@limiter.limit(TOKEN_LIMIT)
def erase_mine(slug: str, token: str):
    """Erase the answers, after a confirmation."""
    questionnaire, response = _own_response(slug, token)
    if request.method == "POST":
        services.erase_response(response)
        db.session.commit()
        return _private(render_template("questionnaires/display/erased.html", questionnaire=questionnaire))
    return _private(render_template("questionnaires/display/erase.html", questionnaire=questionnaire, token=token))
