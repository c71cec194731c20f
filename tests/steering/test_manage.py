"""Staff pages: indicator details, measurements added, changed and deleted, overviews; who may."""

from __future__ import annotations

import re

import sqlalchemy as sa

from dialogue.core.models import AuditEvent
from dialogue.extensions import db
from dialogue.steering.models import Measurement
from dialogue.vision.models import Vision
from tests.conftest import csrf_token, login
from tests.steering.helpers import indicator, measured, vetlanda


def test_edit_indicator_details_with_errors_kept(app, client, make_user):
    ids = vetlanda(app, measurements=False)
    login(client, make_user("analyst"))
    url = f"/staff/steering/indicators/{ids['school']}/edit?lang=en"
    form = client.get(url).get_data(as_text=True)
    assert 'value="Barn- och utbildningsnämnden"' in form
    bad = client.post(url, data={"csrf_token": csrf_token(client, url), "unit": "%", "direction": "higher",
                                 "target_value": "", "target_year": "3000", "baseline_value": "85,5",
                                 "frequency": "yearly", "source": "Skolverket", "committee": "BUN",
                                 "kolada_kpi": "N15 428"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'class="error-summary"' in html and 'href="#target_value"' in html
    assert "Give the target value." in html and "Give a year between 1900 and 2100." in html
    assert "Give both the baseline value and its year, or neither." in html
    assert "Only letters and digits." in html
    assert 'value="85,5"' in html and 'value="BUN"' in html  # what was typed stays
    good = client.post(url, data={"csrf_token": csrf_token(client, url), "unit": "%", "direction": "higher",
                                  "target_value": "92,5", "target_year": "2019", "baseline_value": "85,5",
                                  "baseline_year": "2014", "frequency": "yearly", "source": "Skolverket",
                                  "committee": "BUN", "kolada_kpi": "n15428"})
    assert good.status_code == 302
    details = indicator(app, ids["school"])
    assert (details.target_value, details.target_year, details.baseline_value, details.kolada_kpi) == (
        92.5, 2019, 85.5, "N15428")
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "indicator.update"


def test_add_change_and_delete_measurements(app, client, make_user):
    ids = vetlanda(app, measurements=False)
    login(client, make_user("analyst"))
    node = ids["home_care"]
    new = f"/staff/steering/indicators/{node}/measurements/new?lang=en"
    bad = client.post(new, data={"csrf_token": csrf_token(client, new), "period": "2017H3", "value": "x"})
    assert bad.status_code == 422
    assert "Write the period as 2024, 2024H1 or 2024Q3." in bad.get_data(as_text=True)
    assert 'value="2017H3"' in bad.get_data(as_text=True)
    for period, value in (("2016h2", "90,5"), ("2017H2", "92")):
        done = client.post(new, data={"csrf_token": csrf_token(client, new), "period": period, "value": value,
                                      "value_women": "", "value_men": "", "source": "Enkät", "comment": ""})
        assert done.status_code == 302
    assert measured(app, node) == {"2016H2": (90.5, None, None, "Enkät", ""), "2017H2": (92.0, None, None, "Enkät", "")}
    page = client.get(f"/staff/steering/indicators/{node}?lang=en").get_data(as_text=True)
    assert "On track" in page and '<svg role="img"' in page
    with app.app_context():
        first = db.session.scalar(sa.select(Measurement).where(Measurement.period == "2016H2"))
        first_id = first.id
    edit = f"/staff/steering/measurements/{first_id}/edit?lang=en"
    assert 'value="90.5"' in client.get(edit).get_data(as_text=True)
    client.post(edit, data={"csrf_token": csrf_token(client, edit), "period": "2016H1", "value": "90",
                            "comment": "moved"})
    assert set(measured(app, node)) == {"2016H1", "2017H2"}
    with app.app_context():
        moved_id = db.session.scalar(sa.select(Measurement.id).where(Measurement.period == "2016H1"))
    token = csrf_token(client, f"/staff/steering/indicators/{node}")
    assert client.post(f"/staff/steering/measurements/{moved_id}/delete", data={}).status_code == 400
    assert client.post(f"/staff/steering/measurements/{moved_id}/delete", data={"csrf_token": token}).status_code == 302
    assert set(measured(app, node)) == {"2017H2"}
    with app.app_context():
        actions = list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions.count("measurement.create") == 2 and "measurement.update" in actions
    assert "measurement.delete" in actions


def test_overviews_per_goal_and_committee(app, client, make_user):
    vetlanda(app)
    login(client, make_user("analyst"))
    index = client.get("/staff/steering/?lang=en").get_data(as_text=True)
    assert "U21468" in index and "Target met" in index
    with app.app_context():
        vision_id = db.session.scalar(sa.select(Vision.id))
    html = client.get(f"/staff/steering/visions/{vision_id}?lang=en").get_data(as_text=True)
    assert len(re.findall(r"<caption[^>]*>Goal: ", html)) == 5
    for committee in ("Kommunstyrelsen", "Socialnämnden", "Barn- och utbildningsnämnden"):
        assert re.search(rf"<caption[^>]*>{committee}</caption>", html), committee
    assert "Off track" in html and "No data yet" in html


def test_organizers_see_no_steering_pages_and_analysts_cannot_change_follow_ups(app, client, make_user,
                                                                                 municipality):
    login(client, make_user("organizer"))
    assert client.get("/staff/steering/").status_code == 403
    analyst = app.test_client()
    login(analyst, make_user("analyst"))
    with app.app_context():
        from dialogue.processes.models import Process

        process_id = db.session.scalar(sa.select(Process.id))
    url = f"/staff/steering/processes/{process_id}"
    assert analyst.get(url).status_code == 200
    assert analyst.post(url, data={"csrf_token": csrf_token(analyst, url), "vision_id": ""}).status_code == 403
    with app.app_context():
        from dialogue.steering.models import FollowUp

        assert db.session.scalar(sa.select(FollowUp.vision_id)) is not None  # unchanged


def test_admin_chooses_the_vision_and_writes_the_message(app, client, make_user, municipality):
    login(client, make_user("admin"))
    with app.app_context():
        from dialogue.processes.models import Process
        from dialogue.steering.models import FollowUp

        process_id = db.session.scalar(sa.select(Process.id))
        vision_id = db.session.scalar(sa.select(Vision.id))
    url = f"/staff/steering/processes/{process_id}?lang=en"
    assert client.post(url, data={"csrf_token": csrf_token(client, url), "vision_id": str(vision_id),
                                  "message_sv": "Visionen är antagen.", "message_da": "", "message_en": ""
                                  }).status_code == 302
    with app.app_context():
        follow_up = db.session.scalar(sa.select(FollowUp))
        assert (follow_up.vision_id, follow_up.message) == (vision_id, {"sv": "Visionen är antagen."})
    bad = client.post(url, data={"csrf_token": csrf_token(client, url), "vision_id": "99999"})
    assert bad.status_code == 422 and "Not a valid choice" in bad.get_data(as_text=True)


def test_a_number_no_float_holds_is_refused_and_kept(app, client, make_user):
    """NaN, infinity and 1e400 passed as decimals and became a float SQLite stores as NULL (a server error)
    and PostgreSQL as NaN: refused as the file import refuses them."""
    ids = vetlanda(app, measurements=False)
    login(client, make_user("analyst"))
    new = f"/staff/steering/indicators/{ids['home_care']}/measurements/new?lang=en"
    bad = client.post(new, data={"csrf_token": csrf_token(client, new), "period": "2016", "value": "NaN",
                                 "value_women": "-inf", "value_men": "1e400", "source": "", "comment": ""})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    for field in ("value", "value_women", "value_men"):
        assert f'href="#{field}"' in html, field
    assert "Give a number, for example 12.5." in html
    assert 'value="NaN"' in html and 'value="1e400"' in html
    assert measured(app, ids["home_care"]) == {}
    edit = f"/staff/steering/indicators/{ids['school']}/edit?lang=en"
    bad = client.post(edit, data={"csrf_token": csrf_token(client, edit), "unit": "%", "direction": "higher",
                                  "target_value": "Infinity", "target_year": "2019", "frequency": "yearly"})
    assert bad.status_code == 422 and 'href="#target_value"' in bad.get_data(as_text=True)
