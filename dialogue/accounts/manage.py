"""Admins invite staff, change their roles, deactivate and reactivate them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for

from dialogue.accounts import services
from dialogue.accounts.blueprint import bp
from dialogue.accounts.forms import InviteForm, RoleForm
from dialogue.accounts.mails import queue_link_mail
from dialogue.core import mail
from dialogue.core.models import Role, User
from dialogue.core.services import audit
from dialogue.core.templating import ROLE_LABELS
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.security import staff_required


def _page(form: InviteForm, status: int = 200):
    users = db.session.scalars(sa.select(User).order_by(User.email)).all()
    return render_template("accounts/manage/users.html", users=users, form=form, role_form=RoleForm(),
                           pending=services.is_pending), status


@bp.route("/staff/users")
@staff_required(Role.admin)
def users():
    """Staff accounts, and the form to invite someone."""
    return _page(InviteForm())


@bp.route("/staff/users/invite", methods=["POST"])
@staff_required(Role.admin)
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user, token = services.invite(form.email.data, Role(form.role.data))
        except services.AccountError as error:
            form.email.errors = [str(error)]
            form._errors = None
        else:
            mail_id = queue_link_mail(user, token, "invitation")
            audit("user.invite", user, role=user.role.value)
            db.session.commit()
            mail.send_pending([mail_id])
            flash(_("The invitation is sent to %(email)s.", email=user.email), "success")
            return redirect(url_for("accounts.users"))
    return _page(form, 422)


def _user(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.route("/staff/users/<int:user_id>/invite-again", methods=["POST"])
@staff_required(Role.admin)
def invite_again(user_id: int):
    user = _user(user_id)
    if not services.is_pending(user):
        flash(_("%(email)s has chosen a password already.", email=user.email), "error")
        return redirect(url_for("accounts.users"))
    mail_id = queue_link_mail(user, services.invite_again(user), "invitation")
    audit("user.invite", user, role=user.role.value, again=True)
    db.session.commit()
    mail.send_pending([mail_id])
    flash(_("A new invitation is sent to %(email)s; the earlier link no longer works.", email=user.email),
          "success")
    return redirect(url_for("accounts.users"))


@bp.route("/staff/users/<int:user_id>/role", methods=["POST"])
@staff_required(Role.admin)
def change_role(user_id: int):
    user = _user(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            services.set_role(user, Role(form.role.data))
        except services.AccountError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            audit("user.role", user, role=user.role.value)
            db.session.commit()
            flash(_("%(email)s is now %(role)s.", email=user.email, role=ROLE_LABELS[user.role]), "success")
    else:
        flash(_("Choose one of the roles shown."), "error")
    return redirect(url_for("accounts.users"))


@bp.route("/staff/users/<int:user_id>/<any(deactivate, reactivate):action>", methods=["POST"])
@staff_required(Role.admin)
def set_active(user_id: int, action: str):
    """Deactivating ends the person's sessions at once; their API tokens stop working."""
    user = _user(user_id)  # CSRFProtect has checked the form's token already
    try:
        services.set_active(user, action == "reactivate")
    except services.AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        audit(f"user.{action}", user)
        db.session.commit()
        flash(_("%(email)s can sign in again.", email=user.email) if action == "reactivate"
              else _("%(email)s is deactivated and signed out.", email=user.email), "success")
    return redirect(url_for("accounts.users"))
