"""The URL map with real objects behind its parameters: shared by the access walk (tests/core/test_access.py)
and the reflow walk in a browser (tests/browser/test_reflow.py)."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import AnyConverter, Rule

# reached from mailed links or by people who cannot sign in: tests/accounts covers their access
PUBLIC_STAFF_ENDPOINTS = {"core.login", "core.logout", "accounts.forgot_password", "accounts.choose_password"}
# A slug or token in a public address names an object of its blueprint (the coding and steering pages hang
# off a vision); the values are keys of `sample_args`.
SLUGS = {"processes": "process_slug", "questionnaires": "questionnaire_slug", "vision": "vision_slug",
         "coding": "vision_slug", "steering": "vision_slug", "api": "vision_slug"}
TOKENS = {"events": "registration_token", "questionnaires": "response_token", "steering": "feedback_token",
          "accounts": "invitation_token"}

# GET routes that answer with no page for a person to read (the walks over pages leave them out); a route
# that only takes POST has none either.
NO_PAGE = {
    "static": "stylesheets, scripts and images",
    "core.healthz": "plain text for load balancers",
    "core.theme": "a stylesheet",
    "core.logo": "an image file",
    "events.event_ics": "a calendar file to download",
    "events.feed_ics": "a calendar feed to subscribe to",
    "exports.manage_job_file": "a file to download",
    "vision.manage_export": "a YAML file to download",
    "api.contributions": "JSON for programs, behind a token",
    "api.events": "JSON for programs, behind a token",
    "api.openapi": "JSON for programs",
    "api.questionnaire": "JSON for programs, behind a token",
    "api.questionnaires": "JSON for programs, behind a token",
    "api.responses": "JSON for programs, behind a token",
    "api.vision": "JSON for programs, behind a token",
    "api.visions": "JSON for programs, behind a token",
}


def sample_args() -> dict[str, object]:
    """Real objects behind the ids of every route, in the demo (loaded and committed before; call in an app
    context), so that allowed roles get real pages, not 404s. A new URL parameter must be added here."""
    import sqlalchemy as sa

    from dialogue.accounts.services import invite
    from dialogue.api.services import create_token
    from dialogue.coding.models import AgreementItem, AgreementRound, Contribution
    from dialogue.core import mail
    from dialogue.core import services as services_core
    from dialogue.core.models import Role, User
    from dialogue.events import services
    from dialogue.events.models import Event
    from dialogue.exports.models import ExportJob
    from dialogue.extensions import db
    from dialogue.processes.models import Phase, Process
    from dialogue.questionnaires.answers import Answers
    from dialogue.questionnaires.models import FeedbackContact, Questionnaire
    from dialogue.questionnaires.services import store_response
    from dialogue.steering.demo import load_vetlanda
    from dialogue.steering.feedback import unsubscribe_token
    from dialogue.steering.models import Measurement
    from dialogue.vision.models import NodeKind, Vision, VisionNode
    from tests.conftest import PASSWORD

    event = db.session.scalar(sa.select(Event).where(Event.capacity.is_not(None)).limit(1))
    registration, registration_token = services.register(
        event, group="young", name="Stina Prov", email="sample@example.se", needs=[], needs_note="", locale="sv",
        submission_key="sample-args")
    questionnaire = db.session.scalar(sa.select(Questionnaire))
    question = questionnaire.questions[0]
    stored = store_response(questionnaire, questionnaire.questions, Answers(values={question.id: "Sjöarna"}),
                            submission_key="sample", language="sv")
    vision = db.session.scalar(sa.select(Vision))
    node_id = db.session.scalar(sa.select(VisionNode.id).where(VisionNode.kind == NodeKind.building_block))
    contribution_id = db.session.scalar(sa.select(Contribution.id))
    process = db.session.scalar(sa.select(Process))
    staff = db.session.scalar(sa.select(User).limit(1))
    token_id = create_token(staff, "sample", staff)[0].id
    coder_a, coder_b = (services_core.create_user(f"coder-{n}@kommun.example", PASSWORD, "analyst") for n in "ab")
    db.session.flush()
    agreement_round = AgreementRound(vision_id=vision.id, name="Provrunda", sample_percent=10, coder_a_id=coder_a.id,
                                     coder_b_id=coder_b.id, submission_key="sample-round",
                                     items=[AgreementItem(contribution_id=contribution_id)])
    db.session.add(agreement_round)
    mail_id = mail.queue("sample@example.se", "Prov", "Text\n")
    _invitee, invitation_token = invite("invitee@kommun.example", Role.analyst)
    db.session.commit()
    args: dict[str, object] = dict(
        event_id=event.id, registration_id=registration.id, fmt="csv", questionnaire_id=questionnaire.id,
        question_id=question.id, response_id=stored.response_id, vision_id=vision.id,
        contribution_id=contribution_id, node_id=node_id, process_id=process.id, token_id=token_id,
        round_id=agreement_round.id, item_id=agreement_round.items[0].id, user_id=coder_a.id, mail_id=mail_id,
        process_slug=process.slug, questionnaire_slug=questionnaire.slug, vision_slug=vision.slug,
        registration_token=registration_token, response_token=stored.token, invitation_token=invitation_token,
        # signed by us: the unsubscribe page reads the same whether its address is still on the list or not
        feedback_token=unsubscribe_token(FeedbackContact(id=0, email="sample@example.se")))
    load_vetlanda()  # indicators with measurements
    db.session.commit()
    measurement = db.session.scalar(sa.select(Measurement).limit(1))
    args.update(indicator_node_id=measurement.indicator.node_id, measurement_id=measurement.id)
    args.update(phase_id=db.session.scalar(sa.select(Phase.id).where(Phase.process_id == process.id)))
    job = ExportJob(user_id=staff.id, submission_key="sample-job", dataset="codebook", format="csv",
                    filename="codebook.csv")
    db.session.add(job)
    db.session.commit()
    args.update(job_id=job.id)  # another user's job: a 404 to every role that may export
    return args


def staff_rules(app: Flask) -> list[Rule]:
    rules = [r for r in app.url_map.iter_rules()
             if r.rule.startswith("/staff") and r.endpoint not in PUBLIC_STAFF_ENDPOINTS]
    assert rules, "no staff routes found"
    return rules


def public_rules(app: Flask) -> list[Rule]:
    """Every route outside the staff pages, and the staff pages open to anyone (sign-in, new password)."""
    return [r for r in app.url_map.iter_rules()
            if not r.rule.startswith("/staff") or r.endpoint in PUBLIC_STAFF_ENDPOINTS]


def url(rule: Rule, args: dict[str, object]) -> str:
    """The rule's address with the sample values; an `any(...)` parameter takes the first of its words."""
    values = {}
    blueprint = rule.endpoint.partition(".")[0]
    for arg in rule.arguments:
        converter = rule._converters.get(arg)
        key = {"slug": SLUGS.get(blueprint), "token": TOKENS.get(blueprint)}.get(arg, arg)
        if isinstance(converter, AnyConverter):
            values[arg] = sorted(converter.items)[0]  # one of the allowed words
        else:
            assert key in args, f"add a sample value for {arg} (route {rule.rule}) to tests/routes.sample_args"
            values[arg] = args[key]
    return rule.build(values, append_unknown=False)[1]
