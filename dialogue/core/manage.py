"""Staff pages of the core: the dashboard, the municipality's settings and the audit log."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage

from dialogue.config import LANGUAGES
from dialogue.core import services
from dialogue.core.blueprint import bp
from dialogue.core.forms import STATEMENT_TEXTS, AppearanceForm, SettingsForm, image_type, statements_form
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
    # a POST is read from what was sent alone: a field left out of it must not fall back to the
    # municipality's attribute of the same name (its localities are rows, not the field's text)
    form = SettingsForm(obj=municipality if request.method == "GET" else None)
    if request.method == "GET":
        form.localities.data = "\n".join(loc.name for loc in municipality.active_localities)
        form.languages.data = list(municipality.languages or LANGUAGES)
    if form.validate_on_submit():
        municipality.languages = [code for code in LANGUAGES if code in form.languages.data]
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


def _configured_municipality() -> Municipality:
    municipality = services.get_municipality_or_none()
    if municipality is None:
        flash(_("Set the municipality's name and languages first."), "error")
        abort(redirect(url_for("core.settings")))
    return municipality


@bp.route("/staff/settings/appearance", methods=["GET", "POST"])
@staff_required(Role.admin)
def appearance():
    """The logo and the accent colour of public pages and printed reports."""
    municipality = _configured_municipality()
    form = AppearanceForm(data={"accent_color": municipality.accent_color})
    if form.validate_on_submit():
        municipality.accent_color = form.accent_color.data.strip().lower()
        upload = form.logo.data
        if form.remove_logo.data:
            municipality.logo, municipality.logo_type, municipality.logo_hash = None, "", ""
        elif isinstance(upload, FileStorage) and upload.filename:
            data = upload.read()
            municipality.logo, municipality.logo_type = data, image_type(data)
            municipality.logo_hash = hashlib.sha256(data).hexdigest()
        services.audit("settings.appearance", municipality, accent_color=municipality.accent_color,
                       logo=bool(municipality.logo_hash))
        db.session.commit()
        flash(_("The appearance is saved."), "success")
        return redirect(url_for("core.appearance", _anchor="main"))
    return render_template("core/manage/appearance.html", form=form), 422 if form.errors else 200


@bp.route("/staff/settings/statements", methods=["GET", "POST"])
@staff_required(Role.admin)
def statements():
    """The privacy notice and the accessibility statement, in the municipality's own words."""
    municipality = _configured_municipality()
    languages = [code for code in LANGUAGES if code in (municipality.languages or LANGUAGES)]
    texts = {f"{name}_{lang}": (getattr(municipality, name) or {}).get(lang, "")
             for name in STATEMENT_TEXTS for lang in languages}
    form = statements_form(languages, obj=municipality, data=texts)
    if form.validate_on_submit():
        municipality.privacy_controller = (form.privacy_controller.data or "").strip()
        municipality.privacy_dpo = (form.privacy_dpo.data or "").strip()
        municipality.accessibility_reviewed_on = form.accessibility_reviewed_on.data
        for name in STATEMENT_TEXTS:
            kept = {lang: text for lang, text in (getattr(municipality, name) or {}).items() if lang not in languages}
            given = {lang: form[f"{name}_{lang}"].data.strip() for lang in languages}
            setattr(municipality, name, kept | {lang: text for lang, text in given.items() if text})
        services.audit("settings.statements", municipality)
        db.session.commit()
        flash(_("The privacy notice and accessibility statement are saved."), "success")
        return redirect(url_for("core.statements", _anchor="main"))
    return render_template("core/manage/statements.html", form=form, texts=STATEMENT_TEXTS,
                           languages=languages), 422 if form.errors else 200
