"""What every template can use."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import format_date, format_datetime, format_time

from dialogue.core.audit import action_label, object_label
from dialogue.core.formats import decimal, number, percent
from dialogue.core.models import Role
from dialogue.i18n import LANGUAGE_NAMES, _l, _lp, current_locale, offered_languages, tr

ROLE_LABELS = {Role.admin: _l("Administrator"), Role.organizer: _l("Organizer"), Role.analyst: _l("Analyst")}
# "Open", "Closed", "Cancelled"... are states here, not what a button does (and a sign-up is cancelled in
# other words than an event): a context keeps each meaning its own translation.
STATE_LABELS = {"draft": _lp("state", "Draft"), "published": _lp("state", "Published"),
                "cancelled": _lp("state", "Cancelled"), "open": _lp("state", "Open"), "closed": _lp("state", "Closed")}
REGISTRATION_LABELS = {"confirmed": _l("Signed up"), "waitlisted": _l("Waiting list"), "attended": _l("Came"),
                       "cancelled": _lp("sign-up", "Cancelled")}
STATUS_LABELS = {"upcoming": _l("Coming"), "current": _l("Going on now"), "done": _l("Done")}


def switch_language_url(locale: str) -> str:
    """The current page in another language (a plain link: works without JavaScript)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [locale]
    if request.endpoint and request.method == "GET":
        return url_for(request.endpoint, **(request.view_args or {}), **args)
    return url_for("processes.home", lang=locale)


def page_url(number: int) -> str:
    """The current page with another page number, every other argument kept."""
    args = request.args.to_dict(flat=False)
    args["page"] = [str(number)]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def init_app(app) -> None:
    from dialogue.core.services import get_municipality

    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["tr"] = tr
    app.jinja_env.filters["action_label"] = action_label
    app.jinja_env.filters["object_label"] = object_label
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["time"] = format_time
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["decimal"] = decimal
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["when"] = lambda moment: f"{format_date(moment, 'full')} {format_time(moment, 'short')}"

    @app.context_processor
    def globals_for_templates():
        return {
            "municipality": get_municipality(),
            "locale": current_locale(),
            "language_names": LANGUAGE_NAMES,
            "languages": offered_languages(),
            "switch_language_url": switch_language_url,
            "role_labels": ROLE_LABELS,
            "status_labels": STATUS_LABELS,
            "state_labels": STATE_LABELS,
            "registration_labels": REGISTRATION_LABELS,
        }
