"""Exports: exact content, spreadsheet safety, personal data, audit, streaming, permissions, formats."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from dialogue.core.models import AuditEvent
from dialogue.core.respondents import AGE_BANDS, GROUPS
from dialogue.extensions import db
from dialogue.i18n import _l
from dialogue.questionnaires.models import Response
from tests.conftest import csrf_token, login
from tests.events.helpers import add_to_staff, make_event
from tests.exports.helpers import (
    EMOJI,
    FEEDBACK_EMAIL,
    NORDIC,
    RTL,
    SIGNUP_EMAIL,
    SIGNUP_NAME,
    SLUG,
    TRICKY,
    add_signups,
    build,
    read_xlsx,
    wait_for_job,
)

URL = "/staff/exports/"


@pytest.fixture
def built(app, municipality):
    return build(app)


def export(client, **fields):
    """Ask for an export as the page does; when a job starts, wait for it and return its download."""
    data = {"csrf_token": csrf_token(client, URL), "dataset": "responses_wide", "format": "csv",
            "delimiter": "comma", **{k: str(v) for k, v in fields.items()}}
    response = client.post(URL, data=data)
    if response.status_code != 303:
        return response
    job_id = wait_for_job(client.application, response.headers["Location"])
    return client.get(f"{URL}jobs/{job_id}/file")


def rows_of(response, delimiter=",") -> list[list[str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 byte order mark"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def sv(app, label) -> str:
    """A label as the export writes it: in the municipality's language (Swedish in the demo)."""
    with app.test_request_context(), force_locale("sv"):
        return str(label)


def analyst(client, make_user):
    login(client, make_user("analyst"))


def test_wide_csv_is_exact(app, client, make_user, built):
    analyst(client, make_user)
    response = export(client, questionnaire=built.questionnaire_id)
    assert response.status_code == 200
    body = response.get_data()
    assert b"\r\n" in body and body.count(b"\r\n") >= 4
    rows = rows_of(response)
    other = sv(app, _l("%(question)s: other", question="Hur reser du?"))

    def code(title):
        return sv(app, _l("%(title)s (code)", title=title))

    assert rows[0][:4] == [sv(app, _l("Response ID")), sv(app, _l("Sent")) + " (UTC)", code(sv(app, _l("Channel"))),
                           sv(app, _l("Channel"))]
    assert rows[0][12:] == ["Vad är bäst i Flen?", code("Hur reser du?"), "Hur reser du?", other,
                            code("Vad vill du ha mer av?"), "Vad vill du ha mer av?", "Hur trivs du?",
                            code("Var bor du?"), "Var bor du?"]
    r1, r2, r3 = built.response_ids
    flen, malmkoping = (str(built.locality_ids[n]) for n in ("Flen", "Malmköping"))
    outside = sv(app, _l("Outside the municipality"))
    assert rows[1:] == [
        [str(r1), "2026-03-01T09:30:00Z", "web", "Webb", "sv", "svenska", flen, "Flen", "resident",
         sv(app, GROUPS["resident"]), "", "", NORDIC, "o2", "Tåg & buss", "", "a; b", "Kultur; Natur, sjöar", "5",
         flen, "Flen"],
        [str(r2), "2026-03-15T23:30:00Z", "paper", "Papper", "sv", "svenska", malmkoping, "Malmköping", "young",
         sv(app, GROUPS["young"]), "", "", TRICKY, "o1", "Till fots", "Cykel, ibland", "c", "'=Idrott", "-2",
         "elsewhere", outside],
        # "other" is chosen: its label, and what was written after it
        [str(r3), "2026-04-02T12:00:00Z", "web", "Webb", "sv", "svenska", "", "", "", "", "", "", EMOJI + " " + RTL,
         "other", sv(app, _l("Other")), "Sparkcykel", "", "", "", "", ""],
    ]
    # numbers are never quoted (spreadsheets keep them numeric), a negative one is not neutralised
    assert b',-2,"' in body and b',5,"' in body
    assert FEEDBACK_EMAIL.encode() not in body


def test_long_csv_with_semicolons_is_exact(client, make_user, built):
    analyst(client, make_user)
    response = export(client, dataset="responses_long", questionnaire=built.questionnaire_id, delimiter="semicolon")
    assert response.status_code == 200
    rows = rows_of(response, ";")
    assert len(rows[0]) == 9
    r1, r2, r3 = built.response_ids
    at1, at2, at3 = "2026-03-01T09:30:00Z", "2026-03-15T23:30:00Z", "2026-04-02T12:00:00Z"
    i1, i2, i3, i4, i5 = (str(i) for i in built.question_ids)
    q = ["Vad är bäst i Flen?", "Hur reser du?", "Vad vill du ha mer av?", "Hur trivs du?", "Var bor du?"]
    flen = str(built.locality_ids["Flen"])
    assert rows[1:] == [
        # response, sent, question id, number, text, answer (text or codes), its label, a scale's number, other
        [str(r1), at1, i1, "1", q[0], NORDIC, "", "", ""], [str(r1), at1, i2, "2", q[1], "o2", "Tåg & buss", "", ""],
        [str(r1), at1, i3, "3", q[2], "a; b", "Kultur; Natur, sjöar", "", ""],
        [str(r1), at1, i4, "4", q[3], "", "", "5", ""], [str(r1), at1, i5, "5", q[4], flen, "Flen", "", ""],
        [str(r2), at2, i1, "1", q[0], TRICKY, "", "", ""],
        [str(r2), at2, i2, "2", q[1], "o1", "Till fots", "", "Cykel, ibland"],
        [str(r2), at2, i3, "3", q[2], "c", "'=Idrott", "", ""],
        # a scale's answer is a number in a column of its own: never quoted, never neutralised
        [str(r2), at2, i4, "4", q[3], "", "", "-2", ""],
        [str(r2), at2, i5, "5", q[4], "elsewhere", rows[10][6], "", ""],
        [str(r3), at3, i1, "1", q[0], EMOJI + " " + RTL, "", "", ""],
        [str(r3), at3, i2, "2", q[1], "other", rows[12][6], "", "Sparkcykel"],
        [str(r3), at3, i3, "3", q[2], "", "", "", ""],
    ]
    assert rows[12][6] != "other" and rows[10][6] != "elsewhere"
    assert b";-2;" in response.get_data()


def test_every_formula_prefix_is_neutralised_in_csv_and_xlsx(app, client, make_user, built):
    dangerous = ["=1+1", "+46 157", "-minus", "@SUM(A1)", "\ttab", "\rcr", "safe = fine"]
    with app.app_context():
        from dialogue.coding.models import Channel, Contribution

        db.session.add_all([Contribution(channel=Channel.seminar, text=t) for t in dangerous])
        db.session.commit()
    analyst(client, make_user)
    rows = rows_of(export(client, dataset="contributions", channel="seminar"))
    assert [r[12] for r in rows[1:]] == ["'=1+1", "'+46 157", "'-minus", "'@SUM(A1)", "'\ttab", "'\rcr", "safe = fine"]
    sheet = read_xlsx(export(client, dataset="contributions", channel="seminar", format="xlsx").get_data())
    assert [r[12] for r in sheet[1:]] == ["'=1+1", "'+46 157", "'-minus", "'@SUM(A1)", "'\ttab", "'\rcr",
                                         "safe = fine"]
    # a number in a numeric column stays a number, negative or not
    wide = read_xlsx(export(client, questionnaire=built.questionnaire_id, format="xlsx").get_data())
    assert [r[18] for r in wide[1:3]] == [5, -2]
    # JSON Lines is data for programs: nothing is added
    lines = export(client, dataset="contributions", channel="seminar", format="jsonl").get_data().decode()
    assert [json.loads(line)["text"] for line in lines.splitlines()] == dangerous


@pytest.mark.parametrize("dataset", ["responses_wide", "responses_long", "contributions", "signups", "codebook"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl", "datapackage"])
def test_every_dataset_in_every_format(app, client, make_user, built, dataset, fmt):
    event_id = make_event(app)
    add_signups(app, event_id)
    login(client, make_user("admin"))
    response = export(client, dataset=dataset, format=fmt, questionnaire=built.questionnaire_id, event=event_id,
                      vision=built.vision_id)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="') and disposition.isascii()
    assert response.is_streamed
    body = response.get_data()
    # the questionnaire chosen narrows the contributions to its three
    expected = {"responses_wide": 3, "responses_long": 13, "contributions": 3, "signups": 1, "codebook": 3}[dataset]
    if fmt == "csv":
        assert len(rows_of(response)) == expected + 1
    elif fmt == "xlsx":
        assert len(read_xlsx(body)) == expected + 1
    elif fmt == "jsonl":
        assert len([json.loads(line) for line in body.decode().splitlines()]) == expected
    else:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            package = json.loads(archive.read("datapackage.json"))
            table = archive.read(package["resources"][0]["path"]).decode("utf-8-sig")
        assert len(list(csv.reader(io.StringIO(table, newline="")))) == expected + 1
    # an admin runs events, so sign-ups come with names; addresses only when asked for (see below)
    for secret in (FEEDBACK_EMAIL, SIGNUP_EMAIL) + ((SIGNUP_NAME,) if dataset != "signups" else ()):
        assert secret.encode() not in body
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export.download"))
        assert event.details["rows"] == expected and event.details["complete"] is True
        assert event.details["dataset"] == dataset and event.details["format"] == fmt
        assert event.actor_id is not None


def test_data_package_validates_with_frictionless(app, client, make_user, built, tmp_path):
    frictionless = pytest.importorskip("frictionless")
    analyst(client, make_user)
    for dataset in ("responses_wide", "responses_long", "contributions", "codebook"):
        body = export(client, dataset=dataset, format="datapackage", questionnaire=built.questionnaire_id,
                      vision=built.vision_id, delimiter="semicolon").get_data()
        folder = tmp_path / dataset
        zipfile.ZipFile(io.BytesIO(body)).extractall(folder)
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        for field in package["resources"][0]["schema"]["fields"]:
            assert field["name"] and field["type"] and field["title"] and field["description"]
        report = frictionless.validate(str(folder / "datapackage.json"))
        assert report.valid, report.flatten(["rowNumber", "fieldNumber", "type", "note"])


def test_addresses_only_for_an_admin_who_asks(app, client, make_user, built):
    event_id = make_event(app)
    add_signups(app, event_id)
    login(client, make_user("admin"))
    without = export(client, dataset="signups", event=event_id).get_data().decode("utf-8-sig")
    assert SIGNUP_NAME in without and SIGNUP_EMAIL not in without  # names, as organizers get them
    with_addresses = export(client, dataset="signups", event=event_id, addresses="y").get_data().decode("utf-8-sig")
    assert SIGNUP_NAME in with_addresses and SIGNUP_EMAIL in with_addresses
    # responses have no names to add: the feedback address is never joined to them
    wide = export(client, questionnaire=built.questionnaire_id, addresses="y").get_data().decode("utf-8-sig")
    assert FEEDBACK_EMAIL not in wide
    with app.app_context():
        flags = [(e.details["personal_data"], e.details["addresses"]) for e in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "export.download").order_by(AuditEvent.id))]
    assert flags == [(True, False), (True, True), (False, False)]

    client.post("/staff/logout", data={"csrf_token": csrf_token(client, URL)})
    analyst(client, make_user)
    page = client.get(URL).get_data(as_text=True)
    assert 'name="addresses"' not in page
    assert export(client, dataset="signups", event=event_id, addresses="y").status_code == 403
    anonymous = export(client, dataset="signups", event=event_id).get_data().decode("utf-8-sig")
    assert SIGNUP_NAME not in anonymous and SIGNUP_EMAIL not in anonymous  # analysts get neither


def test_organizer_exports_sign_ups_only(app, client, make_user, built):
    event_id = make_event(app)
    add_signups(app, event_id)
    email = make_user("organizer")
    add_to_staff(app, event_id, email)  # names go to those who run the event (tests/events/test_run_by.py)
    login(client, email)
    page = client.get(URL).get_data(as_text=True)
    assert 'value="signups"' in page and 'value="responses_wide"' not in page
    page = client.get(URL).get_data(as_text=True)
    assert 'name="addresses"' not in page
    response = export(client, dataset="signups", event=event_id)
    text = response.get_data().decode("utf-8-sig")
    assert response.status_code == 200 and SIGNUP_NAME in text and SIGNUP_EMAIL not in text
    assert export(client, dataset="signups", event=event_id, addresses="y").status_code == 403
    for dataset in ("responses_wide", "responses_long", "contributions", "codebook"):
        assert export(client, dataset=dataset, questionnaire=built.questionnaire_id,
                      vision=built.vision_id).status_code == 403


def test_anonymous_gets_nothing(client, built):
    assert client.get(URL).status_code == 302
    response = client.post(URL, data={"dataset": "responses_wide", "questionnaire": built.questionnaire_id,
                                      "format": "csv"})
    assert response.status_code in (302, 400) and "Content-Disposition" not in response.headers


def test_csrf_is_required(client, make_user, built):
    analyst(client, make_user)
    response = client.post(URL, data={"dataset": "responses_wide", "questionnaire": built.questionnaire_id,
                                      "format": "csv", "delimiter": "comma"})
    assert response.status_code == 400 and "text/html" in response.headers["Content-Type"]


def test_bad_filters_keep_the_form_with_an_error_summary(app, client, make_user, built):
    analyst(client, make_user)
    response = export(client, questionnaire=built.questionnaire_id, date_from="2026-04-31", date_to="2026-03-01",
                      locality="99999", channel="carrier-pigeon", coding_state="maybe", group="martians")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="error-summary"' in page
    for field in ("date_from", "locality", "channel", "coding_state", "group"):
        assert f'href="#{field}"' in page, field
    assert 'value="2026-04-31"' in page
    response = export(client, date_from="2026-03-02", date_to="2026-03-01")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#date_to"' in page and 'href="#questionnaire"' in page
    for dataset, field in (("signups", "event"), ("codebook", "vision")):
        response = export(client, dataset=dataset, event="nope", vision="")
        assert response.status_code == 400 and f'href="#{field}"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "export.download")) == 0


def _ids(client, **fields) -> list[int]:
    body = export(client, format="jsonl", **fields).get_data().decode()
    key = "contribution_id" if fields.get("dataset") == "contributions" else "response_id"
    return [json.loads(line)[key] for line in body.splitlines()]


def test_filters_narrow_responses(client, make_user, built):
    analyst(client, make_user)
    r1, r2, r3 = built.response_ids
    q = built.questionnaire_id
    assert _ids(client, questionnaire=q) == [r1, r2, r3]
    # local dates (Stockholm): 23:30 UTC on 15 March is already the 16th
    assert _ids(client, questionnaire=q, date_from="2026-03-16") == [r2, r3]
    assert _ids(client, questionnaire=q, date_to="2026-03-15") == [r1]
    assert _ids(client, questionnaire=q, date_from="2026-03-01", date_to="2026-03-01") == [r1]
    assert _ids(client, questionnaire=q, locality=built.locality_ids["Malmköping"]) == [r2]
    assert _ids(client, questionnaire=q, group="resident") == [r1]
    assert _ids(client, questionnaire=q, channel="paper") == [r2]
    assert _ids(client, questionnaire=q, channel="web") == [r1, r3]
    assert _ids(client, questionnaire=q, channel="workshop") == []
    assert _ids(client, questionnaire=q, node=built.node_ids[1]) == [r1]
    assert _ids(client, questionnaire=q, coding_state="coded") == [r1]
    assert _ids(client, questionnaire=q, coding_state="uncoded") == [r2, r3]


def test_filters_narrow_contributions(client, make_user, built):
    analyst(client, make_user)
    c1, c2, c3, c4 = built.contribution_ids
    assert _ids(client, dataset="contributions") == [c1, c2, c3, c4]
    assert _ids(client, dataset="contributions", questionnaire=built.questionnaire_id) == [c1, c2, c3]
    assert _ids(client, dataset="contributions", date_from="2026-03-16", date_to="2026-03-31") == [c2, c4]
    assert _ids(client, dataset="contributions", channel="workshop") == [c4]
    assert _ids(client, dataset="contributions", channel="paper") == [c2]
    assert _ids(client, dataset="contributions", locality=built.locality_ids["Flen"]) == [c1]
    assert _ids(client, dataset="contributions", group="young") == [c2]
    # a removed code no longer counts
    assert _ids(client, dataset="contributions", node=built.node_ids[1]) == [c1]
    assert _ids(client, dataset="contributions", coding_state="coded") == [c1]
    assert _ids(client, dataset="contributions", coding_state="uncoded") == [c2, c3, c4]


def test_contributions_carry_their_codes(client, make_user, built):
    analyst(client, make_user)
    rows = rows_of(export(client, dataset="contributions"))
    assert rows[1][13:] == [f"{built.node_ids[0]}; {built.node_ids[1]}", "Bo och leva; -Natur"]
    assert rows[4][13:] == ["", ""]


def test_hidden_responses_are_left_out(app, client, make_user, built):
    with app.app_context():
        db.session.get(Response, built.response_ids[1]).hidden = True
        db.session.commit()
    analyst(client, make_user)
    assert _ids(client, questionnaire=built.questionnaire_id) == [built.response_ids[0], built.response_ids[2]]


def test_broken_off_download_is_audited_as_incomplete(app, client, make_user, built):
    analyst(client, make_user)
    response = export(client, dataset="responses_long", questionnaire=built.questionnaire_id)
    chunks = iter(response.response)
    first = next(chunks)  # the first piece only, then the browser goes away
    response.close()
    with app.app_context():
        details = db.session.scalar(sa.select(AuditEvent.details).where(AuditEvent.action == "export.download"))
    assert details["complete"] is False and details["bytes"] == len(first) and details["rows"] == 13


def test_cli_exports_and_audits_without_a_user(app, built, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "long.jsonl"
    result = runner.invoke(args=["export", "responses", "--questionnaire", SLUG, "--layout", "long",
                                 "--format", "jsonl", "-o", str(out), "--group", "young"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["response_id"] for line in out.read_text(encoding="utf-8").splitlines()] == \
        [built.response_ids[1]] * 5
    result = runner.invoke(args=["export", "responses", "--questionnaire", SLUG, "--from", "2026-02-30",
                                 "-o", str(out)])
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output
    result = runner.invoke(args=["export", "codebook", "--vision", "export-vision", "--format", "csv",
                                 "--delimiter", ";", "-o", str(tmp_path / "codebook.csv")])
    assert result.exit_code == 0, result.output
    assert "Bo och leva" in (tmp_path / "codebook.csv").read_text(encoding="utf-8-sig")
    result = runner.invoke(args=["export", "contributions", "--format", "datapackage", "-o", str(tmp_path / "c.zip")])
    assert result.exit_code == 0 and zipfile.is_zipfile(tmp_path / "c.zip")
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export.download")
                                  .order_by(AuditEvent.id)).all()
    assert [(e.actor_id, e.details["rows"]) for e in events] == [(None, 5), (None, 3), (None, 4)]


def test_export_page_is_linked_from_results_and_event(app, client, make_user, built):
    event_id = make_event(app)
    login(client, make_user("admin"))
    results = client.get(f"/staff/questionnaires/{built.questionnaire_id}/results").get_data(as_text=True)
    assert f"/staff/exports/?dataset=responses_wide&amp;questionnaire={built.questionnaire_id}" in results
    event = client.get(f"/staff/events/{event_id}").get_data(as_text=True)
    assert f"/staff/exports/?dataset=signups&amp;event={event_id}" in event
    page = client.get(f"{URL}?dataset=signups&event={event_id}").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="signups"', page)


def test_age_bands_are_labelled(app, client, make_user, built):
    with app.app_context():
        db.session.get(Response, built.response_ids[0]).age_band = "30-44"
        db.session.commit()
    analyst(client, make_user)
    rows = rows_of(export(client, questionnaire=built.questionnaire_id))
    assert rows[1][10:12] == ["30-44", sv(app, AGE_BANDS["30-44"])]


def test_a_date_outside_the_calendar_is_an_error_not_a_server_error(client, make_user, built):
    """0001-01-01 cannot be moved from local time to UTC, nor a day added to 9999-12-31: both failed."""
    analyst(client, make_user)
    for dataset in ("signups", "responses_wide"):
        data = {"csrf_token": csrf_token(client, URL), "dataset": dataset, "format": "csv", "delimiter": "comma",
                "date_from": "0001-01-01", "date_to": "9999-12-31"}
        response = client.post(f"{URL}?lang=en", data=data)
        assert response.status_code == 400, dataset
        page = response.get_data(as_text=True)
        assert 'href="#date_from"' in page and 'href="#date_to"' in page
        assert "Give a date between Jan 1, 1900 and Dec 31, 2999." in page
        assert 'value="0001-01-01"' in page and 'value="9999-12-31"' in page
