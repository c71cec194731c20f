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
    form.user_id.choices = [SelectChoice("", _("Choose a staff user"))] + [
        SelectChoice(str(u.id), f"{u.email} ({u.role.value})") for u in users]
    if form.validate_on_submit():
        user = next((u for u in users if str(u.id) == form.user_id.data), None)
        if user is None:
            form.user_id.errors.append(_("Choose an active staff user from the list."))
            return _page(form, status=400)
        _row, token = services.create_token(user, form.name.data.strip(), current_user)
        db.session.commit()
        return _page(TokenForm(formdata=None), new_token=token)
    return _page(form, status=400 if form.errors else 200)


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
