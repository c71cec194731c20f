"""Agreement rounds: a random sample of contributions coded twice, blind, and Cohen's kappa over it.

Each (item, building block) pair is one yes/no decision by each of the two coders. Per block, the
decisions of both coders over the items they both marked done form a 2×2 table; kappa is read from it.
Overall we report two figures: the kappa of the *pooled* table (all item × block decisions summed)
and the plain mean of the per-block kappas that are defined. Functions flush; views commit.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from fractions import Fraction

import sqlalchemy as sa

from dialogue.coding import services
from dialogue.coding.models import AgreementCode, AgreementItem, AgreementRound, Coding, Contribution
from dialogue.core.base import utcnow
from dialogue.core.models import Role, User
from dialogue.extensions import db
from dialogue.i18n import _l
from dialogue.vision.models import Vision, VisionNode

#: Landis & Koch (1977): upper bound of each band and its reading
SCALE = [
    (0.0, _l("poor (less than chance)")),
    (0.20, _l("slight")),
    (0.40, _l("fair")),
    (0.60, _l("moderate")),
    (0.80, _l("substantial")),
    (1.0, _l("almost perfect")),
]


class AgreementError(ValueError):
    """A request the round's state or data do not allow; the message is shown to the user."""


# -- drawing the sample ---------------------------------------------------------------------------------

def sample_size(total: int, percent: int) -> int:
    """*percent* of *total*, rounded up, so even a small pool gives at least one item."""
    if total <= 0:
        return 0
    return min(total, max(1, math.ceil(total * percent / 100)))


def codable_contribution_ids() -> list[int]:
    """Every contribution that can be coded: all but the hidden ones (spam)."""
    return list(db.session.scalars(sa.select(Contribution.id).where(Contribution.hidden.is_(False))
                                   .order_by(Contribution.id)))


def eligible_coders() -> list[User]:
    """Active analysts and admins, who may code in a round."""
    return list(db.session.scalars(sa.select(User).where(User.active.is_(True),
                                                         User.role.in_([Role.analyst, Role.admin]))
                                   .order_by(User.email)))


def find_by_key(submission_key: str) -> AgreementRound | None:
    return db.session.scalar(sa.select(AgreementRound).where(AgreementRound.submission_key == submission_key))


def create_round(*, vision: Vision, name: str, percent: int, coder_a: User, coder_b: User, created_by: User,
                 submission_key: str, rng: random.Random | None = None) -> AgreementRound:
    """Draw the sample and store it as items; the stored items are the record of the draw.

    :raise AgreementError: the same coder twice, a percent outside 1–100, or nothing to sample.
    """
    if coder_a.id == coder_b.id:
        raise AgreementError(_l("Choose two different people as coder A and coder B."))
    if not 1 <= percent <= 100:
        raise AgreementError(_l("The sample must be between 1 and 100 percent."))
    pool = codable_contribution_ids()
    if not pool:
        raise AgreementError(_l("There are no contributions to draw a sample from yet."))
    chosen = (rng or random.SystemRandom()).sample(pool, sample_size(len(pool), percent))
    agreement_round = AgreementRound(vision_id=vision.id, name=name, sample_percent=percent, coder_a_id=coder_a.id,
                                     coder_b_id=coder_b.id, created_by_id=created_by.id,
                                     submission_key=submission_key)
    agreement_round.items = [AgreementItem(contribution_id=cid) for cid in sorted(chosen)]
    db.session.add(agreement_round)
    db.session.flush()
    return agreement_round


# -- coding blind ---------------------------------------------------------------------------------------

def side(agreement_round: AgreementRound, user) -> str | None:
    """"a" or "b" when *user* codes in the round, else None."""
    if user.id == agreement_round.coder_a_id:
        return "a"
    if user.id == agreement_round.coder_b_id:
        return "b"
    return None


def is_done(item: AgreementItem, which: str) -> bool:
    return (item.a_done_at if which == "a" else item.b_done_at) is not None


def is_complete(agreement_round: AgreementRound) -> bool:
    """Both coders have marked every item done."""
    return all(item.a_done_at and item.b_done_at for item in agreement_round.items)


def progress(agreement_round: AgreementRound) -> dict[str, int]:
    items = agreement_round.items
    return {"total": len(items), "a": sum(1 for i in items if i.a_done_at), "b": sum(1 for i in items if i.b_done_at),
            "both": sum(1 for i in items if i.a_done_at and i.b_done_at),
            "settled": sum(1 for i in items if i.settled_at)}


def own_codes(item: AgreementItem, coder_id: int | None) -> set[int]:
    """The blocks one coder chose for an item; only ever theirs."""
    return set(db.session.scalars(sa.select(AgreementCode.node_id).where(AgreementCode.item_id == item.id,
                                                                         AgreementCode.coder_id == coder_id)))


def blinding_item(contribution_id: int, user) -> AgreementItem | None:
    """The item of an open round in which *user* codes this contribution and the results are not open yet.

    While it exists the user must not see the contribution's real codes or suggestions in the main
    workspace: they may hold the other coder's judgement.
    """
    candidates = db.session.scalars(
        sa.select(AgreementItem).join(AgreementRound)
        .where(AgreementItem.contribution_id == contribution_id, AgreementRound.closed_at.is_(None),
               sa.or_(AgreementRound.coder_a_id == user.id, AgreementRound.coder_b_id == user.id)))
    return next((item for item in candidates if not is_complete(item.round)), None)


def can_change(agreement_round: AgreementRound, item: AgreementItem) -> bool:
    """Coders may revise until the item is settled or the round is complete (results open) or closed."""
    return not (agreement_round.closed_at or item.settled_at or is_complete(agreement_round))


def save_codes(item: AgreementItem, coder: User, node_ids: set[int]) -> tuple[int, int]:
    """Make *node_ids* the coder's blocks for the item and mark it done for them; return (added, removed)."""
    agreement_round = item.round
    which = side(agreement_round, coder)
    if which is None:
        raise AgreementError(_l("Only the two coders of the round code in it."))
    # Lock the item (PostgreSQL) so two tabs of one coder cannot insert the same code twice.
    db.session.execute(sa.select(AgreementItem.id).where(AgreementItem.id == item.id).with_for_update())
    if not can_change(agreement_round, item):
        raise AgreementError(_l("This round is closed or complete: the codes can no longer change."))
    current = own_codes(item, coder.id)
    for node_id in node_ids - current:
        db.session.add(AgreementCode(item_id=item.id, coder_id=coder.id, node_id=node_id))
    gone = current - node_ids
    if gone:
        db.session.execute(sa.delete(AgreementCode).where(AgreementCode.item_id == item.id,
                                                           AgreementCode.coder_id == coder.id,
                                                           AgreementCode.node_id.in_(gone)))
    now = utcnow()
    if which == "a":
        item.a_done_at = item.a_done_at or now
    else:
        item.b_done_at = item.b_done_at or now
    db.session.flush()
    return len(node_ids - current), len(gone)


def next_item(agreement_round: AgreementRound, coder, after_id: int = 0) -> AgreementItem | None:
    """The coder's next item not done yet: the first after *after_id*, else the first from the start."""
    which = side(agreement_round, coder)
    waiting = [item for item in agreement_round.items if not is_done(item, which)]
    later = [item for item in waiting if item.id > after_id]
    return (later or waiting or [None])[0]


# -- kappa ----------------------------------------------------------------------------------------------

@dataclass
class Table:
    """A 2×2 table of two coders' yes/no decisions: both yes, only A, only B, neither."""

    both: int = 0
    only_a: int = 0
    only_b: int = 0
    neither: int = 0

    @property
    def n(self) -> int:
        return self.both + self.only_a + self.only_b + self.neither

    def add(self, a: bool, b: bool) -> None:
        if a and b:
            self.both += 1
        elif a:
            self.only_a += 1
        elif b:
            self.only_b += 1
        else:
            self.neither += 1

    def __iadd__(self, other: Table) -> Table:
        self.both += other.both
        self.only_a += other.only_a
        self.only_b += other.only_b
        self.neither += other.neither
        return self

    def observed(self) -> Fraction | None:
        """p_o: the share of decisions where the coders agree."""
        return Fraction(self.both + self.neither, self.n) if self.n else None

    def expected(self) -> Fraction | None:
        """p_e: the agreement expected by chance from each coder's own share of "yes"."""
        if not self.n:
            return None
        a_yes, b_yes = self.both + self.only_a, self.both + self.only_b
        return Fraction(a_yes * b_yes + (self.n - a_yes) * (self.n - b_yes), self.n * self.n)

    def kappa(self) -> float | None:
        """Cohen's kappa, (p_o − p_e) / (1 − p_e); None (not defined) when p_e is 1 or there is no decision."""
        p_o, p_e = self.observed(), self.expected()
        if p_o is None or p_e is None or p_e == 1:
            return None
        return float((p_o - p_e) / (1 - p_e))


def interpretation(kappa: float | None) -> str:
    """The Landis & Koch reading of a kappa, or "" when it is not defined."""
    if kappa is None:
        return ""
    kappa = round(kappa, 2)  # read the figure as it is shown
    if kappa < 0:
        return str(SCALE[0][1])
    for upper, label in SCALE[1:]:
        if kappa <= upper:
            return str(label)
    return str(SCALE[-1][1])


@dataclass
class Results:
    blocks: list[tuple[VisionNode, Table]]
    pooled: Table
    #: mean of the per-block kappas that are defined; None when none is
    mean_kappa: float | None
    #: items both coders marked done, each with (A's blocks, B's blocks)
    decided: dict[int, tuple[set[int], set[int]]] = field(default_factory=dict)

    @property
    def disagreements(self) -> list[int]:
        return [item_id for item_id, (a, b) in self.decided.items() if a != b]


def round_nodes(agreement_round: AgreementRound) -> list[VisionNode]:
    """The vision's codable blocks, then any block coded in the round that has since left the tree."""
    vision = db.session.get(Vision, agreement_round.vision_id)
    nodes = services.codable_nodes(vision) if vision else []
    known = {node.id for node in nodes}
    coded = (sa.select(AgreementCode.node_id).join(AgreementItem, AgreementItem.id == AgreementCode.item_id)
             .where(AgreementItem.round_id == agreement_round.id))
    # a subquery, not DISTINCT over the nodes: PostgreSQL cannot compare their JSON columns
    extra = db.session.scalars(sa.select(VisionNode).where(VisionNode.id.in_(coded)).order_by(VisionNode.id))
    return nodes + [node for node in extra if node.id not in known]


def results(agreement_round: AgreementRound, nodes: list[VisionNode] | None = None) -> Results:
    """Kappa per block and overall, over the items both coders marked done."""
    nodes = round_nodes(agreement_round) if nodes is None else nodes
    done = [item.id for item in agreement_round.items if item.a_done_at and item.b_done_at]
    decided: dict[int, tuple[set[int], set[int]]] = {item_id: (set(), set()) for item_id in done}
    if done:
        rows = db.session.execute(sa.select(AgreementCode.item_id, AgreementCode.coder_id, AgreementCode.node_id)
                                  .where(AgreementCode.item_id.in_(done)))
        for item_id, coder_id, node_id in rows:
            if coder_id == agreement_round.coder_a_id:
                decided[item_id][0].add(node_id)
            elif coder_id == agreement_round.coder_b_id:
                decided[item_id][1].add(node_id)
    per_block = []
    pooled = Table()
    for node in nodes:
        table = Table()
        for a, b in decided.values():
            table.add(node.id in a, node.id in b)
        per_block.append((node, table))
        pooled += table
    kappas = [k for k in (table.kappa() for _node, table in per_block) if k is not None]
    return Results(blocks=per_block, pooled=pooled, mean_kappa=sum(kappas) / len(kappas) if kappas else None,
                   decided=decided)


# -- settling and closing -------------------------------------------------------------------------------

def settle(item: AgreementItem, node_ids: set[int], admin: User, round_node_ids: set[int]) -> tuple[int, int]:
    """Write the final blocks as the contribution's real codes and mark the item settled.

    Real codes to blocks outside this round's vision are kept as they are. Returns (added, removed).
    """
    if item.round.closed_at:
        raise AgreementError(_l("The round is closed."))
    if not (item.a_done_at and item.b_done_at):
        raise AgreementError(_l("Both coders must finish this item before it can be settled."))
    contribution = db.session.get(Contribution, item.contribution_id)
    others = {c.node_id for c in contribution.active_codings if c.node_id not in round_node_ids}
    result = services.set_codes(contribution, (node_ids & round_node_ids) | others, admin, contribution.coding_note)
    item.settled_at = utcnow()
    db.session.flush()
    return result


def real_codes(contribution_id: int) -> set[int]:
    return set(db.session.scalars(sa.select(Coding.node_id).where(Coding.contribution_id == contribution_id,
                                                                  Coding.removed_at.is_(None))))


def close(agreement_round: AgreementRound) -> None:
    if agreement_round.closed_at is None:
        agreement_round.closed_at = utcnow()
        db.session.flush()
