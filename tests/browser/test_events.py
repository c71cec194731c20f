"""Events in a real browser: finding them, signing up on a phone with real SMTP mail, running the door.

Selectors avoid translated interface text (translations are in progress): they use ids, names, hrefs,
form actions and the page structure; where text is checked the page is asked for in English (?lang=en).
Every page state a test visits gets ``check_page`` (footer links and axe-core WCAG 2.1 AA).
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from dialogue.coding.models import Contribution
from dialogue.core.services import new_submission_key
from dialogue.events import services
from dialogue.events.models import Event, EventKind, Registration, RegistrationContact
from dialogue.extensions import db
from tests.browser.conftest import PHONE, check_page, sign_in
from tests.events.helpers import add_to_staff, make_event
from tests.smtp import smtp_server

pytestmark = pytest.mark.browser

SUBMIT = "main form.form button[type=submit]"
CANCEL_LINK = re.compile(r"https?://[^/\s]+/events/cancel/[A-Za-z0-9_-]+")


# -- a real SMTP server for the live app --------------------------------------------------------------

@pytest.fixture
def inbox(live_server):
    """An SMTP server on 127.0.0.1; the live app sends to it (its config is read at send time)."""
    with smtp_server() as box:
        live_server.app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=box.port,
                                      MAIL_SENDER="dialog@flen.example")
        yield box


def plain_text(message) -> str:
    return message.get_body(("plain",)).get_content()


def calendar_attachments(message) -> list[str]:
    return [part.get_content() for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]


def cancel_url(message) -> str:
    found = CANCEL_LINK.search(plain_text(message))
    assert found, f"no cancel link in:\n{plain_text(message)}"
    return found.group(0)


# -- helpers ------------------------------------------------------------------------------------------

def path_of(page) -> str:
    return page.evaluate("location.pathname + location.search")


def statuses(live_server, event_id: int) -> dict[str, str]:
    with live_server.app.app_context():
        rows = db.session.execute(sa.select(RegistrationContact.name, Registration.status)
                                  .join(Registration).where(Registration.event_id == event_id)).all()
        return {name: str(status) for name, status in rows}


def submit(page, selector: str = SUBMIT) -> int:
    """Click a form's submit button; return the status of the POST (the page then loads its answer)."""
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.locator(selector).click()
    page.wait_for_load_state()
    return posted.value.status


def fill_signup(page, name: str, address: str, group: str | None = None, need: str = "food") -> None:
    """Fill in the sign-up form; *group* only where the event reserves seats (only then is it asked)."""
    page.locator("#name").fill(name)
    page.locator("#email").fill(address)
    if group is None:
        assert page.locator("input[name=group]").count() == 0, "a group is asked only when seats are reserved"
    else:
        page.locator(f"input[name=group][value={group}]").check()
    page.locator(f"input[name=needs][value={need}]").check()


# -- 1. finding events --------------------------------------------------------------------------------

def test_events_list_filter_by_kind_and_the_event_page_with_map_and_calendar(page, demo_data):
    page.goto("/events/")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator(".event-card").count() == 7
    assert page.locator(".event-list.past").count() == 0
    check_page(page)

    page.locator("#kind").select_option("workshop")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"/events/\?(.*&)?kind=workshop"))
    cards = page.locator(".event-card")
    expect(cards).to_have_count(2)
    assert page.locator("#kind").input_value() == "workshop"
    assert [cards.nth(i).locator("h3").inner_text() for i in range(2)] == ["Visionsworkshop 1", "Visionsworkshop 2"]
    check_page(page)

    cards.first.locator("h3 a").click()
    page.wait_for_url(re.compile(r"/events/\d+$"))
    event_id = int(page.evaluate("location.pathname").rsplit("/", 1)[1])
    assert page.locator("h1").inner_text() == "Visionsworkshop 1"
    facts = page.locator("dl.facts")
    assert "Sparreholms slott, konferensen" in facts.inner_text()
    map_link = facts.locator('a[href^="https://www.openstreetmap.org/"]')
    assert map_link.count() == 1
    assert "Sparreholm" in map_link.get_attribute("href")
    # A signed-up workshop offers the sign-up form.
    assert page.locator(f'main a[href="/events/{event_id}/signup"]').count() == 1
    check_page(page)

    ics_link = page.locator(f'main a[href="/events/{event_id}.ics"]')
    assert ics_link.count() == 1
    answer = page.request.get(ics_link.get_attribute("href"))
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    body = answer.text()
    assert body.startswith("BEGIN:VCALENDAR")
    assert "BEGIN:VEVENT" in body and "Visionsworkshop 1" in body


# -- 2. signing up on a phone -------------------------------------------------------------------------

def test_sign_up_on_a_phone_waiting_list_cancel_link_and_the_seat_moves_on(phone_page, make_page, live_server,
                                                                           demo_data, inbox):
    event_id = make_event(live_server.app, capacity=1)

    # The first resident finds the workshop and signs up (in Swedish, the default).
    first = phone_page
    first.goto(f"/events/{event_id}")
    check_page(first)
    first.locator(f'main a[href="/events/{event_id}/signup"]').click()
    first.wait_for_url(f"**/events/{event_id}/signup")
    check_page(first)
    fill_signup(first, "Ebba Ek", "ebba@example.se", need="food")  # no reserved seats: no group asked
    assert submit(first) == 200
    expect(first.locator("main [role=status] h1")).to_be_visible()
    assert first.locator(".error-summary").count() == 0
    assert statuses(live_server, event_id) == {"Ebba Ek": "confirmed"}
    check_page(first)

    confirmed = inbox.wait_for(1)[0]
    assert confirmed["To"] == "ebba@example.se"
    assert "Visionsworkshop" in confirmed["Subject"]
    ics = calendar_attachments(confirmed)
    assert ics and "BEGIN:VEVENT" in ics[0]
    link = cancel_url(confirmed)
    assert link.startswith(live_server.url + "/events/cancel/")

    # The second resident, on another phone and in English, gets the waiting list.
    second = make_page(locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True)
    second.goto(f"/events/{event_id}/signup?lang=en")
    assert "All seats are taken" in second.locator("main .notice").inner_text()
    check_page(second)
    fill_signup(second, "Sixten Svensson", "sixten@example.se", need="access")
    assert submit(second) == 200
    expect(second.locator("main [role=status] h1")).to_have_text("You are on the waiting list")
    check_page(second)
    waitlisted = inbox.wait_for(2)[1]
    assert waitlisted["To"] == "sixten@example.se"
    assert "waiting list" in waitlisted["Subject"]
    assert calendar_attachments(waitlisted)
    assert statuses(live_server, event_id) == {"Ebba Ek": "confirmed", "Sixten Svensson": "waitlisted"}

    # The first resident opens the cancel link from the mail and confirms.
    first.goto(link)
    assert first.locator("main form button[type=submit]").is_visible()
    assert first.locator(f'main a[href="/events/{event_id}"]').count() == 1, "a way to keep the sign-up"
    check_page(first)
    assert submit(first, "main form button[type=submit]") == 200
    expect(first.locator('main a[href="/events/"]')).to_be_visible()
    assert first.locator("main form").count() == 0
    check_page(first)

    promoted = inbox.wait_for(3)[2]
    assert promoted["To"] == "sixten@example.se"
    assert "seat" in promoted["Subject"].lower()
    assert "Sixten" in plain_text(promoted)
    assert statuses(live_server, event_id) == {"Ebba Ek": "cancelled", "Sixten Svensson": "confirmed"}
    assert len(inbox.messages) == 3

    # The link works once.
    assert first.goto(link).status == 404
    check_page(first)


def test_sign_up_with_a_wrong_address_shows_the_focused_error_summary_and_keeps_the_input(
        phone_page, live_server, demo_data):
    event_id = make_event(live_server.app, capacity=5, quotas={"business": 2})  # reserved seats: a group is asked
    page = phone_page
    page.goto(f"/events/{event_id}/signup?lang=en")
    fill_signup(page, "Kim <b>Karlsson</b>", "not an address", group="business", need="interpreter")
    assert submit(page) == 422

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    assert summary.get_attribute("role") == "alert"
    expect(page.locator(".error-summary")).to_be_focused()
    links = summary.locator("a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == ["#email"]
    email_field = page.locator("#email")
    assert email_field.get_attribute("aria-invalid") == "true"
    assert "email-error" in email_field.get_attribute("aria-describedby").split()
    assert page.locator("#email-error").is_visible()
    # What was typed is kept.
    assert page.locator("#name").input_value() == "Kim <b>Karlsson</b>"
    assert email_field.input_value() == "not an address"
    assert page.locator("input[name=group][value=business]").is_checked()
    assert page.locator("input[name=needs][value=interpreter]").is_checked()
    assert page.title().startswith("Error:")
    check_page(page)

    summary.locator('a[href="#email"]').click()
    expect(page.locator("#email")).to_be_focused()
    assert statuses(live_server, event_id) == {}


# -- 3. the organizer at the door ---------------------------------------------------------------------

def test_organizer_checks_in_adds_a_walk_in_and_records_notes_on_a_phone(phone_page, live_server, demo_data):
    with live_server.app.app_context():
        workshop = db.session.scalars(sa.select(Event).where(Event.kind == EventKind.workshop)
                                      .order_by(Event.starts_at)).first()
        event_id = workshop.id
        registration, _token = services.register(
            workshop, group="young", name="Alva Andersson", email="alva@example.se", needs=["access"],
            needs_note="", locale="sv", submission_key=new_submission_key())
        registration_id = registration.id
        db.session.commit()
    assert statuses(live_server, event_id) == {"Alva Andersson": "confirmed"}
    add_to_staff(live_server.app, event_id, demo_data["organizer"])  # the door is for those who run the event

    page = phone_page
    sign_in(page, demo_data["organizer"])
    page.goto("/staff/events/")
    check_page(page)
    page.locator(f'main a[href="/staff/events/{event_id}"]').click()
    page.wait_for_url(f"**/staff/events/{event_id}")
    person = page.locator(f"li#r{registration_id}")
    expect(person).to_have_class(re.compile(r"\bperson-confirmed\b"))
    assert person.locator(".person-name").inner_text() == "Alva Andersson"
    check_page(page)

    # Check in at the door.
    check_in = f'form[action="/staff/events/{event_id}/registrations/{registration_id}/check-in"]'
    page.locator(f"{check_in} button[type=submit]").click()
    page.wait_for_url(f"**/staff/events/{event_id}#r{registration_id}")
    expect(person).to_have_class(re.compile(r"\bperson-attended\b"))
    # Checked in people can be checked out again (the same form, now sending present=0).
    assert page.locator(f'{check_in} input[name=present][value="0"]').count() == 1
    assert statuses(live_server, event_id) == {"Alva Andersson": "attended"}
    check_page(page)

    # Someone who came without signing up.
    walk_in = page.locator(f'form[action="/staff/events/{event_id}/walk-in"]')
    walk_in.locator("input[name=name]").fill("Bertil Berg")
    walk_in.locator("select[name=group]").select_option("business")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        walk_in.locator("button[type=submit]").click()
    assert posted.value.status == 302
    people = page.locator("ul.people li.person")
    expect(people).to_have_count(2)
    expect(page.locator(".flash-success")).to_be_visible()
    newest = people.nth(1)
    assert newest.locator(".person-name").inner_text() == "Bertil Berg"
    expect(newest).to_have_class(re.compile(r"\bperson-attended\b"))
    assert statuses(live_server, event_id) == {"Alva Andersson": "attended", "Bertil Berg": "attended"}
    check_page(page)

    # Notes, one after the other.
    page.locator(f'main a[href="/staff/events/{event_id}/notes"]').click()
    page.wait_for_url(f"**/staff/events/{event_id}/notes")
    text = page.locator("#text")
    notes = page.locator("ol.notes li")
    assert notes.count() == 0
    check_page(page)
    said = ["Fler bussar mellan Sparreholm och Flen.", "En badplats vid Båven som alla kan nå."]
    for n, note in enumerate(said, start=1):
        text.fill(note)
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.locator(SUBMIT).click()
        assert posted.value.status == 302
        expect(notes).to_have_count(n)
        expect(text).to_have_value("")
        expect(page.locator(".flash-success")).to_be_visible()
        # newest first
        assert notes.first.locator(".answer-text").inner_text() == note
        check_page(page)
    assert [notes.nth(i).locator(".answer-text").inner_text() for i in range(2)] == said[::-1]
    with live_server.app.app_context():
        stored = db.session.scalars(sa.select(Contribution.text).where(Contribution.event_id == event_id)
                                    .order_by(Contribution.id)).all()
    assert stored == said


def test_door_page_fits_a_360_pixel_phone_and_cancelling_asks_first(make_page, live_server, demo_data):
    """The door page at 360 px: no sideways scrolling, search and check-in first, cancelling last and only
    after a second, explicit step (a page of its own; no JavaScript)."""
    event_id = make_event(live_server.app)  # published, with sign-ups
    with live_server.app.app_context():
        services.register(db.session.get(Event, event_id), group="young", name="Alva Andersson",
                          email="alva@example.se", needs=["access"], needs_note="", locale="sv",
                          submission_key=new_submission_key())
        db.session.commit()
    add_to_staff(live_server.app, event_id, demo_data["organizer"])

    page = make_page(viewport={"width": 360, "height": 740})
    sign_in(page, demo_data["organizer"])
    page.goto(f"/staff/events/{event_id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    check_page(page)
    search = page.locator("form[role=search]").bounding_box()
    check_in = page.locator("ul.people form button[type=submit]").first.bounding_box()
    assert search["y"] < check_in["y"]
    cancel = page.locator(f'form[action="/staff/events/{event_id}/cancel"]')
    assert check_in["y"] < cancel.bounding_box()["y"]

    # the red button only asks: the event stays published until the confirm page's own button is pressed
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        cancel.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert posted.value.status == 200
    assert page.locator("input[name=confirm][value=yes]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    check_page(page)
    with live_server.app.app_context():
        assert str(db.session.get(Event, event_id).state) == "published"
    # "No, keep the event" leads back unchanged
    page.locator(f'main a.button[href="/staff/events/{event_id}"]').click()
    page.wait_for_url(f"**/staff/events/{event_id}")
    with live_server.app.app_context():
        assert str(db.session.get(Event, event_id).state) == "published"
