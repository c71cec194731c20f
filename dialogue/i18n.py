"""Language choice and translated content.

Interface text goes through Flask-Babel (``_`` and ``_l``; ``_p`` and ``_lp`` give a word with two meanings
a context, such as ``_p("count", "Number")`` against ``_p("identifier", "Number")``, which templates write
as ``pgettext(...)``). Content that staff write (a process title, a question) is stored per language as
a dict ``{"sv": ..., "en": ...}`` and shown with :func:`tr`, which falls back to the municipality's
default language.
"""

from __future__ import annotations

from flask import current_app, g, has_request_context, request
from flask_babel import get_locale as babel_locale
from flask_babel import gettext as _  # noqa: F401  (re-exported)
from flask_babel import lazy_gettext as _l  # noqa: F401  (re-exported)
from flask_babel import lazy_pgettext as _lp  # noqa: F401  (re-exported)
from flask_babel import pgettext as _p  # noqa: F401  (re-exported)

LANGUAGE_NAMES = {"sv": "Svenska", "da": "Dansk", "en": "English"}
LANG_COOKIE = "dialogue_lang"


def default_locale() -> str:
    from dialogue.core.services import get_municipality

    municipality = get_municipality() if has_request_context() else None
    if municipality is not None and municipality.default_locale in current_app.config["LANGUAGES"]:
        return municipality.default_locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def offered_languages() -> list[str]:
    """The languages the municipality offers, in the site's order (all of them before it is set up)."""
    from dialogue.core.services import get_municipality

    municipality = get_municipality() if has_request_context() else None
    supported = current_app.config["LANGUAGES"]
    chosen = [code for code in supported if municipality is not None and code in (municipality.languages or ())]
    return chosen or list(supported)


def select_locale() -> str:
    """``?lang=`` (the switcher), then the remembered choice, then the browser, then the default.

    Without a request (a command, a background job) it is the default, unless ``force_locale`` says other.
    """
    if "locale" in g:
        return g.locale
    if not has_request_context():
        return default_locale()
    languages = offered_languages()
    chosen = request.args.get("lang")
    if chosen in languages:
        g.remember_locale = chosen
        locale = chosen
    elif request.cookies.get(LANG_COOKIE) in languages:
        locale = request.cookies[LANG_COOKIE]
    else:
        locale = request.accept_languages.best_match(languages) or default_locale()
    g.locale = locale
    return locale


def current_locale() -> str:
    return str(babel_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def tr(value: dict | str | None, locale: str | None = None) -> str:
    """The text of a translatable field in the reader's language, falling back sensibly."""
    if not value:
        return ""
    if isinstance(value, str):
        return value
    locale = locale or current_locale()
    if value.get(locale):
        return value[locale]
    fallback = default_locale()
    if value.get(fallback):
        return value[fallback]
    return next((text for text in value.values() if text), "")


def remember_locale(response):
    """Keep the switcher's choice in a cookie (a preference, not personal data)."""
    chosen = g.get("remember_locale")
    if chosen:
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def vary_by_language(response):
    """Tell caches that a reply put together in a language depends on what chose it: the Accept-Language
    header, and the cookie that remembers the switcher's choice (``?lang=`` is in the address already).

    The language is chosen (select_locale) the first time something is translated, formatted or read with
    tr(): every page, the calendar feeds, an API reply with labels or an error message. A reply that never
    asked for it (a stylesheet, an API list of numbers and stored texts) does not vary. Vary is added to,
    never replaced, so the Cookie that the session or the staff pages put there stays.
    """
    if "locale" in g:
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response
