"""Several submissions stored in one statement per table (services.write_jobs, the writer's batches):
the same rows as one at a time, one response per key, and one bad submission does not sink the others."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from dialogue.coding.models import Channel, Contribution
from dialogue.core.base import utcnow
from dialogue.core.database import driver_transaction
from dialogue.core.models import Locality
from dialogue.extensions import db
from dialogue.questionnaires import writer
from dialogue.questionnaires.answers import Answers
from dialogue.questionnaires.models import Answer, FeedbackContact, Questionnaire, Response, ResponseChannel
from dialogue.questionnaires.services import response_job, write_jobs
from tests.conftest import count
from tests.questionnaires.helpers import demo_questions


def make_job(app, texts=("Forests and lakes", "Trains"), email="", expected=None) -> dict:
    """A job answering the first and fourth demo questions (free text) and the age band."""
    q = demo_questions(app)
    values = {q[0].id: texts[0], q[3].id: texts[1], q[5].id: "30-44"}
    with app.test_request_context():
        questionnaire_id = db.session.scalar(sa.select(Questionnaire.id))
        return response_job(questionnaire_id, q, Answers(values=values), submission_key=secrets.token_urlsafe(24),
                            language="sv", feedback_email=email, expected=expected)


def stored_rows(app) -> list[tuple]:
    """Each response's key, answers and contributions, without ids and times."""
    with app.app_context():
        rows = []
        for response in db.session.scalars(sa.select(Response).order_by(Response.submission_key)):
            answers = sorted((a.question_id, a.value) for a in
                             db.session.scalars(sa.select(Answer).where(Answer.response_id == response.id)))
            texts = sorted(db.session.scalars(
                sa.select(Contribution.text).join(Answer, Contribution.answer_id == Answer.id)
                .where(Answer.response_id == response.id)))
            rows.append((response.submission_key, response.age_band, answers, texts))
        return rows


def write(app, jobs):
    with app.app_context(), driver_transaction(db.engine) as connection:
        return write_jobs(connection, db.engine.dialect, jobs)


def test_a_batch_stores_the_same_rows_as_one_at_a_time(app, municipality):
    jobs = [make_job(app, (f"Skogen {n}", f"Sjön {n}"), email=f"a{n}@example.se" if n % 2 else "") for n in range(5)]
    for job in jobs:
        write(app, [job])
    one_by_one = stored_rows(app)
    assert len(one_by_one) == 5 and count(app, FeedbackContact) == 2
    with app.app_context():
        for table in (FeedbackContact, Contribution, Answer, Response):
            db.session.execute(sa.delete(table))
        db.session.commit()
    results = write(app, jobs)
    assert [new for _id, new in results] == [True] * 5
    assert stored_rows(app) == one_by_one
    assert count(app, FeedbackContact) == 2


def test_jobs_sharing_a_key_store_one_response(app, municipality):
    job = make_job(app)
    results = write(app, [job, dict(job), make_job(app)])
    assert results[0][1] is True and results[1] == (results[0][0], False) and results[2][1] is True
    assert count(app, Response) == 2 and count(app, Contribution) == 4
    assert write(app, [job]) == [(results[0][0], False)]  # a retry later finds it


def test_a_stale_job_stores_nothing_and_the_others_are_stored(app, municipality):
    with app.app_context():
        version = db.session.scalar(sa.select(Questionnaire.version))
        municipality_row = db.session.execute(sa.text("SELECT id, version FROM municipality")).one()
    current = [version, municipality_row[0], municipality_row[1]]
    results = write(app, [make_job(app, expected=current), make_job(app, expected=[version - 1, *current[1:]]),
                          make_job(app)])
    assert results[1] is None and results[0][1] is True and results[2][1] is True
    assert count(app, Response) == 2


def test_one_bad_submission_in_a_batch_does_not_sink_the_others(app, municipality):
    good, bad, also_good = make_job(app), make_job(app), make_job(app)
    bad["answers"] = [[2**40, "no such question", "", True]]  # refused by the foreign key
    with app.app_context():
        replies = writer._write_batch(db.engine, [good, bad, also_good])
    assert replies[1] is None  # its worker stores it itself, or shows its error page
    assert replies[0][1] is True and replies[2][1] is True
    assert {row[0] for row in stored_rows(app)} == {good["submission_key"], also_good["submission_key"]}


def test_contributions_carry_the_response_profile_and_the_exact_text(app, municipality):
    with app.app_context():
        place = db.session.scalar(sa.select(Locality.id).order_by(Locality.id))
    texts = ("Sjön 🌊 och \u05e9\u05dc\u05d5\u05dd", "Tåget\u00a0— “snabbt”")
    web, paper = make_job(app, texts), make_job(app, texts[::-1])
    paper["channel"], paper["edit_token_hash"] = ResponseChannel.paper.value, None
    for job in (web, paper):
        job["profile"].update(locality_id=place, respondent_group="business")
    before = utcnow()
    (web_id, _), (paper_id, _) = write(app, [web, paper])
    q = demo_questions(app)
    with app.app_context():
        rows = db.session.scalars(sa.select(Contribution).order_by(Contribution.id)).all()
        answer_ids = {(a.response_id, a.question_id): a.id for a in db.session.scalars(sa.select(Answer))}
        got = [(c.channel, c.text, c.language, c.locality_id, c.respondent_group, c.answer_id, c.questionnaire_id,
                c.question_id, c.hidden, c.note_kind, c.coding_note, c.publishable, c.event_id, c.entered_by_id)
               for c in rows]
        assert all(before <= c.created_at <= utcnow() for c in rows)
        questionnaire_id = db.session.scalar(sa.select(Questionnaire.id))
    expected = [(channel, text, "sv", place, "business", answer_ids[response_id, question.id], questionnaire_id,
                 question.id, False, "", "", False, None, None)
                for response_id, channel, pair in ((web_id, Channel.questionnaire, texts),
                                                   (paper_id, Channel.paper, texts[::-1]))
                for question, text in zip((q[0], q[3]), pair, strict=True)]
    assert got == expected
