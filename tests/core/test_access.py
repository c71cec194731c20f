"""Every staff route answers each role as its decorator says: a walk over the whole URL map."""

from __future__ import annotations

import pytest

from dialogue.core.models import Role
from tests.conftest import PASSWORD, csrf_token, login

# reached from mailed links or by people who cannot sign in: tests/accounts covers them
PUBLIC_STAFF_ENDPOINTS = {"core.login", "core.logout", "accounts.forgot_password", "accounts.choose_password"}
# Pages of one agreement round: only its two coders (and admins) pass; the sample round's coders are other
# analysts, so a signed-in analyst meets the object-level 403 (tests/coding/test_agreement.py covers the coders).
ROUND_CODERS_ONLY = {"coding.agreement_round", "coding.agreement_code", "coding.agreement_results"}
# Values for URL parameters of staff routes, made by the `sample_args` fixture; a new parameter must be
# added there or the walk fails.
SAMPLE_ARGS: dict[str, object] = {}


@pytest.fixture(autouse=True)
def sample_args(app, municipality):
    """Real objects behind the ids, so that allowed roles get real pages, not 404s."""
    import sqlalchemy as sa

    from dialogue.events import services
    from dialogue.events.models import Event
    from dialogue.extensions import db
    from dialogue.questionnaires.models import Questionnaire

    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.capacity.is_not(None)).limit(1))
        registration, _token = services.register(
            event, group="young", name="Sample", email="sample@example.se", needs=[], needs_note="", locale="sv",
            submission_key="sample-args")
        questionnaire = db.session.scalar(sa.select(Questionnaire))
        question = questionnaire.questions[0]
        from dialogue.questionnaires.answers import Answers
        from dialogue.questionnaires.services import store_response

        response_id = store_response(questionnaire, questionnaire.questions,
                                     Answers(values={question.id: "Sjöarna"}), submission_key="sample",
                                     language="sv").response_id
        from dialogue.vision.models import Vision

        vision_id = db.session.scalar(sa.select(Vision.id))
        from dialogue.vision.models import NodeKind, VisionNode

        node_id = db.session.scalar(sa.select(VisionNode.id).where(VisionNode.kind == NodeKind.building_block))
        from dialogue.coding.models import Contribution

        contribution_id = db.session.scalar(sa.select(Contribution.id))
        from dialogue.api.services import create_token
        from dialogue.core import services as services_core
        from dialogue.core.models import User
        from dialogue.processes.models import Process

        process_id = db.session.scalar(sa.select(Process.id))
        staff = db.session.scalar(sa.select(User).limit(1))
        token_id = create_token(staff, "sample", staff)[0].id
        from dialogue.coding.models import AgreementItem, AgreementRound

        coder_a, coder_b = (services_core.create_user(f"coder-{n}@kommun.example", PASSWORD, "analyst") for n in "ab")
        db.session.flush()
        agreement_round = AgreementRound(vision_id=vision_id, name="Sample", sample_percent=10, coder_a_id=coder_a.id,
                                         coder_b_id=coder_b.id, submission_key="sample-round",
                                         items=[AgreementItem(contribution_id=contribution_id)])
        db.session.add(agreement_round)
        from dialogue.core import mail

        mail_id = mail.queue("sample@example.se", "Sample", "Text\n")
        db.session.commit()
        SAMPLE_ARGS.clear()
        SAMPLE_ARGS.update(event_id=event.id, registration_id=registration.id, fmt="csv",
                           questionnaire_id=questionnaire.id, question_id=question.id, response_id=response_id,
                           vision_id=vision_id, contribution_id=contribution_id, node_id=node_id,
                           process_id=process_id, token_id=token_id, round_id=agreement_round.id,
                           item_id=agreement_round.items[0].id, user_id=coder_a.id, mail_id=mail_id)
        from dialogue.steering.demo import load_vetlanda
        from dialogue.steering.models import Measurement

        load_vetlanda()  # indicators with measurements
        db.session.commit()
        measurement = db.session.scalar(sa.select(Measurement).limit(1))
        SAMPLE_ARGS.update(indicator_node_id=measurement.indicator.node_id, measurement_id=measurement.id)
        from dialogue.processes.models import Phase

        SAMPLE_ARGS.update(phase_id=db.session.scalar(sa.select(Phase.id).where(Phase.process_id == process_id)))
        from dialogue.exports.models import ExportJob

        job = ExportJob(user_id=staff.id, submission_key="sample-job", dataset="codebook", format="csv",
                        filename="codebook.csv")
        db.session.add(job)
        db.session.commit()
        SAMPLE_ARGS.update(job_id=job.id)  # another user's job: a 404 to every role that may export


def staff_rules(app):
    rules = [r for r in app.url_map.iter_rules()
             if r.rule.startswith("/staff") and r.endpoint not in PUBLIC_STAFF_ENDPOINTS]
    assert rules, "no staff routes found"
    return rules


def _url(rule) -> str:
    from werkzeug.routing import AnyConverter

    values = {}
    for arg in rule.arguments:
        converter = rule._converters.get(arg)
        if isinstance(converter, AnyConverter):
            values[arg] = sorted(converter.items)[0]  # one of the allowed words
        else:
            assert arg in SAMPLE_ARGS, f"add a sample value for {arg} (route {rule.rule}) to sample_args"
            values[arg] = SAMPLE_ARGS[arg]
    return rule.build(values, append_unknown=False)[1]


def _call(client, rule, token=None):
    url = _url(rule)
    if "GET" in rule.methods:
        return client.get(url)
    return client.post(url, data={"csrf_token": token} if token else {})


def test_anonymous_is_sent_to_sign_in_on_every_staff_route(app, client):
    for rule in staff_rules(app):
        response = _call(client, rule)
        assert response.status_code in (302, 400), rule.rule
        if response.status_code == 302:
            assert "/staff/login" in response.headers["Location"], rule.rule


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_staff_route_checks_the_role(app, client, make_user, role):
    login(client, make_user(role))
    token = csrf_token(client, "/staff/")
    for rule in staff_rules(app):
        view = app.view_functions[rule.endpoint]
        allowed = getattr(view, "staff_roles", None)
        assert allowed is not None, f"{rule.endpoint} is not decorated with @staff_required"
        response = _call(client, rule, token)
        if rule.endpoint in ROUND_CODERS_ONLY and role != Role.admin:
            assert response.status_code == 403, (rule.rule, role)
        elif role == Role.admin or Role(role) in allowed:
            assert response.status_code not in (401, 403), (rule.rule, role)
            assert response.status_code < 500, (rule.rule, role)
        else:
            assert response.status_code == 403, (rule.rule, role)
