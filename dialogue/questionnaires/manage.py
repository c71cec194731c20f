"""Staff pages for questionnaires: build, preview, open and close, paper answers, results."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import SelectChoice

from dialogue.core.ids import page_number, parse_id
from dialogue.core.models import Role
from dialogue.core.respondents import GROUPS
from dialogue.core.services import active_localities, audit, get_municipality, new_submission_key
from dialogue.core.time import from_local, to_local
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.processes import services as process_services
from dialogue.questionnaires import answers as answers_mod
from dialogue.questionnaires import results, services
from dialogue.questionnaires.blueprint import bp
from dialogue.questionnaires.forms import NewQuestionnaireForm, QuestionForm, QuestionnaireForm
from dialogue.questionnaires.models import Answer, Question, Questionnaire, QuestionType, Response, ResponseChannel
from dialogue.questionnaires.starter import at_its_best
from dialogue.questionnaires.views import render_form
from dialogue.security import staff_required

LANGS = ("sv", "da", "en")
EDITORS = (Role.organizer,)
READERS = (Role.organizer, Role.analyst)


def _questionnaire(questionnaire_id: int) -> Questionnaire:
    questionnaire = db.session.get(Questionnaire, questionnaire_id)
    if questionnaire is None:
        abort(404)
    return questionnaire


def _question(questionnaire: Questionnaire, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.questionnaire_id != questionnaire.id:
        abort(404)
    return question


def _field(form, name: str) -> str:
    return (getattr(form, name).data or "").strip()


def _translations(form, name: str) -> dict:
    return {lang: _field(form, f"{name}_{lang}") for lang in LANGS if _field(form, f"{name}_{lang}")}



@bp.route("/staff/questionnaires/")
@staff_required(*READERS)
def manage_list():
    """All questionnaires with their state and number of responses."""
    questionnaires = db.session.scalars(sa.select(Questionnaire).order_by(Questionnaire.created_at.desc())).all()
    counts = dict(db.session.execute(
        sa.select(Response.questionnaire_id, sa.func.count()).where(Response.hidden.is_(False))
        .group_by(Response.questionnaire_id)).all())
    return render_template("questionnaires/manage/list.html", questionnaires=questionnaires, counts=counts)


def _process_choices() -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in process_services.choices(_("None"))]


def _apply_settings(form: QuestionnaireForm, questionnaire: Questionnaire) -> None:
    questionnaire.title = _translations(form, "title")
    questionnaire.intro = _translations(form, "intro")
    questionnaire.next_steps = _translations(form, "next_steps")
    questionnaire.slug = _field(form, "slug")
    questionnaire.opens_at, questionnaire.closes_at = from_local(form.opens_at.data), from_local(form.closes_at.data)
    questionnaire.languages = list(form.languages.data)
    questionnaire.process_id = parse_id(form.process_id.data)


def _slug_taken(slug: str, questionnaire: Questionnaire | None) -> bool:
    query = sa.select(Questionnaire.id).where(Questionnaire.slug == slug)
    if questionnaire is not None and questionnaire.id:
        query = query.where(Questionnaire.id != questionnaire.id)
    return db.session.scalar(query) is not None


@bp.route("/staff/questionnaires/new", methods=["GET", "POST"])
@staff_required(*EDITORS)
def manage_new():
    """Create a questionnaire, empty or from the ready-made one."""
    form = NewQuestionnaireForm()
    form.process_id.choices = _process_choices()
    if request.method == "GET":
        municipality = get_municipality()
        name = municipality.name if municipality else _("the municipality")
        template = at_its_best(name, "")
        form.title_sv.data, form.title_da.data, form.title_en.data = (template.title.get(lang) for lang in LANGS)
        form.slug.data = services.unique_slug("nar-ar-kommunen-som-bast")
    if form.validate_on_submit():
        if _slug_taken(_field(form, "slug"), None):
            form.slug.errors = [*form.slug.errors, _("Another questionnaire has this address already.")]
        else:
            municipality = get_municipality()
            if form.start_from.data == "template":
                questionnaire = at_its_best(municipality.name if municipality else "", _field(form, "slug"))
                intro, next_steps = questionnaire.intro, questionnaire.next_steps
            else:
                questionnaire, intro, next_steps = Questionnaire(slug=""), {}, {}
            _apply_settings(form, questionnaire)
            questionnaire.intro = questionnaire.intro or intro
            questionnaire.next_steps = questionnaire.next_steps or next_steps
            db.session.add(questionnaire)
            db.session.flush()
            audit("questionnaire.create", questionnaire, start=form.start_from.data)
            db.session.commit()
            flash(_("The questionnaire is created as a draft."), "success")
            return redirect(url_for("questionnaires.manage_show", questionnaire_id=questionnaire.id))
    return render_template("questionnaires/manage/settings.html", form=form, questionnaire=None), (
        422 if form.errors else 200)


@bp.route("/staff/questionnaires/<int:questionnaire_id>/settings", methods=["GET", "POST"])
@staff_required(*EDITORS)
def manage_settings(questionnaire_id: int):
    """Title, address, texts, dates and languages."""
    questionnaire = _questionnaire(questionnaire_id)
    form = QuestionnaireForm()
    form.process_id.choices = _process_choices()
    if request.method == "GET":
        for name in ("title", "intro", "next_steps"):
            for lang in LANGS:
                getattr(form, f"{name}_{lang}").data = getattr(questionnaire, name).get(lang, "")
        form.slug.data = questionnaire.slug
        form.opens_at.data, form.closes_at.data = to_local(questionnaire.opens_at), to_local(questionnaire.closes_at)
        form.languages.data = list(questionnaire.languages)
        form.process_id.data = str(questionnaire.process_id or "")
    if form.validate_on_submit():
        if _slug_taken(_field(form, "slug"), questionnaire):
            form.slug.errors = [*form.slug.errors, _("Another questionnaire has this address already.")]
        else:
            _apply_settings(form, questionnaire)
            audit("questionnaire.update", questionnaire)
            db.session.commit()
            flash(_("The settings are saved."), "success")
            return redirect(url_for("questionnaires.manage_show", questionnaire_id=questionnaire.id))
    return render_template("questionnaires/manage/settings.html", form=form, questionnaire=questionnaire), (
        422 if form.errors else 200)


@bp.route("/staff/questionnaires/<int:questionnaire_id>")
@staff_required(*READERS)
def manage_show(questionnaire_id: int):
    """The questionnaire's questions and what can be done with it."""
    questionnaire = _questionnaire(questionnaire_id)
    answered = set(db.session.scalars(sa.select(Answer.question_id).distinct().where(
        Answer.question_id.in_([q.id for q in questionnaire.questions]))))
    return render_template("questionnaires/manage/show.html", questionnaire=questionnaire, answered=answered,
                           responses=services.count_responses(questionnaire.id))


def _options(form: QuestionForm, question: Question) -> list:
    lines = {lang: [line.strip() for line in (getattr(form, f"options_{lang}").data or "").splitlines()
                    if line.strip()] for lang in LANGS}
    existing = list(question.options or [])
    used = [int(str(o["value"])[1:]) for o in existing if str(o["value"]).startswith("o")
            and str(o["value"])[1:].isdigit()]
    next_number = max(used, default=0) + 1
    options = []
    for index, label in enumerate(lines["sv"]):
        if index < len(existing):
            value = existing[index]["value"]  # kept: answers already given point to it
        else:
            value, next_number = f"o{next_number}", next_number + 1
        labels = {"sv": label}
        for lang in ("da", "en"):
            if index < len(lines[lang]):
                labels[lang] = lines[lang][index]
        options.append({"value": value, "label": labels})
    return options


def _question_form(questionnaire: Questionnaire, question: Question | None):
    form = QuestionForm()
    creating = question is None
    question = question or Question(text={}, help={}, options=[], scale_min_label={}, scale_max_label={})
    if request.method == "GET" and not creating:
        form.type.data = question.type.value
        for lang in LANGS:
            getattr(form, f"text_{lang}").data = question.text.get(lang, "")
            getattr(form, f"help_{lang}").data = question.help.get(lang, "")
            getattr(form, f"options_{lang}").data = "\n".join(o["label"].get(lang, "") for o in question.options)
        form.required.data, form.allow_other.data = question.required, question.allow_other
        form.scale_max.data, form.page.data = str(question.scale_max), question.page
        form.scale_min_label_sv.data = question.scale_min_label.get("sv", "")
        form.scale_max_label_sv.data = question.scale_max_label.get("sv", "")
    if form.validate_on_submit():
        try:
            if not creating:
                services.change_type(question, QuestionType(form.type.data))
        except services.QuestionnaireError:
            form.type.errors = [*form.type.errors, _("The question has answers, so its type can no longer change. "
                                                     "Hide it and add a new question instead.")]
        else:
            question.type = QuestionType(form.type.data)
            question.text, question.help = _translations(form, "text"), _translations(form, "help")
            question.required, question.allow_other = form.required.data, form.allow_other.data
            question.options = _options(form, question) if question.type.has_options else []
            question.scale_max = int(form.scale_max.data)
            question.scale_min_label = {"sv": _field(form, "scale_min_label_sv")} if _field(
                form, "scale_min_label_sv") else {}
            question.scale_max_label = {"sv": _field(form, "scale_max_label_sv")} if _field(
                form, "scale_max_label_sv") else {}
            question.page = form.page.data
            if creating:
                services.add_question(questionnaire, question)
            audit("question.create" if creating else "question.update", questionnaire, question=question.id)
            db.session.commit()
            flash(_("The question is saved."), "success")
            return redirect(url_for("questionnaires.manage_show", questionnaire_id=questionnaire.id,
                                    _anchor=f"question-{question.id}"))
    return render_template("questionnaires/manage/question.html", form=form, questionnaire=questionnaire,
                           question=None if creating else question), 422 if form.errors else 200


@bp.route("/staff/questionnaires/<int:questionnaire_id>/questions/new", methods=["GET", "POST"])
@staff_required(*EDITORS)
def manage_question_new(questionnaire_id: int):
    return _question_form(_questionnaire(questionnaire_id), None)


@bp.route("/staff/questionnaires/<int:questionnaire_id>/questions/<int:question_id>", methods=["GET", "POST"])
@staff_required(*EDITORS)
def manage_question(questionnaire_id: int, question_id: int):
    questionnaire = _questionnaire(questionnaire_id)
    return _question_form(questionnaire, _question(questionnaire, question_id))


@bp.route("/staff/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/<any(up, down, hide, show, "
          "remove):action>", methods=["POST"])
@staff_required(*EDITORS)
def manage_question_action(questionnaire_id: int, question_id: int, action: str):
    """Move a question, hide it from residents (answers stay), or remove it while it has no answers."""
    questionnaire = _questionnaire(questionnaire_id)
    question = _question(questionnaire, question_id)
    if action in ("up", "down"):
        services.move_question(question, -1 if action == "up" else 1)
    elif action in ("hide", "show"):
        question.hidden = action == "hide"
    else:
        try:
            services.remove_question(question)
        except services.QuestionnaireError:
            flash(_("The question has answers and cannot be removed. Hide it instead."), "error")
            return redirect(url_for("questionnaires.manage_show", questionnaire_id=questionnaire.id))
    audit(f"question.{action}", questionnaire, question=question_id)
    db.session.commit()
    return redirect(url_for("questionnaires.manage_show", questionnaire_id=questionnaire.id,
                            _anchor=f"question-{question_id}" if action != "remove" else "questions"))


@bp.route("/staff/questionnaires/<int:questionnaire_id>/<any(open, close):action>", methods=["POST"])
@staff_required(*EDITORS)
def manage_state(questionnaire_id: int, action: str):
    """Open the questionnaire to residents, or close it."""
    questionnaire = _questionnaire(questionnaire_id)
    try:
        (services.open_questionnaire if action == "open" else services.close_questionnaire)(questionnaire)
    except services.QuestionnaireError:
        flash(_("Add at least one question before opening the questionnaire."), "error")
    else:
        audit(f"questionnaire.{action}", questionnaire)
        db.session.commit()
        flash(_("The questionnaire is open.") if action == "open" else _("The questionnaire is closed."), "success")
    return redirect(url_for("questionnaires.manage_show", questionnaire_id=questionnaire.id))


@bp.route("/staff/questionnaires/<int:questionnaire_id>/copy", methods=["POST"])
@staff_required(*EDITORS)
def manage_copy(questionnaire_id: int):
    """A draft copy with all questions and no answers."""
    source = _questionnaire(questionnaire_id)
    title = {lang: _("Copy of %(title)s", title=text) for lang, text in source.title.items()}
    copy = services.copy_questionnaire(source, services.unique_slug(f"{source.slug}-kopia"), title)
    audit("questionnaire.copy", copy, source=source.id)
    db.session.commit()
    flash(_("This is the copy. Check its settings before opening it."), "success")
    return redirect(url_for("questionnaires.manage_show", questionnaire_id=copy.id))


@bp.route("/staff/questionnaires/<int:questionnaire_id>/preview", methods=["GET", "POST"])
@staff_required(*READERS)
def manage_preview(questionnaire_id: int):
    """The questionnaire as residents see it; answers sent from here are checked but never stored."""
    questionnaire = _questionnaire(questionnaire_id)
    pages = answers_mod.paginate(questionnaire.questions)
    action = url_for("questionnaires.manage_preview", questionnaire_id=questionnaire.id)
    if request.method == "POST":
        visible = [q for page in pages for q in page]
        answers = answers_mod.read(request.form, visible, {loc.id for loc in active_localities()})
        index = min(max(request.form.get("page", type=int) or 0, 0), len(pages) - 1)
        move = request.form.get("move", "submit")
        if move == "back":
            answers.errors.clear()
            index = max(index - 1, 0)
        elif move == "next":
            page_ids = {q.id for q in pages[index]}
            answers.errors = {k: v for k, v in answers.errors.items() if k in page_ids}
            index = index if answers.errors else index + 1
        notice = None if answers.errors or move != "submit" else _("The answers are valid. Nothing was stored.")
        return render_form(questionnaire, pages, index, answers, form_token="", mode="preview", action=action,
                           notice=notice, status=422 if answers.errors else 200)
    return render_form(questionnaire, pages, 0, answers_mod.Answers(), form_token="", mode="preview", action=action)


def _paper_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="paper-answers")


@bp.route("/staff/questionnaires/<int:questionnaire_id>/paper", methods=["GET", "POST"])
@staff_required(*EDITORS)
def manage_paper(questionnaire_id: int):
    """Type in a questionnaire answered on paper; it counts like any other response."""
    questionnaire = _questionnaire(questionnaire_id)
    questions = [q for page in answers_mod.paginate(questionnaire.questions) for q in page]
    action = url_for("questionnaires.manage_paper", questionnaire_id=questionnaire.id)
    if request.method == "POST":
        try:
            key = _paper_serializer().loads(request.form.get("form", ""))
        except BadSignature:
            abort(400)
        answers = answers_mod.read(request.form, questions, {loc.id for loc in active_localities()})
        if answers.errors:
            return render_form(questionnaire, [questions], 0, answers, form_token=request.form["form"], mode="paper",
                               action=action, status=422)
        stored = services.store_response(questionnaire, questions, answers, submission_key=key,
                                         language=questionnaire.languages[0] if questionnaire.languages else "sv",
                                         channel=ResponseChannel.paper, entered_by_id=current_user.id)
        if stored is not None:
            audit("response.paper", questionnaire)
        db.session.commit()
        flash(_("The paper answers are saved. Type in the next one."), "success")
        return redirect(action)
    token = _paper_serializer().dumps(new_submission_key())
    return render_form(questionnaire, [questions], 0, answers_mod.Answers(), form_token=token, mode="paper",
                       action=action)


@bp.route("/staff/questionnaires/<int:questionnaire_id>/results")
@staff_required(*READERS)
def manage_results(questionnaire_id: int):
    """Live count, responses per day, a chart per choice question, and the text answers."""
    questionnaire = _questionnaire(questionnaire_id)
    places = active_localities()
    charts = [(q, results.distribution(q, places)) for q in questionnaire.questions
              if not q.type.is_text]
    text_questions = [q for q in questionnaire.questions if q.type.is_text]
    question_id = parse_id(request.args.get("question"))
    locality_id = parse_id(request.args.get("locality"))
    group = request.args.get("group", "") if request.args.get("group", "") in GROUPS else ""
    search = request.args.get("q", "").strip()[:200]
    page = results.text_answers(questionnaire.id, question_id=question_id, search=search, locality_id=locality_id,
                                group=group, page=page_number(request.args.get("page")))
    return render_template("questionnaires/manage/results.html", questionnaire=questionnaire,
                           total=services.count_responses(questionnaire.id), per_day=results.per_day(questionnaire.id),
                           charts=charts, text_questions=text_questions, page=page, question_id=question_id,
                           locality_id=locality_id, group=group, search=search, places=places, groups=GROUPS)


@bp.route("/staff/questionnaires/<int:questionnaire_id>/responses/<int:response_id>/<any(hide, show):action>",
          methods=["POST"])
@staff_required(*READERS)
def manage_response_visibility(questionnaire_id: int, response_id: int, action: str):
    """Hide a spam response (it stops counting), or show it again; both are audited."""
    questionnaire = _questionnaire(questionnaire_id)
    response = db.session.get(Response, response_id)
    if response is None or response.questionnaire_id != questionnaire.id:
        abort(404)
    services.set_hidden(response, action == "hide")
    audit(f"response.{action}", response)
    db.session.commit()
    flash(_("The response is hidden and no longer counts.") if action == "hide" else _("The response counts again."),
          "success")
    return redirect(request.form.get("next") if (request.form.get("next") or "").startswith("/staff/")
                    else url_for("questionnaires.manage_results", questionnaire_id=questionnaire.id))
