"""Population figures: the table form and the CSV import (all or nothing, errors by line), audited."""

from __future__ import annotations

import io

import sqlalchemy as sa

from dialogue.extensions import db
from tests.conftest import csrf_token, login

PAGE = "/staff/reports/population"


def _english(client):
    # the messages are checked in English, whatever the catalogs say
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def _figures(app) -> dict:
    from dialogue.reports.services import current

    with app.app_context():
        return current()


def _localities(app) -> dict[str, int]:
    from dialogue.core.models import Locality

    with app.app_context():
        return {loc.name: loc.id for loc in db.session.scalars(sa.select(Locality))}


def _audits(app, action: str) -> int:
    from dialogue.core.models import AuditEvent

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == action))


def _upload(client, content: bytes, name: str = "befolkning.csv"):
    token = csrf_token(client, PAGE)
    return client.post(f"{PAGE}/import", data={"csrf_token": token, "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_demo_population_is_about_sixteen_thousand(app, municipality):
    figures = _figures(app)
    assert 15_500 < sum(figures.values()) < 16_500
    assert len(figures) == 8 * 7


def test_csv_import_replaces_the_figures(app, client, municipality, make_user):
    login(client, make_user("admin"))
    _english(client)
    places = _localities(app)
    content = "\ufefflocality;age_band;count\nFlen;20-29;1 200\nmalmköping;80-;300\n\n".encode()
    response = _upload(client, content)
    assert response.status_code == 302
    assert _figures(app) == {(places["Flen"], "20-29"): 1200, (places["Malmköping"], "80-"): 300}
    assert _audits(app, "population.import") == 1


def test_csv_errors_name_the_line_and_nothing_changes(app, client, municipality, make_user):
    login(client, make_user("admin"))
    _english(client)
    before = _figures(app)
    content = (b"locality,age_band,count\n"
               b"Flen,20-29,100\n"
               b"Atlantis,20-29,5\n"
               b"Flen,20-30,5\n"
               b"Flen,45-64,many\n"
               b"Flen,20-29,7\n")
    response = _upload(client, content, "min-fil.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for line in ("Line 3", "Line 4", "Line 5", "Line 6"):
        assert line in page, line
    assert "Atlantis" in page and "min-fil.csv" in page  # the form keeps the upload's name
    assert _figures(app) == before
    assert _audits(app, "population.import") == 0


def test_csv_without_the_columns_or_not_utf8(app, client, municipality, make_user):
    login(client, make_user("admin"))
    _english(client)
    assert "Line 1" in _upload(client, b"ort,antal\nFlen,5\n").get_data(as_text=True)
    assert "UTF-8" in _upload(client, "locality,age_band,count\nHälleforsnäs,80-,5\n".encode("latin-1")
                              ).get_data(as_text=True)
    assert _upload(client, b"").status_code == 400


def test_a_quote_never_closed_is_explained_not_a_server_error(app, client, municipality, make_user,
                                                             csv_limit_as_shipped):
    """The rest of the file became one cell, over the csv module's limit: csv.Error was a server error."""
    login(client, make_user("admin"))
    _english(client)
    before = _figures(app)
    response = _upload(client, b'locality,age_band,count\nFlen,20-29,100\n"Flen,80-,5\n' + b"x" * 200_000)
    assert response.status_code == 400
    assert "The file could not be read as CSV: a cell is far too long, or a quotation mark is not closed." in (
        response.get_data(as_text=True))
    assert _figures(app) == before


def test_import_without_a_file(client, municipality, make_user):
    login(client, make_user("admin"))
    _english(client)
    token = csrf_token(client, PAGE)
    response = client.post(f"{PAGE}/import", data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a CSV file." in response.get_data(as_text=True)


def test_table_form_saves_and_keeps_what_was_typed_on_error(app, client, municipality, make_user):
    login(client, make_user("admin"))
    _english(client)
    places = _localities(app)
    flen = places["Flen"]
    before = _figures(app)
    token = csrf_token(client, PAGE)
    bad = client.post(PAGE, data={"csrf_token": token, f"n-{flen}-20-29": "12x", f"n-{flen}-80-": "40"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert 'value="12x"' in page and f'href="#n-{flen}-20-29"' in page and 'aria-invalid="true"' in page
    assert _figures(app) == before

    good = client.post(PAGE, data={"csrf_token": token, f"n-{flen}-20-29": "1 250", f"n-{flen}-80-": "40"})
    assert good.status_code == 302
    assert _figures(app) == {(flen, "20-29"): 1250, (flen, "80-"): 40}
    assert _audits(app, "population.update") == 1


def test_forms_need_the_csrf_token(app, client, municipality, make_user):
    login(client, make_user("admin"))
    _english(client)
    before = _figures(app)
    assert client.post(PAGE, data={"n-1-20-29": "5"}).status_code == 400
    assert _figures(app) == before


def test_only_admins_change_population(client, municipality, make_user):
    login(client, make_user("analyst"))
    assert client.get(PAGE).status_code == 403
