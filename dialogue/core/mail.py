"""Outgoing mail: queued in the database in the same transaction as what it tells about, then sent.

SMTP settings come from the configuration. In development (MAIL_BACKEND=file) messages are written to
``instance/outbox/`` as .eml files and printed. A message that cannot be sent stays queued and is
retried by ``flask --app wsgi mail send`` (run it from a scheduler every minute or so).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from dialogue.core.base import utcnow
from dialogue.core.models import OutgoingMail
from dialogue.extensions import db

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 20


def queue(to: str, subject: str, body: str, ics: str = "") -> int:
    mail = OutgoingMail(to=to, subject=subject, body=body, ics=ics)
    db.session.add(mail)
    db.session.flush()
    return mail.id


def _message(mail) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = formataddr((config["MAIL_SENDER_NAME"], config["MAIL_SENDER"]))
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain=config["MAIL_SENDER"].rpartition("@")[2] or "dialogue")
    message.set_content(mail.body)
    if mail.ics:
        message.add_attachment(mail.ics.encode(), maintype="text", subtype="calendar",
                               filename="event.ics", params={"method": "PUBLISH", "charset": "utf-8"})
    return message


def _deliver(messages: list[EmailMessage]) -> None:
    config = current_app.config
    if config["MAIL_BACKEND"] == "file":
        outbox = Path(current_app.instance_path) / "outbox"
        outbox.mkdir(parents=True, exist_ok=True)
        for message in messages:
            name = message["Message-ID"].strip("<>").replace("@", "_")
            (outbox / f"{name}.eml").write_bytes(bytes(message))
            print(f"--- mail to {message['To']}: {message['Subject']} (instance/outbox/{name}.eml)")
        return
    host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    context = ssl.create_default_context()
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    kwargs = {"context": context} if config["MAIL_USE_SSL"] else {}
    with smtp_class(host, port, timeout=config["MAIL_TIMEOUT"], **kwargs) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=context)
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        for message in messages:
            smtp.send_message(message)


def send_pending(ids: list[int] | None = None, limit: int = 100) -> tuple[int, int]:
    """Send queued messages (only *ids* if given); return (sent, failed). Commits its own work."""
    query = sa.select(OutgoingMail).where(OutgoingMail.sent_at.is_(None), OutgoingMail.attempts < MAX_ATTEMPTS)
    if ids is not None:
        if not ids:
            return 0, 0
        query = query.where(OutgoingMail.id.in_(ids))
    mails = db.session.scalars(query.order_by(OutgoingMail.id).limit(limit)).all()
    sent = failed = 0
    for mail in mails:
        mail.attempts += 1
        try:
            _deliver([_message(mail)])
        except (OSError, smtplib.SMTPException) as error:
            mail.last_error = type(error).__name__
            failed += 1
            log.warning("mail %s not sent (%s); it stays queued", mail.id, type(error).__name__)
        else:
            mail.sent_at = utcnow()
            mail.last_error = ""
            sent += 1
        db.session.commit()
    return sent, failed


def purge_sent(days: int) -> int:
    """Delete sent messages older than *days*: they hold addresses and links."""
    from datetime import timedelta

    cutoff = utcnow() - timedelta(days=days)
    result = db.session.execute(sa.delete(OutgoingMail).where(OutgoingMail.sent_at < cutoff))
    return result.rowcount or 0
