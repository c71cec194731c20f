"""Telling residents what came of the dialogue, once per address, and forgetting the addresses after.

A process owes its residents feedback when it has reached its decision phase or an admin has
published its results, and it is linked to the vision it led to (see :class:`FollowUp`). Each address
left with the process's questionnaires then gets one message in the resident's language. The rows are
claimed with a conditional UPDATE (``notified_at IS NULL``) in the same transaction as the mail is
queued, so two runs at once, or a run after a crash, never send an address twice.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, render_template, url_for
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeSerializer

from dialogue.core import mail
from dialogue.core.base import utcnow
from dialogue.extensions import db
from dialogue.i18n import default_locale, tr
from dialogue.processes.models import Phase, PhaseKind, Process
from dialogue.questionnaires.models import FeedbackContact, Questionnaire
from dialogue.steering.models import FollowUp
from dialogue.vision.models import Vision

log = logging.getLogger(__name__)


def follow_up_for(process: Process) -> FollowUp | None:
    return db.session.scalar(sa.select(FollowUp).where(FollowUp.process_id == process.id))


def decision_reached(process: Process, today: date) -> bool:
    return any(p.kind in (PhaseKind.decision, PhaseKind.follow_up) and p.starts_on <= today for p in process.phases)


def is_due(follow_up: FollowUp, today: date) -> bool:
    if follow_up.vision_id is None:
        return False
    process = db.session.get(Process, follow_up.process_id)
    return follow_up.published_at is not None or decision_reached(process, today)


def due(today: date) -> list[FollowUp]:
    """Follow-ups whose residents should hear now: linked to a vision, and decided or published."""
    decided = (sa.select(Phase.process_id)
               .where(Phase.kind.in_([PhaseKind.decision, PhaseKind.follow_up]), Phase.starts_on <= today))
    return list(db.session.scalars(
        sa.select(FollowUp).where(FollowUp.vision_id.is_not(None),
                                  sa.or_(FollowUp.published_at.is_not(None), FollowUp.process_id.in_(decided)))
        .order_by(FollowUp.id)))


def _questionnaires(process_id: int):
    return sa.select(Questionnaire.id).where(Questionnaire.process_id == process_id).scalar_subquery()


def pending_count(process_id: int) -> tuple[int, int]:
    """(addresses waiting, addresses told) for a process; counts only, never the addresses."""
    in_process = FeedbackContact.questionnaire_id.in_(_questionnaires(process_id))
    address = sa.func.count(sa.distinct(sa.func.lower(FeedbackContact.email)))
    waiting = db.session.scalar(sa.select(address).where(in_process, FeedbackContact.notified_at.is_(None)))
    told = db.session.scalar(sa.select(address).where(in_process, FeedbackContact.notified_at.is_not(None)))
    return waiting or 0, told or 0


def mail_topic(contact_id: int) -> str:
    """What the message to a contact is filed under (see dialogue.core.mail.queue): deleting the address
    deletes the message, queued or sent, with it."""
    return f"feedback:{contact_id}"


def _forget(where) -> int:
    """Delete the contacts matching *where* and every message to them; how many contacts went."""
    ids = db.session.scalars(sa.select(FeedbackContact.id).where(where)).all()
    if not ids:
        return 0
    mail.discard(*(mail_topic(i) for i in ids))
    result = db.session.execute(sa.delete(FeedbackContact).where(where))
    return result.rowcount or 0


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="feedback-unsubscribe")


def _fingerprint(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]


def unsubscribe_token(contact: FeedbackContact) -> str:
    """A signed token naming the contact and its address; it cannot be guessed or forged."""
    return _serializer().dumps([contact.id, _fingerprint(contact.email)])


def _read(token: str) -> tuple[int, str] | None:
    """(contact id, address fingerprint) from a token we signed; None for anything else."""
    if not token or len(token) > 200:
        return None
    try:
        contact_id, fingerprint = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(contact_id, int) or not isinstance(fingerprint, str):
        return None
    return contact_id, fingerprint


def is_ours(token: str) -> bool:
    """Whether we signed *token*; says nothing about whether its address is still on the list."""
    return _read(token) is not None


def unsubscribe(token: str) -> int:
    """Delete the address behind *token* (every row with it, and the mail to it); 0 for unknown or used
    tokens."""
    read = _read(token)
    contact = db.session.get(FeedbackContact, read[0]) if read else None
    if contact is None or _fingerprint(contact.email) != read[1]:
        return 0
    return _forget(sa.func.lower(FeedbackContact.email) == contact.email.strip().lower())


def _render(follow_up: FollowUp, process: Process, vision: Vision, contact: FeedbackContact) -> tuple[str, str, str]:
    """(subject, body, unsubscribe address) of the message to *contact*, in the language they answered in."""
    locale = contact.locale if contact.locale in current_app.config["LANGUAGES"] else default_locale()
    with force_locale(locale):
        # the same address in the text and in List-Unsubscribe: a GET shows the button, a POST unsubscribes
        unsubscribe_url = url_for("steering.unsubscribe", token=unsubscribe_token(contact), lang=locale,
                                  _external=True)
        body = render_template(
            "steering/emails/feedback.txt", process_title=tr(process.title), vision_name=tr(vision.name),
            message=tr(follow_up.message),
            follow_up_url=url_for("steering.follow_up", slug=vision.slug, lang=locale, _external=True),
            unsubscribe_url=unsubscribe_url)
    subject, _sep, text = body.partition("\n\n")
    return subject.strip(), text.strip() + "\n", unsubscribe_url


def send(follow_up: FollowUp, now: datetime | None = None) -> list[int]:
    """Queue one message per address of the process not told yet; returns the queued mail ids.

    Needs a request context (a real one, or ``test_request_context`` with the public address) to build
    the links. The caller commits, then sends the queued mail.
    """
    now = now or utcnow()
    process = db.session.get(Process, follow_up.process_id)
    vision = db.session.get(Vision, follow_up.vision_id) if follow_up.vision_id else None
    if vision is None:
        return []
    in_process = FeedbackContact.questionnaire_id.in_(_questionnaires(process.id))
    address = sa.func.lower(FeedbackContact.email)
    waiting = db.session.scalars(sa.select(address).where(in_process, FeedbackContact.notified_at.is_(None))
                                 .distinct()).all()
    queued = []
    for email in waiting:
        told_before = db.session.scalar(sa.select(FeedbackContact.id).where(
            in_process, address == email, FeedbackContact.notified_at.is_not(None)).limit(1))
        claimed = db.session.execute(
            sa.update(FeedbackContact)
            .where(in_process, address == email, FeedbackContact.notified_at.is_(None))
            .values(notified_at=now).returning(FeedbackContact.id)
            .execution_options(synchronize_session=False)).scalars().all()
        if not claimed or told_before is not None:
            continue  # another run has it, or this address was told already
        contact = db.session.get(FeedbackContact, max(claimed))  # the latest language the resident chose
        subject, body, unsubscribe_url = _render(follow_up, process, vision, contact)
        queued.append(mail.queue(contact.email, subject, body, topic=mail_topic(contact.id),
                                 unsubscribe_url=unsubscribe_url))
    db.session.flush()
    log.info("feedback for process %s: %d message(s) queued", process.id, len(queued))
    return queued


def purge(now: datetime, retention_days: int) -> int:
    """Delete the addresses told *retention_days* ago or longer, and the mail to them (a message still
    queued or set aside holds the address too); returns how many rows went."""
    return _forget(FeedbackContact.notified_at < now - timedelta(days=retention_days))
