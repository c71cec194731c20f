"""Outgoing mail: queued in the database in the same transaction as what it tells about, then sent.

SMTP settings come from the configuration. In development (MAIL_BACKEND=file) messages are written to
``instance/outbox/`` as .eml files and printed. ``flask --app wsgi mail send`` (from a scheduler every
minute or so) sends what is due.

Every message goes on its own: one that fails never holds up the others. An attempt first claims the
message in a short transaction of its own: it counts the attempt and puts the next one off
(MAIL_RETRY_SECONDS, doubled after every failure), so no other run or request sends it meanwhile and
no transaction stays open while the mail server is waited for. A message that failed MAIL_MAX_ATTEMPTS
times, or that cannot be made into a message at all, is set aside: it is not tried again until an admin
asks for it at /staff/mail.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from datetime import timedelta
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from dialogue.core.base import utcnow
from dialogue.core.models import OutgoingMail
from dialogue.extensions import db

log = logging.getLogger(__name__)
#: the subject column's length
SUBJECT_LENGTH = 300
#: Headers set with ``set_raw`` are written as they are. The default policy refolds what it writes itself,
#: and its folder (until CPython gh-144156, early 2026) drops the space between two encoded words on a new
#: line ("fortsætter Sörmlands" arrives as "fortsætterSörmlands") and turns a long URL into encoded words.
POLICY = policy.default.clone(refold_source="none")
_METHOD = re.compile(r"^METHOD:([A-Z-]+)\r?$", re.MULTILINE)


def one_line(text: str) -> str:
    """*text* with every run of white space (line breaks of any kind included) as one space."""
    return " ".join(text.split())


def queue(to: str, subject: str, body: str, ics: str = "", topic: str = "", unsubscribe_url: str = "") -> int:
    """Queue a message in the caller's transaction; its id, for :func:`send_pending` after the commit.

    *topic* names what the message is about (e.g. "event:12"), so that :func:`discard` finds it when that
    is deleted. *unsubscribe_url* (absolute, https) goes into List-Unsubscribe with one-click
    unsubscription (RFC 8058): the URL must unsubscribe on a POST without cookies or a CSRF token.
    """
    mail = OutgoingMail(to=to.strip(), subject=one_line(subject)[:SUBJECT_LENGTH], body=body, ics=ics,
                        topic=topic, unsubscribe_url=unsubscribe_url)
    db.session.add(mail)
    db.session.flush()
    return mail.id


def _addresses(message: EmailMessage, name: str, value: str) -> None:
    """Set an address header: the policy's parser checks it (no line breaks, real addresses), then each
    display name that is not ASCII is written as one encoded word, spaces included (RFC 2047): decoders
    differ on the space between two encoded words in a name. An address that is not ASCII goes as it is,
    in UTF-8 (smtplib then asks the server for SMTPUTF8)."""
    message[name] = value
    addresses = message[name].addresses
    del message[name]
    message.set_raw(name, ",\n ".join(formataddr((a.display_name, a.addr_spec), charset="utf-8")
                                       if a.addr_spec.isascii() else str(a) for a in addresses))


def _message(mail) -> EmailMessage:
    """The message to send; raises (ValueError and the like) when a header cannot be made of what is stored."""
    config = current_app.config
    message = EmailMessage(policy=POLICY)
    _addresses(message, "From", formataddr((config["MAIL_SENDER_NAME"], config["MAIL_SENDER"])))
    _addresses(message, "To", mail.to)
    # a subject stored before it was made one line, or written by hand, must not end the header early;
    # encoded whole (non-ASCII) and folded by the encoder, so the policy's folder never sees it
    message.set_raw("Subject", Header(one_line(mail.subject), header_name="Subject").encode())
    message["Message-ID"] = make_msgid(domain=config["MAIL_SENDER"].rpartition("@")[2] or "dialogue")
    # RFC 5322 requires it; without it some servers add their own and some spam filters mark the message
    message["Date"] = formatdate(usegmt=True)
    if mail.unsubscribe_url:
        url = mail.unsubscribe_url
        if not url.isascii() or one_line(url) != url or "<" in url or ">" in url:
            raise ValueError("not a URL for List-Unsubscribe")
        # one line, as it is: a folded or encoded URL no longer works
        message.set_raw("List-Unsubscribe", f"<{url}>")
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.body)
    if mail.ics:
        # the attachment's method must be the calendar's own (RFC 6047 2.4)
        method = _METHOD.search(mail.ics)
        message.add_attachment(mail.ics.encode(), maintype="text", subtype="calendar", filename="event.ics",
                               params={"method": method.group(1) if method else "PUBLISH", "charset": "utf-8"})
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


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the *attempts*-th attempt: MAIL_RETRY_SECONDS, doubled after each failure."""
    return timedelta(seconds=current_app.config["MAIL_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0))


def _claim(mail_id: int, attempts: int):
    """Count an attempt at the message and put the next one off, in a transaction of its own.

    The UPDATE only matches while the message is still due and nobody else counted an attempt since it was
    read, so of two runs (or a run and a request) at once only one sends it. Returns the row, or None.
    """
    now = utcnow()
    claimed = db.session.execute(
        sa.update(OutgoingMail)
        .where(OutgoingMail.id == mail_id, OutgoingMail.attempts == attempts, OutgoingMail.sent_at.is_(None),
               OutgoingMail.set_aside_at.is_(None), OutgoingMail.next_attempt_at <= now)
        .values(attempts=attempts + 1, next_attempt_at=now + retry_delay(attempts + 1))
        .returning(OutgoingMail.id, OutgoingMail.to, OutgoingMail.subject, OutgoingMail.body, OutgoingMail.ics,
                   OutgoingMail.unsubscribe_url, OutgoingMail.attempts)
        .execution_options(synchronize_session=False)).first()
    db.session.commit()
    return claimed


def _record(mail_id: int, **values) -> None:
    db.session.execute(sa.update(OutgoingMail).where(OutgoingMail.id == mail_id).values(**values)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def send_pending(ids: list[int] | None = None, limit: int = 100) -> tuple[int, int]:
    """Send the messages that are due (only *ids* if given); return (sent, failed). Commits its own work.

    Call it after the commit that queued the messages: it ends the session's transaction.
    """
    if ids is not None and not ids:
        return 0, 0
    now = utcnow()
    query = sa.select(OutgoingMail.id, OutgoingMail.attempts).where(
        OutgoingMail.sent_at.is_(None), OutgoingMail.set_aside_at.is_(None), OutgoingMail.next_attempt_at <= now)
    if ids is not None:
        query = query.where(OutgoingMail.id.in_(ids))
    # the longest due first; a message that keeps failing moves back behind the others
    due = db.session.execute(query.order_by(OutgoingMail.next_attempt_at, OutgoingMail.id).limit(limit)).all()
    db.session.commit()
    sent = failed = 0
    for mail_id, attempts in due:
        mail = _claim(mail_id, attempts)
        if mail is None:
            continue  # sent or claimed meanwhile by another run or request
        try:
            message = _message(mail)
        except Exception as error:  # whatever is stored, one message must not stop the rest
            # it would fail the same way every time: set aside at once for an admin to look at
            _record(mail.id, last_error=type(error).__name__[:100], set_aside_at=utcnow())
            failed += 1
            log.warning("mail %s cannot be made into a message (%s); it is set aside", mail.id,
                        type(error).__name__)
            continue
        try:
            _deliver([message])
        except Exception as error:  # server down, refused, timed out ...: try again later
            set_aside = mail.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]
            _record(mail.id, last_error=type(error).__name__[:100], set_aside_at=utcnow() if set_aside else None)
            failed += 1
            log.warning("mail %s not sent (%s) at attempt %s; %s", mail.id, type(error).__name__, mail.attempts,
                        "it is set aside" if set_aside else "it stays queued")
        else:
            _record(mail.id, sent_at=utcnow(), last_error="")
            sent += 1
    return sent, failed


def retry(mail: OutgoingMail) -> None:
    """Put a message that was set aside back in the queue, due now, with its attempts counted from zero."""
    mail.set_aside_at = None
    mail.attempts = 0
    mail.next_attempt_at = utcnow()
    db.session.flush()


def discard(*topics: str) -> int:
    """Delete every message about any of *topics*, sent or not (queued, waiting, set aside): they hold the
    address, the name and private links of whoever they were for."""
    if not topics or not all(topics):
        raise ValueError("a topic is needed")
    deleted = 0
    for start in range(0, len(topics), 500):  # well below any engine's limit of bound parameters
        result = db.session.execute(sa.delete(OutgoingMail).where(OutgoingMail.topic.in_(topics[start:start + 500])))
        deleted += result.rowcount or 0
    return deleted


def purge_sent(days: int) -> int:
    """Delete sent messages older than *days*: they hold addresses and links."""
    cutoff = utcnow() - timedelta(days=days)
    result = db.session.execute(sa.delete(OutgoingMail).where(OutgoingMail.sent_at < cutoff))
    return result.rowcount or 0
