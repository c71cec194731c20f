"""Coding contributions to the vision's building blocks. Functions flush; views commit."""

from __future__ import annotations

import re

import sqlalchemy as sa

from dialogue.coding import uncertain
from dialogue.coding.forms import QueueFilters
from dialogue.coding.models import Coding, Contribution
from dialogue.core.base import utcnow
from dialogue.core.models import User
from dialogue.extensions import db
from dialogue.vision.models import NodeKind, Vision, VisionNode

CODABLE = (NodeKind.building_block, NodeKind.challenge)


def codable_nodes(vision: Vision) -> list[VisionNode]:
    """The building blocks and challenges of *vision*, in tree order; numbered 1.. in the workspace."""
    return [node for node in walk(vision.roots) if node.kind in CODABLE]


def walk(nodes: list[VisionNode]):
    for node in nodes:
        yield node
        yield from walk(node.active_children)


def set_codes(contribution: Contribution, node_ids: set[int], coder: User, note: str,
              from_suggestion: set[int] | frozenset[int] = frozenset()) -> tuple[int, int]:
    """Make *node_ids* the contribution's codes; return (added, removed). Removed codes keep their history.

    A new code on a block in *from_suggestion* records that the analyst confirmed a suggestion.
    """
    active = {coding.node_id: coding for coding in contribution.active_codings}
    now = utcnow()
    added = 0
    for node_id in node_ids - set(active):
        contribution.codings.append(Coding(node_id=node_id, coder_id=coder.id, created_at=now,
                                           from_suggestion=node_id in from_suggestion))
        added += 1
    removed = 0
    for node_id in set(active) - node_ids:
        _remove(active[node_id], coder, now)
        removed += 1
    contribution.coding_note = note
    db.session.flush()
    return added, removed


def _remove(coding: Coding, coder: User, now) -> None:
    coding.removed_at = now
    coding.removed_by_id = coder.id


class ExcerptError(ValueError):
    """The excerpt is not part of the contribution's text."""


def find_excerpt(text: str, excerpt: str, start_hint: int | None = None) -> tuple[int, int]:
    """Where *excerpt* lies in *text*, as (start, end) character offsets (code points, as Python counts).

    The browser sends where the selection began (*start_hint*), which settles an excerpt that occurs
    twice; a typed or pasted excerpt is searched for, first exactly, then with any run of spaces and
    line breaks matching any other and letters in any case (a paste rarely keeps the line breaks).
    """
    excerpt = excerpt.strip()
    if not excerpt:
        raise ExcerptError("empty")
    if start_hint is not None and 0 <= start_hint and text[start_hint:start_hint + len(excerpt)] == excerpt:
        return start_hint, start_hint + len(excerpt)
    start = text.find(excerpt)
    if start >= 0:
        return start, start + len(excerpt)
    pattern = r"\s+".join(re.escape(word) for word in excerpt.split())
    match = re.search(pattern, text, flags=re.IGNORECASE)
    if match is None:
        raise ExcerptError("not found")
    return match.start(), match.end()


def code_excerpt(contribution: Contribution, node_id: int, start: int, end: int, coder: User,
                 from_suggestion: bool = False) -> None:
    """Code a part of the text to a block; a block carries one code per contribution, so this replaces it."""
    now = utcnow()
    for coding in contribution.active_codings:
        if coding.node_id == node_id:
            from_suggestion = from_suggestion or coding.from_suggestion
            _remove(coding, coder, now)
    db.session.flush()  # the old code leaves the partial unique index before the new one enters it
    contribution.codings.append(Coding(node_id=node_id, coder_id=coder.id, created_at=now,
                                       from_suggestion=from_suggestion, excerpt_start=start, excerpt_end=end))
    db.session.flush()


def segments(text: str, codings: list[Coding], number_of: dict[int, int]) -> list[tuple[str, list[int]]]:
    """The text cut where excerpts begin and end: (piece, numbers of the blocks whose excerpt covers it)."""
    spans = [(c.excerpt_start, c.excerpt_end, number_of.get(c.node_id, 0)) for c in codings
             if c.excerpt_start is not None and c.excerpt_end is not None]
    cuts = sorted({0, len(text), *(max(0, min(len(text), edge)) for s, e, _n in spans for edge in (s, e))})
    pieces = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        numbers = sorted(n for s, e, n in spans if s <= left and right <= e)
        pieces.append((text[left:right], numbers))
    return pieces


def queue(filters: QueueFilters):
    """Contributions to code in queue order (oldest first) with *filters*; hidden (spam) ones never."""
    coded = sa.exists().where(Coding.contribution_id == Contribution.id, Coding.removed_at.is_(None))
    query = sa.select(Contribution).where(Contribution.hidden.is_(False))
    if filters.state == "uncoded":
        query = query.where(~coded)
    elif filters.state == "coded":
        query = query.where(coded)
    if filters.channel:
        query = query.where(Contribution.channel == filters.channel)
    for name, column in (*filters.columns.items(), ("locality", Contribution.locality_id)):
        if filters[name]:
            query = query.where(column == filters.ids(name))
    if filters.group:
        query = query.where(Contribution.respondent_group == filters.group)
    if filters.language:
        query = query.where(Contribution.language == filters.language)
    if filters.order == "uncertain":
        return query.order_by(uncertain.key(filters.vision), Contribution.id)
    return query.order_by(Contribution.id)


def neighbours(filters: QueueFilters, contribution_id: int) -> tuple[int | None, int | None]:
    """The previous and the next contribution in the queue with *filters*, around *contribution_id*."""
    if filters.order == "uncertain":
        return uncertain.neighbours(queue(filters), filters.vision, contribution_id)
    ids = queue(filters).with_only_columns(Contribution.id)
    previous = db.session.scalar(ids.where(Contribution.id < contribution_id)
                                 .order_by(None).order_by(Contribution.id.desc()).limit(1))
    following = db.session.scalar(ids.where(Contribution.id > contribution_id).limit(1))
    return previous, following


def add_contributions(rows: list[dict]) -> None:
    """Store contributions of any channel (free-text answers, notes from events) with one INSERT.

    Each row gives the Contribution's columns: at least channel and text; what is known of the
    source (answer, question, questionnaire or event), language, locality and group.
    """
    if rows:
        db.session.execute(sa.insert(Contribution), rows)
