"""Staff page of the outgoing mail: what waits for another attempt, and what was set aside."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for

from dialogue.core import mail
from dialogue.core.blueprint import bp
from dialogue.core.models import OutgoingMail, Role
from dialogue.core.services import audit
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.security import staff_required

SHOWN = 200


@bp.route("/staff/mail")
@staff_required(Role.admin)
def manage_mail():
    """Messages set aside (an admin decides) and messages waiting for another attempt."""
    unsent = sa.select(OutgoingMail).where(OutgoingMail.sent_at.is_(None))
    set_aside = db.session.scalars(unsent.where(OutgoingMail.set_aside_at.is_not(None))
                                   .order_by(OutgoingMail.set_aside_at.desc(), OutgoingMail.id.desc())
                                   .limit(SHOWN)).all()
    waiting = db.session.scalars(unsent.where(OutgoingMail.set_aside_at.is_(None), OutgoingMail.attempts > 0)
                                 .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id).limit(SHOWN)).all()
    return render_template("core/manage/mail.html", set_aside=set_aside, waiting=waiting, shown=SHOWN)


@bp.route("/staff/mail/<int:mail_id>/retry", methods=["POST"])
@staff_required(Role.admin)
def mail_retry(mail_id: int):
    """Try a message that was set aside again, now."""
    message = db.get_or_404(OutgoingMail, mail_id)
    if message.sent_at is None:
        mail.retry(message)
        audit("mail.retry", message)
        db.session.commit()
        sent, _failed = mail.send_pending([message.id])
        if sent:
            flash(_("The message is sent."), "success")
        else:
            flash(_("The message could not be sent this time either; it will be tried again later."), "error")
    return redirect(url_for("core.manage_mail"))


@bp.route("/staff/mail/<int:mail_id>/delete", methods=["POST"])
@staff_required(Role.admin)
def mail_delete(mail_id: int):
    """Delete a message that will not be sent."""
    message = db.get_or_404(OutgoingMail, mail_id)
    if message.sent_at is None:
        audit("mail.delete", message)
        db.session.delete(message)
        db.session.commit()
        flash(_("The message is deleted."), "success")
    return redirect(url_for("core.manage_mail"))
