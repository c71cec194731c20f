"""The fast path checks answers against this process's copies of the questionnaire and municipality,
without asking the database; the write confirms their versions in its own transaction. When another
process changed them in between, nothing is stored and Flask checks the answers again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dialogue.core.database import driver_transaction
from dialogue.core.models import Locality, Municipality
from dialogue.extensions import db
from dialogue.questionnaires.answers import Answers
from dialogue.questionnaires.models import Questionnaire, Response
from dialogue.questionnaires.services import StaleSnapshot, response_job, write_job
from tests.conftest import count
from tests.questionnaires.helpers import URL, demo_questions, start
from tests.questionnaires.test_fastpath import complete, served


def behind_the_cache(app, sql: str, **params) -> None:
    """Change the database as another process would: this process's copies stay as they were."""
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text(sql), params)


def close_elsewhere(app) -> None:
    behind_the_cache(app, "UPDATE questionnaire SET state = 'closed', version = version + 1")


@pytest.mark.parametrize("through_writer", [False, True])
def test_a_questionnaire_closed_by_another_process_stores_nothing(app, client, municipality, through_writer,
                                                                   request):
    if through_writer:
        request.getfixturevalue("writer_process")
    data = complete(app, start(client))  # the page loaded this process's copies
    close_elsewhere(app)
    response = client.post(URL, data=data)
    assert response.status_code == 200 and "is closed" in response.get_data(as_text=True)
    assert served(app) == 0 and count(app, Response) == 0


def test_a_locality_archived_by_another_process_is_checked_again(app, client, municipality):
    with app.app_context():
        place = db.session.scalar(sa.select(Locality).where(Locality.archived.is_(False)).order_by(Locality.id))
        place_id = place.id
    q = demo_questions(app)
    locality_question = next(question for question in q if question.type.value == "locality")
    data = complete(app, start(client), **{f"q{locality_question.id}": str(place_id)})
    behind_the_cache(app, "UPDATE locality SET archived = :yes WHERE id = :id", yes=True, id=place_id)
    behind_the_cache(app, "UPDATE municipality SET version = version + 1")
    response = client.post(URL, data=data)
    assert response.status_code == 422  # Flask's error summary: the place is no longer offered
    assert served(app) == 0 and count(app, Response) == 0


def test_an_unchanged_questionnaire_is_served_by_the_fast_path(app, client, municipality):
    data = complete(app, start(client))
    behind_the_cache(app, "UPDATE questionnaire SET version = version")  # a write that changes nothing
    assert client.post(URL, data=data).status_code == 303
    assert served(app) == 1 and count(app, Response) == 1


def _job(app, expected):
    with app.app_context():
        questionnaire = db.session.scalar(sa.select(Questionnaire))
        municipality = db.session.scalar(sa.select(Municipality))
        versions = [questionnaire.version, municipality.id, municipality.version]
        job = response_job(questionnaire.id, [], Answers(), submission_key="k" * 32, language="sv",
                           expected=expected(versions))
    return job


def _write(app, job):
    with app.app_context(), driver_transaction(db.engine) as connection:
        return write_job(connection, db.engine.dialect, job)


def test_write_job_refuses_outdated_versions_and_writes_nothing(app, municipality):
    stale = _job(app, lambda v: [v[0] - 1, v[1], v[2]])
    with pytest.raises(StaleSnapshot):
        _write(app, stale)
    assert count(app, Response) == 0
    with pytest.raises(StaleSnapshot):
        _write(app, _job(app, lambda v: [v[0], v[1], v[2] + 1]))
    assert count(app, Response) == 0


def test_write_job_stores_with_current_versions_and_finds_a_stored_key_after_a_change(app, municipality):
    response_id, new = _write(app, _job(app, lambda v: v))
    assert new and count(app, Response) == 1
    # the writer stored it but its reply was lost; the questionnaire closed before the retry:
    # the retry is told where the stored response is, not that the questionnaire changed
    close_elsewhere(app)
    assert _write(app, _job(app, lambda v: [v[0] - 1, v[1], v[2]])) == (response_id, False)
    assert count(app, Response) == 1


def test_jobs_without_expected_versions_are_not_checked(app, municipality):
    job = _job(app, lambda v: None)
    close_elsewhere(app)
    assert _write(app, job)[1] is True
