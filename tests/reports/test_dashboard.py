"""The process dashboard as staff see it: every chart as SVG with a table, flags, links, roles."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from dialogue.extensions import db
from tests.conftest import load_demo, login


def _process_id(app) -> int:
    from dialogue.processes.models import Process

    with app.app_context():
        return db.session.scalar(sa.select(Process.id))


@pytest.fixture
def demo_with_answers(app):
    load_demo(app, sample_responses=40)


@pytest.mark.parametrize("role", ["organizer", "analyst", "admin"])
def test_dashboard_of_the_demo_process(app, client, demo_with_answers, make_user, role):
    login(client, make_user(role))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get(f"/staff/reports/{_process_id(app)}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "40 responses" in page
    svgs = re.findall(r"<svg [^>]*>", page)
    assert len(svgs) >= 8 and all('role="img"' in svg for svg in svgs)
    # every chart has its data table, with a caption and headers
    assert page.count("<figure") == len(svgs) and page.count("<table") >= len(svgs)
    assert page.count('<th scope="row">') > 20
    assert "Respondents by locality" in page and "Respondents by age" in page
    # the demo population against uniformly drawn answers: Flen (45 % of the people) falls short
    assert "Under-represented" in page and 'class="under-represented"' in page
    assert "made on" in page
    assert re.search(r"\d+ of 40 responses gave a locality in the municipality, and 40 gave an age band", page)


def test_dashboard_without_population_says_so(app, client, demo_with_answers, make_user):
    from dialogue.reports.services import replace_all

    with app.app_context():
        replace_all({}, "population.update")
        db.session.commit()
    login(client, make_user("admin"))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(f"/staff/reports/{_process_id(app)}").get_data(as_text=True)
    assert "No population figures have been entered yet" in page
    assert 'class="under-represented"' not in page


def test_dashboard_is_linked_and_unknown_processes_are_404(app, client, municipality, make_user):
    login(client, make_user("organizer"))
    url = f"/staff/reports/{_process_id(app)}"
    assert url in client.get("/staff/processes/").get_data(as_text=True)
    assert url in client.get("/staff/").get_data(as_text=True)
    assert client.get("/staff/reports/999999").status_code == 404


def test_dashboard_needs_sign_in(app, client, municipality):
    response = client.get(f"/staff/reports/{_process_id(app)}")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_tables_are_headed_by_what_they_count_and_captioned_once(app, client, demo_with_answers, make_user):
    login(client, make_user("analyst"))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(f"/staff/reports/{_process_id(app)}").get_data(as_text=True)

    def first_header(chart_id: str) -> str:
        return re.search(rf'id="{chart_id}-caption".*?<th scope="col">(.*?)</th>', page, re.S).group(1)

    assert first_header("responses-per-week") == first_header("contributions-per-week") == "Week"
    assert first_header("responses-by-channel") == first_header("contributions-by-channel") == "Channel"
    assert first_header("by-locality") == "Locality" and first_header("by-age") == "Age"
    question = re.search(r'id="(q\d+)-caption"', page).group(1)
    assert first_header(question) == "Answer"
    # the figure's caption is the visible one; the table's is for screen readers (printed once, not twice)
    for title in ("Respondents by locality", "Respondents by age"):
        assert page.count(f"<caption>{title}</caption>") == 0
        assert page.count(f'<caption class="visually-hidden">{title}</caption>') == 1
        assert page.count(f">{title}</figcaption>") == 1
    # nothing scrolls sideways: the wide tables stack on a phone, each figure named by its column
    assert "table-scroll" not in page
    assert 'data-label="Share of respondents"' in page


def _print_rules() -> dict[str, str]:
    """The declarations of every selector inside the stylesheet's @media print blocks."""
    from pathlib import Path

    css = (Path(__file__).parents[2] / "static" / "css" / "dialogue.css").read_text()
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules: dict[str, str] = {}
    for block in re.finditer(r"@media print\s*\{((?:[^{}]*\{[^{}]*\})*)\s*\}", css):
        for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", block.group(1)):
            for selector in selectors.split(","):
                rules[selector.strip()] = rules.get(selector.strip(), "") + body
    return rules


def test_printed_question_headings_stay_with_their_charts():
    rules = _print_rules()
    for heading in (".report h2", ".report h3"):
        assert "break-after: avoid" in rules[heading] and "break-inside: avoid" in rules[heading]
    for block in (".report-question", ".chart", ".report table"):
        assert "break-inside: avoid" in rules[block]
