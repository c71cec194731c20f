"""What each cell is: dates as dates, numbers as numbers, codes beside labels, unique titles in every language,
a data package that states its constraints, one charset; and the neutralisation rule per format."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from dialogue.core.models import Municipality
from dialogue.events.models import Registration
from dialogue.exports import datasets, services, writers
from dialogue.extensions import db
from dialogue.filters import ExportFilters
from dialogue.i18n import _l
from dialogue.questionnaires.models import Question, Questionnaire, QuestionType, Response
from tests.conftest import load_demo, login
from tests.events.helpers import make_event
from tests.exports.helpers import add_signups, build
from tests.exports.test_exports import analyst, export, rows_of, sv

openpyxl = pytest.importorskip("openpyxl")


@pytest.fixture
def built(app, municipality):
    return build(app)


def sheet_of(body: bytes):
    return openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]


def jsonl(body: bytes) -> list[dict]:
    return [json.loads(line) for line in body.decode().splitlines()]


def all_tables(app, questionnaire_id: int, vision_id: int, event_id: int, locale: str) -> list[datasets.Dataset]:
    """Every dataset, built as the export builds it, its texts in *locale*."""
    with app.test_request_context(), force_locale(locale):
        questionnaire = db.session.get(Questionnaire, questionnaire_id)
        filters = ExportFilters(questionnaire_id=questionnaire_id)
        from dialogue.events.models import Event
        from dialogue.vision.models import Vision

        return [datasets.responses_wide(questionnaire, filters), datasets.responses_long(questionnaire, filters),
                datasets.contributions(filters),
                datasets.signups(db.session.get(Event, event_id), filters, personal=True, addresses=True),
                datasets.codebook(db.session.get(Vision, vision_id))]


def test_xlsx_times_are_dates_in_the_municipality_zone_and_numbers_are_numbers(app, client, make_user, built):
    analyst(client, make_user)
    sheet = sheet_of(export(client, questionnaire=built.questionnaire_id, format="xlsx").get_data())
    rows = list(sheet.iter_rows())
    assert rows[0][1].value == sv(app, _l("Sent")) + " (Europe/Stockholm)"
    sent = [row[1] for row in rows[1:]]
    assert all(cell.is_date for cell in sent)
    # Stockholm's wall time: winter (+1), the next local day, summer time (+2)
    assert [cell.value for cell in sent] == [datetime(2026, 3, 1, 10, 30), datetime(2026, 3, 16, 0, 30),
                                             datetime(2026, 4, 2, 14, 0)]
    for row in rows[1:3]:
        assert row[0].data_type == "n" and isinstance(row[0].value, int)  # the response's number
        assert row[18].data_type == "n"  # the scale
    assert [row[18].value for row in rows[1:3]] == [5, -2]
    assert rows[1][12].data_type == "s" and rows[2][17].value == "'=Idrott"  # text, neutralised

    long = list(sheet_of(export(client, dataset="responses_long", questionnaire=built.questionnaire_id,
                                format="xlsx").get_data()).iter_rows(values_only=True))
    number = long[0].index(sv(app, _l("Answer (number)")))
    assert [row[number] for row in long[1:] if row[number] is not None] == [5, -2]
    assert all(isinstance(row[1], datetime) for row in long[1:])

    # the zone is the municipality's setting
    with app.app_context():
        db.session.scalar(sa.select(Municipality)).timezone = "America/New_York"
        db.session.commit()
    rows = list(sheet_of(export(client, questionnaire=built.questionnaire_id, format="xlsx").get_data())
                .iter_rows(values_only=True))
    assert rows[0][1].endswith("(America/New_York)") and rows[1][1] == datetime(2026, 3, 1, 4, 30)


def test_numbers_are_json_numbers_and_times_keep_their_zone(client, make_user, built):
    analyst(client, make_user)
    wide = jsonl(export(client, questionnaire=built.questionnaire_id, format="jsonl").get_data())
    scale = f"q{built.question_ids[3]}"
    assert [row[scale] for row in wide] == [5, -2, None]
    assert wide[0]["submitted_at"] == "2026-03-01T09:30:00Z"
    assert isinstance(wide[0]["response_id"], int)
    long = jsonl(export(client, dataset="responses_long", questionnaire=built.questionnaire_id,
                        format="jsonl").get_data())
    scales = [row for row in long if row["question_id"] == built.question_ids[3]]
    assert [(row["answer"], row["answer_label"], row["answer_number"]) for row in scales] == [(None, None, 5),
                                                                                              (None, None, -2)]


def test_codes_and_labels_side_by_side_in_every_dataset(app, built):
    event_id = make_event(app)
    add_signups(app, event_id)
    tables = all_tables(app, built.questionnaire_id, built.vision_id, event_id, "sv")
    types: dict[str, str] = {}
    for table in tables:
        names = [c.name for c in table.columns]
        for n, column in enumerate(table.columns):
            # one type per name across the datasets: "channel" is the same kind of value everywhere
            assert types.setdefault(column.name, column.type) == column.type, column.name
            if column.name.endswith("_label") and column.name != "answer_label":  # answer is text or codes
                code = table.columns[n - 1]
                assert code.name == column.name.removesuffix("_label"), names
                with app.test_request_context(), force_locale("sv"):
                    assert code.title == str(_l("%(title)s (code)", title=column.title))
    expected = {"responses-wide": {"channel", "language", "locality", "respondent_group", "age_band"},
                "responses-long": {"answer"}, "contributions": {"channel", "language", "locality", "respondent_group",
                                                           "building_blocks"},
                "sign-ups": {"group", "status", "needs"}, "codebook": {"kind"}}
    for table in tables:
        labelled = {c.name.removesuffix("_label") for c in table.columns if c.name.endswith("_label")}
        wanted = next(v for k, v in expected.items() if table.name.startswith(k))
        assert wanted <= labelled, (table.name, labelled)



def test_code_and_label_values(app, client, make_user, built):
    event_id = make_event(app)
    add_signups(app, event_id)
    with app.app_context():
        db.session.execute(sa.update(Registration).values(needs=["food", "interpreter"]))
        db.session.commit()
    login(client, make_user("admin"))
    contributions = jsonl(export(client, dataset="contributions", format="jsonl").get_data())
    assert (contributions[0]["channel"], contributions[0]["channel_label"]) == (
        "questionnaire", sv(app, _l("Questionnaire (web)")))
    assert (contributions[0]["language"], contributions[0]["language_label"]) == ("sv", "svenska")
    assert contributions[0]["building_blocks"] == f"{built.node_ids[0]}; {built.node_ids[1]}"
    signup = jsonl(export(client, dataset="signups", event=event_id, format="jsonl").get_data())[0]
    assert (signup["status"], signup["status_label"]) == ("confirmed", sv(app, _l("Signed up")))
    assert (signup["group"], signup["group_label"]) == ("young", sv(app, _l("Young person")))
    assert signup["needs"] == "food; interpreter"
    assert signup["needs_label"] == "; ".join([sv(app, _l("Special food (allergies, diet)")),
                                               sv(app, _l("Interpreter (sign language or another language)"))])
    node = jsonl(export(client, dataset="codebook", vision=built.vision_id, format="jsonl").get_data())[0]
    assert (node["kind"], node["kind_label"]) == ("vision", sv(app, _l("Vision")))


@pytest.mark.parametrize("locale", ["sv", "da", "en"])
def test_names_and_titles_are_unique_in_every_layout_and_language(app, built, locale):
    event_id = make_event(app)
    add_signups(app, event_id)
    # no clash among the columns of their own: no title needed a number
    for table in all_tables(app, built.questionnaire_id, built.vision_id, event_id, locale):
        for zone in ("UTC", table.zone):
            assert not any(t.endswith(" (2)") for t in table.titles(zone)), (table.name, table.titles(zone))

    # questions that repeat the columns' titles, and each other
    with app.app_context():
        texts = ["Answer", "Svar", "Svar", "Kanal", "Channel", "Kanal", "Sent (UTC)", "Respondent group"]
        questionnaire = Questionnaire(slug="clash", title={"sv": "Krock"}, questions=[
            Question(position=n, type=QuestionType.single_choice if n % 2 else QuestionType.short_text,
                     text={"sv": text, "da": text, "en": text}, allow_other=True,
                     options=[{"value": "a", "label": {"sv": "A"}}]) for n, text in enumerate(texts)])
        db.session.add(questionnaire)
        db.session.commit()
        clash = questionnaire.id
    tables = all_tables(app, clash, built.vision_id, event_id, locale)
    with app.test_request_context(), force_locale(locale):
        channel = str(_l("Channel"))
    for table in tables:
        names = [c.name for c in table.columns]
        assert len(set(names)) == len(names)
        for zone in ("UTC", table.zone):
            titles = table.titles(zone)
            assert len({t.casefold() for t in titles}) == len(titles), (table.name, locale, titles)
            assert all(t.strip() for t in titles)
    wide = tables[0].titles()
    # the later of two equal titles gets " (2)", always the same one
    assert wide.count("Svar") == 1 and "Svar (2)" in wide and wide.index("Svar") < wide.index("Svar (2)")
    assert f"{channel} (2)" in wide and wide.index(channel) < wide.index(f"{channel} (2)")
    if locale == "en":
        assert "Sent (UTC) (2)" in wide
    assert wide == tables[0].titles()  # deterministic


def test_decimal_comma_only_with_semicolons(app, built):
    """No dataset has decimals today; the rule is the writers', so it is tested with a dataset of its own."""
    with app.test_request_context():
        share = sa.literal(-2.5, sa.Float) + sa.cast(Response.id, sa.Float) * 0
        table = datasets.Dataset("decimals", "Decimals", [
            datasets.Column("response_id", "Response", "", "integer", Response.id),
            datasets.Column("share", "Share", "", "number", share),
            datasets.Column("note", "Note", "", "string", sa.literal("=1,5", sa.String)),
        ], sa.select(Response.id).order_by(Response.id).limit(1))

        def csv_text(delimiter: str, names: bool = False) -> str:
            return b"".join(writers.write_csv(table, writers.Counter(), delimiter, names=names)).decode("utf-8-sig")

        assert csv_text(",").splitlines()[1].split(",", 1)[1] == '-2.5,"\'=1,5"'
        assert csv_text(";").splitlines()[1].split(";", 1)[1] == '-2,5;"\'=1,5"'
        # the data package's CSV is for programs: a decimal point and the text as it is, whatever the separator
        assert csv_text(";", names=True).splitlines()[1].split(";", 1)[1] == '-2.5;"=1,5"'
        assert jsonl(b"".join(writers.write_jsonl(table, writers.Counter())))[0]["share"] == -2.5
        path = str(app.instance_path) + "-decimals.xlsx"
        writers.write_xlsx_file(table, writers.Counter(), path)
        with open(path, "rb") as file:
            cells = list(sheet_of(file.read()).iter_rows())[1]
        assert (cells[1].data_type, cells[1].value, cells[2].value) == ("n", -2.5, "'=1,5")


def test_neutralisation_per_format(app, client, make_user, built):
    """For people (CSV, XLSX) text that starts like a formula gets an apostrophe, titles and labels too;
    for programs (JSON Lines, the data package) nothing is changed."""
    analyst(client, make_user)
    q = built.questionnaire_id
    label = f"q{built.question_ids[2]}_label"
    assert rows_of(export(client, questionnaire=q))[2][17] == "'=Idrott"
    assert list(sheet_of(export(client, questionnaire=q, format="xlsx").get_data()).iter_rows(values_only=True))[
        2][17] == "'=Idrott"
    assert jsonl(export(client, questionnaire=q, format="jsonl").get_data())[1][label] == "=Idrott"
    body = export(client, questionnaire=q, format="datapackage").get_data()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        table = list(csv.DictReader(io.StringIO(archive.read("responses-wide-export-test.csv")
                                                .decode("utf-8-sig"), newline="")))
    assert table[1][label] == "=Idrott"
    codebook = jsonl(export(client, dataset="codebook", vision=built.vision_id, format="jsonl").get_data())
    assert [n["title"] for n in codebook][2] == "-Natur"


def test_download_has_one_charset(client, make_user, built):
    analyst(client, make_user)
    expected = {"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "datapackage": "application/zip"}
    for fmt, content_type in expected.items():
        response = export(client, questionnaire=built.questionnaire_id, format=fmt)
        assert response.headers["Content-Type"] == content_type
        assert response.headers["Content-Type"].count("charset") <= 1
        head = client.head(response.request.path)
        assert head.headers["Content-Type"] == content_type


def test_data_package_declares_constraints_and_keeps_zones(app, client, make_user, built, tmp_path):
    frictionless = pytest.importorskip("frictionless")
    analyst(client, make_user)
    body = export(client, questionnaire=built.questionnaire_id, format="datapackage").get_data()
    zipfile.ZipFile(io.BytesIO(body)).extractall(tmp_path)
    descriptor = tmp_path / "datapackage.json"
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    schema = package["resources"][0]["schema"]
    fields = {f["name"]: f for f in schema["fields"]}
    assert schema["primaryKey"] == ["response_id"]
    assert fields["response_id"]["constraints"] == {"required": True}
    assert fields["channel"]["constraints"] == {"required": True, "enum": ["web", "paper"]}
    # the scale runs 1–5; a stored -2 (from before a change, say) widens it rather than fail the package
    assert fields[f"q{built.question_ids[3]}"]["constraints"] == {"minimum": -2, "maximum": 5}
    assert fields["submitted_at"]["format"] == "%Y-%m-%dT%H:%M:%S%z"
    report = frictionless.validate(str(descriptor))
    assert report.valid, report.flatten(["rowNumber", "fieldNumber", "type", "note"])
    resource = frictionless.Package(str(descriptor)).resources[0]
    rows = resource.read_rows()
    assert rows[0]["submitted_at"].utcoffset().total_seconds() == 0  # aware, in UTC

    # the constraints are checked: a package whose data break them is invalid
    fields["channel"]["constraints"]["enum"] = ["paper"]
    descriptor.write_text(json.dumps(package), encoding="utf-8")
    assert not frictionless.validate(str(descriptor)).valid


def test_demo_data_packages_validate(app, client, make_user, tmp_path):
    """Every dataset of the demo (thirty residents' answers, contributions, sign-ups, the vision) as a data
    package, checked by frictionless against its own schema and constraints."""
    frictionless = pytest.importorskip("frictionless")
    load_demo(app, sample_responses=30)
    with app.app_context():
        questionnaire_id = db.session.scalar(sa.select(Questionnaire.id).order_by(Questionnaire.id))
        from dialogue.vision.models import Vision

        vision_id = db.session.scalar(sa.select(Vision.id).order_by(Vision.id))
        event_id = db.session.scalar(sa.select(Registration.event_id).order_by(Registration.id))
    if event_id is None:
        event_id = make_event(app)
        add_signups(app, event_id)
    login(client, make_user("admin"))
    for dataset in services.DATASETS:
        for delimiter in ("comma", "semicolon"):
            response = export(client, dataset=dataset, format="datapackage", questionnaire=questionnaire_id,
                              vision=vision_id, event=event_id, delimiter=delimiter)
            assert response.status_code == 200, dataset
            folder = tmp_path / f"{dataset}-{delimiter}"
            zipfile.ZipFile(io.BytesIO(response.get_data())).extractall(folder)
            package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
            resource = package["resources"][0]
            assert resource["schema"]["primaryKey"]
            assert any("constraints" in f for f in resource["schema"]["fields"])
            report = frictionless.validate(str(folder / "datapackage.json"))
            assert report.valid, (dataset, report.flatten(["rowNumber", "fieldNumber", "type", "note"]))
            rows = frictionless.Package(str(folder / "datapackage.json")).resources[0].read_rows()
            assert rows, dataset


def test_long_layout_of_text_questions_only(app, client, make_user, municipality):
    """No choice and no scale: the label and number columns are empty, and the line still has every cell."""
    with app.app_context():
        questionnaire = Questionnaire(slug="texts-only", title={"sv": "Text"}, questions=[
            Question(position=0, type=QuestionType.short_text, text={"sv": "Vad?"})])
        db.session.add(questionnaire)
        db.session.flush()
        response = Response(questionnaire_id=questionnaire.id, submission_key="texts-only",
                            submitted_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC), channel="web", language="sv")
        db.session.add(response)
        db.session.flush()
        from dialogue.questionnaires.models import Answer

        db.session.add(Answer(response_id=response.id, question_id=questionnaire.questions[0].id, value="=ja"))
        db.session.commit()
        ids = (questionnaire.id, response.id, questionnaire.questions[0].id)
    analyst(client, make_user)
    for delimiter, separator in (("comma", ","), ("semicolon", ";")):
        rows = rows_of(export(client, dataset="responses_long", questionnaire=ids[0], delimiter=delimiter), separator)
        assert rows[1:] == [[str(ids[1]), "2026-03-01T09:30:00Z", str(ids[2]), "1", "Vad?", "'=ja", "", "", ""]]
