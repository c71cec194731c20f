"""Residents answer a questionnaire, see the receipt, and later see, change or erase their answers."""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer

from dialogue.core import signing
from dialogue.core.base import utcnow
from dialogue.core.database import driver_transaction, reading
from dialogue.core.services import get_municipality
from dialogue.extensions import db, limiter
from dialogue.i18n import _, select_locale
from dialogue.questionnaires import answers as answers_mod
from dialogue.questionnaires import ratelimit, services, snapshot, writer
from dialogue.questionnaires.blueprint import bp
from dialogue.questionnaires.models import Answer, Questionnaire, State
from dialogue.questionnaires.snapshot import QuestionnaireSnapshot

HONEYPOT = "website"
bp.add_app_template_global(answers_mod.choices_for, "choices_for")
bp.add_app_template_global(answers_mod.describe_answer, "describe_answer")


def form_serializer(app) -> URLSafeTimedSerializer:
    return signing.serializer(app, "questionnaire-form")


def _serializer() -> URLSafeTimedSerializer:
    return form_serializer(current_app)


def _load(slug: str) -> QuestionnaireSnapshot:
    """The questionnaire with its questions; drafts and unknown slugs are not found."""
    questionnaire = snapshot.load(slug)
    if questionnaire is None or questionnaire.state == State.draft:
        abort(404)
    return questionnaire


def localities():
    municipality = get_municipality()
    return municipality.active_localities if municipality else []


def _closed(questionnaire: QuestionnaireSnapshot):
    return render_template("questionnaires/display/closed.html", questionnaire=questionnaire, now=utcnow())


def render_form(questionnaire: Questionnaire | QuestionnaireSnapshot, pages, index: int, answers, *, form_token: str,
                feedback_email: str = "", feedback_error: str | None = None, notice: str | None = None,
                mode: str = "answer", action: str | None = None, status: int = 200, csrf: str = ""):
    return render_template(
        "questionnaires/display/form.html", questionnaire=questionnaire, pages=pages, index=index,
        answers=answers, form_token=form_token, localities=localities(), feedback_email=feedback_email,
        feedback_error=feedback_error, notice=notice, mode=mode, honeypot=HONEYPOT,
        action=action or request.path, csrf=csrf,
    ), status


@bp.route("/questionnaires/<slug>")
def show(slug: str):
    """The first page of an open questionnaire.

    :raise 404: draft or unknown
    """
    questionnaire = _load(slug)
    if not questionnaire.is_accepting(utcnow()):
        return _closed(questionnaire)
    token = _serializer().dumps(services.new_submission_key())
    if "_user_id" in session or session.get("_flashes"):
        pages = answers_mod.paginate(questionnaire.questions)
        return render_form(questionnaire, pages, 0, answers_mod.Answers(), form_token=token)
    return _first_page_from_cache(questionnaire).replace(CSRF_MARK, generate_csrf()).replace(FORM_MARK, token)


# The empty first page is the same for every resident but for two tokens, so each process keeps it
# rendered per questionnaire version, municipality version, language and query string.
CSRF_MARK = "\x00csrf\x00"
FORM_MARK = "\x00form\x00"
_MAX_PAGES_CACHED = 500


def first_page_key(questionnaire: QuestionnaireSnapshot, locale: str, query_string: bytes) -> tuple:
    """What the cached first page depends on. Also used by fastpath.py."""
    municipality = get_municipality()
    return questionnaire.id, questionnaire.version, municipality.version if municipality else 0, locale, query_string


def cached_first_page(app, key: tuple) -> str | None:
    return app.extensions.get("dialogue.first_pages", {}).get(key)


def _first_page_from_cache(questionnaire: QuestionnaireSnapshot) -> str:
    # select_locale() is the language Flask-Babel takes, without building Babel's Locale on a cache hit
    key = first_page_key(questionnaire, select_locale(), request.query_string)
    cache = current_app.extensions.setdefault("dialogue.first_pages", {})
    html = cache.get(key)
    if html is None:
        pages = answers_mod.paginate(questionnaire.questions)
        html, _status = render_form(questionnaire, pages, 0, answers_mod.Answers(), form_token=FORM_MARK,
                                    csrf=CSRF_MARK)
        if len(cache) >= _MAX_PAGES_CACHED:
            cache.clear()
        cache[key] = html
    return html


def _feedback_email(raw: str) -> tuple[str, str | None]:
    raw = raw.strip()
    if not raw:
        return "", None
    try:
        return validate_email(raw, check_deliverability=False).normalized, None
    except EmailNotValidError:
        return raw, _("Write an e-mail address such as name@example.se, or leave the field empty.")


@bp.route("/questionnaires/<slug>", methods=["POST"])
@limiter.exempt  # limited in the view, with one hit (ratelimit.py)
def answer(slug: str):
    """Move between pages (every answer travels along in the form) and finally submit.

    Sending the answers is the hot path: the checks read without taking the write lock, and the
    response is written straight through the driver in one short transaction (or by the writer process).
    """
    ratelimit.hit_answer_limit()
    # Everything up to the insert reads only; the ORM session holds no lock when the write begins.
    with reading(db.session):
        outcome = _check(slug)
    if not isinstance(outcome, _Submission):
        return outcome
    # Post/redirect/get: reloading the receipt cannot send the answers again. A retry of the POST
    # finds the stored response by its key and is sent to the same receipt.
    token = store(outcome)
    return redirect(url_for("questionnaires.mine", slug=slug, token=token, received=1), 303)


def store(outcome: _Submission) -> str:
    """Store a checked submission; the resident's private-link token. Also used by fastpath.py."""
    token = services.edit_token(outcome.submission_key)
    job = services.response_job(outcome.questionnaire.id, outcome.questions, outcome.answers,
                                submission_key=outcome.submission_key, language=outcome.language,
                                feedback_email=outcome.feedback_email, expected=outcome.expected, token=token)
    # On SQLite under gunicorn a writer process stores several submissions per commit (see writer.py).
    client = writer.client_for(current_app)
    reply = client.store(job) if client is not None else None
    if reply == writer.STALE:
        raise services.StaleSnapshot
    if reply is None:
        with driver_transaction(db.engine) as connection:
            services.write_job(connection, db.engine.dialect, job)
    return token


# The POST counts in the view (ratelimit.py); the page has no limit.
limiter.counted_in_view.update({"questionnaires.show", "questionnaires.answer"})


@dataclass
class _Submission:
    questionnaire: QuestionnaireSnapshot
    questions: list
    answers: answers_mod.Answers
    submission_key: str
    language: str
    feedback_email: str
    #: the versions the answers were checked against, when read from this process's copies (fastpath.py)
    expected: list[int] | None = None


def _check(slug: str):
    """A page to show (another page, errors), or the checked submission to store."""
    questionnaire = _load(slug)
    if not questionnaire.is_accepting(utcnow()):
        return _closed(questionnaire)
    if request.form.get(HONEYPOT):
        abort(400)  # only a program fills the hidden field; nothing is stored
    form_token = request.form.get("form", "")
    try:
        submission_key, started = _serializer().loads(form_token, return_timestamp=True)
    except BadSignature:
        abort(400)

    pages = answers_mod.paginate(questionnaire.questions)
    visible = [q for page in pages for q in page]
    answers = answers_mod.read(request.form, visible, {loc.id for loc in localities()})
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
    if time.time() - started.timestamp() < current_app.config["QUESTIONNAIRE_MIN_SECONDS"]:
        # Faster than a person can read: likely a program. A person just sends again.
        return render_form(questionnaire, pages, index, answers, status=422,
                           notice=_("Check your answers once more and send them again."), **keep)

    # the language Flask-Babel would choose, without building Babel's Locale: nothing is rendered
    return _Submission(questionnaire, visible, answers, submission_key, select_locale(), feedback_email)


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
    if request.args.get("received"):
        private_url = url_for("questionnaires.mine", slug=slug, token=token, _external=True)
        return render_template("questionnaires/display/receipt.html", questionnaire=questionnaire,
                               private_url=private_url)
    return render_template("questionnaires/display/mine.html", questionnaire=questionnaire, response=response,
                           answers=_answers_of(response), localities=localities(), token=token)


@bp.route("/questionnaires/<slug>/answers/<token>/edit", methods=["GET", "POST"])
@limiter.limit(TOKEN_LIMIT)
def edit_mine(slug: str, token: str):
    """Change the answers: every question on one page."""
    questionnaire, response = _own_response(slug, token)
    questions = [q for page in answers_mod.paginate(questionnaire.questions) for q in page]
    pages = [questions]
    if request.method == "POST":
        answers = answers_mod.read(request.form, questions, {loc.id for loc in localities()})
        if answers.errors:
            return render_form(questionnaire, pages, 0, answers, form_token="", mode="edit", status=422)
        services.update_response(response, questionnaire, questions, answers)
        db.session.commit()
        return render_template("questionnaires/display/mine.html", questionnaire=questionnaire,
                               response=response, answers=_answers_of(response), localities=localities(),
                               token=token, saved=True)
    return render_form(questionnaire, pages, 0, _answers_of(response), form_token="", mode="edit")


@bp.route("/questionnaires/<slug>/answers/<token>/erase", methods=["GET", "POST"])
@limiter.limit(TOKEN_LIMIT)
def erase_mine(slug: str, token: str):
    """Erase the answers, after a confirmation."""
    questionnaire, response = _own_response(slug, token)
    if request.method == "POST":
        services.erase_response(response)
        db.session.commit()
        return render_template("questionnaires/display/erased.html", questionnaire=questionnaire)
    return render_template("questionnaires/display/erase.html", questionnaire=questionnaire, token=token)
