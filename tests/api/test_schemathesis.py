"""The API against its own OpenAPI document: schemathesis generates requests for every operation and checks
that none fails on the server, every status is documented, and every body matches its schema.

The operations are driven with Hypothesis directly (`operation.as_strategy()`): schemathesis' lazy pytest
loader does not run under this pytest version, and this way each backend's app is the one under test.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from dialogue.api.openapi import document
from tests.api.conftest import bearer

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
PATHS = list(document()["paths"])
EXAMPLES = 30


@pytest.mark.parametrize("path", PATHS)
def test_api_keeps_its_document(app, demo, make_token, path):
    token, _email = make_token("analyst")
    app.config["API_RATE_LIMIT"] = "100000 per minute"  # the generated requests must not meet the limit
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path]["GET"]
    seen: list[int] = []

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        response = case.call(headers=bearer(token))
        seen.append(response.status_code)
        case.validate_response(response, checks=CHECKS, headers=bearer(token))

    check()
    assert seen, path
    if "{" not in path:
        assert 200 in seen, (path, sorted(set(seen)))  # the generated requests reached real data


def test_the_document_is_openapi_3_1_with_bearer_security(client):
    body = client.get("/api/v1/openapi.json").json
    assert body["openapi"].startswith("3.1")
    assert body["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, item in body["paths"].items():
        assert {"200", "400", "401", "403"} <= set(item["get"]["responses"]), path
