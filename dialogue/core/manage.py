"""Staff pages of the core: the dashboard, the municipality's settings and the audit log."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for

from dialogue.core import services
from dialogue.core.blueprint import bp
from dialogue.core.forms import SettingsForm
from dialogue.core.ids import page_number
from dialogue.core.models import AuditEvent, Municipality, Role
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.security import staff_required


@bp.route("/staff/")
@staff_required()
def dashboard():
    """Where staff land after signing in."""
    return render_template("core/manage/dashboard.html")


@bp.route("/staff/settings", methods=["GET", "POST"])
@staff_required(Role.admin)
def settings():
    """The municipality's name, localities, language and contact details."""
    municipality = services.get_municipality_or_none()
    if municipality is None:
        municipality = Municipality(name="")
    form = SettingsForm(obj=municipality)
    if request.method == "GET":
        form.localities.data = "\n".join(loc.name for loc in municipality.active_localities)
    if form.validate_on_submit():
        for field in ("name", "default_locale", "timezone", "contact_email", "contact_phone",
                      "postal_address", "website"):
            setattr(municipality, field, (getattr(form, field).data or "").strip())
        db.session.add(municipality)
        services.set_localities(municipality, form.localities.data.splitlines())
        services.audit("settings.update", municipality)
        db.session.commit()
        flash(_("The settings are saved."), "success")
        # the anchor drops any "#field" left in the address by the error summary, so the message shows
        return redirect(url_for("core.settings", _anchor="main"))
    return render_template("core/manage/settings.html", form=form), 422 if form.errors else 200


@bp.route("/staff/audit")
@staff_required(Role.admin)
def audit_log():
    """The latest recorded actions."""
    page = db.paginate(sa.select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
                       page=page_number(request.args.get("page")), per_page=50, error_out=False)
    return render_template("core/manage/audit.html", page=page)
