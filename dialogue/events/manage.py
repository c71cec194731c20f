"""Organizers schedule events, run sign-ups, check people in and record what was said."""

from __future__ import annotations

import sqlalchemy as sa
from babel.lists import format_list
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from dialogue.coding.models import NOTE_KINDS, Channel, Contribution
from dialogue.coding.services import add_contributions
from dialogue.core import mail
from dialogue.core.base import utcnow
from dialogue.core.ids import parse_id
from dialogue.core.models import Role
from dialogue.core.services import audit, get_municipality, new_submission_key
from dialogue.core.time import from_local, to_local
from dialogue.events import services
from dialogue.events.blueprint import bp
from dialogue.events.forms import EventForm, NoteForm, WalkInForm
from dialogue.events.models import (
    NEEDS,
    SIGNUP_GROUPS,
    Event,
    EventKind,
    EventState,
    Registration,
    RegistrationContact,
    RegistrationStatus,
    SeatQuota,
    event_staff,
)
from dialogue.events.views import queue_registration_mail
from dialogue.extensions import db
from dialogue.i18n import _, current_locale
from dialogue.processes import services as process_services
from dialogue.processes.models import Process
from dialogue.security import staff_required

LANGS = ("sv", "da", "en")
CHANNELS = {EventKind.open_meeting: Channel.open_meeting, EventKind.seminar: Channel.seminar,
            EventKind.workshop: Channel.workshop}


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    return event


def _locality_choices(empty_label: str) -> list[SelectChoice]:
    municipality = get_municipality()
    places = municipality.active_localities if municipality else ()
    return [SelectChoice("", empty_label)] + [SelectChoice(str(p.id), p.name) for p in places]



@bp.route("/staff/events/")
@staff_required(Role.organizer)
def manage_list():
    """All events, newest first; those the user runs are marked."""
    events = db.session.scalars(sa.select(Event).order_by(Event.starts_at.desc())).all()
    mine = set(db.session.scalars(sa.select(event_staff.c.event_id).where(event_staff.c.user_id == current_user.id)))
    return render_template("events/manage/list.html", events=events, mine=mine)


def _fill_form(form: EventForm, event: Event) -> None:
    form.kind.data = event.kind.value
    for lang in LANGS:
        getattr(form, f"title_{lang}").data = event.title.get(lang, "")
        getattr(form, f"description_{lang}").data = event.description.get(lang, "")
    form.accessibility_sv.data = event.accessibility.get("sv", "")
    form.locality_id.data = str(event.locality_id or "")
    form.process_id.data = str(event.process_id or "")
    form.venue.data, form.address.data, form.language.data = event.venue, event.address, event.language
    form.starts_at.data, form.ends_at.data = to_local(event.starts_at), to_local(event.ends_at)
    form.signup_opens_at.data = to_local(event.signup_opens_at)
    form.signup_closes_at.data = to_local(event.signup_closes_at)
    form.capacity.data = event.capacity
    quotas = {q.group: q.seats for q in event.quotas}
    for group in ("young", "association", "business"):
        getattr(form, f"seats_{group}").data = quotas.get(group)


def _run_by(event: Event) -> str:
    """The addresses of those who run *event*, listed as the reader's language lists things."""
    return format_list([u.email for u in event.staff], locale=current_locale()) if event.staff else ""


def _text(field) -> str:
    return (field.data or "").strip()


def _translations(form: EventForm, name: str) -> dict:
    return {lang: _text(getattr(form, f"{name}_{lang}")) for lang in LANGS if _text(getattr(form, f"{name}_{lang}"))}


def _apply_form(form: EventForm, event: Event) -> None:
    event.kind = EventKind(form.kind.data)
    process_id = parse_id(form.process_id.data)
    event.process_id = process_id if process_id and db.session.get(Process, process_id) else None
    event.title = _translations(form, "title")
    event.description = _translations(form, "description")
    event.accessibility = {"sv": _text(form.accessibility_sv)} if _text(form.accessibility_sv) else {}
    event.locality_id = parse_id(form.locality_id.data)
    event.venue, event.address, event.language = _text(form.venue), _text(form.address), form.language.data
    event.starts_at, event.ends_at = from_local(form.starts_at.data), from_local(form.ends_at.data)
    event.signup_opens_at = from_local(form.signup_opens_at.data)
    event.signup_closes_at = from_local(form.signup_closes_at.data)
    event.capacity = form.capacity.data
    if "staff" in form:  # only there for those who may change who runs the event
        chosen = set(form.staff.data)
        event.staff = [user for user in services.staff_choices(event) if user.id in chosen]
    wanted = {g: getattr(form, f"seats_{g}").data for g in ("young", "association", "business")}
    existing = {q.group: q for q in event.quotas}
    for group, seats in wanted.items():
        if seats and group in existing:
            existing[group].seats = seats
        elif seats:
            event.quotas.append(SeatQuota(group=group, seats=seats))
        elif group in existing:
            event.quotas.remove(existing[group])


def _edit(event: Event, creating: bool):
    form = EventForm()
    form.creating = creating
    form.locality_id.choices = _locality_choices(_("No locality"))
    form.process_id.choices = [SelectChoice(value, label) for value, label in process_services.choices(_("None"))]
    if creating or services.runs(current_user, event):
        form.staff.choices = [SelectChoice(u.id, u.email) for u in services.staff_choices(event)]
    else:
        del form.staff
    if request.method == "GET" and not creating:
        _fill_form(form, event)
    if request.method == "GET" and "staff" in form:
        form.staff.data = [u.id for u in event.staff] or [current_user.id]
    if form.validate_on_submit():
        _apply_form(form, event)
        if creating and current_user not in event.staff:  # whoever creates an event runs it
            event.staff.append(current_user._get_current_object())
        db.session.add(event)
        services.touch(event)
        try:
            db.session.flush()
            if event.state == EventState.published:
                services.sync_seats(event)
        except services.EventError:
            db.session.rollback()
            form.capacity.errors = [*form.capacity.errors, _("More people are signed up than that; cancel "
                                                              "sign-ups first or keep more seats.")]
        else:
            audit("event.create" if creating else "event.update", event, staff=[u.id for u in event.staff])
            db.session.commit()
            flash(_("The event is saved."), "success")
            return redirect(url_for("events.manage_event", event_id=event.id))
    return render_template("events/manage/edit.html", form=form, event=None if creating else event,
                           run_by=_run_by(event)), (
        422 if form.errors else 200)


@bp.route("/staff/events/new", methods=["GET", "POST"])
@staff_required(Role.organizer)
def manage_new():
    """Schedule a new event (saved as a draft)."""
    return _edit(Event(state=EventState.draft, title={}, description={}, accessibility={}, sequence=0),
                 creating=True)


@bp.route("/staff/events/<int:event_id>/edit", methods=["GET", "POST"])
@staff_required(Role.organizer)
def manage_edit(event_id: int):
    """Change an event; calendars of subscribers pick the change up."""
    return _edit(_event(event_id), creating=False)


@bp.route("/staff/events/<int:event_id>")
@staff_required(Role.organizer)
def manage_event(event_id: int):
    """The sign-up list for the door: counts per group, names, groups and needs, search by name, check-in.

    Names, groups and needs only to those who run the event (and admins); other organizers get the counts
    and who to ask. No e-mail addresses: organizers neither see nor search them. The list is downloaded from
    the exports (a POST, audited), addresses only by an admin who asks for them there.
    """
    event = _event(event_id)
    runs = services.runs(current_user, event)
    query = request.args.get("q", "").strip() if runs else ""
    registrations = []
    if runs:
        statement = (sa.select(Registration).outerjoin(RegistrationContact)
                     .where(Registration.event_id == event.id).order_by(Registration.id))
        if query:
            statement = statement.where(sa.func.lower(RegistrationContact.name).like(f"%{query.lower()}%"))
        registrations = db.session.scalars(statement).all()
    walk_in = WalkInForm()
    return render_template("events/manage/event.html", event=event, registrations=registrations, q=query,
                           runs=runs, run_by=_run_by(event),
                           counts=services.counts(event), seats_left=services.seats_left(event),
                           walk_in=walk_in, groups=SIGNUP_GROUPS, needs=NEEDS,
                           export_keys={fmt: new_submission_key() for fmt in ("csv", "xlsx")})


@bp.route("/staff/events/<int:event_id>/publish", methods=["POST"])
@staff_required(Role.organizer)
def manage_publish(event_id: int):
    event = _event(event_id)
    try:
        services.publish(event)
    except services.EventError:
        db.session.rollback()
        flash(_("A cancelled event cannot be published again; copy it instead."), "error")
    else:
        audit("event.publish", event)
        db.session.commit()
        flash(_("The event is published."), "success")
    return redirect(url_for("events.manage_event", event_id=event_id))


@bp.route("/staff/events/<int:event_id>/cancel", methods=["POST"])
@staff_required(Role.organizer)
def manage_cancel(event_id: int):
    """Cancel the event and tell everyone signed up, once the organizer has said yes on the page this shows.

    The event page's button posts here without `confirm`: the answer is a page that says what will happen
    and asks again (no JavaScript needed). Only its own button, with `confirm=yes`, cancels.
    """
    event = _event(event_id)
    if event.state == EventState.cancelled:  # a second cancellation would tell everyone again
        flash(_("The event is already cancelled."), "error")
        return redirect(url_for("events.manage_event", event_id=event_id))
    if request.form.get("confirm") != "yes":
        told = db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
            Registration.event_id == event.id,
            Registration.status.in_([RegistrationStatus.confirmed, RegistrationStatus.waitlisted])))
        return render_template("events/manage/cancel.html", event=event, told=told or 0)
    told = services.cancel_event(event)
    if told is None:  # another organizer's cancellation came first and told everyone
        db.session.rollback()
        flash(_("The event is already cancelled."), "error")
        return redirect(url_for("events.manage_event", event_id=event_id))
    mail_ids = [queue_registration_mail(r, event, "event_cancelled") for r in told]
    audit("event.cancel", event, told=len(told))
    db.session.commit()
    mail.send_pending([i for i in mail_ids if i])
    flash(_("The event is cancelled and %(n)s people have been told.", n=len(told)), "success")
    return redirect(url_for("events.manage_event", event_id=event_id))


@bp.route("/staff/events/<int:event_id>/copy", methods=["POST"])
@staff_required(Role.organizer)
def manage_copy(event_id: int):
    """A new draft with the same content, a week later."""
    from datetime import timedelta

    source = _event(event_id)
    copy = services.copy_event(source, source.starts_at + timedelta(days=7))
    if current_user not in copy.staff:  # whoever creates an event runs it; a copy too
        copy.staff.append(current_user._get_current_object())
    audit("event.copy", copy, source=source.id)
    db.session.commit()
    flash(_("This is a copy. Check the date and publish it."), "success")
    return redirect(url_for("events.manage_edit", event_id=copy.id))


def _door_refusal(code: str, name: str) -> str:
    """What staff at the door are told when services.check_in or a walk-in is refused."""
    if code == "event-cancelled":
        return _("The event is cancelled, so nobody can be checked in.")
    if code == "registration-cancelled":
        return _("%(name)s cancelled the sign-up, so the seat is no longer theirs and they cannot be checked "
                 "in. If they are here, add them at the door.", name=name)
    return _("%(name)s is on the waiting list and has no seat, so cannot be checked in.", name=name)


@bp.route("/staff/events/<int:event_id>/registrations/<int:registration_id>/check-in", methods=["POST"])
@staff_required(Role.organizer)
def manage_check_in(event_id: int, registration_id: int):
    if not services.runs(current_user, _event(event_id)):
        abort(403)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event_id:
        abort(404)
    present = request.form.get("present") != "0"
    name = registration.contact.name if registration.contact else _("This person")
    try:
        changed = services.check_in(registration, present=present)
    except services.EventError as refusal:
        db.session.rollback()
        flash(_door_refusal(str(refusal), name), "error")
    else:
        if changed:  # a second door device changes nothing and leaves no second record
            audit("event.check_in" if present else "event.check_in_undone", registration)
            if registration.status == RegistrationStatus.cancelled:
                flash(_("%(name)s came without signing up, so undoing the check-in takes them off the list.",
                        name=name), "info")
        elif present:
            flash(_("%(name)s is already checked in.", name=name), "info")
        db.session.commit()
    return redirect(url_for("events.manage_event", event_id=event_id, q=request.form.get("q") or None,
                            _anchor=f"r{registration_id}"))


@bp.route("/staff/events/<int:event_id>/walk-in", methods=["POST"])
@staff_required(Role.organizer)
def manage_walk_in(event_id: int):
    """Add someone who came without signing up; they count as present."""
    event = _event(event_id)
    if not services.runs(current_user, event):
        abort(403)
    form = WalkInForm()
    if form.validate_on_submit():
        try:
            registration, _token = services.register(
                event, group=form.group.data, name=form.name.data.strip(), email="", needs=[], needs_note="",
                locale="sv", submission_key=new_submission_key(), walk_in=True)
        except services.EventError as refusal:
            db.session.rollback()
            flash(_door_refusal(str(refusal), form.name.data.strip()), "error")
            return redirect(url_for("events.manage_event", event_id=event_id))
        # staff add people at the door without a per-address limit; each addition is audited instead
        audit("event.walk_in", event, registration=registration.id)
        db.session.commit()
        flash(_("%(name)s is added and checked in.", name=form.name.data.strip()), "success")
    else:
        flash(_("Write the name of the person to add."), "error")
    return redirect(url_for("events.manage_event", event_id=event_id))


@bp.route("/staff/events/<int:event_id>/notes", methods=["GET", "POST"])
@staff_required(Role.organizer)
def manage_notes(event_id: int):
    """Record what was said, one statement, idea or post-it after another."""
    event = _event(event_id)
    form = NoteForm()
    form.locality_id.choices = _locality_choices(_("Not known"))
    if form.validate_on_submit():
        locality = form.locality_id.data
        add_contributions([{
            "channel": CHANNELS[event.kind], "text": form.text.data.strip(), "language": event.language,
            "locality_id": parse_id(locality) or event.locality_id, "respondent_group": form.group.data or "",
            "created_at": utcnow(), "event_id": event.id, "note_kind": form.note_kind.data,
            "entered_by_id": current_user.id}])
        db.session.commit()
        flash(_("Saved. Type the next one."), "success")
        # the same kind and group stay chosen: notes from one table usually come in a row
        return redirect(url_for("events.manage_notes", event_id=event.id, kind=form.note_kind.data,
                                group=form.group.data or None, _anchor="text"))
    if request.method == "GET":
        form.note_kind.data = request.args.get("kind", "statement")
        form.group.data = request.args.get("group", "")
    notes = db.session.scalars(sa.select(Contribution).where(Contribution.event_id == event.id)
                               .order_by(Contribution.id.desc())).all()
    return render_template("events/manage/notes.html", event=event, form=form, notes=notes,
                           note_kinds=NOTE_KINDS), 422 if form.errors else 200
