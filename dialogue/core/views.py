"""Public pages of the core: signing in and out, accessibility statement, privacy notice, health check."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from dialogue import security
from dialogue.core import colours, services
from dialogue.core.blueprint import bp
from dialogue.core.forms import LoginForm
from dialogue.core.services import get_municipality
from dialogue.extensions import db, limiter
from dialogue.i18n import _

log = logging.getLogger(__name__)


#: what a browser takes out of an address before reading it (WHATWG URL standard): tabs and line breaks
#: anywhere, C0 control characters and spaces at either end; "/\t/evil.com" is read as "//evil.com"
_BROWSER_DROPS = dict.fromkeys(map(ord, "\t\n\r"))
_BROWSER_TRIMS = "".join(map(chr, range(33)))


def _safe_next(target: str | None) -> str | None:
    """*target* if it is a path on this site, else None: never another host (open redirect).

    The address is read as a browser would read it; anything a browser would drop or change, any control
    character, a backslash (read as "/") or a leading "//" (another host) refuses it.
    """
    if not target:
        return None
    seen = target.translate(_BROWSER_DROPS).strip(_BROWSER_TRIMS)
    if seen != target or "\\" in seen or any(ord(c) < 32 or ord(c) == 127 for c in seen):
        return None
    parts = urlsplit(seen)
    if parts.scheme or parts.netloc or not seen.startswith("/") or seen.startswith("//"):
        return None
    return seen


@bp.route("/staff/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    """Sign in as staff."""
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            security.sign_in(user)
            services.audit("user.login", user, actor=user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or url_for("core.dashboard"))
        # The same words whether the address is unknown or the password wrong.
        log.info("failed staff sign-in")
        form.form_errors.append(_("The e-mail address or the password is wrong."))
        db.session.commit()
    return render_template("core/login.html", form=form), 200 if not form.errors else 422


@bp.route("/staff/logout", methods=["POST"])
def logout():
    """Sign out; the session ends on the server too."""
    if current_user.is_authenticated:
        services.audit("user.logout", current_user._get_current_object())
    security.sign_out()
    db.session.commit()
    flash(_("You are signed out."), "success")
    return redirect(url_for("core.login"))


@bp.route("/accessibility")
def accessibility():
    """The accessibility statement the law requires (DOS-lagen, webtilgængelighedsloven)."""
    return render_template("core/accessibility.html")


@bp.route("/privacy")
def privacy():
    """How dialogue handles personal data."""
    return render_template("core/privacy.html")


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """For load balancers and monitoring: 200 "ok" when the database answers, else 503."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        db.session.rollback()
        body, status = "ok", 200
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        # the class only: a driver's message may name the server, the user or the database
        log.warning("health check: database unreachable (%s)", type(error).__name__)
        body, status = "database unreachable", 503
    response = make_response(body, status)
    response.mimetype = "text/plain"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/logo/<digest>")
def logo(digest: str):
    """The municipality's logo. Its address holds its hash, so browsers may keep it for a year."""
    municipality = get_municipality()
    if municipality is None or not municipality.logo_hash or digest != municipality.logo_hash:
        abort(404)
    response = make_response(municipality.logo)
    response.headers["Content-Type"] = municipality.logo_type
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.route("/theme.css")
def theme():
    """The accent colour as CSS variables: a stylesheet of its own, since the CSP allows no inline styles."""
    municipality = get_municipality()
    accent = municipality.accent_color if municipality and municipality.accent_color else colours.DEFAULT
    response = make_response(f":root {{ --accent: {accent}; --accent-dark: {colours.darker(accent)}; }}\n")
    response.headers["Content-Type"] = "text/css; charset=utf-8"
    # short: a new colour shows within minutes; the ETag spares the body meanwhile
    response.headers["Cache-Control"] = "public, max-age=300"
    response.set_etag(accent)
    return response.make_conditional(request)
