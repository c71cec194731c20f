"""What can be exported, as Core selects whose every column is already the value the file shows.

Labels (choices, localities, groups, question texts, building blocks) are looked up once in Python and
put into the SQL as CASE expressions, so the database hands back finished values row by row and no ORM
object is ever built per row. Texts are in the municipality's default language: an export is a record
of the municipality's dialogue, and the same file should read the same whoever downloads it.
Times are UTC in ISO 8601 (e.g. 2026-03-01T09:30:00Z), which every tool reads without guessing a zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from dialogue.coding.models import CHANNEL_LABELS, Coding, Contribution
from dialogue.core.models import Locality
from dialogue.core.respondents import AGE_BANDS, GROUPS
from dialogue.events.models import NEEDS, SIGNUP_GROUPS, Registration, RegistrationContact
from dialogue.extensions import db
from dialogue.filters import ExportFilters, apply_to_contributions, apply_to_responses
from dialogue.i18n import _, _p, tr
from dialogue.questionnaires.models import ELSEWHERE, Answer, Question, Questionnaire, QuestionType, Response
from dialogue.vision.models import NODE_LABELS, Vision, VisionNode

#: Table Schema types a column may have; "integer" and "number" stay numeric in every format
TYPES = ("string", "integer", "number", "datetime")


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
    name: str
    title: str
    description: str
    type: str
    expr: sa.ColumnElement | Labelled
    labelled: Labelled | None = None
    #: set when *expr* is the text of this JSON column: lets the CSV writer look at it undecoded
    json_raw: sa.ColumnElement | None = None

    def __post_init__(self) -> None:
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
    meta: dict = field(default_factory=dict)

    def select(self) -> sa.Select:
        return self.query.with_only_columns(*(c.expr.label(c.name) for c in self.columns), maintain_column_froms=False)


def _sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def json_text(column) -> sa.ColumnElement:
    """A JSON scalar (string or number) as text."""
    if _sqlite():
        return sa.func.json_extract(column, "$")
    return column.op("#>>")(sa.literal_column("'{}'"))


def utc_text(column) -> sa.ColumnElement:
    if _sqlite():
        return sa.func.strftime("%Y-%m-%dT%H:%M:%SZ", column)
    return sa.func.to_char(sa.func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')


def labelled(expr, labels: dict, keep_unknown: bool = True) -> Labelled:
    """*expr* shown as its label; unknown values stay as they are (or become empty).

    The labels are turned into text now, while the export's language is in force."""
    return Labelled(expr, {k: str(v) for k, v in labels.items()}, keep_unknown)


def joined(strings: sa.ColumnElement) -> sa.ColumnElement:
    return sa.func.aggregate_strings(strings, "; ")


def _locality_labels() -> dict:
    labels = {loc_id: name for loc_id, name in db.session.execute(sa.select(Locality.id, Locality.name))}
    labels[ELSEWHERE] = _("Outside the municipality")
    return labels


def _answer_value(question: Question, value, localities: dict) -> tuple[str, sa.ColumnElement]:
    """The type and the readable value of an answer to *question*."""
    text = json_text(value)
    if question.type == QuestionType.scale:
        return "integer", sa.cast(text, sa.Integer)
    if question.type == QuestionType.locality:
        return "string", labelled(text, localities).sql()
    if question.type == QuestionType.age_band:
        return "string", labelled(text, AGE_BANDS).sql()
    if question.type == QuestionType.group:
        return "string", labelled(text, GROUPS).sql()
    if question.type.has_options:
        labels = {o["value"]: tr(o.get("label")) for o in question.options}
        if question.type == QuestionType.single_choice:
            return "string", labelled(text, labels).sql()
        if _sqlite():
            items = sa.func.json_each(value).table_valued("value")
        else:
            items = sa.func.json_array_elements_text(value).table_valued("value")
        return "string", sa.select(joined(labelled(items.c.value, labels).sql())).scalar_subquery()
    return "string", text


def _response_columns() -> list[Column]:
    localities = _locality_labels()
    return [
        Column("response_id", _("Response"), _("The response's number"), "integer", Response.id),
        Column("submitted_at", _("Sent"), _("When the response was sent, UTC"), "datetime",
               utc_text(Response.submitted_at)),
        Column("channel", _("Channel"), _("web or paper"), "string", sa.cast(Response.channel, sa.String)),
        Column("language", _("Language"), _("The language the questionnaire was answered in"), "string",
               Response.language),
        Column("locality", _("Locality"), _("Where the resident lives"), "string",
               sa.func.coalesce(labelled(Response.locality_id, localities, keep_unknown=False).sql(),
                                labelled(sa.func.nullif(Response.locality_other, ""), localities).sql())),
        Column("respondent_group", _("Respondent group"), _("Who the resident answered as"), "string",
               labelled(sa.func.nullif(Response.respondent_group, ""), GROUPS)),
        Column("age_band", _("Age"), _("The resident's age band"), "string",
               labelled(sa.func.nullif(Response.age_band, ""), AGE_BANDS)),
    ]


def _responses_base(questionnaire: Questionnaire, filters: ExportFilters) -> sa.Select:
    query = sa.select(Response.id).where(Response.questionnaire_id == questionnaire.id, Response.hidden.is_(False))
    return apply_to_responses(query, filters)


def responses_wide(questionnaire: Questionnaire, filters: ExportFilters) -> Dataset:
    """One row per response, one column per question.

    The pivot is one GROUP BY over the responses in id order, each answer joined through the
    (response, question) index, so rows leave the database one response at a time.
    """
    localities = _locality_labels()
    columns = _response_columns()
    for number, question in enumerate(questionnaire.questions, start=1):
        kind, value = _answer_value(question, Answer.value, localities)
        pick = sa.func.max(sa.case((Answer.question_id == question.id, value)))
        columns.append(Column(f"q{question.id}", tr(question.text), _("Question %(number)s (%(type)s)",
                              number=number, type=question.type.label), kind, pick))
        if question.allow_other:
            columns.append(Column(f"q{question.id}_other", _("%(question)s: other", question=tr(question.text)),
                                  _("The text written after “Other”"), "string",
                                  sa.func.max(sa.case((Answer.question_id == question.id,
                                                       sa.func.nullif(Answer.other_text, ""))))))
    query = (_responses_base(questionnaire, filters)
             .outerjoin(Answer, Answer.response_id == Response.id)
             .group_by(Response.id).order_by(Response.id))
    return Dataset(f"responses-wide-{questionnaire.slug}", _("Responses, one row per response"), columns, query)


def responses_long(questionnaire: Questionnaire, filters: ExportFilters) -> Dataset:
    """One row per answer, in the order of responses and questions."""
    localities = _locality_labels()
    numbers = {q.id: n for n, q in enumerate(questionnaire.questions, start=1)}
    texts = {q.id: tr(q.text) for q in questionnaire.questions}
    # Each answer's value by its question's type: one CASE over the question id, in which the text
    # questions (most of them, as a rule) share one branch.
    text_ids, whens = [], []
    for question in questionnaire.questions:
        kind, value = _answer_value(question, Answer.value, localities)
        if question.type.is_text:
            text_ids.append(question.id)
        else:
            whens.append((Answer.question_id == question.id, value if kind == "string" else sa.cast(value, sa.String)))
    json_raw = None
    if text_ids and not whens:
        value, json_raw = json_text(Answer.value), Answer.value
    else:
        if text_ids:
            whens.insert(0, (Answer.question_id.in_(text_ids), json_text(Answer.value)))
        value = sa.case(*whens) if whens else sa.null()
    columns = _response_columns()[:2] + [
        Column("question_number", _("Question number"), _("The question's place in the questionnaire"), "integer",
               sa.case(numbers, value=Answer.question_id) if numbers else sa.null()),
        Column("question", _("Question"), _("The question's text"), "string",
               labelled(Answer.question_id, texts) if texts else sa.null()),
        Column("answer", _("Answer"), _("The answer; choices as their labels, several joined with “; ”"),
               "string", value, json_raw=json_raw),
        Column("other", _("Other"), _("The text written after “Other”"), "string",
               sa.func.nullif(Answer.other_text, "")),
    ]
    query = (_responses_base(questionnaire, filters).join(Answer, Answer.response_id == Response.id)
             .order_by(Answer.response_id, Answer.question_id))
    return Dataset(f"responses-long-{questionnaire.slug}", _("Responses, one row per answer"), columns, query)


def _node_titles() -> dict:
    return {node_id: tr(title) for node_id, title in db.session.execute(sa.select(VisionNode.id, VisionNode.title))}


def contributions(filters: ExportFilters) -> Dataset:
    """Contributions from every channel with the building blocks they are coded to."""
    localities = _locality_labels()
    codes = (sa.select(joined(labelled(Coding.node_id, _node_titles()).sql()))
             .where(Coding.contribution_id == Contribution.id, Coding.removed_at.is_(None)).scalar_subquery())
    code_ids = (sa.select(joined(sa.cast(Coding.node_id, sa.String)))
                .where(Coding.contribution_id == Contribution.id, Coding.removed_at.is_(None)).scalar_subquery())
    columns = [
        Column("contribution_id", _("Contribution"), _("The contribution's number"), "integer", Contribution.id),
        Column("created_at", _("Received"), _("When it was received, UTC"), "datetime",
               utc_text(Contribution.created_at)),
        Column("channel", _("Channel"), _("Where it was said or written"), "string",
               labelled(Contribution.channel, {k.value: v for k, v in CHANNEL_LABELS.items()})),
        Column("questionnaire_id", _("Questionnaire"), _("The questionnaire it answers, if any"), "integer",
               Contribution.questionnaire_id),
        Column("event_id", _("Event"), _("The meeting it was said at, if any"), "integer", Contribution.event_id),
        Column("locality", _("Locality"), _("Where the resident lives"), "string",
               labelled(Contribution.locality_id, localities, keep_unknown=False)),
        Column("respondent_group", _("Respondent group"), _("Who the resident answered as"), "string",
               labelled(sa.func.nullif(Contribution.respondent_group, ""), GROUPS)),
        Column("language", _("Language"), _("The language it was written in"), "string", Contribution.language),
        Column("text", _("Text"), _("What the resident said or wrote"), "string", Contribution.text),
        Column("codes", _("Building blocks"), _("The building blocks it is coded to, joined with “; ”"), "string",
               codes),
        Column("code_ids", _("Building block numbers"), _("The numbers of those building blocks"), "string",
               code_ids),
    ]
    query = apply_to_contributions(sa.select(Contribution.id).where(Contribution.hidden.is_(False)), filters)
    return Dataset("contributions", _("Contributions with their codes"), columns, query.order_by(Contribution.id))


def signups(event, filters: ExportFilters, personal: bool, addresses: bool = False) -> Dataset:
    """An event's sign-ups. With *personal* (for those who run events) names, needs and notes too; with
    *addresses* (an admin who asked for them) the e-mail addresses as well."""
    columns = [
        Column("registration_id", _p("identifier", "Number"), _("The sign-up's number"), "integer", Registration.id),
        Column("group", _("Group"), _("The group signed up as"), "string", labelled(Registration.group, SIGNUP_GROUPS)),
        Column("status", _("Status"), _("confirmed, waitlisted, cancelled or attended"), "string",
               sa.cast(Registration.status, sa.String)),
        Column("created_at", _("Signed up"), _("When, UTC"), "datetime", utc_text(Registration.created_at)),
        Column("checked_in_at", _("Checked in"), _("When, UTC"), "datetime", utc_text(Registration.checked_in_at)),
    ]
    if personal:
        if _sqlite():
            needs = sa.func.json_each(Registration.needs).table_valued("value")
        else:
            needs = sa.func.json_array_elements_text(Registration.needs).table_valued("value")
        columns[1:1] = [Column("name", _("Name"), _("Personal data"), "string", RegistrationContact.name)]
        columns += [
            Column("needs", _("Needs"), _("What the person needs, joined with “; ”"), "string",
                   sa.select(joined(labelled(needs.c.value, NEEDS).sql())).scalar_subquery()),
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
                   query.order_by(Registration.id))


def codebook(vision: Vision) -> Dataset:
    """The vision's nodes, each with its parent, for coding in other tools."""
    titles = {node.id: tr(node.title) for node in vision.nodes}
    texts = {node.id: tr(node.text) for node in vision.nodes if tr(node.text)}
    coded = (sa.select(sa.func.count(sa.distinct(Coding.contribution_id)))
             .where(Coding.node_id == VisionNode.id, Coding.removed_at.is_(None)).scalar_subquery())
    columns = [
        Column("node_id", _p("identifier", "Number"), _("The node's number; contributions' code_ids refer to it"),
               "integer", VisionNode.id),
        Column("parent_id", _("Parent"), _("The number of the node above it"), "integer", VisionNode.parent_id),
        Column("kind", _("Kind"), _("vision, value, aim, goal, building block, ..."), "string",
               labelled(VisionNode.kind, {k.value: v for k, v in NODE_LABELS.items()})),
        Column("title", _("Title"), _("The node's title"), "string", labelled(VisionNode.id, titles)),
        Column("text", _("Text"), _("The node's description"), "string", labelled(VisionNode.id, texts, False)),
        Column("archived", _("Archived"), _("1 when the node has left the tree"), "integer",
               sa.cast(VisionNode.archived, sa.Integer)),
        Column("contributions", _("Contributions"), _("How many contributions are coded to it"), "integer", coded),
    ]
    query = sa.select(VisionNode.id).where(VisionNode.vision_id == vision.id).order_by(
        VisionNode.parent_id.is_not(None), VisionNode.parent_id, VisionNode.position, VisionNode.id)
    return Dataset(f"codebook-{vision.slug}", _("Codebook of %(vision)s", vision=tr(vision.name)), columns, query)
