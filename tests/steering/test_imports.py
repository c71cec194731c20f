"""Measurements from CSV and Kolada files: good files, wrong files, and nothing half-imported."""

from __future__ import annotations

import io
import json

import pytest

from dialogue.extensions import db
from dialogue.steering import imports
from dialogue.steering.models import Measurement
from tests.conftest import count, csrf_token, login
from tests.steering.helpers import measured, vetlanda


def kolada(*records) -> bytes:
    return json.dumps({"count": len(records), "values": list(records)}).encode()


def record(kpi="U21468", municipality="0685", period=2018, total=93.4, women=94.0, men=91.9):
    values = [{"count": 1, "gender": "T", "status": "", "value": total}]
    if women is not None:
        values += [{"count": 1, "gender": "K", "status": "", "value": women},
                   {"count": 1, "gender": "M", "status": "", "value": men}]
    return {"kpi": kpi, "municipality": municipality, "period": period, "values": values}


def run(app, raw: bytes, fmt: str, **options):
    with app.test_request_context("/?lang=en", method="POST"):
        try:
            return imports.import_file(raw, fmt, **options)
        finally:
            db.session.commit()


def test_csv_with_semicolons_bom_and_decimal_commas(app):
    ids = vetlanda(app, measurements=False)
    raw = ("\ufeffindicator;period;value;value_women;value_men;source;comment\n"
           f"{ids['home_care']};2016H1;90,5;91,2;88,9;Brukarundersökning;\n"
           f"U21468;2016-h2;91;;;;Kolada-id works too\n"
           f"{ids['business']};2017;112;;;Insikt;rank\n").encode()
    result = run(app, raw, "csv")
    assert (result.created, result.replaced) == (3, 0)
    assert measured(app, ids["home_care"]) == {
        "2016H1": (90.5, 91.2, 88.9, "Brukarundersökning", ""), "2016H2": (91.0, None, None, "", "Kolada-id works too")}
    assert measured(app, ids["business"])["2017"][0] == 112


def test_csv_with_commas_and_reimport_replaces(app):
    ids = vetlanda(app, measurements=False)
    run(app, f"indicator,period,value\n{ids['engagement']},2016,61\n".encode(), "csv")
    result = run(app, f"indicator,period,value,comment\n{ids['engagement']},2016,63,corrected\n".encode(), "csv")
    assert (result.created, result.replaced) == (0, 1)
    assert measured(app, ids["engagement"]) == {"2016": (63.0, None, None, "", "corrected")}


GOOD = "{engagement};2015;52\n"  # a good row first: it must not be stored when a later row is wrong
TWICE = "Row 4: the period 2016 of this indicator is in the file twice"


@pytest.mark.parametrize(("text", "message"), [
    ("indicator;period\n1;2016\n", "missing: value"),
    ("indicator;period;value;colour\n", "unknown: colour"),
    ("indicator;period;value\n" + GOOD + "99999;2016;1\n", "Row 3: no indicator 99999"),
    ("indicator;period;value\n" + GOOD + "{home_care};2016H3;1\n", "Row 3: the period 2016H3 is not a year"),
    ("indicator;period;value\n" + GOOD + "{home_care};2016;lots\n", "Row 3: value must be a number"),
    ("indicator;period;value\n" + GOOD + "{home_care};2016;1\n{home_care};2016;2\n", TWICE),
    ("indicator;period;value\n" + GOOD + "{home_care};2016;1;extra\n", "Row 3: more cells than columns"),
    ("indicator;period;value\n", "holds no measurements"),
    # a quotation mark never closed makes the rest of the file one cell, over the csv module's limit: it was a
    # server error
    ("indicator;period;value\n" + GOOD + '{home_care};2016;"1\n' + "x" * 200_000,
     "could not be read as CSV: a cell is far too long"),
])
def test_wrong_csv_says_where_and_imports_nothing(app, text, message, csv_limit_as_shipped):
    ids = vetlanda(app, measurements=False)
    with pytest.raises(imports.MeasurementFileError, match=message):
        run(app, text.format(**ids).encode(), "csv")
    assert count(app, Measurement) == 0


def test_csv_not_utf8(app):
    vetlanda(app, measurements=False)
    with pytest.raises(imports.MeasurementFileError, match="not UTF-8"):
        run(app, "indicator;period;value\nÅ;2016;1\n".encode("cp1252"), "csv")


def test_kolada_file_imports_with_gender_split(app):
    ids = vetlanda(app, measurements=False)
    raw = kolada(record(period=2017, total=92.0, women=92.5, men=91.0), record(period=2018))
    result = run(app, raw, "kolada", municipality="0685")
    assert result.created == 2
    assert measured(app, ids["home_care"]) == {"2017": (92.0, 92.5, 91.0, "Kolada", ""),
                                               "2018": (93.4, 94.0, 91.9, "Kolada", "")}


def test_kolada_null_values_are_skipped(app):
    vetlanda(app, measurements=False)
    raw = kolada(record(period=2017, total=None, women=None), record(period=2018, women=None))
    result = run(app, raw, "kolada")
    assert (result.created, result.skipped) == (1, 1)


@pytest.mark.parametrize(("raw", "options", "message"), [
    (b"{not json", {}, r"not valid JSON \(line 1\)"),
    (b'{"items": []}', {}, "not a Kolada file"),
    (b"[1, 2]", {}, "not a Kolada file"),
    (kolada(record(period=2017), record(kpi="N00945", period=2018)), {},
     "Record 2: no indicator has the Kolada id N00945"),
    (kolada(record(period=2017), record(period="2018H5")), {}, "Record 2: the period 2018H5 is not a year"),
    (kolada(record(period=2017), record(period=2018, municipality="")), {"municipality": "0685"},
     "Record 2: the record names no municipality"),
    (kolada(record(period=2017, municipality="0482")), {"municipality": "0685"},
     "The file holds no values of municipality 0685, only of 0482"),
    (kolada(record(period=2017), {"kpi": "U21468", "period": 2018, "values": [{"gender": "K", "value": 1}]}), {},
     r"Record 2: no total value \(gender T\)"),
    (kolada(record(period=2017), "text"), {}, "Record 2: each record needs"),
    (kolada(record(period=2017), record(period=2017)), {},
     "Record 2: the period 2017 of this indicator is in the file twice"),
    # both were server errors: the JSON decoder ran out of stack, and a list has no .strip()
    (b'{"values": ' + b"[" * 100_000, {}, "not valid JSON: it is nested too deeply"),
    (kolada(record(period=2017), record(period=2018, total=[93.4])), {}, "Record 2: value must be a number"),
])
def test_wrong_kolada_files_import_nothing(app, raw, options, message):
    vetlanda(app, measurements=False)
    with pytest.raises(imports.MeasurementFileError, match=message):
        run(app, raw, "kolada", **options)
    assert count(app, Measurement) == 0


def test_upload_form_imports_kolada_and_lists_errors(app, client, make_user):
    vetlanda(app, measurements=False)
    login(client, make_user("analyst"))
    token = csrf_token(client, "/staff/steering/import?lang=en")
    bad = client.post("/staff/steering/import?lang=en", data={
        "csrf_token": token, "format": "kolada", "vision_id": "", "municipality": "0685",
        "file": (io.BytesIO(kolada(record(kpi="N00945"))), "kolada.json")}, content_type="multipart/form-data")
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "Record 1: no indicator has the Kolada id N00945" in page and "Nothing was stored" in page
    assert 'value="0685"' in page  # what was typed stays
    good = client.post("/staff/steering/import?lang=en", data={
        "csrf_token": token, "format": "kolada", "vision_id": "", "municipality": "0685",
        "file": (io.BytesIO(kolada(record())), "kolada.json")}, content_type="multipart/form-data",
        follow_redirects=True)
    assert good.status_code == 200 and "Imported: 1 new" in good.get_data(as_text=True)
    assert count(app, Measurement) == 1
    missing = client.post("/staff/steering/import?lang=en", data={"csrf_token": token, "format": "csv"},
                          content_type="multipart/form-data")
    assert missing.status_code == 422 and "Choose a file to import" in missing.get_data(as_text=True)


def test_organizers_may_not_import(app, client, make_user):
    login(client, make_user("organizer"))
    assert client.get("/staff/steering/import").status_code == 403


def test_cli_import(app, tmp_path):
    ids = vetlanda(app, measurements=False)
    good = tmp_path / "kolada.json"
    good.write_bytes(kolada(record()))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["steering", "import-measurements", str(good), "--municipality", "0685"])
    assert result.exit_code == 0, result.output
    assert "Imported: 1 new" in result.output
    bad = tmp_path / "m.csv"
    bad.write_text(f"indicator;period;value\n{ids['school']};2017;88\n{ids['school']};2017Q9;1\n", encoding="utf-8")
    result = runner.invoke(args=["steering", "import-measurements", str(bad), "--format", "csv"])
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output and "Row 3" in result.output
    assert measured(app, ids["school"]) == {}


def comparison(others=("0480", "0484")) -> bytes:
    """A comparison download: the same key figure for 0482 and for other municipalities, with other values."""
    records = [record(municipality="0482", period=2017, total=90.0), record(municipality="0482", period=2018)]
    for place in others:
        records += [record(municipality=place, period=year, total=50.0) for year in (2017, 2018)]
    return kolada(*records)


def test_cli_imports_one_municipality_of_a_comparison_and_warns_of_yearly_values(app, tmp_path):
    ids = vetlanda(app, measurements=False)
    path = tmp_path / "comparison.json"
    path.write_bytes(comparison())
    result = app.test_cli_runner().invoke(args=["steering", "import-measurements", str(path), "--municipality",
                                                "0482"])
    assert result.exit_code == 0, result.output
    assert "Imported: 2 new and 0 replaced measurements." in result.output
    assert "Skipped 4 values of 2 other municipalities (0480, 0484)." in result.output
    # home care is measured every half year, Kolada gives the year: stored, with a warning naming both
    assert ("Warning: “Customer satisfaction in home care” is measured every half year, but the file gives yearly "
            "values for 2017, 2018.") in result.output
    assert measured(app, ids["home_care"]) == {"2017": (90.0, 94.0, 91.9, "Kolada", ""),
                                               "2018": (93.4, 94.0, 91.9, "Kolada", "")}


def test_cli_counts_in_the_chosen_language(app, tmp_path):
    vetlanda(app, measurements=False)
    path = tmp_path / "all.json"
    path.write_bytes(kolada(record(municipality="0482"), *[record(municipality=f"{n:04d}") for n in range(1000,
                                                                                                          2200)]))
    result = app.test_cli_runner().invoke(args=["steering", "import-measurements", str(path), "--municipality",
                                                "0482", "--lang", "sv"])
    assert result.exit_code == 0, result.output
    assert "1\u00a0200" in result.output  # Swedish groups thousands with a no-break space
    assert "1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, …" in result.output


def test_several_municipalities_without_a_choice_import_nothing(app, client, make_user, tmp_path):
    vetlanda(app, measurements=False)
    path = tmp_path / "comparison.json"
    path.write_bytes(comparison())
    result = app.test_cli_runner().invoke(args=["steering", "import-measurements", str(path)])
    assert result.exit_code == 1
    assert "The file holds values of 3 municipalities (0480, 0482, 0484)" in result.output
    login(client, make_user("analyst"))
    token = csrf_token(client, "/staff/steering/import?lang=en")
    page = client.post("/staff/steering/import?lang=en", data={
        "csrf_token": token, "format": "kolada", "vision_id": "", "municipality": "",
        "file": (io.BytesIO(comparison()), "comparison.json")}, content_type="multipart/form-data")
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "Nothing was stored" in text and "The file holds values of 3 municipalities (0480, 0482, 0484)" in text
    assert count(app, Measurement) == 0


def test_upload_form_imports_one_municipality_and_shows_what_was_skipped(app, client, make_user):
    ids = vetlanda(app, measurements=False)
    login(client, make_user("analyst"))
    token = csrf_token(client, "/staff/steering/import?lang=en")
    page = client.post("/staff/steering/import?lang=en", data={
        "csrf_token": token, "format": "kolada", "vision_id": "", "municipality": "0482",
        "file": (io.BytesIO(comparison()), "comparison.json")}, content_type="multipart/form-data",
        follow_redirects=True)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Skipped 4 values of 2 other municipalities (0480, 0484)." in text
    assert 'class="flash flash-warning">Warning: “Customer satisfaction in home care” is measured every half' in text
    assert set(measured(app, ids["home_care"])) == {"2017", "2018"}
    assert count(app, Measurement) == 2


def test_yearly_values_warn_only_for_indicators_measured_more_often(app):
    ids = vetlanda(app, measurements=False)
    raw = (f"indicator;period;value\n{ids['home_care']};2016H1;90\n{ids['home_care']};2016;91\n"
           f"{ids['school']};2016;88\n").encode()
    result = run(app, raw, "csv")
    assert result.created == 3
    assert result.warnings == [
        "“Customer satisfaction in home care” is measured every half year, but the file gives a yearly value for "
        "2016. It was imported as the value of the whole year: delete it, or change how often the indicator is "
        "measured."]
    assert run(app, f"indicator;period;value\n{ids['home_care']};2016H2;92\n".encode(), "csv").warnings == []
