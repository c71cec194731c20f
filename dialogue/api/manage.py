"""Administrators create and revoke API tokens for staff users."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from dialogue.api import services
from dialogue.api.blueprint import bp
from dialogue.api.forms import TokenForm
from dialogue.api.models import ApiToken
from dialogue.core.models import Role, User
from dialogue.core.services import new_submission_key
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.security import staff_required


def _page(form: TokenForm, new_token: str | None = None, status: int = 200):
    tokens = db.session.execute(
        sa.select(ApiToken, User).join(User, User.id == ApiToken.user_id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    return render_template("api/manage/tokens.html", form=form, tokens=tokens, new_token=new_token), status


@bp.route("/staff/api-tokens", methods=["GET", "POST"])
@staff_required(Role.admin)
def manage_tokens():
    """The tokens, and a form for a new one; the new token is shown once, on the page that answers the form."""
    form = TokenForm()
    users = db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.email)).all()
    form.user_id.choices = _choices(users)
    if form.validate_on_submit():
        user = next((u for u in users if str(u.id) == form.user_id.data), None)
        if user is None:
            form.user_id.errors.append(_("Choose an active staff user from the list."))
            return _page(form, status=400)
        created = services.create_token(user, form.name.data.strip(), current_user, form.submission_key.data)
        db.session.commit()
        if created is None:  # sent twice: the token was shown the first time and cannot be shown again
            flash(_("This token was created already and shown once. If it was not copied, revoke it and create "
                    "a new one."), "error")
            return redirect(url_for("api.manage_tokens"))
        return _page(_new_form(users), new_token=created[1])
    if not form.submission_key.data:
        form.submission_key.data = new_submission_key()
    return _page(form, status=400 if form.errors else 200)


def _new_form(users) -> TokenForm:
    form = TokenForm(formdata=None)
    form.user_id.choices = _choices(users)
    form.submission_key.data = new_submission_key()
    return form


def _choices(users) -> list[SelectChoice]:
    return [SelectChoice("", _("Choose a staff user"))] + [
        SelectChoice(str(u.id), f"{u.email} ({u.role.value})") for u in users]


@bp.route("/staff/api-tokens/<int:token_id>/revoke", methods=["POST"])
@staff_required(Role.admin)
def manage_revoke(token_id: int):
    row = db.session.get(ApiToken, token_id)
    if row is None:
        abort(404)
    if services.revoke_token(row, current_user):
        db.session.commit()
        flash(_("The token “%(name)s” is revoked: it no longer works.", name=row.name), "success")
    return redirect(url_for("api.manage_tokens"))
