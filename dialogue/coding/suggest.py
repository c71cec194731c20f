"""Suggestions: for each contribution, the three building blocks it most likely belongs to, with a likelihood.

The learning itself is in `dialogue.coding.learn`; this module reads the contributions, the blocks and
the confirmed codes, and stores what comes out. Before analysts have coded enough (MIN_CODED coded
contributions over at least two blocks), the blocks' own words suggest: titles and texts in every
language, the nodes around each block more lightly, sharpened by the contributions themselves. With
enough codes, a model that adds what the codes teach is cross-validated over all of them and shown only
when it does better than the blocks' own words on the same contributions.

Every run keeps, in `SuggestionRun.measure`, how often the right block was the first suggestion and
among the three, on coded contributions that the suggestions did not learn from, with Wilson intervals,
in all and per language. Suggestions live in `Suggestion`, apart from `Coding`: they never count as
codes until an analyst confirms one. Functions flush; callers commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

import sqlalchemy as sa

from dialogue.coding.models import Coding, Contribution, Suggestion, SuggestionRun
from dialogue.coding.services import codable_nodes
from dialogue.core.base import utcnow
from dialogue.extensions import db
from dialogue.vision.models import Vision, VisionNode

if TYPE_CHECKING:
    from dialogue.coding import learn

#: fewer coded contributions than this, or codes on fewer than two blocks, and no model is tried
MIN_CODED = 10
#: folds of the cross-validation
FOLDS = 5
SEED = 2012


def _default_language() -> str:
    from dialogue.core.services import get_municipality_or_none

    municipality = get_municipality_or_none()
    return municipality.default_locale if municipality else "sv"


def _texts(*fields: dict | None) -> list[tuple[str, str]]:
    return [(str(text), lang) for field in fields for lang, text in (field or {}).items() if text]


def describe(vision: Vision, nodes: list[VisionNode]) -> list[learn.Block]:
    """Each node by its own title and text, and around it the vision's name, the nodes above it and
    the nodes below it (their words count less)."""
    from dialogue.coding import learn

    blocks = []
    for node in nodes:
        around = _texts(vision.name)
        parent = node.parent
        while parent is not None:
            around += _texts(parent.title, parent.text)
            parent = parent.parent
        stack = list(node.active_children)
        while stack:
            child = stack.pop()
            around += _texts(child.title, child.text)
            stack.extend(child.active_children)
        blocks.append(learn.Block(id=node.id, own=_texts(node.title, node.text), around=around))
    return blocks


def confirmed_codes(node_ids: Iterable[int]) -> dict[int, set[int]]:
    """Active codes on *node_ids* of contributions that are not hidden: {contribution: {block, ...}}."""
    coded: dict[int, set[int]] = defaultdict(set)
    rows = db.session.execute(
        sa.select(Coding.contribution_id, Coding.node_id)
        .join(Contribution, Contribution.id == Coding.contribution_id)
        .where(Coding.removed_at.is_(None), Coding.node_id.in_(list(node_ids)), Contribution.hidden.is_(False)))
    for contribution_id, node_id in rows:
        coded[contribution_id].add(node_id)
    return coded


def update_suggestions(vision: Vision) -> SuggestionRun:
    """Compute the three suggestions of every contribution for *vision*, replacing the last run's."""
    # learn brings NumPy and SciPy (about 37 MB resident): only a process that learns should carry them,
    # not every web worker, export or command
    from dialogue.coding import learn

    nodes = codable_nodes(vision)
    node_ids = [node.id for node in nodes]
    contributions = db.session.execute(
        sa.select(Contribution.id, Contribution.text, Contribution.language)
        .where(Contribution.hidden.is_(False)).order_by(Contribution.id)).all()
    ids = [row.id for row in contributions]
    coded = confirmed_codes(node_ids)
    row_of = {contribution_id: n for n, contribution_id in enumerate(ids)}
    column_of = {node_id: n for n, node_id in enumerate(node_ids)}
    coded_rows = {row_of[cid]: {column_of[node] for node in blocks} for cid, blocks in coded.items() if cid in row_of}
    run = SuggestionRun(vision_id=vision.id, source="titles", codes=sum(len(b) for b in coded_rows.values()),
                        held_out=0, suggested=0, precision_at_3=None, keyword_precision_at_3=None,
                        best_precision_at_3=None, measure=None)
    if not nodes or not ids:
        _store(node_ids, [], run)
        return run
    outcome = learn.suggest([(row.text, row.language) for row in contributions], describe(vision, nodes), coded_rows,
                            learn.Stemmer(_default_language()), min_coded=MIN_CODED, k=FOLDS, seed=SEED)
    run.source = outcome.source
    if outcome.measure is not None:
        truths = list(coded_rows.values())
        run.held_out = outcome.measure["evaluated"]
        run.precision_at_3 = outcome.precision_at_3
        run.keyword_precision_at_3 = outcome.titles_precision_at_3
        run.best_precision_at_3 = sum(min(len(t), learn.TOP) / learn.TOP for t in truths) / len(truths)
        run.measure = {"shown": outcome.measure, "other": outcome.other, "folds": outcome.folds,
                       "coded_weight": outcome.coded_weight, "temperature": outcome.temperature}
    tops = []
    for row, ranked in enumerate(outcome.tops):
        if outcome.empty[row]:
            tops.append([])
            continue
        tops.append([(node_ids[column], round(float(outcome.likelihoods[row, column]), 4)) for column in ranked])
    _store(node_ids, list(zip(ids, tops, strict=True)), run)
    return run


def _store(node_ids: list[int], tops: list[tuple[int, list[tuple[int, float]]]], run: SuggestionRun) -> None:
    """Replace the vision's suggestions in bulk: one DELETE, then batched multi-row INSERTs."""
    now = utcnow()
    rows = [{"contribution_id": cid, "node_id": node_id, "rank": rank, "score": score, "source": run.source,
             "created_at": now}
            for cid, top in tops for rank, (node_id, score) in enumerate(top, 1)]
    connection = db.session.connection()
    if node_ids:
        connection.execute(sa.delete(Suggestion).where(Suggestion.node_id.in_(node_ids)))
    table = Suggestion.__table__
    for start in range(0, len(rows), 20_000):
        connection.execute(table.insert(), rows[start:start + 20_000])
    run.suggested = sum(1 for _cid, top in tops if top)
    run.created_at = now
    db.session.add(run)
    db.session.flush()


def latest_run(vision: Vision) -> SuggestionRun | None:
    return db.session.scalar(sa.select(SuggestionRun).where(SuggestionRun.vision_id == vision.id)
                             .order_by(SuggestionRun.id.desc()).limit(1))


def suggestions_for(contribution_id: int, node_ids: Iterable[int]) -> list[Suggestion]:
    """The stored suggestions of one contribution among *node_ids*, best first."""
    return list(db.session.scalars(
        sa.select(Suggestion).where(Suggestion.contribution_id == contribution_id,
                                    Suggestion.node_id.in_(list(node_ids))).order_by(Suggestion.rank)))
