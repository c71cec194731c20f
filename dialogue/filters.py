"""The filters every export and the read API understand, parsed once and applied to Core selects.

Its own module above the features, since exports and the API read the same rows the same way but
neither imports the other.

Dates are the municipality's local dates: "from 1 March" means from local midnight on 1 March, and
"to 31 March" includes the whole of that local day. Both become UTC moments before they reach SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from dialogue.coding.models import Channel, Coding, Contribution
from dialogue.core.forms import outside_calendar
from dialogue.core.ids import parse_id
from dialogue.core.models import Locality
from dialogue.core.respondents import GROUPS
from dialogue.core.time import from_local, in_calendar
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.questionnaires.models import Answer, Questionnaire, Response, ResponseChannel
from dialogue.vision.models import VisionNode

CODING_STATES = ("coded", "uncoded")
#: a response's channel is web or paper; a contribution's is one of Channel. "web" and
#: "questionnaire" name the same thing, so either may be given for either kind of row.
CHANNELS = tuple(c.value for c in Channel) + (ResponseChannel.web.value,)


@dataclass(frozen=True)
class ExportFilters:
    questionnaire_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    locality_id: int | None = None
    group: str = ""
    channel: str = ""
    node_id: int | None = None
    coding_state: str = ""

    @classmethod
    def from_args(cls, args: Mapping) -> tuple[ExportFilters, dict[str, str]]:
        """Filters from request args or CLI options, and the errors by field name (empty when fine).

        The questionnaire may be given by id or by its address (slug).
        """
        errors: dict[str, str] = {}

        def text(name: str) -> str:
            value = args.get(name)
            return str(value).strip() if value is not None else ""

        def day(name: str) -> date | None:
            value = text(name)
            if not value:
                return None
            try:
                typed = date.fromisoformat(value)
            except ValueError:
                errors[name] = _("Give the date as YYYY-MM-DD, e.g. 2026-03-31.")
                return None
            if not in_calendar(typed):
                errors[name] = outside_calendar()
                return None
            return typed

        def whole(name: str) -> int | None:
            value = text(name)
            if not value:
                return None
            number = parse_id(value)
            if number is None:
                errors[name] = _("Choose a value from the list.")
            return number

        questionnaire_id = None
        if value := text("questionnaire"):
            number = parse_id(value)
            questionnaire_id = db.session.scalar(sa.select(Questionnaire.id).where(
                Questionnaire.id == number if number else Questionnaire.slug == value))
            if questionnaire_id is None:
                errors["questionnaire"] = _("There is no questionnaire %(name)s.", name=value)

        date_from, date_to = day("date_from"), day("date_to")
        if date_from and date_to and date_from > date_to:
            errors["date_to"] = _("The end date comes before the start date.")

        locality_id = whole("locality")
        if locality_id is not None and db.session.get(Locality, locality_id) is None:
            errors["locality"] = _("There is no such locality.")

        node_id = whole("node")
        if node_id is not None and db.session.get(VisionNode, node_id) is None:
            errors["node"] = _("There is no such building block.")

        group = text("group")
        if group and group not in GROUPS:
            errors["group"] = _("There is no such respondent group.")
        channel = text("channel")
        if channel and channel not in CHANNELS:
            errors["channel"] = _("There is no such channel.")
        coding_state = text("coding_state")
        if coding_state and coding_state not in CODING_STATES:
            errors["coding_state"] = _("Choose coded, not coded or either.")

        filters = cls(questionnaire_id=questionnaire_id, date_from=date_from, date_to=date_to,
                      locality_id=locality_id, group=group, channel=channel, node_id=node_id,
                      coding_state=coding_state)
        return filters, errors

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """The local date range as UTC moments: [start, end)."""
        start = from_local(datetime.combine(self.date_from, time())) if self.date_from else None
        end = from_local(datetime.combine(self.date_to + timedelta(days=1), time())) if self.date_to else None
        return start, end

    def describe(self) -> dict:
        """The filters that are set, as plain values for the audit log."""
        return {key: (value.isoformat() if isinstance(value, date) else value)
                for key, value in asdict(self).items() if value not in (None, "")}


def _active_coding(contribution_id, node_id: int | None = None):
    condition = sa.and_(Coding.contribution_id == contribution_id, Coding.removed_at.is_(None))
    if node_id is not None:
        condition = sa.and_(condition, Coding.node_id == node_id)
    return sa.exists(sa.select(1).where(condition))


def apply_to_responses(query: sa.Select, filters: ExportFilters) -> sa.Select:
    """Narrow a select that has `Response` in its FROM.

    Building block and coding state look at the contributions made from the response's answers: a
    response counts as coded when at least one of them is coded, to that block when one is coded to it.
    """
    if filters.questionnaire_id is not None:
        query = query.where(Response.questionnaire_id == filters.questionnaire_id)
    start, end = filters.bounds()
    if start is not None:
        query = query.where(Response.submitted_at >= start)
    if end is not None:
        query = query.where(Response.submitted_at < end)
    if filters.locality_id is not None:
        query = query.where(Response.locality_id == filters.locality_id)
    if filters.group:
        query = query.where(Response.respondent_group == filters.group)
    if filters.channel:
        web = filters.channel in (ResponseChannel.web.value, Channel.questionnaire.value)
        paper = filters.channel == Channel.paper.value
        if web or paper:
            query = query.where(Response.channel == (ResponseChannel.web if web else ResponseChannel.paper))
        else:  # a meeting channel: responses never come from one
            query = query.where(sa.false())
    if filters.node_id is not None or filters.coding_state:
        def coded(node_id):
            return sa.exists(sa.select(1).select_from(Contribution).join(Answer, Answer.id == Contribution.answer_id)
                             .where(Answer.response_id == Response.id,
                                    _active_coding(Contribution.id, node_id)))
        if filters.node_id is not None:
            query = query.where(coded(filters.node_id))
        if filters.coding_state == "coded":
            query = query.where(coded(None))
        elif filters.coding_state == "uncoded":
            query = query.where(~coded(None))
    return query


def apply_to_contributions(query: sa.Select, filters: ExportFilters) -> sa.Select:
    """Narrow a select that has `Contribution` in its FROM."""
    if filters.questionnaire_id is not None:
        query = query.where(Contribution.questionnaire_id == filters.questionnaire_id)
    start, end = filters.bounds()
    if start is not None:
        query = query.where(Contribution.created_at >= start)
    if end is not None:
        query = query.where(Contribution.created_at < end)
    if filters.locality_id is not None:
        query = query.where(Contribution.locality_id == filters.locality_id)
    if filters.group:
        query = query.where(Contribution.respondent_group == filters.group)
    if filters.channel:
        channel = Channel.questionnaire if filters.channel == ResponseChannel.web.value else Channel(filters.channel)
        query = query.where(Contribution.channel == channel)
    if filters.node_id is not None:
        query = query.where(_active_coding(Contribution.id, filters.node_id))
    if filters.coding_state == "coded":
        query = query.where(_active_coding(Contribution.id))
    elif filters.coding_state == "uncoded":
        query = query.where(~_active_coding(Contribution.id))
    return query
