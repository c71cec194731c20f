"""A municipality runs its own dialogue from an empty database, in the browser alone (issue #12).

Only migrations, no demo: the first administrator is made with the command a server operator runs, and
from then on every step is done as a person would do it, in a real browser: the admin sets up the
municipality and invites an organizer and an analyst, who accept through the links mailed to a real SMTP
server; the organizer builds a process with phases, a questionnaire from the ready-made template and
two events; a resident on a 360 px phone finds everything from the home page, answers and signs up; the
organizer runs the door and writes notes; the analyst codes what was said to a vision the admin
imported; the admin publishes the results and the resident gets the mail and finds them.

The municipality's default language is Swedish and it offers English too. Staff browsers ask for English;
the resident's phone is Swedish and she switches to English with the language switcher, so the texts the
test looks for are the English ones (the questionnaire template and Flen's vision carry English texts;
what staff type in stays Swedish). axe runs on every page state visited (``check_page``), and none of
the resident's pages may scroll sideways at 360 px.
"""

from __future__ import annotations

import re
import struct
import time
import zlib
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_page
from tests.smtp import smtp_server

pytestmark = pytest.mark.browser

ADMIN = "kommunchef@vastby.example"
ORGANIZER = "samordnare@vastby.example"
ANALYST = "utredare@vastby.example"
RESIDENT = "boende@example.se"
ADMIN_PASSWORD = "första administratören har ett långt lösenord"
STAFF_PASSWORD = "ett långt och bra lösenord för personalen"
PHONE_360 = {"width": 360, "height": 740}
WAIT_MS = 10_000
LINK = re.compile(r"https?://\S+")


# -- helpers --------------------------------------------------------------------------------------------

def png_logo() -> bytes:
    """A 2×2 dark blue PNG, made by hand."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x00\x33\x66" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def plain_text(message) -> str:
    return message.get_body(("plain",)).get_content()


def mailed_link(message, path: str) -> str:
    """The link in *message* whose path starts with *path*."""
    for url in LINK.findall(plain_text(message)):
        if path in url:
            return url
    raise AssertionError(f"no link to {path} in:\n{plain_text(message)}")


def mail_to(inbox, address: str, count: int = 1, timeout: float = 10):
    """Wait until *address* has *count* messages; return the last."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in inbox.messages if m["To"] == address]
        if len(found) >= count:
            return found[-1]
        time.sleep(0.05)
    raise AssertionError(f"{address} got no message {count}; the inbox has "
                         f"{[(m['To'], m['Subject']) for m in inbox.messages]}")


def no_sideways_scroll(page: Page) -> None:
    page.wait_for_load_state()  # before the stylesheet has arrived, nothing wraps as it will
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE_360["width"]:
        # the innermost elements that reach past the right edge, to say what to fix
        culprits = page.evaluate("""limit => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > limit
                          && ![...el.children].some(c => c.getBoundingClientRect().right > limit))
            .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                                   + ' ' + Math.round(el.getBoundingClientRect().right) + 'px')""",
                                 PHONE_360["width"])
        raise AssertionError(f"{page.url} scrolls sideways at 360 px: {width} px wide; {culprits}")


def resident_check(page: Page) -> None:
    check_page(page)
    no_sideways_scroll(page)


def submit(page: Page, name: str, status: int | None = None) -> None:
    """Press the button called *name* in the main part of the page; wait for the answer to load."""
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.locator("main").get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()
    if status is not None:
        assert posted.value.status == status, f"{name}: {posted.value.status} at {page.url}"
    assert page.locator(".error-summary").count() == 0, page.locator(".error-summary").inner_text()


def flash(page: Page) -> str:
    return page.locator(".flashes").inner_text()


def staff_nav(page: Page, name: str) -> None:
    page.locator("nav.staff-nav").get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()


def main_nav(page: Page, name: str) -> None:
    page.locator("nav.main-nav").get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/")
    check_page(page)
    page.locator("footer").get_by_role("link", name="Staff sign-in", exact=True).click()
    check_page(page)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")
    check_page(page)


def accept_invitation(page: Page, message) -> None:
    page.goto(mailed_link(message, "/staff/password/"))
    expect(page.locator("h1")).to_have_text("Choose your password")
    check_page(page)
    page.get_by_label("New password").fill(STAFF_PASSWORD)
    page.get_by_label("The same password again").fill(STAFF_PASSWORD)
    submit(page, "Save the password and sign in")
    assert page.url.endswith("/staff/")
    assert "Your password is saved" in flash(page)
    check_page(page)


# -- the test -------------------------------------------------------------------------------------------

@pytest.fixture
def inbox(live_server):
    with smtp_server() as box:
        live_server.app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=box.port,
                                      MAIL_SENDER="dialog@vastby.example")
        yield box


def test_a_municipality_runs_its_own_dialogue_from_an_empty_database(make_page, live_server, inbox, tmp_path):
    def context(locale: str = "en-GB", **options) -> Page:
        """A browser of its own (own cookies) for each person; every wait is bounded."""
        page = make_page(locale=locale, **options)
        page.set_default_timeout(WAIT_MS)
        return page

    today = date.today()

    # 1. The server operator creates the first administrator with the command, on the empty database.
    result = live_server.app.test_cli_runner().invoke(
        args=["users", "create", ADMIN, "--role", "admin", "--password-stdin"], input=ADMIN_PASSWORD + "\n")
    assert result.exit_code == 0, result.output

    # 2. The admin signs in and sets up the municipality.
    admin = context()
    admin.goto("/")
    expect(admin.locator("main")).to_contain_text("No dialogue is open right now.")
    sign_in(admin, ADMIN, ADMIN_PASSWORD)
    staff_nav(admin, "Settings")
    check_page(admin)
    admin.get_by_label("Name of the municipality").fill("Västby kommun")
    admin.get_by_label("Localities").fill("Västby\nÖsterby\nNorrby")
    admin.get_by_label("Default language").select_option(label="Svenska")
    for language in ("Svenska", "English"):
        admin.get_by_label(language, exact=True).check()
    admin.get_by_label("Dansk", exact=True).uncheck()
    admin.get_by_label("Time zone").fill("Europe/Stockholm")
    admin.get_by_label("Contact e-mail").fill("dialog@vastby.example")
    submit(admin, "Save settings", 302)
    assert "The settings are saved" in flash(admin)
    expect(admin.locator(".brand")).to_have_text("Västby kommun")
    check_page(admin)

    staff_nav(admin, "Logo and colour")
    check_page(admin)
    logo = tmp_path / "vastby.png"
    logo.write_bytes(png_logo())
    admin.get_by_label("Logo", exact=True).set_input_files(str(logo))
    admin.get_by_label("Accent colour").fill("#1d4f2a")
    submit(admin, "Save", 302)
    assert "The appearance is saved" in flash(admin)
    assert admin.locator(".brand img.logo").count() == 1
    check_page(admin)

    # 3. The admin invites an organizer and an analyst; they accept through the mailed links.
    staff_nav(admin, "Staff accounts")
    check_page(admin)
    for address, role in ((ORGANIZER, "Organizer"), (ANALYST, "Analyst")):
        admin.get_by_label("E-mail address").fill(address)
        admin.get_by_label("Role", exact=True).select_option(label=role)
        submit(admin, "Send the invitation", 302)
        assert f"The invitation is sent to {address}" in flash(admin)
        check_page(admin)

    organizer = context()
    accept_invitation(organizer, mail_to(inbox, ORGANIZER))
    analyst = context()
    accept_invitation(analyst, mail_to(inbox, ANALYST))

    # 4. The organizer creates the process with its phases and publishes it.
    staff_nav(organizer, "Processes")
    check_page(organizer)
    organizer.locator("main").get_by_role("link", name="New process", exact=True).click()
    check_page(organizer)
    organizer.get_by_label("Address").fill("vastby-2030")
    organizer.get_by_label("Title (Svenska)").fill("Västby 2030")
    organizer.get_by_label("Title (English)").fill("Västby 2030")
    organizer.get_by_label("Summary (Svenska)").fill("Vi skriver kommunens vision tillsammans med er som bor här.")
    organizer.get_by_label("Summary (English)").fill("We write the municipality's vision together with you.")
    organizer.get_by_label("Starts").fill(f"{today - timedelta(days=7)}")
    organizer.get_by_label("Ends").fill(f"{today + timedelta(days=120)}")
    submit(organizer, "Save the process", 302)
    assert "The process is saved" in flash(organizer)
    check_page(organizer)
    phases = [("Questionnaire", "Enkäten", -7, 30), ("Open meetings", "Öppna möten", 1, 30),
              ("Workshops", "Workshoppar", 1, 40), ("Analysis", "Analys", 41, 60),
              ("Decision", "Beslut", 90, 100)]
    for n, (kind, title, start, end) in enumerate(phases):
        organizer.locator("main").get_by_role("link", name="Add a phase", exact=True).click()
        if n == 0:
            check_page(organizer)  # the same empty form each time
        organizer.get_by_label("Kind of phase").select_option(label=kind)
        organizer.get_by_label("Title (Svenska)").fill(title)
        organizer.get_by_label("Starts").fill(f"{today + timedelta(days=start)}")
        organizer.get_by_label("Ends").fill(f"{today + timedelta(days=end)}")
        submit(organizer, "Save the phase", 302)
        assert "The phase is saved" in flash(organizer)
        expect(organizer.locator("main table tbody tr")).to_have_count(n + 1)
        check_page(organizer)
    submit(organizer, "Publish", 302)
    assert "The process is public" in flash(organizer)
    check_page(organizer)

    # 5. ... a questionnaire from the ready-made template, in the process, opened to residents.
    staff_nav(organizer, "Questionnaires")
    check_page(organizer)
    organizer.locator("main").get_by_role("link", name="New questionnaire", exact=True).click()
    check_page(organizer)
    organizer.get_by_label(re.compile("ready-made questionnaire")).check()
    expect(organizer.get_by_label("Title (Swedish)")).to_have_value("När är Västby kommun som bäst?")
    organizer.get_by_label("Part of the process").select_option(label="Västby 2030")
    submit(organizer, "Save", 302)
    assert "The questionnaire is created as a draft" in flash(organizer)
    check_page(organizer)
    submit(organizer, "Open to residents", 302)
    check_page(organizer)

    # 6. ... an open meeting and a workshop with seats reserved for groups, in the process, published.
    tomorrow = today + timedelta(days=1)
    events = [("Open meeting", "Öppet möte om Västby 2030", "", {}),
              ("Workshop", "Framtidsverkstad", "30", {"Seats reserved for young people": "10",
                                                      "Seats reserved for associations": "5"})]
    for n, (kind, title, seats, reserved) in enumerate(events):
        staff_nav(organizer, "Events")
        check_page(organizer)
        organizer.locator("main").get_by_role("link", name="New event", exact=True).click()
        check_page(organizer)
        organizer.get_by_label("Kind", exact=True).select_option(label=kind)
        organizer.get_by_label("Title (Swedish)").fill(title)
        organizer.get_by_label("Description (Swedish)").fill("Kom och berätta vad du tycker om Västby.")
        organizer.get_by_label("Part of the process").select_option(label="Västby 2030")
        organizer.get_by_label("Locality", exact=True).select_option(label="Österby")
        organizer.get_by_label("Venue", exact=True).fill("Österby bibliotek")
        organizer.get_by_label("Street address").fill("Storgatan 1, Österby")
        organizer.get_by_label("Starts").fill(f"{tomorrow + timedelta(days=n)}T18:00")
        organizer.get_by_label("Ends").fill(f"{tomorrow + timedelta(days=n)}T20:00")
        if seats:
            organizer.get_by_label("Seats", exact=True).fill(seats)
        for label, value in reserved.items():
            organizer.get_by_label(label).fill(value)
        submit(organizer, "Save the event", 302)
        assert "The event is saved" in flash(organizer)
        check_page(organizer)
        submit(organizer, "Publish", 302)
        assert "The event is published" in flash(organizer)
        check_page(organizer)

    # 7. A resident on a 360 px phone finds all of it from the home page, answers and signs up.
    resident = context(viewport=PHONE_360, is_mobile=True, has_touch=True, locale="sv-SE")
    resident.goto("/")
    expect(resident.locator("html")).to_have_attribute("lang", "sv")
    resident_check(resident)
    resident.locator("nav.language-switcher").get_by_role("link", name="English", exact=True).click()
    expect(resident.locator("html")).to_have_attribute("lang", "en")
    expect(resident.locator("main h1")).to_have_text("Västby 2030")
    expect(resident.locator(".brand img.logo")).to_have_count(1)
    take_part = resident.locator("section.take-part")
    answer_link = "Answer the questionnaire: When is Västby kommun at its best?"
    expect(take_part.get_by_role("link", name=answer_link, exact=True)).to_be_visible()
    expect(take_part.get_by_role("link", name="Öppet möte om Västby 2030", exact=True)).to_be_visible()
    expect(take_part.get_by_role("link", name="Framtidsverkstad", exact=True)).to_be_visible()
    expect(resident.locator("ol.timeline > li")).to_have_count(len(phases))
    resident_check(resident)

    main_nav(resident, "Dialogues")
    resident_check(resident)
    expect(resident.locator("main").get_by_role("link", name="Västby 2030", exact=True)).to_be_visible()
    main_nav(resident, "Meetings and workshops")
    resident_check(resident)
    for title in ("Öppet möte om Västby 2030", "Framtidsverkstad"):
        expect(resident.locator("main").get_by_role("link", name=title, exact=True)).to_be_visible()
    resident.locator("main").get_by_role("link", name="Öppet möte om Västby 2030", exact=True).click()
    expect(resident.locator("dl.facts")).to_contain_text("No sign-up needed")
    expect(resident.locator("dl.facts")).to_contain_text("Österby bibliotek")
    resident_check(resident)
    main_nav(resident, "Visions")
    resident_check(resident)
    main_nav(resident, "Questionnaires")
    resident_check(resident)
    resident.locator("main").get_by_role("link", name="When is Västby kommun at its best?", exact=True).click()

    # the questionnaire, three pages, with an address for hearing what came of it
    expect(resident.locator("main h1")).to_have_text("When is Västby kommun at its best?")
    resident_check(resident)
    resident.get_by_label("What are the municipality's greatest strengths?").fill(
        "Naturen och sjöarna, och att föreningslivet är starkt.")
    resident.get_by_label("When is the municipality at its best?").fill(
        "På sommaren när hela byn samlas vid sjön.")
    resident.get_by_role("button", name="Next page").click()
    expect(resident.locator(".progress-text")).to_have_text("Page 2 of 3")
    resident_check(resident)
    resident.get_by_label("What needs to change?").fill("Bussarna till Västby går för sällan på kvällarna.")
    resident.get_by_role("button", name="Next page").click()
    expect(resident.locator(".progress-text")).to_have_text("Page 3 of 3")
    resident_check(resident)
    resident.get_by_role("group", name="Where do you live?").get_by_label("Österby").check()
    resident.get_by_role("group", name="How old are you?").get_by_label("16–19").check()
    resident.get_by_role("group", name="Who is answering?").get_by_label("I am a young person").check()
    resident.get_by_label("Your e-mail address, if you want to hear what came of the dialogue").fill(RESIDENT)
    resident_check(resident)
    resident.get_by_role("button", name="Send my answers").click()
    expect(resident.locator("main h1")).to_have_text("Thank you for your answers")
    expect(resident.locator("#private-link")).to_be_visible()
    resident_check(resident)

    # back home, to the workshop, and signs up
    resident.get_by_role("link", name="Back to the home page", exact=True).click()
    resident.locator("section.take-part").get_by_role("link", name="Framtidsverkstad", exact=True).click()
    expect(resident.locator("main h1")).to_have_text("Framtidsverkstad")
    resident_check(resident)
    resident.locator("main").get_by_role("link", name="Sign up", exact=True).click()
    resident_check(resident)
    resident.get_by_label("Your name").fill("Alva Berg")
    resident.get_by_label("Your e-mail address").fill(RESIDENT)
    resident.get_by_role("group", name="I come as").get_by_label("Young person").check()
    resident.get_by_label("Special food (allergies, diet)").check()
    resident_check(resident)
    resident.locator("main form").get_by_role("button", name="Sign up").click()
    expect(resident.locator("main h1")).to_have_text("You are signed up")
    resident_check(resident)
    confirmation = mail_to(inbox, RESIDENT)
    assert confirmation["Subject"] == "You are signed up: Framtidsverkstad"
    assert "/events/cancel/" in plain_text(confirmation)

    # 8. The organizer checks the resident in at the workshop, adds someone who just came, and records
    #    what was said there and at the open meeting.
    notes = {"Framtidsverkstad": [("Idea", "Bygg en badplats vid sjön i Österby."),
                                  ("Challenge", "Unga har ingenstans att träffas på kvällarna.")],
             "Öppet möte om Västby 2030": [("Statement", "Skolan i Norrby är bra och ska vara kvar.")]}
    staff_nav(organizer, "Events")
    organizer.locator("main").get_by_role("link", name="Framtidsverkstad", exact=True).click()
    expect(organizer.locator("main h1")).to_have_text("Framtidsverkstad")
    person = organizer.locator("li.person").filter(has_text="Alva Berg")
    expect(person).to_contain_text("Young person")
    expect(person).to_contain_text("Special food")
    check_page(organizer)
    with organizer.expect_navigation():
        person.get_by_role("button", name="Check in").click()
    expect(organizer.locator("li.person").filter(has_text="Alva Berg")).to_contain_text("Came")
    check_page(organizer)
    organizer.get_by_label("Name", exact=True).fill("Erik Holm")
    organizer.get_by_label("Group", exact=True).select_option(label="Association")
    submit(organizer, "Add and check in", 302)
    assert "Erik Holm is added and checked in" in flash(organizer)
    check_page(organizer)
    for event_title, said in notes.items():
        staff_nav(organizer, "Events")
        organizer.locator("main").get_by_role("link", name=event_title, exact=True).click()
        organizer.locator("main").get_by_role("link", name="Record what was said", exact=True).click()
        check_page(organizer)
        for kind, text in said:
            organizer.get_by_label("What was said").fill(text)
            organizer.get_by_label("Noted as").select_option(label=kind)
            submit(organizer, "Save and write the next", 302)
            assert "Saved. Type the next one." in flash(organizer)
            check_page(organizer)
        expect(organizer.locator("ol.notes > li")).to_have_count(len(said))
    # everything is in the process, as its staff page shows
    staff_nav(organizer, "Processes")
    organizer.locator("main").get_by_role("link", name="Västby 2030", exact=True).click()
    belongs = organizer.locator("main ul").filter(has_text="When is Västby kommun at its best?")
    expect(belongs).to_contain_text("Open · 1 response · 3 contributions")
    for event_title, said in notes.items():
        expect(organizer.locator("main li").filter(has_text=event_title)).to_contain_text(
            f"Published · {len(said)} contribution")
    check_page(organizer)

    # 9. The admin imports the Flen template as the vision and links it to the process.
    staff_nav(admin, "Visions")
    check_page(admin)
    admin.locator("main").get_by_role("link", name="Import a vision file or template", exact=True).click()
    check_page(admin)
    admin.get_by_label("Or a shipped template").select_option("flen")
    submit(admin, "Import", 302)
    assert "The vision is imported" in flash(admin)
    check_page(admin)
    submit(admin, "List it for residents", 302)
    assert "The vision is listed for residents" in flash(admin)
    check_page(admin)
    staff_nav(admin, "Follow-up")
    check_page(admin)
    admin.locator("main").get_by_role("link", name="Västby 2030", exact=True).click()
    check_page(admin)
    admin.get_by_label("The vision the process led to").select_option(label="Flen – the heart of Sörmland")
    admin.get_by_label("What came of the dialogue (Swedish)").fill(
        "Kommunfullmäktige har antagit visionen. Tack för alla svar!")
    admin.get_by_label("What came of the dialogue (English)").fill(
        "The municipal council adopted the vision. Thank you for every answer!")
    submit(admin, "Save", 302)
    assert "Saved." in flash(admin)
    check_page(admin)

    # 10. The analyst codes every contribution, from the questionnaire and from both events.
    codes = {"Naturen och sjöarna": "Pride in nature and in each locality's character",
             "På sommaren när hela byn": "Close to each other, with openness and care",
             "Bussarna till Västby": "Good housing and good connections",
             "Bygg en badplats": "Sustainable development and the landscape of lakes",
             "Unga har ingenstans": "Close to each other, with openness and care",
             "Skolan i Norrby": "Schools of high quality"}
    staff_nav(analyst, "Coding")
    expect(analyst.locator("main")).to_contain_text(f"{len(codes)} contributions")
    check_page(analyst)
    analyst.locator("main ol.text-answers a").first.click()
    for _ in range(len(codes)):
        expect(analyst.locator("main h1")).to_have_text("Code a contribution")
        text = analyst.locator("#contribution-text").inner_text()
        block = next((b for start, b in codes.items() if text.startswith(start)), None)
        assert block, f"an unexpected contribution to code: {text}"
        analyst.get_by_role("group", name=re.compile("Building blocks of")).get_by_label(block).check()
        analyst.get_by_label("Publishable quote").check()
        check_page(analyst)
        submit(analyst, "Save and go to the next", 302)
    check_page(analyst)
    staff_nav(analyst, "Coding")
    expect(analyst.locator("main")).to_contain_text("Nothing to code here.")
    check_page(analyst)

    # 11. The admin publishes the results; the resident is told by mail.
    staff_nav(admin, "Follow-up")
    admin.locator("main").get_by_role("link", name="Västby 2030", exact=True).click()
    expect(admin.locator("main")).to_contain_text("1 address is waiting to hear the outcome.")
    check_page(admin)
    submit(admin, "Publish results and tell residents", 302)
    assert "The results are published" in flash(admin)
    expect(admin.locator("main")).to_contain_text("1 address has been told.")
    check_page(admin)
    feedback = mail_to(inbox, RESIDENT, count=2)
    assert feedback["Subject"] == "What came of the dialogue: Västby 2030"
    body = plain_text(feedback)
    assert "Västby 2030" in body
    assert "The municipal council adopted the vision" in body
    follow_up_link = mailed_link(feedback, "/vision/flen-vision-2019/follow-up")
    assert mailed_link(feedback, "/feedback/unsubscribe/")

    # 12. The resident finds the results from the home page.
    resident.goto("/")
    results = resident.locator("section.results")
    expect(results.get_by_role("heading")).to_have_text("See what came of the dialogue")
    resident_check(resident)
    for link, heading in (("The vision", "Flen – the heart of Sörmland"), ("What we heard", "What we heard"),
                          ("Follow-up", None)):
        main_nav(resident, "Home")
        resident.locator("section.results").get_by_role("link", name=link, exact=True).click()
        if heading:
            expect(resident.locator("main h1")).to_have_text(heading)
        resident_check(resident)
        if link == "What we heard":
            expect(resident.locator("main")).to_contain_text("Bussarna till Västby går för sällan på kvällarna.")
    resident.goto(follow_up_link)
    resident_check(resident)
    main_nav(resident, "Visions")
    expect(resident.locator("main").get_by_role("link", name="Flen – the heart of Sörmland", exact=True))\
        .to_be_visible()
    resident_check(resident)
