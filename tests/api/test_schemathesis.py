"""The API against its own OpenAPI document, on both engines: schemathesis' engine (what `schemathesis run`
runs) generates requests for every operation in all its phases and applies all its checks.

The version is pinned in pyproject.toml's `test` extra; the number of examples is fixed and the run
deterministic, so that CI sends the same requests every time. A check left out is listed in README.md's API
section with its reason (EXCLUDED below).
"""

from __future__ import annotations

import re
import threading
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import schemathesis
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from werkzeug.serving import WSGIRequestHandler, make_server

from dialogue.api.openapi import document

EXAMPLES = 25  # per operation and phase
LISTS = ["/api/v1/questionnaires", "/api/v1/responses", "/api/v1/contributions", "/api/v1/events",
         "/api/v1/visions"]
#: checks left out, and for which operations; README.md's API section gives the reason
EXCLUDED: dict[str, list[str]] = {
    # a cursor must be one the API gave out, a questionnaire, locality or building block must exist, date_to
    # must not come before date_from: no JSON Schema says so, and the documented answer is a 400
    "positive_data_acceptance": LISTS,
}


def _config(token: str) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict({
        "seed": 20260415,
        "headers": {"Authorization": f"Bearer {token}"},
        "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
        "checks": {"enabled": True},
        # every method the API does not answer, TRACE too, must be a JSON 405 with Allow
        "phases": {"coverage": {"unexpected-methods": ["PUT", "POST", "DELETE", "PATCH", "TRACE", "OPTIONS"]}},
        "operations": [{"include-path-regex": "^(" + "|".join(map(re.escape, paths)) + ")$",
                        "checks": {name: {"enabled": False}}} for name, paths in EXCLUDED.items()],
    })


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args) -> None:
        pass


@contextmanager
def serving(app):
    """The app on a real port, as `schemathesis run` reaches a server: the engine's checks that send a
    request of their own (ignored_auth) pass transport options an in-process WSGI client refuses."""
    server = make_server("127.0.0.1", 0, app, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@dataclass
class Run:
    problems: list[str] = field(default_factory=list)  # every failed check and every error
    phases: set[str] = field(default_factory=set)  # the phases that sent requests
    #: (method, path as sent, status, content type, Allow) of every request
    answers: list[tuple[str, str, int, str, str]] = field(default_factory=list)
    #: the statuses each operation answered, by its label ("GET /api/v1/responses")
    statuses: dict[str, set[int]] = field(default_factory=dict)


def _run(app, token: str) -> Run:
    with serving(app) as base:
        return _collect(schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json", config=_config(token)))


def _collect(schema) -> Run:
    run = Run()
    problems = run.problems
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for interaction in event.recorder.interactions.values():
                response = interaction.response
                if response is not None:
                    run.phases.add(str(event.phase))
                    run.statuses.setdefault(event.recorder.label, set()).add(response.status_code)
                    headers = {name: ", ".join(values) for name, values in response.headers.items()}
                    run.answers.append((interaction.request.method, urlsplit(interaction.request.uri).path,
                                        response.status_code, headers.get("content-type", ""),
                                        headers.get("allow", "")))
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        problems.append(f"{event.recorder.label}: {check.name}: "
                                        f"{check.failure_info.failure.title}\n{check.failure_info.code_sample}")
        elif isinstance(event, events.NonFatalError):
            problems.append(f"{event.label}: error: {event.info}\n" + "".join(traceback.format_exception(event.value)))
        elif isinstance(event, events.FatalError):
            problems.append(f"fatal: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            problems.extend(f"after the run: {failure.title}" for failure in event.failures)
    return run


def test_api_keeps_its_document(app, demo, make_token):
    token, _email = make_token("analyst")
    app.config["API_RATE_LIMIT"] = "100000 per minute"  # the generated requests must not meet the limit
    run = _run(app, token)
    assert not run.problems, "\n\n".join(dict.fromkeys(run.problems))
    assert {"coverage", "fuzzing", "stateful"} <= run.phases
    for path in document()["paths"]:
        seen = run.statuses.get(f"GET {path}", set())
        assert seen, path
        if "{" not in path:
            assert 200 in seen, (path, sorted(seen))  # the generated requests reached real data
    # the other methods were tried on every operation, and every error came as JSON
    others = {(method, path) for method, path, status, _type, allow in run.answers
              if method not in ("GET", "HEAD", "OPTIONS") and status == 405 and allow == "GET, HEAD, OPTIONS"}
    assert {method for method, _path in others} == {"PUT", "POST", "DELETE", "PATCH", "TRACE"}
    assert len({path for _method, path in others}) >= len(document()["paths"])
    html = [answer for answer in run.answers if answer[2] >= 400 and not answer[3].startswith("application/json")]
    assert not html, html[:5]


def test_every_check_runs_but_the_excluded():
    """All of schemathesis' checks are on; the ones left out are real checks, left out only where named."""
    load_all_checks()
    assert set(EXCLUDED) <= set(CHECKS.get_all_names())
    config = _config("dlg_x").projects.get_default()
    schema = schemathesis.openapi.from_dict(document(), config=SchemathesisConfig.from_dict({}))
    for name in CHECKS.get_all_names():
        for operation in schema.get_all_operations():
            operation = operation.ok()
            enabled = config.checks_config_for(operation=operation, phase=None).get_by_name(name=name).enabled
            assert enabled == (operation.path not in EXCLUDED.get(name, [])), (name, operation.path)


def test_the_document_is_openapi_3_1_with_bearer_security(client):
    body = client.get("/api/v1/openapi.json").json
    assert body["openapi"].startswith("3.1")
    assert body["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, item in body["paths"].items():
        assert {"200", "400", "401", "403", "429"} <= set(item["get"]["responses"]), path
