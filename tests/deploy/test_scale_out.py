"""Scale-out with real parts: the shipped nginx site in front of two gunicorn instances started by the shipped
unit's command, one PostgreSQL database and one Redis, spoken to over HTTPS as a browser does.

The client picks its own loopback address (127.x.y.z) per visitor: nginx passes it on, and the app, trusting
exactly one proxy (PROXY_COUNT=1 from deploy/env.example), counts its rate limits per visitor, not per nginx.
Which instance answered comes from a header the test's nginx.conf adds ($upstream_addr); the site is as shipped.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from dialogue import demo
from dialogue.events.models import Registration, RegistrationStatus, Seat
from dialogue.extensions import db
from dialogue.questionnaires.models import Answer, Response
from tests.conftest import make_app, skip_or_fail
from tests.deploy import shipped
from tests.deploy.stack import Stack, StackUnavailable, need
from tests.events.helpers import make_event
from tests.questionnaires.helpers import DEMO_SLUG, demo_questions, hidden_fields
from tests.smtp import smtp_server

pytestmark = pytest.mark.deploy

URL = f"/questionnaires/{DEMO_SLUG}"
ADMIN = "chief@kommun.example"
ADMIN_PASSWORD = "a long staff password for the test"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Addresses:
    """A fresh loopback address per visitor: 127.<block>.x.y."""

    def __init__(self, block: int) -> None:
        self.block, self.n, self.lock = block, 0, threading.Lock()

    def __call__(self) -> str:
        with self.lock:
            self.n += 1
            return f"127.{self.block}.{self.n // 250}.{self.n % 250 + 1}"


@pytest.fixture(scope="module")
def smtp():
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture(scope="module")
def stack(postgres, smtp):
    try:
        need("nginx", "redis-server", "openssl")
    except StackUnavailable as error:
        skip_or_fail(str(error))
    stack = Stack(postgres.create_database("dialogue_scale_out"), smtp.port)
    try:
        yield stack.start()
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def app(stack, tmp_path_factory):
    """The app in the test's own process, on the same database: to set up data and count rows.

    The first administrator is made the README's way, meanwhile the demo's municipality and questionnaire.
    """
    admin = stack.flask("users", "create", ADMIN, "--role", "admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    app = make_app(stack.database_url, tmp_path_factory.mktemp("instance"))
    with app.app_context():
        demo.load(sample_responses=0)
        db.session.commit()
    stack.finish(admin)
    yield app
    with app.app_context():
        db.engine.dispose()


def served_by_both(stack, ports: list[int | None]) -> bool:
    return set(ports) == set(stack.instance_ports)


# -- nginx, HTTPS, /healthz --------------------------------------------------------------------------------

def test_shipped_site_passes_nginx_t_with_includes_like_the_shipped_ones(stack):
    assert "syntax is ok" in stack.nginx_test_output and "test is successful" in stack.nginx_test_output
    for name in ("upstreams.conf", "https.conf", "http.conf"):
        # the same directives as the shipped include, with this host's values
        written = shipped.directives(stack.root / "nginx" / "dialogue" / name)
        assert written == shipped.directives(shipped.NGINX_INCLUDES / name), name


def test_https_only_static_from_nginx_and_healthz_from_both(stack, app):
    with stack.browser("127.9.0.1") as browser:
        plain = browser.get(f"http://127.0.0.1:{stack.http_port}/questionnaires/x?y=1", allow_redirects=False)
        assert plain.status_code == 301 and plain.headers["Location"] == "https://localhost/questionnaires/x?y=1"

        css = browser.get(f"{stack.base}/static/css/dialogue.css")
        assert css.status_code == 200 and "text/css" in css.headers["Content-Type"]
        assert stack.upstream_port(css) is None  # from the checkout, not from gunicorn

        ports = []
        for _ in range(4):
            health = browser.get(f"{stack.base}/healthz")
            assert (health.status_code, health.text, health.headers["Cache-Control"]) == (200, "ok", "no-store")
            ports.append(stack.upstream_port(health))
        assert served_by_both(stack, ports)
        page = browser.get(f"{stack.base}/")
        assert page.status_code == 200
        assert page.headers["Strict-Transport-Security"].startswith("max-age=")


# -- staff sessions ----------------------------------------------------------------------------------------

def sign_in(stack, browser, password: str = ADMIN_PASSWORD, token: str | None = None):
    if token is None:
        token = CSRF.search(browser.get(f"{stack.base}/staff/login").text).group(1)
    return browser.post(f"{stack.base}/staff/login", data={"csrf_token": token, "email": ADMIN, "password": password},
                        allow_redirects=False)


def staff_page_on_both(stack, browser, times: int = 4) -> set[int]:
    """The staff dashboard requested *times* over: the statuses, after checking both instances answered."""
    replies = [browser.get(f"{stack.base}/staff/", allow_redirects=False) for _ in range(times)]
    assert served_by_both(stack, [stack.upstream_port(r) for r in replies])
    return {r.status_code for r in replies}


def test_staff_session_is_valid_on_both_instances_and_ends_on_both(stack, app):
    with stack.browser("127.9.0.2") as browser, stack.browser("127.9.0.7") as copy:
        signed_in = sign_in(stack, browser)
        assert signed_in.status_code == 302
        cookie = next(c for c in browser.cookies if c.name == "dialogue_session")
        assert cookie.secure and cookie.has_nonstandard_attr("HttpOnly")  # sent over HTTPS only
        assert "SameSite=Lax" in signed_in.headers["Set-Cookie"]
        assert staff_page_on_both(stack, browser) == {200}
        # the cookie is the whole of it: elsewhere, too, it is the session on both instances
        copy.cookies.set("dialogue_session", cookie.value, domain=cookie.domain, path=cookie.path, secure=True)
        assert staff_page_on_both(stack, copy) == {200}

        token = CSRF.search(browser.get(f"{stack.base}/staff/").text).group(1)
        browser.post(f"{stack.base}/staff/logout", data={"csrf_token": token})
        # signed out on one instance, the session has ended on the server: the copy is refused by both
        assert staff_page_on_both(stack, copy) == {302}


# -- rate limits in Redis ----------------------------------------------------------------------------------

def test_sign_in_limit_is_shared_by_the_instances(stack, app):
    # LOGIN_RATE_LIMIT, 4 a minute here: the fifth attempt from an address is refused, whichever instance
    # gets it; counted per instance, each would let four through.
    wrong = "wrong password, long enough"
    with stack.browser("127.9.0.3") as browser:
        token = CSRF.search(browser.get(f"{stack.base}/staff/login").text).group(1)
        replies = [sign_in(stack, browser, wrong, token) for _ in range(5)]
        assert [r.status_code for r in replies] == [422] * 4 + [429]
        assert served_by_both(stack, [stack.upstream_port(r) for r in replies[:4]])
        # a forged X-Forwarded-For buys nothing: nginx puts in the address it saw
        forged = browser.post(f"{stack.base}/staff/login", headers={"X-Forwarded-For": "203.0.113.9"},
                              data={"csrf_token": token, "email": ADMIN, "password": wrong}, allow_redirects=False)
        assert forged.status_code == 429
    # another address has its own count: the app sees each visitor's address, not nginx's
    with stack.browser("127.9.0.4") as other:
        assert sign_in(stack, other, wrong).status_code == 422


def test_answer_limit_is_shared_by_the_instances(stack, app):
    # ANSWER_RATE_LIMIT as shipped, 60 a minute per address: moving between pages counts too
    with stack.browser("127.9.0.5") as browser:
        fields = hidden_fields(browser.get(f"{stack.base}{URL}?lang=en").text)
        data = {"csrf_token": fields["csrf_token"], "form": fields["form"], "page": "0", "move": "next"}
        replies = [browser.post(f"{stack.base}{URL}?lang=en", data=data) for _ in range(61)]
    assert 429 not in [r.status_code for r in replies[:60]]
    assert replies[60].status_code == 429
    assert served_by_both(stack, [stack.upstream_port(r) for r in replies[:60]])


# -- residents ---------------------------------------------------------------------------------------------

def answers(app) -> dict[str, str]:
    """Every question of the demo questionnaire answered, as the form sends it."""
    q = demo_questions(app)
    values = {f"q{q[i].id}": text for i, text in enumerate(("Forests and lakes", "Midsummer", "Tourism", "Trains"))}
    values.update({f"q{q[5].id}": "30-44", f"q{q[6].id}": "resident"})
    return values


def open_form(stack, browser) -> tuple[str, dict[str, str]]:
    """The questionnaire's first page; (submission key, the form to send with every answer)."""
    for _attempt in range(20):  # a GET that met an instance being killed is simply loaded again
        page = browser.get(f"{stack.base}{URL}?lang=en")
        if page.status_code == 200:
            break
        time.sleep(0.05)
    fields = hidden_fields(page.text)
    key = URLSafeTimedSerializer(stack.secret_key, salt="questionnaire-form").loads(fields["form"])[1]
    return key, {"csrf_token": fields["csrf_token"], "form": fields["form"], "page": "2", "move": "submit"}


def send(stack, browser, form: dict[str, str], values: dict[str, str]):
    return browser.post(f"{stack.base}{URL}?lang=en", data={**form, **values}, allow_redirects=False)


def test_receipt_links_point_at_the_public_https_address(stack, app):
    with stack.browser("127.9.0.6") as browser:
        _key, form = open_form(stack, browser)
        reply = send(stack, browser, form, answers(app))
        assert reply.status_code == 303 and reply.headers["Location"] == f"{URL}/received"
        receipt = browser.get(f"{stack.base}{URL}/received")
        link = re.search(r'id="private-link">([^<]+)<', receipt.text).group(1)
        # built from X-Forwarded-Proto and X-Forwarded-Host: the address residents use, not gunicorn's
        assert link.startswith(f"https://localhost:{stack.https_port}{URL}/answers/")
        assert browser.get(link).status_code == 200


def test_fifty_sign_ups_for_ten_seats_over_both_instances_give_ten(stack, app, smtp):
    event_id = make_event(app, capacity=10)
    url = f"{stack.base}/events/{event_id}/signup?lang=en"
    addresses = Addresses(20)  # sign-ups are limited to 30 a minute per address
    before = len(smtp.messages)

    def sign_up(n: int):
        with stack.browser(addresses()) as browser:
            page = browser.get(url).text
            form = re.search(r'name="form" type="hidden" value="([^"]+)"', page)
            data = {"csrf_token": CSRF.search(page).group(1), "form": form.group(1), "name": f"Person {n}",
                    "email": f"person{n}@example.se", "group": "other"}
            reply = browser.post(url, data=data)
            return reply.status_code, stack.upstream_port(reply), "You are signed up" in reply.text

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(sign_up, range(50)))
    assert [status for status, _port, _seated in results] == [200] * 50
    assert served_by_both(stack, [port for _status, port, _seated in results])
    assert sum(seated for _status, _port, seated in results) == 10
    with app.app_context():
        statuses = Counter(db.session.scalars(sa.select(Registration.status).where(Registration.event_id == event_id)))
        seats = db.session.scalars(sa.select(Seat.registration_id).where(Seat.event_id == event_id)).all()
    assert statuses == {RegistrationStatus.confirmed: 10, RegistrationStatus.waitlisted: 40}
    assert len(seats) == 10 and None not in seats and len(set(seats)) == 10
    smtp.wait_for(before + 50, timeout=20)  # a confirmation or waiting-list message each


# EXPORT FROM THE OTHER INSTANCE (not written yet): "a long export arrives whole, downloaded from the other
# instance than the one that built it" belongs here, once the redesigned exports have landed
# (dialogue/exports/); deploy/nginx/dialogue.conf marks where their buffering and timeouts go.


# -- an instance killed under load -------------------------------------------------------------------------

def test_instance_killed_with_sigkill_under_load_loses_no_acknowledged_submission(stack, app):
    values = answers(app)
    addresses = Addresses(30)  # a fresh address per resident: the answer limit is not what is tested here
    victim, survivor = stack.instance_ports
    acknowledged: dict[str, int | None] = {}  # submission key -> the instance that acknowledged it
    unanswered: list[tuple[str, dict[str, str], str]] = []  # sends that got no 303: (address, form, key)
    odd: list[int] = []
    before_kill: set[int | None] = set()
    lock = threading.Lock()
    killed, stop = threading.Event(), threading.Event()

    def resident():
        while not stop.is_set():
            address = addresses()
            with stack.browser(address) as browser:
                key, form = open_form(stack, browser)
                reply = send(stack, browser, form, values)
            with lock:
                if reply.status_code == 303:
                    acknowledged[key] = stack.upstream_port(reply)
                    if not killed.is_set():
                        before_kill.add(acknowledged[key])
                elif reply.status_code in (502, 504):  # the instance died with the request
                    unanswered.append((browser.cookies, form, key))
                else:
                    odd.append(reply.status_code)

    threads = [threading.Thread(target=resident) for _ in range(6)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.005)
    stack.instances[victim].kill()  # SIGKILL to gunicorn's master and all its workers at once
    killed.set()
    at_kill = len(acknowledged)
    while len(acknowledged) < at_kill + 40 and time.monotonic() < deadline:
        time.sleep(0.005)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert not odd, odd
    assert before_kill == {victim, survivor}, "both instances took submissions before the kill"
    assert len(acknowledged) >= at_kill + 40, "the surviving instance kept acknowledging"

    # A resident whose send got an error page sends the same form again; the other instance takes it.
    for cookies, form, key in unanswered:
        with stack.browser("127.30.255.1") as browser:
            browser.cookies.update(cookies)
            browser.last_page = f"{stack.base}{URL}?lang=en"
            again = send(stack, browser, form, values)
        assert again.status_code == 303
        acknowledged[key] = stack.upstream_port(again)

    with app.app_context():
        keys = list(acknowledged)
        ours = Response.submission_key.in_(keys)
        stored = Counter(db.session.scalars(sa.select(Response.submission_key).where(ours)))
        answered = Counter(db.session.scalars(sa.select(Response.submission_key).join(Answer).where(ours)))
    missing = set(acknowledged) - set(stored)
    assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged submissions are not stored"
    assert set(stored.values()) == {1}  # each stored once, sent again or not
    assert set(answered.values()) == {len(values)}  # with all of its answers
    print(f"\n{len(acknowledged)} acknowledged, {at_kill} before the kill; {len(unanswered)} sent again after an "
          f"error; the survivor acknowledged {Counter(acknowledged.values())[survivor]}")

    # systemd starts it again (Restart=on-failure): the same command, and it serves
    stack.start_instance(victim)
    stack.wait_for_instance(victim)
