"""Residents find events, add them to their calendar, sign up and cancel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote_plus

import sqlalchemy as sa
from flask import Response, abort, current_app, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from dialogue.core import mail
from dialogue.core.base import utcnow
from dialogue.core.ids import parse_id
from dialogue.core.models import Role
from dialogue.core.services import audit, get_municipality, new_submission_key
from dialogue.core.time import zone
from dialogue.events import calendar, services
from dialogue.events.blueprint import bp
from dialogue.events.forms import SignupForm
from dialogue.events.models import ALL, SIGNUP_GROUPS, Event, EventKind, EventState, Registration, RegistrationStatus
from dialogue.extensions import db, limiter
from dialogue.i18n import current_locale

CANCEL_LIMIT = "20 per minute"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="event-signup")


def _public_event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or event.state == EventState.draft:
        abort(404)
    return event


def _locality_names() -> dict[int, str]:
    municipality = get_municipality()
    return {loc.id: loc.name for loc in municipality.active_localities} if municipality else {}


def map_url(event: Event) -> str | None:
    place = ", ".join(p for p in (event.address, _locality_names().get(event.locality_id, "")) if p)
    return f"https://www.openstreetmap.org/search?query={quote_plus(place)}" if event.address else None


bp.add_app_template_global(map_url, "event_map_url")


@bp.route("/events/")
def index():
    """Upcoming events, filterable by kind, locality and month; past events below."""
    now = utcnow()
    query = sa.select(Event).where(Event.state != EventState.draft)
    kind = request.args.get("kind", "")
    if kind in EventKind.__members__:
        query = query.where(Event.kind == EventKind(kind))
    locality = parse_id(request.args.get("locality"))
    if locality:
        query = query.where(Event.locality_id == locality)
    month = request.args.get("month", "")
    bounds = month_bounds(month) if month else None
    if bounds:
        query = query.where(Event.starts_at >= bounds[0], Event.starts_at < bounds[1])
    upcoming = db.session.scalars(query.where(Event.ends_at >= now).order_by(Event.starts_at)).all()
    past = db.session.scalars(query.where(Event.ends_at < now).order_by(Event.starts_at.desc()).limit(50)).all()
    # a month no calendar holds (2026-13, 9999-12) is explained, and every event shown
    return render_template("events/display/index.html", upcoming=upcoming, past=past, kinds=list(EventKind),
                           kind=kind, locality=locality, month=month, month_error=bool(month and not bounds),
                           localities=_locality_names()), 400 if month and not bounds else 200


def month_bounds(month: str) -> tuple[datetime, datetime] | None:
    """The first moment of *month* ("2026-03") and of the month after, in UTC; None for no real month."""
    try:
        start = datetime.strptime(month, "%Y-%m").replace(tzinfo=zone())
        end = (start + timedelta(days=31)).replace(day=1)
        return start.astimezone(UTC), end.astimezone(UTC)
    except (ValueError, OverflowError):  # not a month, or one at the calendar's ends (0001-01, 9999-12)
        return None


@bp.route("/events/<int:event_id>")
def show(event_id: int):
    """One event: what, when, where, and whether there are seats left."""
    event = _public_event(event_id)
    return render_template("events/display/show.html", event=event, offers=services.seats_per_group(event),
                           groups=SIGNUP_GROUPS, signup_open=event.signup_open(utcnow()), localities=_locality_names())


def _ics_response(events: list[Event], filename: str) -> Response:
    localities = _locality_names()
    municipality = get_municipality()
    items = [(e, url_for("events.show", event_id=e.id, _external=True), localities.get(e.locality_id, ""))
             for e in events]
    body = calendar.calendar(items, zone(), municipality.name if municipality else "dialogue", current_locale())
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/events/<int:event_id>.ics")
def event_ics(event_id: int):
    """The event for a calendar program."""
    return _ics_response([_public_event(event_id)], f"event-{event_id}.ics")


@bp.route("/events.ics")
def feed_ics():
    """All upcoming events, to subscribe to; cancelled ones stay in it, marked cancelled."""
    events = db.session.scalars(sa.select(Event).where(Event.state != EventState.draft, Event.ends_at >= utcnow())
                                .order_by(Event.starts_at)).all()
    return _ics_response(events, "events.ics")


def event_ics_text(event: Event) -> str:
    """The event for a mail's attachment: its cancellation (METHOD:CANCEL) once it is cancelled."""
    localities = _locality_names()
    url = url_for("events.show", event_id=event.id, _external=True)
    municipality = get_municipality()
    config = current_app.config
    return calendar.calendar([(event, url, localities.get(event.locality_id, ""))], zone(),
                             municipality.name if municipality else "dialogue", current_locale(),
                             method="CANCEL" if event.state == EventState.cancelled else "PUBLISH",
                             organizer=(config["MAIL_SENDER_NAME"], config["MAIL_SENDER"]))


def queue_registration_mail(registration: Registration, event: Event, template: str, token: str | None = None) -> int:
    """Queue a message to a sign-up, in the language they signed up in, with the event attached."""
    contact = registration.contact
    if contact is None or not contact.email:
        return 0
    with force_locale(registration.locale):
        cancel_url = url_for("events.cancel", token=token, _external=True) if token else None
        body = render_template(f"events/emails/{template}.txt", event=event, registration=registration,
                               name=contact.name, cancel_url=cancel_url,
                               event_url=url_for("events.show", event_id=event.id, _external=True))
        subject_line, _sep, text = body.partition("\n\n")
        return mail.queue(contact.email, subject_line.strip(), text.strip() + "\n", ics=event_ics_text(event),
                          topic=services.mail_topic(event))


def _desk_sign_up() -> bool:
    """An organizer signing people up (at a registration desk): not limited per address, audited instead."""
    return bool(getattr(current_user, "is_authenticated", False) and current_user.has_role(Role.organizer))


@bp.route("/events/<int:event_id>/signup", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"], exempt_when=_desk_sign_up)
def signup(event_id: int):
    """Sign up: a seat, or a place on the waiting list; the page says which before it is sent."""
    event = _public_event(event_id)
    if not event.signup_open(utcnow()):
        return render_template("events/display/signup_closed.html", event=event), 200
    form = SignupForm()
    if not services.asks_for_group(event):
        del form.group
    offers = services.seats_per_group(event)
    if request.method == "GET":
        form.form.data = _serializer().dumps(new_submission_key())
    if form.validate_on_submit():
        try:
            submission_key = _serializer().loads(form.form.data or "")
        except BadSignature:
            abort(400)
        group = services.signup_group(event, form.group.data if "group" in form else None)
        registration, token = services.register(
            event, group=group, name=form.name.data.strip(), email=form.email.data.strip(),
            needs=form.needs.data or [], needs_note=(form.needs_note.data or "").strip(),
            locale=current_locale(), submission_key=submission_key)
        mail_ids = []
        if token is not None:
            template = "confirmed" if registration.status == RegistrationStatus.confirmed else "waitlisted"
            mail_ids.append(queue_registration_mail(registration, event, template, token))
            if _desk_sign_up():
                audit("event.desk_signup", event, registration=registration.id)
        db.session.commit()
        mail.send_pending(mail_ids)
        # the page promised a seat, but someone else took the last one before this was sent
        promised = (form.promised.data or "").split(",")
        outrun = (registration.status == RegistrationStatus.waitlisted
                  and (group if services.asks_for_group(event) else ALL) in promised)
        return render_template("events/display/signed_up.html", event=event, registration=registration,
                               outrun=outrun)
    form.promised.data = ",".join(g for g, (seats, _place) in offers.items() if seats)
    return render_template("events/display/signup.html", event=event, form=form,
                           offers=offers), 422 if form.errors else 200


@bp.route("/events/cancel/<token>", methods=["GET", "POST"])
@limiter.limit(CANCEL_LIMIT)
def cancel(token: str):
    """Cancel a sign-up with the private link from the confirmation mail (once)."""
    registration = services.find_by_cancel_token(token)
    event = db.session.get(Event, registration.event_id) if registration else None
    if registration is None or event is None or event.ends_at < utcnow():
        # unknown, used and expired links get the same answer
        return render_template("events/display/cancel_invalid.html"), 404
    if request.method == "POST":
        try:
            moved = services.cancel_registration(registration)
        except services.EventError:  # checked in at the door
            db.session.rollback()
            return render_template("events/display/cancel_refused.html", event=event), 409
        mail_ids = []
        if moved is not None:
            mail_ids.append(queue_registration_mail(moved, event, "promoted"))
        db.session.commit()
        mail.send_pending(mail_ids)
        return render_template("events/display/cancelled.html", event=event)
    if not services.may_cancel(registration):
        return render_template("events/display/cancel_refused.html", event=event)
    return render_template("events/display/cancel.html", event=event, registration=registration)
