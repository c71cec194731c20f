"""The demo: Flen's whole cycle, made with the pages' services, on dates that make sense together."""

from __future__ import annotations

import html
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from dialogue import demo
from dialogue.coding import trace
from dialogue.coding.models import Channel, Coding, Contribution
from dialogue.demo import timeline
from dialogue.demo.timeline import STOCKHOLM
from dialogue.events.models import Event, EventKind, Registration, RegistrationContact, RegistrationStatus
from dialogue.extensions import db
from dialogue.processes.models import PhaseKind, Process
from dialogue.questionnaires.models import Questionnaire, Response, ResponseChannel, State
from dialogue.vision.models import NodeKind, Vision
from tests.coding import evaluation

ORDER = [PhaseKind.questionnaire, PhaseKind.open_meetings, PhaseKind.seminars, PhaseKind.analysis,
         PhaseKind.workshops, PhaseKind.drafting, PhaseKind.decision, PhaseKind.follow_up]


def local(moment: datetime) -> datetime:
    return moment.astimezone(STOCKHOLM)


@pytest.fixture
def cycle(app):
    """The demo as `flask demo load` makes it: the whole cycle, today in the follow-up."""
    with app.app_context():
        demo.load(now_in=PhaseKind.follow_up)
        db.session.commit()
    return app


def test_the_full_demo_is_a_whole_cycle(cycle):
    today = datetime.now(STOCKHOLM).date()
    with cycle.app_context():
        process = db.session.scalar(sa.select(Process))
        phases = {phase.kind: phase for phase in process.phases}
        _phases_follow_each_other(process, today)
        _events_fall_on_days_people_can_come(phases)
        _residents_answered_in_their_own_words(phases)
        _every_channel_was_heard_and_coded(phases)
        _the_vision_was_adopted_after_the_workshops(phases, today)
        _sign_ups_came_before_and_their_names_are_gone(today)
    _public_pages_show_what_was_heard(cycle)


def _phases_follow_each_other(process: Process, today: date) -> None:
    assert [phase.kind for phase in process.phases] == ORDER
    for before, after in zip(process.phases, process.phases[1:], strict=False):
        assert before.starts_on <= before.ends_on < after.starts_on, (before.kind, after.kind)
        assert after.starts_on == before.ends_on + timedelta(days=1)
    assert (process.starts_on, process.ends_on) == (process.phases[0].starts_on, process.phases[-1].ends_on)
    assert process.current_phase(today).kind == PhaseKind.follow_up
    questionnaire = db.session.scalar(sa.select(Questionnaire))
    assert questionnaire.state == State.closed
    assert local(questionnaire.closes_at).date() == process.phases[0].ends_on


def _events_fall_on_days_people_can_come(phases) -> None:
    events = db.session.scalars(sa.select(Event).order_by(Event.starts_at)).all()
    kinds = [event.kind for event in events]
    assert kinds == [EventKind.open_meeting] * 3 + [EventKind.seminar] * 2 + [EventKind.workshop] * 2
    phase_of = {EventKind.open_meeting: phases[PhaseKind.open_meetings], EventKind.seminar: phases[PhaseKind.seminars],
                EventKind.workshop: phases[PhaseKind.workshops]}
    for event in events:
        starts, ends = local(event.starts_at), local(event.ends_at)
        phase = phase_of[event.kind]
        assert phase.starts_on <= starts.date() <= phase.ends_on, event.title["sv"]
        assert starts.date() == ends.date() and starts < ends
        # neither a public holiday nor its eve, nor the summer or Christmas holidays
        assert timeline.free_day(starts.date()), starts
        assert starts.month != 7 and (starts.month, starts.day) not in {(12, 24), (12, 31), (1, 1), (6, 6)}
    meetings, seminars, workshops = events[:3], events[3:5], events[5:]
    # three weekday evenings, each in another locality
    assert len({event.locality_id for event in meetings}) == 3
    for event in meetings + seminars:
        assert local(event.starts_at).weekday() in range(4) and local(event.starts_at).hour >= 18, event.title["sv"]
    assert [local(e.starts_at).strftime("%a %H:%M") for e in workshops] == ["Thu 13:00", "Sat 10:00"]


def _residents_answered_in_their_own_words(phases) -> None:
    responses = db.session.scalars(sa.select(Response)).all()
    assert len(responses) == 200  # Flen received about 200 answers
    questionnaire = phases[PhaseKind.questionnaire]
    assert all(questionnaire.starts_on <= local(r.submitted_at).date() <= questionnaire.ends_on for r in responses)
    assert {r.channel for r in responses} == {ResponseChannel.web, ResponseChannel.paper}
    assert {r.language for r in responses} == {"sv", "da", "en"}
    assert sum(r.language == "sv" for r in responses) > 180
    assert len({r.locality_id for r in responses}) == 9  # the eight localities, and elsewhere
    assert len({r.age_band for r in responses}) >= 6 and len({r.respondent_group for r in responses}) >= 5
    texts = db.session.scalars(sa.select(Contribution.text).where(Contribution.answer_id.is_not(None))).all()
    assert len(texts) > 400
    assert len(set(texts)) > 0.85 * len(texts)  # different people write differently
    lengths = sorted(len(text) for text in texts)
    assert lengths[0] < 15 and lengths[-1] > 200
    # the evaluation set of the suggestions stays apart from the demo
    for language in ("sv", "da", "en"):
        assert not {text for text, _l, _b in evaluation.load(language).answers} & set(texts)


def _every_channel_was_heard_and_coded(phases) -> None:
    total = dict(db.session.execute(sa.select(Contribution.channel, sa.func.count())
                                    .group_by(Contribution.channel)).all())
    assert set(total) == set(Channel)
    coded = sa.exists().where(Coding.contribution_id == Contribution.id, Coding.removed_at.is_(None))
    done = dict(db.session.execute(sa.select(Contribution.channel, sa.func.count()).where(coded)
                                   .group_by(Contribution.channel)).all())
    assert set(done) == set(Channel)
    share = sum(done.values()) / sum(total.values())
    assert 0.6 < share < 0.95, share  # a good share coded, some left in the queue
    codes = db.session.scalars(sa.select(Coding)).all()
    assert any(c.from_suggestion for c in codes) and any(c.excerpt_start is not None for c in codes)
    analysis, workshops = phases[PhaseKind.analysis], phases[PhaseKind.workshops]
    assert all(analysis.starts_on <= local(c.created_at).date() <= workshops.ends_on for c in codes)
    notes = db.session.execute(sa.select(Contribution.created_at, Event.ends_at, Contribution.note_kind)
                               .join(Event, Event.id == Contribution.event_id)).all()
    assert notes and all(created > ended for created, ended, _kind in notes)
    assert {kind for _c, _e, kind in notes} == {"statement", "idea", "challenge", "building_block"}


def _the_vision_was_adopted_after_the_workshops(phases, today: date) -> None:
    vision = db.session.scalar(sa.select(Vision).where(Vision.slug == "flen-vision-2019"))
    last_workshop = db.session.scalar(sa.select(sa.func.max(Event.ends_at)).where(Event.kind == EventKind.workshop))
    decision = phases[PhaseKind.decision]
    assert local(last_workshop).date() < decision.starts_on <= vision.adopted_on <= decision.ends_on < today
    assert vision.adopted_on.weekday() == 3  # the council meets on Thursdays


def _sign_ups_came_before_and_their_names_are_gone(today: date) -> None:
    rows = db.session.execute(sa.select(Registration, Event).join(Event, Event.id == Registration.event_id)).all()
    assert {event.kind for _r, event in rows} == {EventKind.seminar, EventKind.workshop}
    assert all(r.created_at <= e.starts_at + timedelta(minutes=20) for r, e in rows)
    assert sum(r.status == RegistrationStatus.attended for r, _e in rows) > 60
    assert any(r.status == RegistrationStatus.cancelled for r, _e in rows)
    # every event ended more than the retention time ago: the daily purge has deleted the names
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RegistrationContact)) == 0
    assert all(e.purged_at is not None for _r, e in rows)


def _public_pages_show_what_was_heard(app) -> None:
    with app.app_context():
        vision = db.session.scalar(sa.select(Vision).where(Vision.slug == "flen-vision-2019"))
        counts = trace.counts_behind(vision)
        blocks = [node for node in vision.nodes if node.kind == NodeKind.building_block]
        assert all(counts[block.id]["total"] > 0 for block in blocks)
        quotes = {block.id: trace.strongest_quotes(block, publishable_only=True) for block in blocks}
        assert all(quotes.values()), "every building block has a quote an analyst marked publishable"
        quote = next(iter(quotes.values()))[0].text
    client = app.test_client()
    heard = client.get("/vision/flen-vision-2019/what-we-heard?lang=sv")
    assert heard.status_code == 200 and html.escape(quote, quote=False) in heard.get_data(as_text=True)
    page = client.get("/vision/flen-vision-2019?lang=en").get_data(as_text=True)
    assert "Adopted" in page and "contributions behind it: Questionnaire (web)" in page


@pytest.mark.parametrize("now_in", list(PhaseKind))
def test_today_falls_in_the_phase_asked_for_all_year_round(now_in):
    for day in range(0, 366, 122):
        today = date(2027, 1, 3) + timedelta(days=day)
        plan = timeline.around(today, now_in)
        first, last = plan.phase(now_in)
        assert first <= today <= last
        assert all(timeline.free_day(slot.starts_at.date()) for slot in plan.events)
        assert plan.phases[-1][2] == plan.end and plan.adopted_on > plan.slot("workshop-2").starts_at.date()
