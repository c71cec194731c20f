"""The dashboard's figures, exact for a small built dataset."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from dialogue.extensions import db


@pytest.fixture
def dataset(app, municipality):
    """Population 2,000 in Flen and Malmköping; ten responses of the process, some not placeable."""
    from dialogue.coding.models import Channel, Coding, Contribution
    from dialogue.core.models import Locality
    from dialogue.events.models import Event
    from dialogue.processes.models import Process
    from dialogue.questionnaires.models import Questionnaire, Response
    from dialogue.reports.services import replace_all
    from dialogue.vision.models import NodeKind, VisionNode

    with app.app_context():
        places = {loc.name: loc.id for loc in db.session.scalars(sa.select(Locality))}
        flen, malm = places["Flen"], places["Malmköping"]
        replace_all({(flen, "20-29"): 600, (flen, "45-64"): 400, (malm, "20-29"): 200, (malm, "45-64"): 800},
                    "population.update")
        process = db.session.scalar(sa.select(Process))
        questionnaire = db.session.scalar(sa.select(Questionnaire).where(Questionnaire.process_id == process.id))
        other = Questionnaire(slug="elsewhere", title={"sv": "Annan"})
        db.session.add(other)
        db.session.flush()

        def response(n, place, band, *, hidden=False, elsewhere=False, when=None, q=questionnaire):
            db.session.add(Response(questionnaire_id=q.id, submission_key=f"fig-{n}", locality_id=place,
                                    locality_other="elsewhere" if elsewhere else "", age_band=band,
                                    hidden=hidden, submitted_at=when or datetime(2026, 3, 2, 12, tzinfo=UTC)))

        for n in range(6):
            response(n, flen, "20-29")
        response(6, malm, "45-64", when=datetime(2026, 3, 16, 12, tzinfo=UTC))
        response(7, malm, "45-64")
        response(8, None, "20-29", elsewhere=True)
        response(9, malm, "")
        response(10, flen, "20-29", hidden=True)
        response(11, flen, "20-29", q=other)  # another process's questionnaire: not counted

        blocks = db.session.scalars(sa.select(VisionNode.id).where(VisionNode.kind == NodeKind.building_block)
                                    .order_by(VisionNode.id).limit(2)).all()
        meeting = db.session.scalar(sa.select(Event).where(Event.process_id == process.id).limit(1))
        texts = [Contribution(channel=Channel.questionnaire, text="Sjöarna", questionnaire_id=questionnaire.id,
                              locality_id=flen),
                 Contribution(channel=Channel.open_meeting, text="Tåget", event_id=meeting.id, locality_id=malm),
                 Contribution(channel=Channel.open_meeting, text="Spam", event_id=meeting.id, hidden=True),
                 Contribution(channel=Channel.questionnaire, text="Annat", questionnaire_id=other.id)]
        db.session.add_all(texts)
        db.session.flush()
        for contribution in texts:
            db.session.add(Coding(contribution_id=contribution.id, node_id=blocks[0]))
        db.session.add(Coding(contribution_id=texts[0].id, node_id=blocks[1],
                              removed_at=datetime(2026, 3, 3, tzinfo=UTC)))
        db.session.commit()
        return {"process_id": process.id, "flen": flen, "malm": malm, "blocks": blocks}


def _process(dataset):
    from dialogue.processes.models import Process

    return db.session.get(Process, dataset["process_id"])


def test_participation_by_locality_against_the_population(app, dataset):
    from dialogue.reports import figures

    with app.test_request_context():
        rows = {row.key: row for row in figures.by_locality(_process(dataset))}
    flen, malm = rows[str(dataset["flen"])], rows[str(dataset["malm"])]
    # nine placeable respondents: six in Flen, three in Malmköping (the hidden one and "elsewhere" left out)
    assert (flen.respondents, malm.respondents) == (6, 3)
    assert (flen.respondent_share, malm.respondent_share) == (66.7, 33.3)
    assert (flen.population, flen.population_share) == (1000, 50.0)
    assert (flen.ratio, malm.ratio) == (1.33, 0.67)
    assert not flen.under_represented and malm.under_represented
    without = [row for row in rows.values() if row.population == 0]
    assert without and all(row.ratio is None and not row.under_represented for row in without)


def test_participation_by_age_band_against_the_population(app, dataset):
    from dialogue.reports import figures

    with app.test_request_context():
        rows = {row.key: row for row in figures.by_age_band(_process(dataset))}
    assert list(rows) == ["0-15", "16-19", "20-29", "30-44", "45-64", "65-79", "80-"]
    young, middle = rows["20-29"], rows["45-64"]
    # nine gave an age: seven 20–29 (one lives elsewhere, still counts for age), two 45–64
    assert (young.respondents, middle.respondents) == (7, 2)
    assert (young.respondent_share, middle.respondent_share) == (77.8, 22.2)
    assert (young.population_share, middle.population_share) == (40.0, 60.0)
    assert (young.ratio, middle.ratio) == (1.94, 0.37)
    assert middle.under_represented and not young.under_represented
    assert rows["80-"].ratio is None


def test_the_threshold_is_a_strict_below(app, dataset):
    from dialogue.reports.figures import UNDER_REPRESENTED, Representation

    assert UNDER_REPRESENTED == 0.8
    assert not Representation("a", "a", 4, 40.0, 5, 50.0, 0.8).under_represented
    assert Representation("a", "a", 4, 40.0, 5, 50.0, 0.79).under_represented


def test_counts_weeks_and_channels(app, dataset):
    from dialogue.reports import figures

    with app.test_request_context():
        process = _process(dataset)
        assert figures.response_count(process) == 10
        weeks = figures.responses_per_week(process)
        channels = figures.responses_by_channel(process)
        assert figures.contribution_count(process) == 2
        by_channel = {bar.label: bar.count for bar in figures.contributions_by_channel(process)}
    # 2 and 16 March 2026 are Mondays: three weeks with an empty one between
    assert [bar.count for bar in weeks] == [9, 0, 1]
    assert weeks[0].label == "Veckan från 2 mars 2026" and weeks[1].label == "Veckan från 9 mars 2026"
    assert [bar.count for bar in channels] == [10, 0]
    assert sorted(by_channel.values()) == [0, 0, 0, 1, 1]


def test_building_blocks_count_the_processes_live_codes(app, dataset):
    from dialogue.reports import figures

    with app.test_request_context():
        blocks = figures.building_blocks(_process(dataset))
    assert [b.node_id for b in blocks] == [dataset["blocks"][0]]  # the removed code does not count
    block = blocks[0]
    assert block.total == 2  # hidden and other-process contributions left out
    assert dict(block.by_channel) == {"questionnaire": 1, "open_meeting": 1}
    assert dict(block.by_locality) == {dataset["flen"]: 1, dataset["malm"]: 1}


def test_weeks_are_local_weeks(app, dataset):
    """Sunday 1 March 23:30 UTC is Monday 00:30 in Flen: it belongs to the week of 2 March, not the one before."""
    from dialogue.questionnaires.models import Questionnaire, Response
    from dialogue.reports import figures

    with app.app_context():
        process = _process(dataset)
        questionnaire = db.session.scalar(sa.select(Questionnaire).where(Questionnaire.process_id == process.id))
        db.session.add(Response(questionnaire_id=questionnaire.id, submission_key="late-sunday",
                                submitted_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC)))
        db.session.commit()
    with app.test_request_context():
        weeks = figures.responses_per_week(_process(dataset))
    assert [bar.count for bar in weeks] == [10, 0, 1] and weeks[0].label == "Veckan från 2 mars 2026"


def test_contributions_count_in_the_week_they_were_made(app, dataset):
    """Rows written today (a load, an import) count in the week of their answer's response or their event.

    An answer's response was sent on Sunday 8 March 23:30 UTC, Monday 9 March in Flen; the event met on
    Tuesday 24 March (two notes); every contribution's row was made now.
    """
    from dialogue.coding.models import Channel, Contribution
    from dialogue.core.base import utcnow
    from dialogue.events.models import Event
    from dialogue.questionnaires.models import Answer, Question, Questionnaire, Response
    from dialogue.reports import figures

    with app.app_context():
        process = _process(dataset)
        questionnaire = db.session.scalar(sa.select(Questionnaire).where(Questionnaire.process_id == process.id))
        question = db.session.scalar(sa.select(Question).where(Question.questionnaire_id == questionnaire.id)
                                     .limit(1))
        # only this test's contributions: the dataset's are made now too
        db.session.execute(sa.delete(Contribution))
        response = Response(questionnaire_id=questionnaire.id, submission_key="weeks-answer",
                            submitted_at=datetime(2026, 3, 8, 23, 30, tzinfo=UTC))
        db.session.add(response)
        db.session.flush()
        answer = Answer(response_id=response.id, question_id=question.id, value="Sjöarna")
        db.session.add(answer)
        meeting = db.session.scalar(sa.select(Event).where(Event.process_id == process.id).limit(1))
        meeting.starts_at = datetime(2026, 3, 24, 17, tzinfo=UTC)
        db.session.flush()
        now = utcnow()
        db.session.add_all([
            Contribution(channel=Channel.questionnaire, text="Sjöarna", questionnaire_id=questionnaire.id,
                         answer_id=answer.id, created_at=now),
            Contribution(channel=Channel.open_meeting, text="Tåget", event_id=meeting.id, created_at=now),
            Contribution(channel=Channel.open_meeting, text="Bussen", event_id=meeting.id, created_at=now),
        ])
        db.session.commit()
    with app.test_request_context():
        weeks = figures.contributions_per_week(_process(dataset))
    # the weeks of 9, 16 and 23 March; nothing in the week the rows were made
    assert [bar.count for bar in weeks] == [1, 0, 2]
    assert weeks[0].label == "Veckan från 9 mars 2026" and weeks[2].label == "Veckan från 23 mars 2026"
