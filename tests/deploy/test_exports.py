"""Long exports through the shipped deployment: the nginx site (HTTP/1.0 to its upstream, as shipped) in front
of two gunicorn instances whose worker timeout (TIMEOUT) is far shorter than the export takes.

The official asks through nginx, follows the job on whichever instance answers, and downloads a file of
known length that is whole and equal to what the command line writes; a broken-off download resumes. An
instance stopped while it builds a file leaves a job shown as interrupted, never a file to download.
"""

from __future__ import annotations

import re
import time

import pytest
import requests
import sqlalchemy as sa

from dialogue import demo
from dialogue.core import services
from dialogue.exports.models import ExportJob, JobStatus
from dialogue.extensions import db
from dialogue.questionnaires.models import Question, Questionnaire, QuestionType
from tests.conftest import make_app, skip_or_fail
from tests.deploy.stack import Stack, StackUnavailable, need
from tests.smtp import free_port

pytestmark = pytest.mark.deploy

#: gunicorn's worker timeout here, in seconds: the export must take several times as long
TIMEOUT = 2
RESPONSES, QUESTIONS = 40_000, 10
SLUG = "lang-export"
ANALYST, PASSWORD = "analytiker@kommun.example", "a long staff password for the test"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(scope="module")
def stack(postgres):
    try:
        need("nginx", "redis-server", "openssl")
    except StackUnavailable as error:
        skip_or_fail(str(error))
    stack = Stack(postgres.create_database("dialogue_exports"), free_port(), workers=2)
    stack.env["GUNICORN_TIMEOUT"] = str(TIMEOUT)
    try:
        yield stack.start()
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def app(stack, tmp_path_factory):
    """The app in the test's own process, on the stack's database: 400,000 answers in one INSERT each."""
    app = make_app(stack.database_url, tmp_path_factory.mktemp("instance"))
    with app.app_context():
        demo.load(sample_responses=0)
        services.create_user(ANALYST, PASSWORD, "analyst")
        questionnaire = Questionnaire(slug=SLUG, title={"sv": "Lång export"}, questions=[
            Question(position=n, type=QuestionType.long_text, text={"sv": f"Fråga {n}: vad tycker du om sjön?"})
            for n in range(QUESTIONS)])
        db.session.add(questionnaire)
        db.session.flush()
        db.session.execute(sa.text(
            "INSERT INTO response (questionnaire_id, submission_key, submitted_at, channel, language, "
            "locality_other, respondent_group, age_band, hidden) SELECT :q, 'lang-' || n, "
            "now() - n * interval '1 minute', 'web', 'sv', '', 'resident', '', false "
            "FROM generate_series(1, :count) AS n"), {"q": questionnaire.id, "count": RESPONSES})
        db.session.execute(sa.text(
            "INSERT INTO answer (response_id, question_id, value, other_text) "
            "SELECT r.id, q.id, to_json('Svar ' || r.id || ' på fråga ' || q.position || ': sjön, skogen, "
            "\"citat\"; och åkrarna runt Malmköping'::text), '' FROM response r CROSS JOIN question q "
            "WHERE r.questionnaire_id = :q AND q.questionnaire_id = :q"), {"q": questionnaire.id})
        db.session.commit()
        app.config["TEST_QUESTIONNAIRE_ID"] = questionnaire.id
    yield app
    with app.app_context():
        db.engine.dispose()


def signed_in(stack, address: str):
    browser = stack.browser(address)
    token = CSRF.search(browser.get(f"{stack.base}/staff/login").text).group(1)
    reply = browser.post(f"{stack.base}/staff/login", data={"csrf_token": token, "email": ANALYST,
                                                            "password": PASSWORD}, allow_redirects=False)
    assert reply.status_code == 302, reply.text[:500]
    return browser


def ask(stack, browser, app):
    token = CSRF.search(browser.get(f"{stack.base}/staff/exports/").text).group(1)
    reply = browser.post(f"{stack.base}/staff/exports/", allow_redirects=False, data={
        "csrf_token": token, "dataset": "responses_long", "questionnaire": app.config["TEST_QUESTIONNAIRE_ID"],
        "format": "jsonl", "delimiter": "comma"})
    assert reply.status_code == 303, reply.text[:500]
    return reply


def job_state(stack, browser, location: str) -> tuple[str, int | None]:
    page = browser.get(f"{stack.base}{location}")
    return re.search(r'data-export-job="(\w+)"', page.text).group(1), stack.upstream_port(page)


def job(app, job_id: int) -> ExportJob:
    with app.app_context():
        row = db.session.get(ExportJob, job_id)
        db.session.expunge(row)
        return row


def fetch_file(browser, url: str) -> tuple[requests.Response, bytes]:
    """The file as a browser gets it. nginx takes it from the worker within the worker's timeout (TIMEOUT, two
    seconds here); on a machine busy with other tests that may end first, and the body then stops short of
    its Content-Length: a browser resumes it with Range and If-Range (README, "Long exports"), and so does this."""
    first = response = browser.get(url, stream=True)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    length, body = int(first.headers["Content-Length"]), bytearray()
    for _attempt in range(4):
        try:
            for chunk in response.iter_content(1 << 20):
                body += chunk
        except requests.exceptions.ChunkedEncodingError:  # the connection ended short of Content-Length
            pass
        if len(body) >= length:
            break
        response = browser.get(url, headers={"Range": f"bytes={len(body)}-", "If-Range": first.headers["ETag"]},
                               stream=True)
        assert response.status_code == 206
    return first, bytes(body)


def test_an_export_longer_than_the_worker_timeout_arrives_whole(stack, app, tmp_path):
    with signed_in(stack, "127.11.0.1") as browser:
        location = ask(stack, browser, app).headers["Location"]
        job_id = int(location.rsplit("/", 1)[1])
        ports, deadline = set(), time.monotonic() + 600
        while time.monotonic() < deadline:
            state, port = job_state(stack, browser, location)
            ports.add(port)
            if state not in ("queued", "running"):
                break
            time.sleep(0.3)
        assert state == "done"
        built = job(app, job_id)
        assert built.status == JobStatus.done and built.rows == RESPONSES * QUESTIONS
        seconds = (built.finished_at - built.created_at).total_seconds()
        assert seconds > 2 * TIMEOUT, f"the export took {seconds:.1f} s: too short to show anything"
        assert ports == set(stack.instance_ports)  # the job page from both instances, one database

        download, body = fetch_file(browser, f"{stack.base}{location}/file")
        assert int(download.headers["Content-Length"]) == len(body) == built.size
        out = tmp_path / "cli.jsonl"
        stack.finish(stack.flask("export", "responses", "--questionnaire", SLUG, "--layout", "long", "--format",
                                 "jsonl", "-o", str(out)))
        assert body == out.read_bytes()
        assert body.count(b"\n") == RESPONSES * QUESTIONS and body.endswith(b"}\n")

        # a download broken off half-way is resumed where it stopped, through nginx
        half = len(body) // 2
        rest = browser.get(f"{stack.base}{location}/file", headers={"Range": f"bytes={half}-",
                                                                     "If-Range": download.headers["ETag"]})
        assert rest.status_code == 206 and rest.content == body[half:]


def test_an_instance_stopped_while_building_leaves_an_interrupted_job(stack, app):
    with signed_in(stack, "127.11.0.2") as browser:
        reply = ask(stack, browser, app)
        location, port = reply.headers["Location"], stack.upstream_port(reply)
        job_id = int(location.rsplit("/", 1)[1])
        assert job(app, job_id).status in (JobStatus.queued, JobStatus.running)
        process = stack.instances[port]
        process.signal_stop()  # the instance is stopped (a deploy, a restart) while its thread builds the file
        process.wait_stopped()
        try:
            # the stopped process marks it on its way out; well before the 3-minute heartbeat would
            deadline = time.monotonic() + 10
            while (stopped := job(app, job_id)).status != JobStatus.failed and time.monotonic() < deadline:
                time.sleep(0.1)
            assert stopped.status == JobStatus.failed and stopped.error == "interrupted"
            state, answered = job_state(stack, browser, location)
            assert state == "interrupted" and answered != port  # said at once, by the other instance
            assert browser.get(f"{stack.base}{location}/file").status_code == 409
        finally:
            stack.start_instance(port)
            stack.wait_for_instance(port)
