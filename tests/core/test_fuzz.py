"""Every public route against generated input (Hypothesis), on both engines: never a server error.

The routes come from `app.url_map` (all but /staff, which has its own tests with a signed-in user, and
/api, which schemathesis drives from its OpenAPI document). Generated values go into the path's parts,
the query string and a form body: NUL, CR and LF, invalid percent-escapes, digits that are not ASCII,
numbers no database column holds and 10,000-character strings, besides real slugs, ids and private-link
tokens from the demo so that some requests reach real objects. A POST carries either no CSRF token or
the hidden fields of a GET of the same address (falling back to a token from the questionnaire), so that
form parsing and checking run too. The number of examples is fixed and the run derandomized: CI runs the
same requests every time.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st
from werkzeug.routing import AnyConverter, PathConverter

from dialogue.core.base import utcnow
from dialogue.core.services import new_submission_key
from dialogue.events import services as events
from dialogue.events.models import Event, EventState
from dialogue.extensions import db
from dialogue.processes.models import Process
from dialogue.questionnaires.models import FeedbackContact, Question, Questionnaire
from dialogue.steering.feedback import unsubscribe_token
from dialogue.vision.models import Vision
from tests.conftest import csrf_token
from tests.fuzz_values import EDGES, encode, urlencoded, value_strategy
from tests.questionnaires.helpers import URL, answer_all, hidden_fields

EXAMPLES = 5  # generated, per route and method (besides the EDGES)

# Names the public views (and the language switcher) read from the query string and forms.
QUERY_NAMES = ["lang", "month", "kind", "locality", "page", "q", "group", "next", "cursor", "limit"]
FORM_NAMES = ["csrf_token", "form", "page", "move", "feedback_email", "website", "name", "email", "group",
              "needs", "needs_note", "confirm", "lang"]


def public_rules(app) -> list:
    rules = [rule for rule in app.url_map.iter_rules()
             if not rule.rule.startswith(("/staff", "/api"))]
    assert len(rules) > 15  # the public site is all here
    return sorted(rules, key=lambda r: r.rule)


ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def known_parts(rule, name: str, real: dict[str, list[str]]) -> list[str]:
    converter = rule._converters[name]
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)
    if isinstance(converter, PathConverter):
        return ["css/site.css", "../dialogue/config.py", "a/../../x", "."]
    # real ids, slugs and tokens for this place in this route (a vision's slug for /vision/...)
    return real.get(f"{rule.rule.split('/')[1]} {name}") or real.get(name) or real["any"]


def demo_values(app, client) -> dict[str, list[str]]:
    """Real ids, slugs and private-link tokens of the demo (one answer sent, with an address for the
    feedback, and one sign-up made), by the route's first segment and argument name."""
    _fields, receipt = answer_all(app, client, feedback_email="ada@example.se")
    answer_tokens = re.findall(r"/answers/([A-Za-z0-9_-]{20,})", receipt.get_data(as_text=True))
    assert answer_tokens
    with app.app_context():
        event = next(e for e in db.session.scalars(sa.select(Event)) if e.signup_open(utcnow()))
        _registration, cancel_token = events.register(
            event, group="other", name="Ada", email="ada@example.se", needs=[], needs_note="", locale="sv",
            submission_key=new_submission_key())
        db.session.commit()
        real = {
            "questionnaires slug": list(db.session.scalars(sa.select(Questionnaire.slug))),
            "questionnaires token": answer_tokens,
            "processes slug": list(db.session.scalars(sa.select(Process.slug))),
            "vision slug": list(db.session.scalars(sa.select(Vision.slug))),
            "events event_id": [str(i) for i in db.session.scalars(
                sa.select(Event.id).where(Event.state != EventState.draft))],
            "events token": [cancel_token],
            "feedback token": [unsubscribe_token(c) for c in db.session.scalars(sa.select(FeedbackContact))],
            "question": [str(i) for i in db.session.scalars(sa.select(Question.id))],
        }
    real["any"] = sorted({v for values in real.values() for v in values})
    return real


def test_public_routes_never_answer_with_a_server_error(app_factory, municipality):
    app = app_factory(RATELIMIT_ENABLED=False)
    client = app.test_client()
    real = demo_values(app, client)
    fallback_fields = hidden_fields(client.get(URL).get_data(as_text=True))
    values = value_strategy(real["any"])
    query = st.lists(st.tuples(st.one_of(st.sampled_from(QUERY_NAMES), values), values), max_size=3)
    form_names = FORM_NAMES + [f"q{i}" for i in real["question"]] + [f"q{i}_other" for i in real["question"]]
    form = st.lists(st.tuples(st.one_of(st.sampled_from(form_names), values), values), max_size=4)
    seen: dict[str, set[int]] = {}

    def send(method: str, url: str, fields: list[tuple[str, str]]):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data=urlencoded(fields), content_type="application/x-www-form-urlencoded")
        seen.setdefault(method, set()).add(response.status_code)
        assert response.status_code < 500, (method, url, fields)
        return response

    def fuzz(rule, method: str) -> None:
        known = {name: known_parts(rule, name, real) for name in rule.arguments}
        parts = st.fixed_dictionaries({name: st.one_of(st.sampled_from(k), values) for name, k in known.items()})

        @given(parts=parts, query=query, form=form if method == "POST" else st.just([]))
        @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))
        def check(parts, query, form):
            url = ARGUMENT.sub(lambda m: encode(parts[m.group(1)]), rule.rule)
            if query:
                url += "?" + urlencoded(query)
            note(f"{method} {url} {form!r:.2000}")  # shown for a failing example with the request's error
            page = send("GET", url, [])
            if method == "POST":
                send("POST", url, form)  # no CSRF token: refused, whatever the form holds
                # with the hidden fields of the page (the CSRF token, the questionnaire's form token)
                hidden = hidden_fields(page.get_data(as_text=True)) or fallback_fields
                send("POST", url, [(k, v) for k, v in hidden.items() if k in ("csrf_token", "form")] + form)

        # besides the generated examples, each edge value in every parameter at once on a real object, and
        # in every part of the path
        for value in EDGES:
            check = example(parts={name: k[0] for name, k in known.items()}, query=[(n, value) for n in QUERY_NAMES],
                            form=[(n, value) for n in form_names] if method == "POST" else [])(check)
            if known:
                check = example(parts={name: value for name in known}, query=[], form=[])(check)
        check()

    # each route and method gets its own examples, so that none is left to chance
    for rule in public_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            fuzz(rule, method)
    # the requests reached real pages and real forms, and met odd input
    assert {200, 400, 404} <= seen["GET"] and {200, 400, 422} <= seen["POST"], seen


ENGLISH = {"Accept-Language": "en"}
NUL_PATHS = ["/processes/x%00y", f"{URL}%00", f"{URL}/answers/%00/edit", "/vision/%00/follow-up",
             "/static/css%00/site.css", "/events/cancel/%00", "/staff/coding/%00"]


def test_a_nul_in_the_path_is_a_bad_request(client):
    """PostgreSQL refuses NUL in text, and nothing can be looked up by such a slug or token: 400 up front."""
    for url in NUL_PATHS:
        response = client.get(url, headers=ENGLISH)
        assert response.status_code == 400, url
        assert "Go back and try again." in response.get_data(as_text=True), url  # the friendly error page


def test_a_nul_that_reaches_postgresql_is_a_bad_request(backend, client):
    """Sign-in looks the address up as typed: PostgreSQL refused the NUL, which was a server error."""
    token = csrf_token(client, "/staff/login")
    response = client.post("/staff/login", data={"csrf_token": token, "email": "ada\x00@example.se",
                                                 "password": "x"}, headers=ENGLISH)
    page = response.get_data(as_text=True)
    if backend == "postgresql":
        assert response.status_code == 400
        assert "Go back and try again." in page and "The form had expired" not in page  # not the CSRF check
    else:  # SQLite holds any text: an unknown address
        assert response.status_code < 500 and "/staff/login" in page


def test_a_nul_in_the_api_is_a_bad_request_in_json(client):
    response = client.get("/api/v1/questionnaires/1%00")
    assert response.status_code == 400
    assert response.json["error"]["parameter"] == "path"
