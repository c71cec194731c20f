"""Every error under /api/v1 is JSON: any method, any address, any id, routed or not; a 405 always says Allow.
And the OpenAPI document's parameters are what the server accepts."""

from __future__ import annotations

import pytest

from dialogue.core.ids import MAX_ID
from tests.api.conftest import bearer

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "TRACE", "CONNECT", "PROPFIND", "FOO"]
HUGE = "9" * 30


def _json_error(response, status: int) -> dict | None:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:200])
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    if status == 405:
        assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
    if response.request.method == "HEAD":
        return None
    body = response.json["error"]
    assert body["status"] == status and body["message"]
    return body


def _api_addresses(app, questionnaire_id: int, slug: str) -> list[str]:
    """Every API route of the url map, with a real id or slug in it."""
    addresses = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            addresses.append(rule.rule.replace("<int:questionnaire_id>", str(questionnaire_id))
                             .replace("<slug>", slug))
    assert len(addresses) == 8
    return sorted(addresses)


def test_other_methods_on_every_api_address_are_a_json_405(app, client, demo, make_token):
    token, _email = make_token("analyst")
    vision = client.get("/api/v1/visions", headers=bearer(token)).json["data"][0]["slug"]
    for address in _api_addresses(app, demo["questionnaire"], vision):
        for method in METHODS[2:]:
            _json_error(client.open(address, method=method, headers=bearer(token)), 405)
        allowed = client.options(address, headers=bearer(token))
        assert allowed.status_code == 200
        assert sorted(allowed.headers["Allow"].split(", ")) == ["GET", "HEAD", "OPTIONS"]
        assert client.get(address, headers=bearer(token)).status_code == 200, address


@pytest.mark.parametrize("address", [
    "/api/v1", "/api/v1/", "/api/v1/nothing-here", "/api/v1/events/", "/api/v1/responses/1",
    f"/api/v1/questionnaires/{HUGE}", f"/api/v1/questionnaires/{MAX_ID + 1}", f"/api/v1/questionnaires/{MAX_ID}",
    "/api/v1/questionnaires/0", "/api/v1/questionnaires/-1", "/api/v1/questionnaires/%C2%B2",
    "/api/v1/visions/no-such-vision", "/api/v1/visions/a%2Fb", "/api/v1/visions/" + "x" * 5000,
])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_nothing_there_is_a_json_404(client, make_token, address, method):
    token, _email = make_token("organizer")
    _json_error(client.open(address, method=method, headers=bearer(token)), 404)


@pytest.mark.parametrize("method", METHODS[2:])
def test_unknown_addresses_are_a_json_404_whatever_the_method(client, method):
    for address in ("/api/v1/nothing-here", f"/api/v1/nothing/{HUGE}"):
        _json_error(client.open(address, method=method), 404)


@pytest.mark.parametrize("method", ["TRACE", "PUT", "FOO"])
def test_another_method_on_a_huge_id_is_a_json_error(client, method):
    """The method or the converter refuses it first; either way the answer is JSON, and a 405 has Allow."""
    response = client.open(f"/api/v1/questionnaires/{HUGE}", method=method)
    _json_error(response, response.status_code)
    assert response.status_code in (404, 405)


@pytest.mark.parametrize("address", ["/api/v1/visions/a%00b", "/api/v1/%00", "/api/v1/nothing/%00/x",
                                     "/api/v1/questionnaires/1%00"])
@pytest.mark.parametrize("method", ["GET", "TRACE", "DELETE"])
def test_a_nul_in_the_path_is_a_json_400(client, make_token, address, method):
    token, _email = make_token("organizer")
    body = _json_error(client.open(address, method=method, headers=bearer(token)), 400)
    assert body["parameter"] == "path"


def test_a_server_error_is_json_and_says_nothing_of_the_cause(app_factory):
    app = app_factory(PROPAGATE_EXCEPTIONS=False)

    @app.route("/api/v1/boom")
    def boom():
        raise RuntimeError("secret detail that must not be shown")

    response = app.test_client().get("/api/v1/boom")
    body = _json_error(response, 500)
    assert "secret" not in response.get_data(as_text=True) and body["message"]


def test_a_limit_met_is_a_json_429(app_factory, make_user):
    app = app_factory(API_RATE_LIMIT="1 per minute")
    client = app.test_client()
    assert client.get("/api/v1/openapi.json").status_code == 200
    _json_error(client.get("/api/v1/openapi.json"), 429)


def test_staff_pages_in_the_same_blueprint_keep_their_html_errors(client, make_user):
    from tests.conftest import login

    login(client, make_user("admin"))
    response = client.get("/staff/api-tokens/1/revoke")
    assert response.status_code == 405 and response.mimetype == "text/html"
    assert client.get("/staff/api-tokens/nothing").mimetype == "text/html"


# -- the document's parameters are the server's ---------------------------------------------------------

def _parameters(client, path: str) -> dict[str, dict]:
    document = client.get("/api/v1/openapi.json").json
    return {p["name"]: p for p in document["paths"][path]["get"]["parameters"]}


def test_ids_in_the_document_have_the_servers_bounds(client):
    detail = _parameters(client, "/api/v1/questionnaires/{questionnaire_id}")["questionnaire_id"]["schema"]
    contributions = _parameters(client, "/api/v1/contributions")
    for schema in (detail, contributions["locality"]["schema"], contributions["node"]["schema"]):
        assert schema == {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    assert contributions["cursor"]["schema"] == {"type": "string"}
    assert "400" in contributions["cursor"]["description"]
    assert all(p["allowEmptyValue"] for p in contributions.values())


@pytest.mark.parametrize(("query", "status"), [
    ("locality=0", 400), (f"locality={MAX_ID + 1}", 400), (f"locality={MAX_ID}", 400), ("locality=-1", 400),
    (f"node={MAX_ID}", 400), ("node=0", 400), (f"questionnaire={MAX_ID}", 400),
    ("cursor=not-one-of-ours", 400), ("date_from=20260331", 400), ("date_to=2026-W14-2", 400),
    ("locality=&node=&cursor=&limit=&questionnaire=&date_from=&date_to=&group=&channel=&coding_state=", 200),
])
def test_the_server_answers_as_documented(client, demo, make_token, query, status):
    """Outside the document's bounds or naming nothing (an id no row has, a cursor the API did not make): a 400
    naming the parameter, on both engines, never a 500. Empty values are the same as left out."""
    token, _email = make_token("analyst")
    response = client.get(f"/api/v1/contributions?{query}", headers=bearer(token))
    assert response.status_code == status, response.json
    if status == 400:
        assert response.json["error"]["parameter"] == query.split("=")[0]
