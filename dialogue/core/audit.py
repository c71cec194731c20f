"""What the audit log's actions and objects are called on the staff page.

An action is recorded as a code (``user.login``, ``export.download``) so that it stays the same whatever the
language; staff read it as a sentence in theirs. An action without a label (one added later, or from an older
version) is shown as its code. tests/core/test_audit_labels.py checks that every action the code records has
a label here.
"""

from __future__ import annotations

from dialogue.i18n import _l

ACTION_LABELS = {
    "agreement.close": _l("Closed an agreement round"),
    "agreement.code": _l("Coded in an agreement round"),
    "agreement.create": _l("Started an agreement round"),
    "agreement.settle": _l("Settled a disagreement between coders"),
    "api_token.create": _l("Created an API key"),
    "api_token.revoke": _l("Revoked an API key"),
    "coding.suggest": _l("Suggested codes for contributions"),
    "contribution.code": _l("Coded a contribution"),
    "contribution.publishable": _l("Changed whether a contribution may be published"),
    "event.cancel": _l("Cancelled an event"),
    "event.check_in": _l("Checked someone in at the door"),
    "event.check_in_undone": _l("Undid a check-in at the door"),
    "event.copy": _l("Copied an event"),
    "event.create": _l("Created an event"),
    "event.desk_signup": _l("Signed someone up at a registration desk"),
    "event.publish": _l("Published an event"),
    "event.update": _l("Changed an event"),
    "event.walk_in": _l("Added someone who came without signing up"),
    "events.purge": _l("Deleted the personal data of past sign-ups"),
    "export.download": _l("Downloaded an export"),
    "export.purge": _l("Deleted old export files"),
    "export.request": _l("Asked for an export"),
    "feedback.purge": _l("Deleted the addresses of those waiting for feedback"),
    "follow_up.feedback": _l("Sent the outcome to those who asked for it"),
    "follow_up.publish": _l("Published a follow-up"),
    "follow_up.update": _l("Changed a follow-up"),
    "indicator.create": _l("Created an indicator"),
    "indicator.update": _l("Changed an indicator"),
    "mail.delete": _l("Deleted an e-mail from the queue"),
    "mail.retry": _l("Tried to send an e-mail again"),
    "measurement.delete": _l("Deleted a measurement"),
    "measurement.create": _l("Added a measurement"),
    "measurement.update": _l("Saved a measurement"),
    "measurements.import": _l("Imported measurements"),
    "phase.create": _l("Added a phase"),
    "phase.down": _l("Moved a phase down"),
    "phase.remove": _l("Removed a phase"),
    "phase.up": _l("Moved a phase up"),
    "phase.update": _l("Changed a phase"),
    "population.import": _l("Imported population figures"),
    "population.update": _l("Changed population figures"),
    "process.archive": _l("Archived a process"),
    "process.create": _l("Created a process"),
    "process.publish": _l("Published a process"),
    "process.unarchive": _l("Took a process out of the archive"),
    "process.unpublish": _l("Unpublished a process"),
    "process.update": _l("Changed a process"),
    "question.create": _l("Added a question"),
    "question.down": _l("Moved a question down"),
    "question.hide": _l("Hid a question"),
    "question.remove": _l("Removed a question"),
    "question.show": _l("Showed a hidden question again"),
    "question.up": _l("Moved a question up"),
    "question.update": _l("Changed a question"),
    "questionnaire.close": _l("Closed a questionnaire"),
    "questionnaire.copy": _l("Copied a questionnaire"),
    "questionnaire.create": _l("Created a questionnaire"),
    "questionnaire.open": _l("Opened a questionnaire"),
    "questionnaire.update": _l("Changed a questionnaire"),
    "response.hide": _l("Hid a response"),
    "response.paper": _l("Entered a paper response"),
    "response.show": _l("Showed a hidden response again"),
    "settings.appearance": _l("Changed the appearance"),
    "settings.statements": _l("Changed the statements"),
    "settings.update": _l("Changed the settings"),
    "user.create": _l("Created a staff account"),
    "user.deactivate": _l("Deactivated a staff account"),
    "user.invitation_accepted": _l("Accepted an invitation"),
    "user.invite": _l("Invited a member of staff"),
    "user.login": _l("Signed in"),
    "user.logout": _l("Signed out"),
    "user.password_reset": _l("Chose a new password"),
    "user.reactivate": _l("Reactivated a staff account"),
    "user.reset_requested": _l("Asked for a new password"),
    "user.role": _l("Changed a role"),
    "user.set_password": _l("Set a password"),
    "vision.create": _l("Created a vision"),
    "vision.import": _l("Imported a vision"),
    "vision.node.archive": _l("Archived a part of a vision"),
    "vision.node.create": _l("Added a part to a vision"),
    "vision.node.reorder": _l("Reordered a vision"),
    "vision.node.update": _l("Changed a part of a vision"),
    "vision.node.restore": _l("Restored an archived part of a vision"),
    "vision.publish": _l("Published a vision"),
    "vision.update": _l("Changed a vision's name and address"),
    "vision.unpublish": _l("Unpublished a vision"),
}

OBJECT_LABELS = {
    "agreementitem": _l("Agreement item"),
    "agreementround": _l("Agreement round"),
    "apitoken": _l("API key"),
    "contribution": _l("Contribution"),
    "event": _l("Event"),
    "exportjob": _l("Export"),
    "followup": _l("Follow-up"),
    "indicator": _l("Indicator"),
    "measurement": _l("Measurement"),
    "outgoingmail": _l("E-mail"),
    "process": _l("Process"),
    "question": _l("Question"),
    "questionnaire": _l("Questionnaire"),
    "response": _l("Response"),
    "user": _l("Staff account"),
    "vision": _l("Vision"),
    "visionnode": _l("Part of a vision"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def object_label(object_type: str) -> str:
    label = OBJECT_LABELS.get(object_type)
    return str(label) if label is not None else object_type
