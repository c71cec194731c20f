"""The common submission and the first page, served in front of Flask for an open questionnaire.

Sending the answers is the busiest request the site has. In Flask it costs about as much again in the
framework (the request context, the session, before and after request hooks, the response object's
processing) as in the checks and the storing. This WSGI layer recognises the common case, a POST of
the last page to ``/questionnaires/<slug>`` with a valid CSRF token, and serves it with the view's own
functions: the same form token, answer checks (``answers.read``), fill-time check, answer limit, job
and writer, and the same 303 redirect to the receipt with the same headers. It checks the answers
against this process's copies of the questionnaire and municipality without asking the database, and
the write confirms their versions in its own transaction (``services.StaleSnapshot``): under load,
reading from SQLite while the writer commits cost the worker more than everything else it does.

The plain GET of a questionnaire's first page by a new visitor (or one whose session holds only the
CSRF token) is served the same way: the view's cached page with its two tokens filled in, the session
cookie set by Flask's own session interface, the same headers.

Anything else falls through, untouched, to the Flask app, which answers as it always has: any other GET,
another page (``move``), an error on the form, a bad or missing token, a closed questionnaire, a
signed-in member of staff, a query string, an unusual body or session. So every rule has one
implementation; only the framework is skipped, and only when nothing can go wrong.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import re
import time
from urllib.parse import unquote

from flask import g
from flask_wtf.csrf import same_origin
from itsdangerous import BadData
from werkzeug.datastructures import LanguageAccept, MultiDict
from werkzeug.http import parse_accept_header, parse_cookie
from werkzeug.wsgi import get_host

from dialogue import security
from dialogue.core import signing
from dialogue.core.base import utcnow
from dialogue.core.database import reading
from dialogue.core.services import get_municipality
from dialogue.extensions import db
from dialogue.i18n import LANG_COOKIE
from dialogue.questionnaires import answers as answers_mod

# the blueprint before the views: it imports the views and manage in the order they need
from dialogue.questionnaires import blueprint, ratelimit, services, snapshot, views  # noqa: F401
from dialogue.questionnaires.models import State

# Flask's default converter: one path segment
_PATH = re.compile(r"/questionnaires/([^/]+)")
_FORM_TYPES = {"application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8",
               "application/x-www-form-urlencoded; charset=UTF-8"}
CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's salt for the signed CSRF token (flask_wtf.csrf)


class FastSubmit:
    """WSGI middleware around ``app.wsgi_app``; ``served`` and ``pages_served`` count the submissions and
    first pages it answered itself."""

    def __init__(self, app, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.served = 0
        self.pages_served = 0

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if method in ("GET", "POST") and self.app.config.get("SUBMIT_FAST_PATH", True):
            match = _PATH.fullmatch(environ.get("PATH_INFO", ""))
            if match is not None:
                if method == "POST":
                    response = self._serve(environ, match.group(1))
                    self.served += response is not None
                else:
                    response = self._page(environ, match.group(1))
                    self.pages_served += response is not None
                if response is not None:
                    return response(environ, start_response)
        return self.wsgi_app(environ, start_response)

    def _page(self, environ, slug: str):
        """The empty first page from the view's cache (views.show), or None for Flask to answer.

        Only for a plain address and a visitor whose session holds nothing but the CSRF token; the
        page is filled and the session cookie set as Flask-WTF and Flask's session interface do.
        """
        app = self.app
        if environ.get("QUERY_STRING"):
            return None
        cookies = parse_cookie(environ.get("HTTP_COOKIE"))
        interface = app.session_interface
        if not isinstance(interface, signing.SessionInterface):
            return None
        field = app.config["WTF_CSRF_FIELD_NAME"]
        if interface.get_cookie_name(app) in cookies:
            data = _session(app, cookies)
            if data is None or not isinstance(data[field], str):
                return None
        else:
            data = {}
        if app.config.get("WTF_CSRF_SECRET_KEY"):
            return None
        with app.app_context():
            try:
                with reading(db.session):
                    questionnaire = snapshot.load(slug)
                    if (questionnaire is None or questionnaire.state == State.draft
                            or not questionnaire.is_accepting(utcnow())):
                        return None  # Flask's 404 or the closed page
                    key = views.first_page_key(questionnaire, _language(app, environ, cookies), b"")
                html = views.cached_first_page(app, key)
                if html is None:
                    return None  # Flask renders it, and keeps it for next time
                headers = _page_headers(app, environ)
                session = interface.session_class(data)
                if field not in session:  # flask_wtf.csrf.generate_csrf
                    session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
                    # the cookie exactly as Flask's session interface sets it (a new session: modified)
                    holder = app.response_class()
                    interface.save_session(app, session, holder)
                    headers += [("Set-Cookie", value) for value in holder.headers.getlist("Set-Cookie")]
                csrf = signing.serializer(app, CSRF_SALT).dumps(session[field])
                form = views.form_serializer(app).dumps(services.new_submission_key())
                body = html.replace(views.CSRF_MARK, csrf).replace(views.FORM_MARK, form).encode()
            except Exception:  # noqa: BLE001 - nothing has changed: Flask answers, with its error pages
                return None
        headers[1] = ("Content-Length", str(len(body)))

        def respond(_environ, start_response):
            start_response("200 OK", headers)
            return [body]

        return respond

    def _serve(self, environ, slug: str):
        """The redirect to the receipt once stored, or None for Flask to answer (the body is kept for it)."""
        app = self.app
        config = app.config
        if environ.get("QUERY_STRING") or environ.get("CONTENT_TYPE") not in _FORM_TYPES:
            return None
        length = environ.get("CONTENT_LENGTH", "")
        limit = min(config["MAX_CONTENT_LENGTH"] or 1 << 62, config["MAX_FORM_MEMORY_SIZE"] or 1 << 62)
        if not length.isdigit() or int(length) > limit:
            return None
        body = environ["wsgi.input"].read(int(length))
        environ["wsgi.input"] = io.BytesIO(body)  # Flask reads it again if this falls through
        if len(body) != int(length):
            return None  # the client went away mid-body: Flask's error
        with app.app_context():
            try:
                submission = _checked(app, environ, slug, body)
            except Exception:  # noqa: BLE001 - nothing has changed yet: Flask answers, with its error pages
                return None  # (an error message, for one, is translated for Flask's request)
            if submission is None:
                return None
            # counted once, here; should this fall through after all, the view does not count it again
            within = environ[ratelimit.COUNTED] = ratelimit.within_answer_limit(
                environ.get("REMOTE_ADDR") or "127.0.0.1")
            if not within:
                return None  # Flask's 429 page
            try:
                token = views.store(submission)
            except Exception:  # noqa: BLE001 - Flask checks and tries once more (the key keeps it to one
                return None  # response): a changed questionnaire (StaleSnapshot) or an error page
            return _receipt_redirect(app, environ, slug, token)


def _page_headers(app, environ) -> list[tuple[str, str]]:
    """A fresh copy of the headers Flask sends with the page (Content-Length to fill in), made once."""
    kept = app.extensions.setdefault("dialogue.fast_path_page_headers", {})
    headers = kept.get(app.config["HSTS"])
    if headers is None:
        response = add_headers(app, app.response_class(""))
        response.vary.add("Cookie")  # Flask's session interface: the session was read
        headers = response.get_wsgi_headers(environ).to_wsgi_list()
        if [name for name, _value in headers[:2]] != ["Content-Type", "Content-Length"]:
            raise RuntimeError("unexpected headers for the page")  # caught: Flask answers
        kept[app.config["HSTS"]] = headers
    return list(headers)


_MAX_ADAPTERS = 100
_MAX_LANGUAGE_HEADERS = 1000
# Stands for the private-link token in a kept redirect: as long as every token (32 bytes in URL-safe
# base64), and made only of characters that URL quoting and HTML escaping leave alone, as the token's are.
_TOKEN_MARK = "T0kenMark" * 4 + "T0kenMa"


def _receipt_redirect(app, environ, slug: str, token: str):
    """The 303 to the receipt, as ``add_headers(app, app.redirect(url_for(...), 303))`` answers it.

    The response differs between residents only by the token, so it is built once per address (host,
    prefix, slug) with a stand-in and the token put in its place; the same status, headers and body.
    """
    key = (_adapter_key(app, environ), slug, app.config["HSTS"])
    kept = app.extensions.setdefault("dialogue.fast_path_redirects", {})
    found = kept.get(key)
    if found is None:
        location = _adapter(app, environ).build("questionnaires.mine",
                                                {"slug": slug, "token": _TOKEN_MARK, "received": 1})
        response = add_headers(app, app.redirect(location, 303))
        headers = response.get_wsgi_headers(environ).to_wsgi_list()
        body = response.get_data()
        if location.count(_TOKEN_MARK) != 1 or body.count(_TOKEN_MARK.encode()) != 2:
            found = False  # the slug holds the stand-in: built each time instead
        else:
            found = (response.status, headers, body)
        if len(kept) >= _MAX_ADAPTERS:
            kept.clear()
        kept[key] = found
    if found is False or len(token) != len(_TOKEN_MARK):
        location = _adapter(app, environ).build("questionnaires.mine", {"slug": slug, "token": token, "received": 1})
        return add_headers(app, app.redirect(location, 303))
    status, headers, body = found
    headers = [(name, value.replace(_TOKEN_MARK, token) if name == "Location" else value) for name, value in headers]
    body = body.replace(_TOKEN_MARK.encode(), token.encode())

    def respond(_environ, start_response):
        start_response(status, headers)
        return [body]

    return respond


def _adapter_key(app, environ) -> tuple:
    return (environ.get("HTTP_HOST"), environ.get("SERVER_NAME"), environ.get("SERVER_PORT"),
            environ.get("SCRIPT_NAME"), environ.get("wsgi.url_scheme"), app.config["SERVER_NAME"])


def _adapter(app, environ):
    """The URL adapter url_for builds with (Flask binds one to each request), kept per host and prefix."""
    key = _adapter_key(app, environ)
    adapters = app.extensions.setdefault("dialogue.fast_path_adapters", {})
    adapter = adapters.get(key)
    if adapter is None:
        if len(adapters) >= _MAX_ADAPTERS:
            adapters.clear()
        # what Flask's create_url_adapter does for a request; only its building is used here
        adapter = adapters[key] = app.url_map.bind_to_environ(environ, server_name=app.config["SERVER_NAME"])
    return adapter


def _checked(app, environ, slug: str, body: bytes):
    """The view's checks for a final submission (views._check), or None when Flask must answer."""
    config = app.config
    try:
        form = MultiDict(parse_form(body.decode()))
    except UnicodeDecodeError:
        return None
    cookies = parse_cookie(environ.get("HTTP_COOKIE"))
    session = _session(app, cookies)
    if session is None or not _csrf_valid(app, environ, form, session):
        return None
    if form.get("move", "submit") != "submit" or form.get(views.HONEYPOT):
        return None
    # This process's copies, without a query: asking the database for the versions cost more than all
    # the checks together under load. The write confirms the versions in its own transaction.
    found = snapshot.cached(slug)
    if found is None:
        return None  # Flask loads them
    questionnaire, municipality = found
    g.municipality = municipality
    if questionnaire.state == State.draft or not questionnaire.is_accepting(utcnow()):
        return None
    try:
        submission_key, started = views.form_serializer(app).loads(form.get("form", ""), return_timestamp=True)
    except BadData:
        return None
    pages = answers_mod.paginate(questionnaire.questions)
    visible = [q for page in pages for q in page]
    answers = answers_mod.read(form, visible, {loc.id for loc in municipality.active_localities})
    feedback_email, feedback_error = views._feedback_email(form.get("feedback_email", ""))
    if answers.errors or feedback_error:
        return None
    if time.time() - started.timestamp() < config["QUESTIONNAIRE_MIN_SECONDS"]:
        return None
    return views._Submission(questionnaire, visible, answers, submission_key,
                             _language(app, environ, cookies, municipality), feedback_email,
                             [questionnaire.version, municipality.id, municipality.version])


def parse_form(text: str) -> list[tuple[str, str]]:
    """``parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote")``, as Werkzeug reads a form,
    with less work per field: most fields of an answer need no unquoting at all."""
    pairs = []
    for field in text.split("&"):
        if not field:
            continue
        name, _equals, value = field.partition("=")
        if "+" in name:
            name = name.replace("+", " ")
        if "%" in name:
            name = unquote(name, errors="werkzeug.url_quote")
        if "+" in value:
            value = value.replace("+", " ")
        if "%" in value:
            value = unquote(value, errors="werkzeug.url_quote")
        pairs.append((name, value))
    return pairs


def _session(app, cookies) -> dict | None:
    """The session as Flask opens it, if it holds nothing but the CSRF token; else None.

    Anything more (a signed-in member of staff, a flashed message, a permanent session) changes what
    Flask adds to the response, so those requests go to Flask.
    """
    interface = app.session_interface
    if not isinstance(interface, signing.SessionInterface):
        return None
    value = cookies.get(interface.get_cookie_name(app))
    if not value:
        return None
    try:
        data = interface.get_signing_serializer(app).loads(
            value, max_age=int(app.permanent_session_lifetime.total_seconds()))
    except BadData:
        return None
    if not isinstance(data, dict) or set(data) != {app.config["WTF_CSRF_FIELD_NAME"]}:
        return None
    return data


def _csrf_valid(app, environ, form: MultiDict, session: dict) -> bool:
    """Flask-WTF's check (CSRFProtect.protect with validate_csrf), for a token sent in the form."""
    config = app.config
    if (not config["WTF_CSRF_ENABLED"] or not config["WTF_CSRF_CHECK_DEFAULT"]
            or "POST" not in config["WTF_CSRF_METHODS"] or config.get("WTF_CSRF_SECRET_KEY")):
        return False
    field = config["WTF_CSRF_FIELD_NAME"]
    data = form.get(field)
    if not data:
        return False
    try:
        token = signing.serializer(app, CSRF_SALT).loads(data, max_age=config.get("WTF_CSRF_TIME_LIMIT", 3600))
    except BadData:
        return False
    if not isinstance(token, str) or not hmac.compare_digest(session[field], token):
        return False
    if environ.get("wsgi.url_scheme") == "https" and config["WTF_CSRF_SSL_STRICT"]:
        # Flask-WTF's referrer check over HTTPS (request.host honours TRUSTED_HOSTS: left to Flask)
        referrer = environ.get("HTTP_REFERER")
        if not referrer or config.get("TRUSTED_HOSTS"):
            return False
        return same_origin(referrer, f"https://{get_host(environ)}/")
    return True


def _language(app, environ, cookies, municipality=None) -> str:
    """dialogue.i18n.select_locale for a request without ``?lang=``: cookie, browser, then the default."""
    languages = app.config["LANGUAGES"]
    remembered = cookies.get(LANG_COOKIE)
    if remembered in languages:
        return remembered
    header = environ.get("HTTP_ACCEPT_LANGUAGE")
    if header:
        # browsers send a handful of different headers: each is parsed once
        matches = app.extensions.setdefault("dialogue.fast_path_languages", {})
        key = (header, tuple(languages))
        if key not in matches:
            if len(matches) >= _MAX_LANGUAGE_HEADERS:
                matches.clear()
            matches[key] = parse_accept_header(header, LanguageAccept).best_match(languages)
        if matches[key]:
            return matches[key]
    municipality = municipality or get_municipality()
    if municipality is not None and municipality.default_locale in languages:
        return municipality.default_locale
    return app.config["BABEL_DEFAULT_LOCALE"]


def add_headers(app, response):
    """What Flask's after-request hooks add to this response (dialogue.security, the session's Vary)."""
    security.add_standard_headers(response.headers, app.config["HSTS"])
    response.vary.add("Cookie")  # Flask's session interface: the session was read
    return response
