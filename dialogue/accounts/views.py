"""The pages a person reaches from a mailed link: choosing a password, and asking for a new one."""

from __future__ import annotations

import logging

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from dialogue import security
from dialogue.accounts import services
from dialogue.accounts.blueprint import bp
from dialogue.accounts.forms import ForgotForm, PasswordForm
from dialogue.accounts.mails import queue_link_mail
from dialogue.accounts.models import Purpose
from dialogue.core import mail
from dialogue.core.services import PasswordPolicyError, audit
from dialogue.extensions import db, limiter
from dialogue.i18n import _

log = logging.getLogger(__name__)


def _forgot_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


@bp.route("/staff/password/forgot", methods=["GET", "POST"])
@limiter.limit(_forgot_limit, methods=["POST"])
def forgot_password():
    """Ask for a reset link. The answer is the same whether or not the address has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        found = services.reset_link(form.email.data)
        mail_id = None
        if found is not None:
            user, token = found
            mail_id = queue_link_mail(user, token, "reset")
            audit("user.reset_requested", user, actor=None)
        db.session.commit()
        if mail_id:
            mail.send_pending([mail_id])
        return render_template("accounts/reset_sent.html")
    return render_template("accounts/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/staff/password/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def choose_password(token: str):
    """Choose a password through an invitation or reset link; then the person is signed in."""
    link = services.find_link(token)
    if link is None:
        # Unknown, used and expired links get the same page.
        return render_template("accounts/link_invalid.html"), 404
    if current_user.is_authenticated and current_user.id != link.user_id:
        abort(403)  # someone else is signed in in this browser: they must sign out first
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            used = services.use_link(link, form.password.data)
        except PasswordPolicyError as error:
            form.password.errors = [str(error)]
            form._errors = None  # let the error summary see it
        else:
            if not used:
                return render_template("accounts/link_invalid.html"), 404
            user = link.user
            audit("user.invitation_accepted" if link.purpose == Purpose.invitation else "user.password_reset",
                  user, actor=user)
            security.sign_in(user)
            db.session.commit()
            flash(_("Your password is saved and you are signed in."), "success")
            return redirect(url_for("core.dashboard"))
    return render_template("accounts/choose_password.html", form=form, link=link), 422 if form.errors else 200
