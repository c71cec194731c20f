"""The public list of events and its filters."""

from __future__ import annotations

import pytest

from tests.events.helpers import make_event


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-13", "2026-00", "x", "2026-1-1"])
def test_a_month_no_calendar_holds_is_explained(app, month):
    make_event(app, capacity=None)
    response = app.test_client().get(f"/events/?month={month}&lang=en")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Give a month as year and month" in page
    assert "Vision workshop" in page  # every event is shown instead


def test_a_month_shows_the_events_that_start_in_it(app):
    make_event(app, capacity=None)
    client = app.test_client()
    assert client.get("/events/?month=2026-03&lang=en").status_code == 200
    assert "Vision workshop" not in client.get("/events/?month=1999-12&lang=en").get_data(as_text=True)
