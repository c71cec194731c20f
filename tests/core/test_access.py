"""Every staff route answers each role as its decorator says, and every form survives a crafted request: walks
over the whole URL map."""

from __future__ import annotations

import pytest

from dialogue.core.models import Role
from tests.conftest import csrf_token, login
from tests.routes import public_rules, staff_rules, url
from tests.routes import sample_args as make_sample_args

# Pages of one agreement round: only its two coders (and admins) pass; the sample round's coders are other
# analysts, so a signed-in analyst meets the object-level 403 (tests/coding/test_agreement.py covers the coders).
ROUND_CODERS_ONLY = {"coding.agreement_round", "coding.agreement_code", "coding.agreement_results"}
# At the door of one event: only those who run it (and admins) check people in; the walk's organizer does
# not run the sample event, so meets the object-level 403 (tests/events/test_run_by.py covers those who do).
EVENT_STAFF_ONLY = {"events.manage_check_in", "events.manage_walk_in"}


@pytest.fixture
def sample_args(app, municipality) -> dict[str, object]:
    """Values for the URL parameters of staff routes: real objects, so allowed roles get real pages."""
    with app.app_context():
        return make_sample_args()


def _call(client, rule, args, token=None):
    address = url(rule, args)
    if "GET" in rule.methods:
        return client.get(address)
    return client.post(address, data={"csrf_token": token} if token else {})


def test_anonymous_is_sent_to_sign_in_on_every_staff_route(app, client, sample_args):
    for rule in staff_rules(app):
        response = _call(client, rule, sample_args)
        assert response.status_code in (302, 400), rule.rule
        if response.status_code == 302:
            assert "/staff/login" in response.headers["Location"], rule.rule


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_staff_route_checks_the_role(app, client, make_user, role, sample_args):
    login(client, make_user(role))
    token = csrf_token(client, "/staff/")
    for rule in staff_rules(app):
        view = app.view_functions[rule.endpoint]
        allowed = getattr(view, "staff_roles", None)
        assert allowed is not None, f"{rule.endpoint} is not decorated with @staff_required"
        response = _call(client, rule, sample_args, token)
        if (rule.endpoint in ROUND_CODERS_ONLY or rule.endpoint in EVENT_STAFF_ONLY) and role != Role.admin:
            assert response.status_code == 403, (rule.rule, role)
        elif role == Role.admin or Role(role) in allowed:
            assert response.status_code not in (401, 403), (rule.rule, role)
            assert response.status_code < 500, (rule.rule, role)
        else:
            assert response.status_code == 403, (rule.rule, role)


def test_a_form_sent_with_nothing_but_its_token_is_answered_never_a_server_error(app, client, make_user,
                                                                                sample_args):
    """A crafted request may leave out every field a browser would send: each form then answers with its
    errors, or changes nothing, but never fails. (Signing out goes last: the walk needs the session.)"""
    login(client, make_user("admin"))
    token = csrf_token(client, "/staff/")
    rules = [rule for rule in staff_rules(app) + public_rules(app) if "POST" in rule.methods]
    assert len(rules) > 50
    for rule in sorted(rules, key=lambda rule: rule.endpoint == "core.logout"):
        try:
            response = client.post(url(rule, sample_args), data={"csrf_token": token})
        except Exception as error:  # the test app lets a view's exception through
            raise AssertionError(f"{rule.rule} failed") from error
        assert response.status_code < 500, rule.rule
