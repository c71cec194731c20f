"""Staff read the audit log in words: every action the code records has a label in the catalogs."""

from __future__ import annotations

import ast

from dialogue.config import ROOT
from dialogue.core.audit import ACTION_LABELS, action_label, object_label


def _strings(node: ast.AST) -> tuple[set[str], set[str]]:
    """The actions a call's argument can be: whole strings, and the fixed start of f-strings."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}, set()
    if isinstance(node, ast.IfExp):
        body, body_prefixes = _strings(node.body)
        orelse, orelse_prefixes = _strings(node.orelse)
        return body | orelse, body_prefixes | orelse_prefixes
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return set(), {node.values[0].value}
    return set(), set()


def _recorded_actions() -> tuple[set[str], set[str]]:
    actions, prefixes = set(), set()
    for path in (ROOT / "dialogue").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            arguments = []
            if name == "audit" and node.args:
                arguments.append(node.args[0])
            elif name == "replace_all" and len(node.args) > 1:  # reports.services: audits its action
                arguments.append(node.args[1])
            arguments += [keyword.value for keyword in node.keywords
                          if keyword.arg == "action" and name in ("audit", "AuditEvent")]
            for argument in arguments:
                found, found_prefixes = _strings(argument)
                actions |= found
                prefixes |= found_prefixes
    return actions, prefixes


def test_every_recorded_action_has_a_label():
    actions, prefixes = _recorded_actions()
    assert {"user.login", "process.create", "export.download"} <= actions
    assert actions - ACTION_LABELS.keys() == set()
    for prefix in prefixes:  # audit(f"process.{action}"): its actions are listed by hand
        assert any(action.startswith(prefix) for action in ACTION_LABELS), prefix


def test_labels_in_the_readers_language_and_unknown_codes_as_they_are(app):
    with app.test_request_context("/?lang=sv"):
        app.preprocess_request()
        assert action_label("user.login") != "user.login"
        assert action_label("something.new") == "something.new"
        assert object_label("process") != "process"
        assert object_label("gadget") == "gadget"


def test_the_audit_log_page_shows_labels(client, make_user, municipality):
    from tests.conftest import login

    login(client, make_user("admin"))
    page = client.get("/staff/audit?lang=sv").get_data(as_text=True)
    assert "Loggade in" in page and "user.login" not in page
