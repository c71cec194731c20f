"""Numbers, percentages, dates and times in the reader's language on real pages, charts and mail (issue #15).

The expected forms are written out here by hand (separators, signs, month and weekday names), not
produced by the filters under test: Swedish groups thousands with a no-break space and writes "12,9 %",
Danish "1.234" and "12,9 %", English "1,234" and "12.9%".
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from dialogue.extensions import db
from tests.conftest import csrf_token, load_demo, login

LANGS = ("sv", "da", "en")
NBSP = "\u00a0"
GROUP = {"sv": NBSP, "da": ".", "en": ","}
POINT = {"sv": ",", "da": ",", "en": "."}
MONTHS = {
    "sv": "januari februari mars april maj juni juli augusti september oktober november december".split(),
    "da": "januar februar marts april maj juni juli august september oktober november december".split(),
    "en": "January February March April May June July August September October November December".split(),
}
SHORT_MONTHS = {
    "sv": "jan. feb. mars apr. maj juni juli aug. sep. okt. nov. dec.".split(),
    "da": "jan. feb. mar. apr. maj jun. jul. aug. sep. okt. nov. dec.".split(),
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
}
WEEKDAYS = {
    "sv": "måndag tisdag onsdag torsdag fredag lördag söndag".split(),
    "da": "mandag tirsdag onsdag torsdag fredag lørdag søndag".split(),
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(),
}
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def figure(value: float, lang: str, digits: int = 0) -> str:
    """*value* with *digits* decimals, grouped as *lang* groups thousands."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "G").replace(".", POINT[lang]).replace("G", GROUP[lang])


def percent(value_in_percent: float, lang: str, digits: int = 1) -> str:
    return figure(value_in_percent, lang, digits) + ("%" if lang == "en" else NBSP + "%")


def long_date(day: date, lang: str) -> str:
    month = MONTHS[lang][day.month - 1]
    return {"sv": f"{day.day} {month} {day.year}", "da": f"{day.day}. {month} {day.year}",
            "en": f"{month} {day.day}, {day.year}"}[lang]


def medium_date(day: date, lang: str) -> str:
    month = SHORT_MONTHS[lang][day.month - 1]
    return {"sv": f"{day.day} {month} {day.year}", "da": f"{day.day}. {month} {day.year}",
            "en": f"{month} {day.day}, {day.year}"}[lang]


def full_date(day: date, lang: str) -> str:
    weekday = WEEKDAYS[lang][day.weekday()]
    return {"sv": f"{weekday} {long_date(day, lang)}", "da": f"{weekday} den {long_date(day, lang)}",
            "en": f"{weekday}, {long_date(day, lang)}"}[lang]


def short_time(hour: int, minute: int, lang: str) -> str:
    if lang == "en":
        return f"{(hour - 1) % 12 + 1}:{minute:02d}\u202f{'AM' if hour < 12 else 'PM'}"
    return f"{hour:02d}{':' if lang == 'sv' else '.'}{minute:02d}"


def svg_texts(html: str, figure_id: str) -> list[str]:
    """The texts drawn in the SVG of the chart *figure_id*."""
    svg = re.search(rf'<title id="{figure_id}-title">.*?</svg>', html, re.S).group(0)
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def table_cells(html: str, figure_id: str) -> list[str]:
    table = re.search(rf'id="{figure_id}-caption">.*?</table>', html, re.S).group(0)
    return re.findall(r"<td[^>]*>([^<]*)</td>", table)


# -- the staff report: a population in thousands, shares, ratios, the date it was made ----------------

@pytest.fixture
def report(app):
    """The demo with 40 answers, and its figures as the dashboard works them out."""
    from flask_babel import force_locale

    from dialogue.processes.models import Process
    from dialogue.reports import figures

    load_demo(app, sample_responses=40)
    with app.test_request_context(), force_locale("en"):
        process = db.session.scalar(sa.select(Process))
        rows = [row for row in figures.by_locality(process) if row.respondents and row.ratio is not None]
        return {"id": process.id, "population": figures.population_total(), "row": rows[0]}


@pytest.mark.parametrize("lang", LANGS)
def test_report_dashboard(app, client, report, make_user, lang):
    from dialogue.core.time import today

    login(client, make_user("analyst"))
    html = client.get(f"/staff/reports/{report['id']}?lang={lang}").get_data(as_text=True)
    assert report["population"] >= 1000
    assert figure(report["population"], lang) in html
    if lang == "en":
        assert f"Population: {report['population']:,} people." in html
    row = report["row"]
    share = percent(row.respondent_share, lang)
    assert share in svg_texts(html, "by-locality")
    assert share in table_cells(html, "by-locality")
    assert percent(row.population_share, lang) in svg_texts(html, "by-locality")
    assert figure(row.ratio, lang, 2) in table_cells(html, "by-locality")
    assert figure(row.population, lang) in table_cells(html, "by-locality")
    with app.app_context():
        assert long_date(today(), lang) in html
    # the threshold of under-representation, 0.8
    assert f"{0}{POINT[lang]}8" in html
    # the shares of each answer to a choice question: one decimal and the locale's sign, in the table
    cells = [cell for cell in table_cells(html, "responses-by-channel") if "%" in cell]
    assert cells and all(re.fullmatch(r"\d+" + re.escape(POINT[lang]) + r"\d" + ("%" if lang == "en" else NBSP + "%"),
                                      cell) for cell in cells), cells
    assert " %<" not in html.replace(NBSP, "")  # no percent sign written after a space by hand


# -- the questionnaire's results: responses per day, each day a date ---------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_responses_per_day(app, client, make_user, lang):
    from dialogue.questionnaires import results
    from dialogue.questionnaires.models import Questionnaire

    load_demo(app, sample_responses=40)
    with app.app_context():
        questionnaire_id = db.session.scalar(sa.select(Questionnaire.id))
        days = results.per_day(questionnaire_id)
    login(client, make_user("organizer"))
    html = client.get(f"/staff/questionnaires/{questionnaire_id}/results?lang={lang}").get_data(as_text=True)
    table = re.search(r'id="per-day-caption">.*?</table>', html, re.S).group(0)
    shown = re.findall(r'<th scope="row">([^<]*)</th>', table)
    assert shown == [medium_date(day, lang) for day, _n in days]
    if lang == "en":
        assert '<th scope="col">Day</th>' in table


# -- the public follow-up: indicator values, a value in thousands in the table and on the chart's axis ---

@pytest.mark.parametrize("lang", LANGS)
def test_follow_up_indicator_values(app, client, lang):
    from dialogue.steering import services
    from dialogue.steering.models import Indicator
    from tests.steering.helpers import vetlanda

    ids = vetlanda(app)
    with app.app_context():
        migration = db.session.scalar(sa.select(Indicator).where(Indicator.node_id == ids["migration"]))
        services.set_measurement(migration, "2018", 1234.5)
        db.session.commit()
    html = client.get(f"/vision/vetlanda-2015-2018/follow-up?lang={lang}").get_data(as_text=True)
    assert f"<td>89{POINT[lang]}5</td>" in html and f"<td>90{POINT[lang]}5</td>" in html
    assert f"<td>{figure(1234.5, lang, 1)}</td>" in html
    # the y axis of the migration chart reaches 1,500 persons
    assert figure(1500, lang) in svg_texts(html, f"chart-{ids['migration']}")
    # the home care target, 93 %, drawn on its chart and written in its facts
    assert any(text.endswith("93 %") for text in svg_texts(html, f"chart-{ids['home_care']}"))


# -- an event: its date and time on the page and in the sign-up mail ---------------------------------

def _event_at(app, local: datetime) -> int:
    from dialogue.events.models import Event
    from tests.events.helpers import make_event

    event_id = make_event(app, capacity=5)
    with app.app_context():
        event = db.session.get(Event, event_id)
        event.starts_at = local.astimezone(UTC)
        event.ends_at = event.starts_at + timedelta(hours=2)
        db.session.commit()
    return event_id


def _evening_in_a_month() -> datetime:
    day = datetime.now(STOCKHOLM).date() + timedelta(days=30)
    return datetime(day.year, day.month, day.day, 18, 30, tzinfo=STOCKHOLM)


@pytest.mark.parametrize("lang", LANGS)
def test_event_page_date_and_time(app, client, lang):
    starts = _evening_in_a_month()
    event_id = _event_at(app, starts)
    html = client.get(f"/events/{event_id}?lang={lang}").get_data(as_text=True)
    assert f"{full_date(starts.date(), lang)} {short_time(18, 30, lang)}" in html
    assert short_time(20, 30, lang) in html  # ends the same day: its time only


def test_sign_up_mail_in_swedish(app_factory, smtp):
    app = app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port,
                      MAIL_SENDER="dialog@flen.example")
    starts = _evening_in_a_month()
    event_id = _event_at(app, starts)
    client = app.test_client()
    url = f"/events/{event_id}/signup?lang=sv"
    page = client.get(url).get_data(as_text=True)
    form = re.search(r'name="form" type="hidden" value="([^"]+)"', page)
    client.post(url, data={"csrf_token": csrf_token(client, url), "form": form.group(1) if form else "",
                           "name": "Ebba", "email": "ebba@example.se", "group": "young"})
    body = smtp.wait_for(1)[0].get_body(("plain",)).get_content()
    assert f"{full_date(starts.date(), 'sv')} 18:30" in body
