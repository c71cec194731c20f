"""Export jobs: built in the background, downloaded whole (or resumed), failing visibly, kept for a day."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa

from dialogue.core.base import utcnow
from dialogue.core.models import AuditEvent, User
from dialogue.exports import jobs
from dialogue.exports.models import ExportChunk, ExportJob, JobStatus
from dialogue.extensions import db
from tests.conftest import csrf_token, login
from tests.exports.helpers import SLUG, build, read_xlsx, wait_for_job

URL = "/staff/exports/"


@pytest.fixture
def built(app, municipality):
    return build(app)


def ask(client, **fields):
    data = {"csrf_token": csrf_token(client, URL), "dataset": "responses_wide", "format": "csv",
            "delimiter": "comma", **{k: str(v) for k, v in fields.items()}}
    return client.post(URL, data=data)


def finished(client, **fields) -> int:
    response = ask(client, **fields)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert re.fullmatch(r"/staff/exports/jobs/\d+", response.headers["Location"])
    return wait_for_job(client.application, response.headers["Location"])


def job_row(app, job_id: int) -> ExportJob:
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        db.session.expunge(job)
        return job


def audits(app, action: str) -> list[dict]:
    with app.app_context():
        return [e.details for e in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def cli(app, tmp_path, *args) -> bytes:
    out = tmp_path / "cli.out"
    result = app.test_cli_runner().invoke(args=["export", *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def crafted(app, email: str, **values) -> int:
    """A job row as a thread would have left it (no thread runs for it)."""
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        now = utcnow()
        job = ExportJob(user_id=user.id, submission_key=f"crafted-{os.urandom(8).hex()}",
                        dataset="contributions", format="csv", args={"dataset": "contributions", "format": "csv",
                                                                     "delimiter": "comma"},
                        filters={}, personal=False, filename="contributions.csv", chunk_size=jobs.CHUNK_BYTES,
                        **{"created_at": now, "heartbeat_at": now, **values})
        db.session.add(job)
        db.session.commit()
        return job.id


@pytest.mark.parametrize("chunk_bytes", [jobs.CHUNK_BYTES, 100])
def test_a_job_gives_the_same_file_as_the_command_line(app, client, make_user, built, tmp_path, monkeypatch,
                                                       chunk_bytes):
    """Whole files, in one chunk or in many (100 bytes each), byte for byte what the CLI writes."""
    monkeypatch.setattr(jobs, "CHUNK_BYTES", chunk_bytes)
    login(client, make_user("analyst"))
    cases = [
        ({"dataset": "responses_long", "format": "jsonl", "group": "young"},
         ["responses", "--questionnaire", SLUG, "--layout", "long", "--format", "jsonl", "--group", "young"]),
        ({"dataset": "responses_wide", "format": "csv", "delimiter": "semicolon", "date_from": "2026-03-02"},
         ["responses", "--questionnaire", SLUG, "--delimiter", ";", "--from", "2026-03-02"]),
        ({"dataset": "contributions", "format": "csv", "coding_state": "uncoded"},
         ["contributions", "--questionnaire", SLUG, "--coding-state", "uncoded"]),
    ]
    for fields, args in cases:
        job_id = finished(client, questionnaire=built.questionnaire_id, **fields)
        response = client.get(f"{URL}jobs/{job_id}/file")
        assert response.status_code == 200
        body = response.get_data()
        assert body == cli(app, tmp_path, *args), fields
        assert response.headers["Content-Length"] == str(len(body))
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Accept-Ranges"] == "bytes"
        job = job_row(app, job_id)
        assert job.status == JobStatus.done and job.size == len(body) and job.finished_at is not None
        with app.app_context():
            sizes = db.session.scalars(sa.select(sa.func.length(ExportChunk.data)).where(
                ExportChunk.job_id == job_id).order_by(ExportChunk.sequence)).all()
        assert sum(sizes) == len(body) and all(size == chunk_bytes for size in sizes[:-1])
    # zip and XLSX carry the time they were written: compare what they hold
    job_id = finished(client, dataset="contributions", format="datapackage")
    ours = zipfile.ZipFile(io.BytesIO(client.get(f"{URL}jobs/{job_id}/file").get_data()))
    theirs = zipfile.ZipFile(io.BytesIO(cli(app, tmp_path, "contributions", "--format", "datapackage")))
    assert {n: ours.read(n) for n in ours.namelist()} == {n: theirs.read(n) for n in theirs.namelist()}
    job_id = finished(client, questionnaire=built.questionnaire_id, format="xlsx")
    assert read_xlsx(client.get(f"{URL}jobs/{job_id}/file").get_data()) == \
        read_xlsx(cli(app, tmp_path, "responses", "--questionnaire", SLUG, "--format", "xlsx"))


def test_asking_and_downloading_are_audited(app, client, make_user, built):
    login(client, make_user("analyst"))
    job_id = finished(client, dataset="responses_long", questionnaire=built.questionnaire_id, format="jsonl",
                      group="young")
    [request] = audits(app, "export.request")
    assert request == {"dataset": "responses_long", "format": "jsonl", "personal_data": False, "addresses": False,
                       "job": job_id, "filters": {"questionnaire_id": built.questionnaire_id, "group": "young"}}
    assert audits(app, "export.download") == []  # nothing has left yet
    body = client.get(f"{URL}jobs/{job_id}/file").get_data()
    [download] = audits(app, "export.download")
    assert download["rows"] == 5 and download["complete"] is True and download["bytes"] == len(body)
    assert download["job"] == job_id and download["dataset"] == "responses_long"


def test_the_job_page_follows_the_job(app, client, make_user, built):
    email = make_user("analyst")
    login(client, email)
    running = crafted(app, email, status=JobStatus.running, rows=1234)
    page = client.get(f"{URL}jobs/{running}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    # reloads itself without JavaScript; with it, dialogue.js updates the live status in place
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert re.search(r'role="status"[^>]*data-export-job-status', html)
    assert 'data-export-job="running"' in html and "/file" not in html
    assert client.get(f"{URL}jobs/{running}/file").status_code == 409

    job_id = finished(client, dataset="contributions")
    html = client.get(f"{URL}jobs/{job_id}").get_data(as_text=True)
    assert 'data-export-job="done"' in html and "http-equiv" not in html
    assert f'href="/staff/exports/jobs/{job_id}/file"' in html
    # the export page lists the official's jobs of the last day
    listing = client.get(URL).get_data(as_text=True)
    assert f'href="/staff/exports/jobs/{job_id}"' in listing and f'href="/staff/exports/jobs/{running}"' in listing


def test_a_job_that_fails_shows_it_and_offers_no_file(app, client, make_user, built, monkeypatch):
    def broken(*args, **kwargs):
        yield b"response_id,half a file"
        raise RuntimeError("the database went away")

    monkeypatch.setattr(jobs, "write", broken)
    monkeypatch.setattr(jobs, "CHUNK_BYTES", 10)  # so that part of the file was stored before the failure
    login(client, make_user("analyst"))
    job_id = finished(client, questionnaire=built.questionnaire_id)
    job = job_row(app, job_id)
    assert job.status == JobStatus.failed and job.error == "RuntimeError" and job.finished_at is not None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ExportChunk)) == 0
    page = client.get(f"{URL}jobs/{job_id}").get_data(as_text=True)
    assert 'data-export-job="failed"' in page and "/file" not in page and "http-equiv" not in page
    assert f'name="questionnaire" value="{built.questionnaire_id}"' in page  # "Start it again" sends the same
    assert client.get(f"{URL}jobs/{job_id}/file").status_code == 409
    assert audits(app, "export.download") == []


def test_an_interrupted_job_is_failed_and_can_be_started_again(app, client, make_user, built):
    email = make_user("analyst")
    login(client, email)
    # the process building it ended: its heartbeat stopped a while ago
    stale = crafted(app, email, status=JobStatus.running, rows=10,
                    heartbeat_at=utcnow() - jobs.STALE - timedelta(seconds=1))
    page = client.get(f"{URL}jobs/{stale}").get_data(as_text=True)
    assert 'data-export-job="interrupted"' in page and "http-equiv" not in page
    assert client.get(f"{URL}jobs/{stale}/file").status_code == 409
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    assert form["dataset"] == "contributions" and form["submission_key"]
    again = client.post(URL, data=form)
    assert again.status_code == 303
    job_id = wait_for_job(app, again.headers["Location"])
    assert job_id != stale and job_row(app, job_id).status == JobStatus.done


def test_a_process_that_exits_marks_its_jobs_interrupted(app, client, make_user, built):
    email = make_user("analyst")
    login(client, email)
    job_id = crafted(app, email, status=JobStatus.running)
    with app.app_context():
        jobs._building[job_id] = db.engine
    try:
        jobs.mark_interrupted()
    finally:
        jobs._building.pop(job_id, None)
    job = job_row(app, job_id)
    assert job.status == JobStatus.failed and job.error == jobs.INTERRUPTED
    assert 'data-export-job="interrupted"' in client.get(f"{URL}jobs/{job_id}").get_data(as_text=True)


def test_only_the_official_who_asked_sees_and_downloads_it(app, client, make_user, built):
    login(client, make_user("analyst"))
    job_id = finished(client, questionnaire=built.questionnaire_id)
    for role in ("analyst", "admin"):
        other = app.test_client()
        login(other, make_user(role))
        assert other.get(f"{URL}jobs/{job_id}").status_code == 404
        assert other.get(f"{URL}jobs/{job_id}/file").status_code == 404
        assert f"jobs/{job_id}" not in other.get(URL).get_data(as_text=True)
    anonymous = app.test_client()
    assert anonymous.get(f"{URL}jobs/{job_id}/file").status_code == 302
    assert audits(app, "export.download") == []
    # another site's link does not download it either, even for the official: it leads to the job page
    response = client.get(f"{URL}jobs/{job_id}/file", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 303 and response.headers["Location"] == f"{URL}jobs/{job_id}"
    assert audits(app, "export.download") == []
    assert client.get(f"{URL}jobs/{job_id}/file", headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200


def test_a_broken_off_download_resumes_with_a_range(app, client, make_user, built, monkeypatch):
    monkeypatch.setattr(jobs, "CHUNK_BYTES", 64)
    login(client, make_user("analyst"))
    job_id = finished(client, dataset="responses_long", questionnaire=built.questionnaire_id)
    whole = client.get(f"{URL}jobs/{job_id}/file")
    body, etag = whole.get_data(), whole.headers["ETag"]
    assert len(body) > 3 * 64
    part = client.get(f"{URL}jobs/{job_id}/file", headers={"Range": "bytes=100-", "If-Range": etag})
    assert part.status_code == 206 and part.get_data() == body[100:]
    assert part.headers["Content-Range"] == f"bytes 100-{len(body) - 1}/{len(body)}"
    middle = client.get(f"{URL}jobs/{job_id}/file", headers={"Range": "bytes=60-130"})
    assert middle.status_code == 206 and middle.get_data() == body[60:131]
    # a file that is not the one the browser began with is sent whole
    other = client.get(f"{URL}jobs/{job_id}/file", headers={"Range": "bytes=100-", "If-Range": '"other"'})
    assert other.status_code == 200 and other.get_data() == body
    beyond = client.get(f"{URL}jobs/{job_id}/file", headers={"Range": f"bytes={len(body)}-"})
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{len(body)}"
    head = client.head(f"{URL}jobs/{job_id}/file")  # a download manager asking the size: no download
    assert head.status_code == 200 and head.headers["Content-Length"] == str(len(body)) and not head.get_data()
    downloads = audits(app, "export.download")
    assert [(d["complete"], d["bytes"], d.get("range")) for d in downloads] == [
        (True, len(body), None), (True, len(body) - 100, f"100-{len(body) - 1}/{len(body)}"),
        (True, 71, f"60-130/{len(body)}"), (True, len(body), None)]


def test_a_double_click_starts_one_job(app, client, make_user, built):
    login(client, make_user("analyst"))
    page = client.get(URL).get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page).group(1)
    fields = {"dataset": "contributions", "submission_key": key}
    first, second = ask(client, **fields), ask(client, **fields)
    assert first.headers["Location"] == second.headers["Location"]
    wait_for_job(app, first.headers["Location"])
    # the same form sent back with other choices (after going back) is another export
    third = ask(client, **fields, format="jsonl")
    assert third.status_code == 303 and third.headers["Location"] != first.headers["Location"]
    wait_for_job(app, third.headers["Location"])
    assert len(audits(app, "export.request")) == 2


def test_an_official_builds_two_files_at_a_time(app, client, make_user, built):
    email = make_user("analyst")
    login(client, email)
    for _ in range(jobs.RUNNING_PER_USER):
        crafted(app, email, status=JobStatus.running)
    response = ask(client, dataset="contributions")
    assert response.status_code == 429 and 'class="error-summary"' in response.get_data(as_text=True)
    # another official is not held up by them
    other = app.test_client()
    login(other, make_user("analyst"))
    wait_for_job(app, ask(other, dataset="contributions").headers["Location"])


def test_jobs_are_deleted_after_a_day(app, client, make_user, built, monkeypatch):
    monkeypatch.setattr(jobs, "CHUNK_BYTES", 100)
    monkeypatch.setattr(jobs, "DELETE_CHUNKS", 2)  # a file deleted a few chunks at a time
    login(client, make_user("analyst"))
    old, new = finished(client, dataset="contributions"), finished(client, dataset="codebook",
                                                                    vision=built.vision_id)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(ExportChunk.job_id == old)) > 4
    with app.app_context():
        db.session.execute(sa.update(ExportJob).where(ExportJob.id == old).values(
            created_at=utcnow() - jobs.KEEP - timedelta(minutes=1)))
        db.session.commit()
    assert client.get(f"{URL}jobs/{old}").status_code == 410
    assert client.get(f"{URL}jobs/{old}/file").status_code == 410
    result = app.test_cli_runner().invoke(args=["export", "purge"])
    assert result.exit_code == 0 and "Deleted 1 export job(s)" in result.output, result.output
    with app.app_context():
        assert db.session.scalars(sa.select(ExportJob.id)).all() == [new]
        assert set(db.session.scalars(sa.select(ExportChunk.job_id))) == {new}
    assert client.get(f"{URL}jobs/{old}").status_code == 404
    assert client.get(f"{URL}jobs/{new}/file").status_code == 200
    assert audits(app, "export.purge") == [{"jobs": 1}]


def test_each_job_purges_the_expired_ones(app, client, make_user, built):
    email = make_user("analyst")
    login(client, email)
    expired = crafted(app, email, status=JobStatus.done, created_at=utcnow() - jobs.KEEP)
    finished(client, dataset="contributions")
    with app.app_context():
        assert db.session.get(ExportJob, expired) is None


def test_an_export_read_does_not_hold_the_write_lock(app, built):
    """While a job reads the rows (a long read), others write: on SQLite the read is a plain BEGIN."""
    from dialogue.exports.cursor import batches
    from dialogue.questionnaires.models import Response

    with app.app_context():
        rows = batches(sa.select(Response.id).order_by(Response.id), size=1)
        assert len(next(rows)) == 1  # the read's transaction is open now
        with db.engine.begin() as connection:  # outside a request: BEGIN IMMEDIATE on SQLite
            connection.execute(sa.update(Response).where(Response.id == built.response_ids[0]).values(hidden=True))
        assert [len(batch) for batch in rows] == [1, 1]  # the read goes on, in its own snapshot
        rows.close()


def test_jsonl_lines_are_json(app, client, make_user, built):
    login(client, make_user("analyst"))
    job_id = finished(client, dataset="contributions", format="jsonl")
    lines = client.get(f"{URL}jobs/{job_id}/file").get_data().decode().splitlines()
    assert [json.loads(line)["contribution_id"] for line in lines] == built.contribution_ids
