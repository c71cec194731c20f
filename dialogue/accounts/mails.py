"""The messages with account links."""

from __future__ import annotations

from flask import render_template, url_for

from dialogue.core import mail
from dialogue.core.models import User
from dialogue.core.services import get_municipality
from dialogue.core.templating import ROLE_LABELS


def queue_link_mail(user: User, token: str, template: str) -> int:
    """Queue the invitation or reset message, in the language of the page that asked for it."""
    municipality = get_municipality()
    site = f"dialogue – {municipality.name}" if municipality and municipality.name else "dialogue"
    body = render_template(f"accounts/emails/{template}.txt", site=site, role=ROLE_LABELS[user.role],
                           url=url_for("accounts.choose_password", token=token, _external=True))
    subject, _sep, text = body.partition("\n\n")
    return mail.queue(user.email, subject.strip(), text.strip() + "\n")
