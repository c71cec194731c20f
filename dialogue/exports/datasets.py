"""What can be exported, as Core selects whose every column is already the value the file shows.

Labels (choices, localities, groups, question texts, building blocks) are looked up once in Python and
put into the SQL as CASE expressions, so the database hands back finished values row by row and no ORM
object is ever built per row. Texts are in the municipality's default language: an export is a record
of the municipality's dialogue, and the same file should read the same whoever downloads it.

Every coded value (a channel, a status, a choice...) comes as two columns: the code, which programs and
filters rely on (``channel`` = "web"), and its label in words (``channel_label`` = "Webb"). Numbers
are numeric columns of their own, never text. Times are UTC in ISO 8601 (2026-03-01T09:30:00Z), which
every tool reads without guessing a zone; the XLSX writer turns them into the municipality's wall time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from babel import Locale
from flask import current_app

from dialogue.coding.models import CHANNEL_LABELS, Channel, Coding, Contribution
from dialogue.core.models import Locality
from dialogue.core.respondents import AGE_BANDS, GROUPS
from dialogue.core.templating import REGISTRATION_LABELS
from dialogue.core.time import zone
from dialogue.events.models import NEEDS, SIGNUP_GROUPS, Registration, RegistrationContact, RegistrationStatus
from dialogue.extensions import db
from dialogue.filters import ExportFilters, apply_to_contributions, apply_to_responses
from dialogue.i18n import _, _p, current_locale, tr
from dialogue.questionnaires.answers import OTHER
from dialogue.questionnaires.models import (
    ELSEWHERE,
    RESPONSE_CHANNEL_LABELS,
    Answer,
    Question,
    Questionnaire,
    QuestionType,
    Response,
    ResponseChannel,
)
from dialogue.vision.models import NODE_LABELS, NodeKind, Vision, VisionNode

#: Table Schema types a column may have; "integer" and "number" stay numeric in every format
TYPES = ("string", "integer", "number", "datetime")
#: what joins the values of a multiple choice, the needs of a sign-up, the codes of a contribution
JOIN = "; "


@dataclass
class Labelled:
    """A value shown as its label: kept apart so that the CSV writer can put in finished cells."""

    key: sa.ColumnElement
    labels: dict
    keep_unknown: bool = True

    def sql(self) -> sa.ColumnElement:
        if not self.labels:
            return self.text_key() if self.keep_unknown else sa.null()
        return self.pick({k: str(v) for k, v in self.labels.items()},
                         self.text_key() if self.keep_unknown else None)

    def pick(self, values: dict, otherwise) -> sa.ColumnElement:
        """CASE key WHEN k THEN values[k] ... ELSE otherwise END."""
        # whole-number keys compare as numbers; others (JSON values, enums) as text
        numeric = all(isinstance(k, int) for k in values)
        key = self.key if numeric else self.text_key()
        return sa.case({(k if numeric else str(k)): v for k, v in values.items()}, value=key, else_=otherwise)

    def text_key(self) -> sa.ColumnElement:
        return sa.cast(self.key, sa.String)


@dataclass
class Column:
    """One column: its machine *name* (unique in the dataset), a *title* for people, and what a data
    package's Table Schema says of it (type and constraints that every row meets)."""

    name: str
    title: str
    description: str
    type: str
    expr: sa.ColumnElement | Labelled
    labelled: Labelled | None = None
    #: set when *expr* is the text of this JSON column: lets the CSV writer look at it undecoded
    json_raw: sa.ColumnElement | None = None
    required: bool = False
    enum: list | None = None
    minimum: int | None = None
    maximum: int | None = None

    def __post_init__(self) -> None:
        assert self.type in TYPES, self.type
        if isinstance(self.expr, Labelled):
            self.labelled, self.expr = self.expr, self.expr.sql()


@dataclass
class Dataset:
    #: a file name without extension, e.g. "responses-wide-samtal-2026"
    name: str
    title: str
    columns: list[Column]
    #: FROM, WHERE, GROUP BY and ORDER BY, without the columns
    query: sa.Select
    #: the names of the columns that tell rows apart
    primary_key: list[str] = field(default_factory=list)
    #: the municipality's time zone (an IANA name), in which spreadsheets show times
    zone: str = "UTC"
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        assert len(set(names)) == len(names), names
        assert set(self.primary_key) <= set(names), self.primary_key

    def select(self) -> sa.Select:
        return self.query.with_only_columns(*(c.expr.label(c.name) for c in self.columns), maintain_column_froms=False)

    def titles(self, zone: str = "UTC") -> list[str]:
        """The columns' titles, each time with the zone it is given in, e.g. "Sent (UTC)".

        A question's text may repeat another column's title (a question called "Channel"), or two
        questions may read the same: the later column gets " (2)", " (3)"..., so that every title is
        unique (compared as spreadsheets do, ignoring case) and the same in every file.
        """
        seen: set[str] = set()
        titles = []
        for column in self.columns:
            title = f"{column.title} ({zone})" if column.type == "datetime" else column.title
            candidate, number = title, 1
            while candidate.casefold() in seen:
                number += 1
                candidate = f"{title} ({number})"
            seen.add(candidate.casefold())
            titles.append(candidate)
        return titles


def _sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def json_text(column) -> sa.ColumnElement:
    """A JSON scalar (string or number) as text."""
    if _sqlite():
        return sa.func.json_extract(column, "$")
    return column.op("#>>")(sa.literal_column("'{}'"))


def json_items(column):
    """The values of a JSON array, as a table with one text column, *value*."""
    if _sqlite():
        return sa.func.json_each(column).table_valued("value")
    return sa.func.json_array_elements_text(column).table_valued("value")


def utc_text(column) -> sa.ColumnElement:
    if _sqlite():
        return sa.func.strftime("%Y-%m-%dT%H:%M:%SZ", column)
    return sa.func.to_char(sa.func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')


def labelled(expr, labels: dict, keep_unknown: bool = True) -> Labelled:
    """*expr* shown as its label; unknown values stay as they are (or become empty).

    The labels are turned into text now, while the export's language is in force."""
    return Labelled(expr, {k: str(v) for k, v in labels.items()}, keep_unknown)


def joined(strings: sa.ColumnElement) -> sa.ColumnElement:
    return sa.func.aggregate_strings(strings, JOIN)


def coded(name: str, title: str, description: str, code: sa.ColumnElement, labels: dict | Labelled | None = None,
          *, label: sa.ColumnElement | None = None, required: bool = False, enum: list | None = None) -> list[Column]:
    """A coded value as two columns: *name*, the code, and *name*_label, its label (from *labels*, or the
    expression *label*)."""
    return [
        Column(name, _("%(title)s (code)", title=title), description, "string", code, required=required, enum=enum),
        Column(f"{name}_label", title, _("The label of %(name)s in the municipality's language", name=name),
               "string", label if label is not None else labelled(code, labels), required=required),
    ]


def _locality_labels() -> dict:
    labels = {loc_id: name for loc_id, name in db.session.execute(sa.select(Locality.id, Locality.name))}
    labels[ELSEWHERE] = _("Outside the municipality")
    return labels


def _language_labels() -> dict:
    """The languages' names in the export's language, as Babel's locale data gives them."""
    names = Locale.parse(current_locale()).languages
    return {code: names.get(code, code) for code in current_app.config["LANGUAGES"]}


def _enum(kind) -> list[str]:
    return [member.value for member in kind]


def _choice_labels(question: Question, localities: dict) -> dict:
    if question.type == QuestionType.locality:
        return localities
    if question.type == QuestionType.age_band:
        return AGE_BANDS
    if question.type == QuestionType.group:
        return GROUPS
    labels = {o["value"]: tr(o.get("label")) for o in question.options}
    if question.allow_other:
        labels.setdefault(OTHER, _("Other"))
    return labels


@dataclass
class _AnswerValue:
    """An answer to one question as the code (or text), the label and the number columns see it."""

    code: sa.ColumnElement | None = None
    label: sa.ColumnElement | None = None
    number: sa.ColumnElement | None = None


def _answer_value(question: Question, value, localities: dict) -> _AnswerValue:
    text = json_text(value)
    if question.type == QuestionType.scale:
        return _AnswerValue(number=sa.cast(text, sa.Integer))
    if question.type.is_text:
        return _AnswerValue(code=text)
    labels = _choice_labels(question, localities)
    if question.type == QuestionType.multiple_choice:
        items = json_items(value)
        return _AnswerValue(code=sa.select(joined(items.c.value)).scalar_subquery(),
                            label=sa.select(joined(labelled(items.c.value, labels).sql())).scalar_subquery())
    return _AnswerValue(code=text, label=labelled(text, labels).sql())


def _scale_bounds(questions: list[Question]) -> dict[int, tuple[int, int]]:
    """Each scale question's lowest and highest possible answer: 1 to its top, widened to any answer
    stored outside them (a 1–7 scale may have been shortened to 1–5 after residents answered it)."""
    scales = [q for q in questions if q.type == QuestionType.scale]
    if not scales:
        return {}
    number = sa.cast(json_text(Answer.value), sa.Integer)
    stored = {qid: (low, high) for qid, low, high in db.session.execute(
        sa.select(Answer.question_id, sa.func.min(number), sa.func.max(number))
        .where(Answer.question_id.in_([q.id for q in scales])).group_by(Answer.question_id))}
    bounds = {}
    for question in scales:
        low, high = stored.get(question.id, (None, None))
        bounds[question.id] = (min(1, low if low is not None else 1),
                               max(question.scale_max, high if high is not None else question.scale_max))
    return bounds


def _response_columns() -> list[Column]:
    localities = _locality_labels()
    locality = sa.func.coalesce(sa.cast(Response.locality_id, sa.String), sa.func.nullif(Response.locality_other, ""))
    locality_label = sa.func.coalesce(labelled(Response.locality_id, localities, keep_unknown=False).sql(),
                                      labelled(sa.func.nullif(Response.locality_other, ""), localities).sql())
    return [
        Column("response_id", _("Response ID"), _("The response's number"), "integer", Response.id, required=True),
        Column("submitted_at", _("Sent"), _("When the response was sent"), "datetime",
               utc_text(Response.submitted_at), required=True),
        *coded("channel", _("Channel"), _("web or paper"), sa.cast(Response.channel, sa.String),
               RESPONSE_CHANNEL_LABELS, required=True, enum=_enum(ResponseChannel)),
        *coded("language", _("Language"), _("The language the questionnaire was answered in (sv, da, en)"),
               sa.func.nullif(Response.language, ""), _language_labels()),
        *coded("locality", _("Locality"), _("Where the resident lives: the locality's number, or elsewhere"),
               locality, label=locality_label),
        *coded("respondent_group", _("Respondent group"), _("Who the resident answered as"),
               sa.func.nullif(Response.respondent_group, ""), GROUPS),
        *coded("age_band", _("Age"), _("The resident's age band"), sa.func.nullif(Response.age_band, ""), AGE_BANDS),
    ]


def _responses_base(questionnaire: Questionnaire, filters: ExportFilters) -> sa.Select:
    query = sa.select(Response.id).where(Response.questionnaire_id == questionnaire.id, Response.hidden.is_(False))
    return apply_to_responses(query, filters)


def responses_wide(questionnaire: Questionnaire, filters: ExportFilters) -> Dataset:
    """One row per response, one column per question (two for a choice: its code and its label).

    The pivot is one GROUP BY over the responses in id order, each answer joined through the
    (response, question) index, so rows leave the database one response at a time.
    """
    localities = _locality_labels()
    bounds = _scale_bounds(questionnaire.questions)
    columns = _response_columns()

    for number, question in enumerate(questionnaire.questions, start=1):
        answer = _answer_value(question, Answer.value, localities)

        def pick(value: sa.ColumnElement, question_id: int = question.id) -> sa.ColumnElement:
            return sa.func.max(sa.case((Answer.question_id == question_id, value)))

        text = tr(question.text)
        about = _("Question %(number)s (%(type)s)", number=number, type=question.type.label)
        name = f"q{question.id}"
        if answer.number is not None:
            low, high = bounds[question.id]
            columns.append(Column(name, text, about, "integer", pick(answer.number), minimum=low, maximum=high))
        elif answer.label is None:
            columns.append(Column(name, text, about, "string", pick(answer.code)))
        else:
            columns += coded(name, text, about, pick(answer.code), label=pick(answer.label))
        if question.allow_other:
            columns.append(Column(f"{name}_other", _("%(question)s: other", question=text),
                                  _("The text written after “Other”"), "string",
                                  pick(sa.func.nullif(Answer.other_text, ""))))
    query = (_responses_base(questionnaire, filters)
             .outerjoin(Answer, Answer.response_id == Response.id)
             .group_by(Response.id).order_by(Response.id))
    return Dataset(f"responses-wide-{questionnaire.slug}", _("Responses, one row per response"), columns, query,
                   primary_key=["response_id"], zone=zone().key)


def responses_long(questionnaire: Questionnaire, filters: ExportFilters) -> Dataset:
    """One row per answer, in the order of responses and questions.

    An answer has three columns, since one column cannot hold both text and numbers: *answer* (the text
    written, or the chosen codes), *answer_label* (the chosen labels) and *answer_number* (a scale's
    number). Each is one CASE over the question id, in which the text questions (most of them, as a
    rule) share the ELSE.
    """
    localities = _locality_labels()
    questions = questionnaire.questions
    bounds = _scale_bounds(questions)
    numbers = {q.id: n for n, q in enumerate(questions, start=1)}
    texts = {q.id: tr(q.text) for q in questions}
    values = {q.id: _answer_value(q, Answer.value, localities) for q in questions}
    text = json_text(Answer.value)
    # a text's or a single choice's code is its JSON text (the ELSE); a multiple choice's codes are joined
    scale_ids = [q.id for q in questions if q.type == QuestionType.scale]
    code_whens = [(Answer.question_id == q.id, values[q.id].code) for q in questions
                  if q.type == QuestionType.multiple_choice]
    if scale_ids:
        code_whens.append((Answer.question_id.in_(scale_ids), sa.null()))
    json_raw = None
    if code_whens:
        answer = sa.case(*code_whens, else_=text)
    else:
        answer, json_raw = text, Answer.value
    label_whens = [(Answer.question_id == qid, v.label) for qid, v in values.items() if v.label is not None]
    columns = _response_columns()[:2] + [
        Column("question_id", _("Question ID"), _("The question's number; the wide layout's column q<number>"),
               "integer", Answer.question_id, required=True),
        Column("question_number", _("Question number"), _("The question's place in the questionnaire"), "integer",
               sa.case(numbers, value=Answer.question_id) if numbers else sa.null()),
        Column("question", _("Question"), _("The question's text"), "string",
               labelled(Answer.question_id, texts) if texts else sa.null()),
        Column("answer", _("Answer"), _("The text written, or the chosen codes joined with “; ”"), "string",
               answer, json_raw=json_raw),
        Column("answer_label", _("Answer (label)"), _("The chosen labels, joined with “; ”"), "string",
               sa.case(*label_whens) if label_whens else sa.null()),
        Column("answer_number", _("Answer (number)"), _("A scale's answer"), "integer",
               sa.case((Answer.question_id.in_(scale_ids), sa.cast(text, sa.Integer))) if scale_ids else sa.null(),
               minimum=min((b[0] for b in bounds.values()), default=None),
               maximum=max((b[1] for b in bounds.values()), default=None)),
        Column("other", _("Other"), _("The text written after “Other”"), "string",
               sa.func.nullif(Answer.other_text, "")),
    ]
    query = (_responses_base(questionnaire, filters).join(Answer, Answer.response_id == Response.id)
             .order_by(Answer.response_id, Answer.question_id))
    return Dataset(f"responses-long-{questionnaire.slug}", _("Responses, one row per answer"), columns, query,
                   primary_key=["response_id", "question_id"], zone=zone().key)

def _node_titles() -> dict:
    return {node_id: tr(title) for node_id, title in db.session.execute(sa.select(VisionNode.id, VisionNode.title))}


def contributions(filters: ExportFilters) -> Dataset:
    """Contributions from every channel with the building blocks they are coded to."""
    localities = _locality_labels()
    current = (Coding.contribution_id == Contribution.id, Coding.removed_at.is_(None))
    columns = [
        Column("contribution_id", _("Contribution ID"), _("The contribution's number"), "integer", Contribution.id,
               required=True),
        Column("created_at", _("Received"), _("When it was received"), "datetime", utc_text(Contribution.created_at),
               required=True),
        *coded("channel", _("Channel"), _("Where it was said or written"), sa.cast(Contribution.channel, sa.String),
               {k.value: v for k, v in CHANNEL_LABELS.items()}, required=True, enum=_enum(Channel)),
        Column("questionnaire_id", _("Questionnaire"), _("The questionnaire it answers, if any"), "integer",
               Contribution.questionnaire_id),
        Column("event_id", _("Event"), _("The meeting it was said at, if any"), "integer", Contribution.event_id),
        *coded("locality", _("Locality"), _("Where the resident lives: the locality's number"),
               sa.cast(Contribution.locality_id, sa.String), localities),
        *coded("respondent_group", _("Respondent group"), _("Who the resident answered as"),
               sa.func.nullif(Contribution.respondent_group, ""), GROUPS),
        *coded("language", _("Language"), _("The language it was written in (sv, da, en)"),
               sa.func.nullif(Contribution.language, ""), _language_labels()),
        Column("text", _("Text"), _("What the resident said or wrote"), "string", Contribution.text),
        *coded("building_blocks", _("Building blocks"),
               _("The numbers of the building blocks it is coded to (the codebook's node_id), joined with “; ”"),
               sa.select(joined(sa.cast(Coding.node_id, sa.String))).where(*current).scalar_subquery(),
               label=sa.select(joined(labelled(Coding.node_id, _node_titles()).sql())).where(*current)
               .scalar_subquery()),
    ]
    query = apply_to_contributions(sa.select(Contribution.id).where(Contribution.hidden.is_(False)), filters)
    return Dataset("contributions", _("Contributions with their codes"), columns, query.order_by(Contribution.id),
                   primary_key=["contribution_id"], zone=zone().key)


def signups(event, filters: ExportFilters, personal: bool, addresses: bool = False) -> Dataset:
    """An event's sign-ups. With *personal* (for those who run events) names, needs and notes too; with
    *addresses* (an admin who asked for them) the e-mail addresses as well."""
    columns = [
        Column("registration_id", _("Sign-up ID"), _("The sign-up's number"), "integer", Registration.id,
               required=True),
        *coded("group", _("Group"), _("The group signed up as"), Registration.group, SIGNUP_GROUPS),
        *coded("status", _("Status"), _("confirmed, waitlisted, cancelled or attended"),
               sa.cast(Registration.status, sa.String), REGISTRATION_LABELS, required=True,
               enum=_enum(RegistrationStatus)),
        Column("created_at", _("Signed up"), _("When they signed up"), "datetime", utc_text(Registration.created_at),
               required=True),
        Column("checked_in_at", _("Checked in"), _("When they were checked in at the event"), "datetime",
               utc_text(Registration.checked_in_at)),
    ]
    if personal:
        needs = json_items(Registration.needs)
        columns[1:1] = [Column("name", _("Name"), _("Personal data"), "string", RegistrationContact.name)]
        columns += [
            *coded("needs", _("Needs"), _("What the person needs, joined with “; ”"),
                   sa.select(joined(needs.c.value)).scalar_subquery(),
                   label=sa.select(joined(labelled(needs.c.value, NEEDS).sql())).scalar_subquery()),
            Column("needs_note", _("Note"), _("Personal data: anything else the person wrote"), "string",
                   sa.func.nullif(RegistrationContact.needs_note, "")),
        ]
    if addresses:
        columns.insert(2, Column("email", _("E-mail address"), _("Personal data"), "string",
                                 sa.func.nullif(RegistrationContact.email, "")))
    query = sa.select(Registration.id).outerjoin(RegistrationContact).where(Registration.event_id == event.id)
    start, end = filters.bounds()
    if start is not None:
        query = query.where(Registration.created_at >= start)
    if end is not None:
        query = query.where(Registration.created_at < end)
    return Dataset(f"sign-ups-{event.id}", _("Sign-ups for %(event)s", event=tr(event.title)), columns,
                   query.order_by(Registration.id), primary_key=["registration_id"], zone=zone().key)


def codebook(vision: Vision) -> Dataset:
    """The vision's nodes, each with its parent, for coding in other tools."""
    titles = {node.id: tr(node.title) for node in vision.nodes}
    texts = {node.id: tr(node.text) for node in vision.nodes if tr(node.text)}
    coded_to = (sa.select(sa.func.count(sa.distinct(Coding.contribution_id)))
                .where(Coding.node_id == VisionNode.id, Coding.removed_at.is_(None)).scalar_subquery())
    columns = [
        Column("node_id", _p("identifier", "Number"), _("The node's number; contributions' building_blocks refer "
                                                          "to it"), "integer", VisionNode.id, required=True),
        Column("parent_id", _("Parent"), _("The number of the node above it"), "integer", VisionNode.parent_id),
        *coded("kind", _("Kind"), _("vision, value, aim, goal, building block, ..."),
               sa.cast(VisionNode.kind, sa.String), {k.value: v for k, v in NODE_LABELS.items()}, required=True,
               enum=_enum(NodeKind)),
        Column("title", _("Title"), _("The node's title"), "string", labelled(VisionNode.id, titles)),
        Column("text", _("Text"), _("The node's description"), "string", labelled(VisionNode.id, texts, False)),
        Column("archived", _("Archived"), _("1 when the node has left the tree"), "integer",
               sa.cast(VisionNode.archived, sa.Integer), required=True, minimum=0, maximum=1),
        Column("contributions", _("Contributions"), _("How many contributions are coded to it"), "integer", coded_to,
               required=True, minimum=0),
    ]
    query = sa.select(VisionNode.id).where(VisionNode.vision_id == vision.id).order_by(
        VisionNode.parent_id.is_not(None), VisionNode.parent_id, VisionNode.position, VisionNode.id)
    return Dataset(f"codebook-{vision.slug}", _("Codebook of %(vision)s", vision=tr(vision.name)), columns, query,
                   primary_key=["node_id"], zone=zone().key)
