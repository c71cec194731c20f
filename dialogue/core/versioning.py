"""Version numbers that tell each process when its cached copy of something is out of date.

Questionnaires (with their questions) and the municipality (with its localities) are read on every
public request and change rarely. Each process keeps an immutable copy and checks one small version
number per request; the database stays the only truth. The counter is raised here, for every ORM
change in one place, so that no editing code can forget it. (Bulk SQL updates bypass the ORM: do not
use them on these tables.)
"""

from __future__ import annotations

from itertools import chain

from sqlalchemy import event
from sqlalchemy.orm import Session


def _owner(obj):
    """(class, id) of the versioned row that *obj* belongs to, or None."""
    from dialogue.core.models import Locality, Municipality
    from dialogue.questionnaires.models import Question, Questionnaire

    if isinstance(obj, (Municipality, Questionnaire)):
        return obj
    if isinstance(obj, Question):
        return obj.questionnaire or (Questionnaire, obj.questionnaire_id)
    if isinstance(obj, Locality):
        return obj.municipality or (Municipality, obj.municipality_id)
    return None


@event.listens_for(Session, "before_flush")
def _raise_versions(session: Session, _context, _instances) -> None:
    owners = {}
    for obj in chain(session.new, session.dirty, session.deleted):
        if obj in session.dirty and not session.is_modified(obj):
            continue
        owner = _owner(obj)
        if isinstance(owner, tuple):
            cls, ident = owner
            owner = session.get(cls, ident) if ident is not None else None
        if owner is not None and owner not in session.new:
            owners[id(owner)] = owner
    for owner in owners.values():
        owner.version = (owner.version or 1) + 1
