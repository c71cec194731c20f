"""Demo data: Flen's vision process, re-enacted around today with the services the pages use.

Flen ran it from March 2011 to March 2012: a questionnaire ("När är Flens kommun som bäst?", about 200
answers), three open meetings in different localities, two trend seminars, a current-state analysis,
two workshops that named challenges and building blocks, then the vision, written by the executive
board's working committee and adopted by the council. The demo keeps that order, adds the follow-up,
and lays the phases out one after the other on days people could come (`dialogue.demo.timeline`).

*now_in* says which phase today falls in, and everything before today has happened, made by the same
services the pages use: residents answered on the web or on paper (typed in by the organizer), people
signed up and came, organizers typed in what was said, the analyst coded it to the vision's building
blocks, the council adopted the vision. What lies ahead has not happened yet. The default places today
in the questionnaire, which opened a few weeks ago, with every event ahead; ``flask demo load`` shows
the whole cycle, with today in the follow-up.
"""

from __future__ import annotations

import random
import secrets
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from dialogue.coding import services as coding_services
from dialogue.coding import suggest
from dialogue.coding.models import Channel, Coding, Contribution, Suggestion
from dialogue.core import services
from dialogue.core.base import utcnow
from dialogue.core.models import Locality, Municipality, Role, User
from dialogue.demo import answers as answer_texts
from dialogue.demo import notes as note_texts
from dialogue.demo import residents as people
from dialogue.demo import timeline as calendar
from dialogue.demo.timeline import STOCKHOLM, at
from dialogue.events import services as event_services
from dialogue.events.models import Event, EventKind, EventState, RegistrationStatus, SeatQuota
from dialogue.extensions import db
from dialogue.processes import services as process_services
from dialogue.processes.models import Phase, PhaseKind, Process
from dialogue.questionnaires import services as questionnaire_services
from dialogue.questionnaires.answers import Answers
from dialogue.questionnaires.models import ELSEWHERE, Answer, Questionnaire, Response, ResponseChannel
from dialogue.questionnaires.starter import at_its_best
from dialogue.vision import services as vision_services
from dialogue.vision.models import Vision

LOCALITIES = ["Flen", "Malmköping", "Hälleforsnäs", "Sparreholm", "Mellösa", "Bettna", "Vadsbro", "Skebokvarn"]
STAFF = [("admin@flen.example", Role.admin), ("organizer@flen.example", Role.organizer),
         ("analyst@flen.example", Role.analyst)]
SEED = 2011


def _t(sv: str, da: str, en: str) -> dict:
    return {"sv": sv, "da": da, "en": en}


PHASES = {
    PhaseKind.questionnaire: (
        _t("Frågeformulär: När är Flens kommun som bäst?", "Spørgeskema: Hvornår er Flen kommune bedst?",
           "Questionnaire: When is Flen municipality at its best?"),
        _t("Berätta vilka styrkor kommunen har och hur de kan användas när kommunen utvecklas. Svara på webben "
           "eller på papper i biblioteken.",
           "Fortæl hvilke styrker kommunen har, og hvordan de kan bruges, når kommunen udvikles. Svar på nettet "
           "eller på papir på bibliotekerne.",
           "Tell us the municipality's strengths and how they can be used as it develops. Answer on the web or "
           "on paper at the libraries.")),
    PhaseKind.open_meetings: (
        _t("Flens kommuns hjärta: tre öppna möten", "Flen kommunes hjerte: tre åbne møder",
           "The heart of Flen: three open meetings"),
        _t("Kvällsmöten i Flen, Malmköping och Hälleforsnäs, öppna för alla som vill vara med och forma "
           "kommunens framtid.",
           "Aftenmøder i Flen, Malmköping og Hälleforsnäs, åbne for alle, der vil være med til at forme "
           "kommunens fremtid.",
           "Evening meetings in Flen, Malmköping and Hälleforsnäs, open to everyone who wants to shape the "
           "municipality's future.")),
    PhaseKind.seminars: (
        _t("Två öppna omvärldsseminarier", "To åbne seminarer om omverdenen", "Two open trend seminars"),
        _t("Vad förändras i omvärlden, och vad betyder det för oss?",
           "Hvad ændrer sig i verden omkring os, og hvad betyder det for os?",
           "What is changing in the world around us, and what does it mean here?")),
    PhaseKind.analysis: (
        _t("Nulägesanalys", "Analyse af situationen i dag", "Current-state analysis"),
        _t("En beskrivning av kommunen som den är i dag. Allt som sagts hittills läses och sorteras efter tema.",
           "En beskrivelse af kommunen, som den er i dag. Alt, hvad der er sagt indtil nu, læses og sorteres "
           "efter tema.",
           "A description of the municipality as it is today. Everything said so far is read and sorted by "
           "theme.")),
    PhaseKind.workshops: (
        _t("Två visionsworkshoppar", "To visionsworkshops", "Two vision workshops"),
        _t("Unga, föreningsliv och näringsliv möter politiker och ledning och pekar ut utmaningar och byggstenar.",
           "Unge, foreninger og erhvervsliv møder politikere og ledelse og peger på udfordringer og byggesten.",
           "Youth, associations and business meet politicians and management to name challenges and "
           "building blocks.")),
    PhaseKind.drafting: (
        _t("Visionen skrivs", "Visionen skrives", "Writing the vision"),
        _t("Kommunstyrelsens arbetsutskott skriver visionen utifrån byggstenarna.",
           "Økonomiudvalget skriver visionen ud fra byggestenene.",
           "The executive board's working committee writes the vision from the building blocks.")),
    PhaseKind.decision: (
        _t("Beslut i kommunfullmäktige", "Beslutning i kommunalbestyrelsen", "Decision by the municipal council"),
        _t("Kommunstyrelsen föreslår och kommunfullmäktige beslutar om visionen.",
           "Visionen foreslås af økonomiudvalget og vedtages af kommunalbestyrelsen.",
           "The executive board proposes the vision and the council adopts it.")),
    PhaseKind.follow_up: (
        _t("Uppföljning: visionen i vardagen", "Opfølgning: visionen i hverdagen",
           "Follow-up: the vision in everyday work"),
        _t("Nämnderna bryter ner visionen i mål och följer upp dem. Du får veta vad dialogen ledde till.",
           "Udvalgene omsætter visionen til mål og følger op på dem. Du får at vide, hvad dialogen førte til.",
           "Committees turn the vision into goals and follow them up. You hear what came of the dialogue.")),
}

_MEETING = _t("Kom och berätta vad som gör kommunen bra och vad som behöver bli bättre. Fika finns.",
              "Kom og fortæl, hvad der gør kommunen god, og hvad der skal blive bedre. Der er kaffe.",
              "Come and tell us what makes the municipality good and what must improve. Coffee is served.")
_SEMINAR = _t("Föredrag och samtal om förändringar i omvärlden och vad de betyder för kommunen.",
              "Oplæg og samtale om forandringer i verden omkring os, og hvad de betyder for kommunen.",
              "Talks and conversation on changes in the world around us and what they mean here.")
_WORKSHOP = _t("Unga, föreningsliv och näringsliv möter kommunstyrelsen och ledningen för att peka ut "
               "utmaningar och byggstenar för visionen.",
               "Unge, foreninger og erhvervsliv møder politikere og ledelse for at finde udfordringer og byggesten "
               "til visionen.",
               "Youth, associations and business meet the executive board and management to name the "
               "challenges and building blocks of the vision.")
_STEP_FREE = _t("Entré utan trappsteg och hörslinga.", "Indgang uden trin og teleslynge.",
                "Step-free entrance and a hearing loop.")


def _meeting(place: str, venue: str, address: str) -> dict:
    return {"title": _t(f"Flens kommuns hjärta – öppet möte i {place}", f"Flen kommunes hjerte – åbent møde i {place}",
                        f"The heart of Flen – open meeting in {place}"),
            "description": _MEETING, "locality": place, "venue": venue, "address": address, "capacity": None}


def _seminar(title: dict) -> dict:
    return {"title": title, "description": _SEMINAR, "locality": "Flen", "venue": "Flens kommunhus, sessionssalen",
            "address": "Stationsgatan 1", "capacity": 80}


def _workshop(n: int) -> dict:
    return {"title": _t(f"Visionsworkshop {n}", f"Visionsworkshop {n}", f"Vision workshop {n}"),
            "description": _WORKSHOP, "locality": "Sparreholm", "venue": "Sparreholms slott, konferensen",
            "address": "Sparreholm", "capacity": 30, "quotas": {"young": 10, "association": 10, "business": 10}}


#: what each event of the timeline is, by its key
EVENTS = {
    "meeting-flen": _meeting("Flen", "Flens bibliotek", "Storgatan 30"),
    "meeting-malmkoping": _meeting("Malmköping", "Malmahed", "Kungsgatan 2"),
    "meeting-halleforsnas": _meeting("Hälleforsnäs", "Folkets hus", "Bruksgatan 4"),
    "seminar-population": _seminar(_t("Omvärldsseminarium: befolkning och bostäder",
                                      "Seminar om omverdenen: befolkning og boliger",
                                      "Trend seminar: population and housing")),
    "seminar-work": _seminar(_t("Omvärldsseminarium: arbete och kommunikationer",
                                "Seminar om omverdenen: arbejde og transport", "Trend seminar: jobs and transport")),
    "workshop-1": _workshop(1),
    "workshop-2": _workshop(2),
}
CHANNELS = {EventKind.open_meeting: Channel.open_meeting, EventKind.seminar: Channel.seminar,
            EventKind.workshop: Channel.workshop}

# what the analyst writes in the note field now and then
CODING_NOTES = ["Tas med i nulägesanalysen.", "Jämför med det öppna mötet i Hälleforsnäs.",
                "Bra citat till workshoppen.", "Handlar också om kollektivtrafiken.",
                "Återkommer ofta från de mindre orterna.", "Oklart, läs igen."]


class _Story:
    """What the demo made and what it needs later: the staff, when now is, and where each text came from."""

    def __init__(self, today: date, now: datetime, timeline: calendar.Timeline, rng: random.Random) -> None:
        self.today, self.now, self.timeline, self.rng = today, now, timeline, rng
        self.staff: dict[Role, User] = {}
        self.localities: dict[str, int] = {}
        #: contribution id -> the answer as it was written (its pieces, and where each stands in the text)
        self.written: dict[int, people.Written] = {}
        #: contribution id -> the note as it was written
        self.noted: dict[int, people.Piece] = {}

    def past(self, moment: datetime) -> bool:
        return moment < self.now


def load(today: date | None = None, sample_responses: int = 200,
         now_in: PhaseKind = PhaseKind.questionnaire) -> list[tuple[str, str, str]]:
    """Create the demo municipality, staff, process, questionnaire, events and vision, with today in
    the phase *now_in* and everything before today done; *sample_responses* residents have answered.

    Returns (email, role, password) of the demo staff.
    """
    local_today = datetime.now(STOCKHOLM).date()
    today = today or local_today
    now = utcnow() if today == local_today else at(today, 12).astimezone(UTC)
    story = _Story(today, now, calendar.around(today, now_in), random.Random(SEED))

    municipality = Municipality(
        name="Flens kommun", default_locale="sv", timezone="Europe/Stockholm",
        contact_email="kommun@flen.example", contact_phone="0157-43 00 00",
        postal_address="Flens kommun, 642 81 Flen", website="https://www.flen.se",
    )
    db.session.add(municipality)
    services.set_localities(municipality, LOCALITIES)
    story.localities = {loc.name: loc.id for loc in db.session.scalars(sa.select(Locality))}
    accounts = []
    for email, role in STAFF:
        password = secrets.token_urlsafe(12)
        story.staff[role] = services.create_user(email, password, role)
        accounts.append((email, role.value, password))

    process = _process(story)
    questionnaire = _questionnaire(story, process)
    _responses(story, questionnaire, sample_responses)
    for key, event in _events(story, process):
        _attendance(story, event)
        _notes(story, key, event)
    vision = vision_services.import_vision((vision_services.SEEDS / "flen.yaml").read_text(encoding="utf-8"))
    vision.published = True
    vision.adopted_on = story.timeline.adopted_on if story.timeline.adopted_on <= today else None
    # the suggestions the analyst saw while coding: from the blocks' own words, which costs milliseconds
    suggest.update_suggestions(vision)
    if _code(story, vision):
        suggest.update_suggestions(vision)
    from dialogue.reports import services as report_services

    report_services.load_demo()
    from dialogue.steering import demo as steering_demo

    steering_demo.link_process(process.id, "flen-vision-2019")
    # what the daily `events purge` would have done by now
    event_services.purge_personal_data(now, current_app.config["SIGNUP_RETENTION_DAYS"])
    db.session.flush()
    return accounts


# -- the process and its questionnaire ----------------------------------------------------------------------

def _process(story: _Story) -> Process:
    """The process and its phases, saved as an organizer saves them, then published."""
    timeline = story.timeline
    process = process_services.save_process(
        Process(), slug="vision-flen",
        title=_t("Vision för Flens kommun – Sörmlands hjärta", "Vision for Flen kommune – Sörmlands hjerte",
                 "A vision for Flen – the heart of Sörmland"),
        summary=_t(
            "Vi skriver kommunens vision tillsammans med dig som bor och verkar här. Svara på frågeformuläret, "
            "kom till ett öppet möte i din ort och följ arbetet fram till beslut. "
            "(Demo: samma upplägg som Flen använde mars 2011 – mars 2012.)",
            "Vi skriver kommunens vision sammen med dig, der bor og arbejder her. Besvar spørgeskemaet, kom til "
            "et åbent møde i din by, og følg arbejdet frem til beslutningen. "
            "(Demo: samme forløb som Flen brugte marts 2011 – marts 2012.)",
            "We are writing the municipality's vision together with the people who live and work here. Answer "
            "the questionnaire, come to an open meeting near you and follow the work until the decision. "
            "(Demo: the same steps Flen took from March 2011 to March 2012.)"),
        starts_on=timeline.start, ends_on=timeline.end)
    for kind, first, last in timeline.phases:
        title, description = PHASES[kind]
        process_services.save_phase(process, Phase(), kind=kind, title=title, description=description,
                                    starts_on=first, ends_on=last)
    process.published = True
    db.session.flush()
    return process


def _questionnaire(story: _Story, process: Process) -> Questionnaire:
    """Flen's questionnaire from the ready-made one, open from the process's first day to its phase's last."""
    first, last = story.timeline.phase(PhaseKind.questionnaire)
    questionnaire = at_its_best("Flens kommun", "nar-ar-flens-kommun-som-bast")
    questionnaire.process_id = process.id
    questionnaire.closes_at = at(last, 23, 59)
    questionnaire.created_at = at(first - timedelta(days=12), 10, 15)
    db.session.add(questionnaire)
    db.session.flush()
    questionnaire_services.open_questionnaire(questionnaire)
    if last < story.today:
        questionnaire_services.close_questionnaire(questionnaire)
    return questionnaire


# -- answers -------------------------------------------------------------------------------------------------

# when residents answer on the web: evenings most, lunch some, now and then at night
HOURS = {0: 1, 6: 1, 7: 3, 8: 3, 9: 2, 10: 2, 11: 3, 12: 6, 13: 4, 14: 2, 15: 2, 16: 3, 17: 4, 18: 6, 19: 9, 20: 11,
         21: 10, 22: 7, 23: 3}


def _answer_days(story: _Story) -> list[date]:
    first, last = story.timeline.phase(PhaseKind.questionnaire)
    return [first + timedelta(days=n) for n in range((min(last + timedelta(days=1), story.today) - first).days)]


def _web_moments(story: _Story, count: int) -> list[datetime]:
    """When *count* residents answered: many in the first week, again after the reminder in the local paper
    five weeks in, and in the last days."""
    rng = story.rng
    days = _answer_days(story)
    if not days:
        return []
    first, last = story.timeline.phase(PhaseKind.questionnaire)
    weights = []
    for day in days:
        n, left = (day - first).days, (last - day).days
        weight = 1 + 5 * 0.8 ** n + (3 * 0.75 ** (n - 35) if n >= 35 else 0) + (1.5 if left < 6 else 0)
        weights.append(weight * (1.25 if day.weekday() >= 5 else 1))
    moments = []
    for day in rng.choices(days, weights=weights, k=count):
        hour = rng.choices(list(HOURS), weights=list(HOURS.values()))[0]
        moments.append(at(day, hour, rng.randrange(60)) + timedelta(seconds=rng.randrange(60)))
    return moments


def _paper_moments(story: _Story, count: int) -> list[datetime]:
    """Paper answers from the libraries, typed in by the organizer in batches on weekday mornings."""
    first, _last = story.timeline.phase(PhaseKind.questionnaire)
    days = [day for day in _answer_days(story) if (day - first).days in range(10, 90) and day.weekday() < 5
            and calendar.free_day(day)]
    batches = [days[n] for n in range(0, len(days), 16)][:5] if days else []
    moments = []
    for n in range(count if batches else 0):
        batch = batches[min(n * len(batches) // count, len(batches) - 1)]
        moments.append(at(batch, 9, 5) + timedelta(minutes=4 * n + story.rng.randrange(3)))
    return moments


def _responses(story: _Story, questionnaire: Questionnaire, count: int) -> None:
    """*count* residents' answers, stored as the questionnaire pages and the paper form store them."""
    if not count:
        return
    rng = story.rng
    languages = ["da"] * round(count * 0.025) + ["en"] * round(count * 0.03)
    residents = [people.draw_resident(rng, languages[n] if n < len(languages) else "sv") for n in range(count)]
    rng.shuffle(residents)
    paper = [r for r in residents if r.paper]
    moments = _paper_moments(story, len(paper))
    for resident in paper[len(moments):]:
        resident.paper = False  # nothing typed in yet: on the web instead
    web = [r for r in residents if not r.paper]
    web_moments = _web_moments(story, len(web))
    order = sorted(zip(moments + web_moments, paper[:len(moments)] + web[:len(web_moments)], strict=True),
                   key=lambda pair: pair[0])
    writer = people.Writer(rng)
    questions = questionnaire.questions
    texts = questions[:4]
    submitted: dict[int, datetime] = {}
    written: dict[tuple[int, int], people.Written] = {}
    for n, (moment, resident) in enumerate(order):
        values: dict = {}
        answers = writer.answers(resident)
        for question, answer in zip(texts, answers, strict=True):
            if answer is not None:
                values[question.id] = answer.text
        values[questions[4].id] = (str(story.localities[resident.locality]) if resident.locality else ELSEWHERE)
        values[questions[5].id] = resident.age_band
        values[questions[6].id] = resident.group
        stored = questionnaire_services.store_response(
            questionnaire, questions, Answers(values=values), submission_key=f"demo-{n}",
            language=resident.language,
            channel=ResponseChannel.paper if resident.paper else ResponseChannel.web,
            entered_by_id=story.staff[Role.organizer].id if resident.paper else None)
        submitted[stored.response_id] = moment
        for question, answer in zip(texts, answers, strict=True):
            if answer is not None:
                written[(stored.response_id, question.id)] = answer
    # the answers came in over the weeks, not all at once: their moments, on the response and its texts
    db.session.execute(sa.update(Response), [{"id": rid, "submitted_at": at_} for rid, at_ in submitted.items()])
    rows = db.session.execute(sa.select(Contribution.id, Answer.response_id, Contribution.question_id)
                              .join(Answer, Answer.id == Contribution.answer_id)
                              .where(Contribution.questionnaire_id == questionnaire.id)).all()
    db.session.execute(sa.update(Contribution), [{"id": cid, "created_at": submitted[rid]} for cid, rid, _q in rows])
    for cid, rid, question_id in rows:
        story.written[cid] = written[(rid, question_id)]


# -- events ---------------------------------------------------------------------------------------------------

def _events(story: _Story, process: Process) -> list[tuple[str, Event]]:
    """The process's seven events, scheduled and published as an organizer does; with their keys."""
    events = []
    for slot in story.timeline.events:
        what = EVENTS[slot.key]
        event = Event(kind=slot.kind, state=EventState.draft, process_id=process.id, title=what["title"],
                      description=what["description"], locality_id=story.localities.get(what["locality"]),
                      venue=what["venue"], address=what["address"], accessibility=_STEP_FREE, language="sv",
                      starts_at=slot.starts_at, ends_at=slot.ends_at, capacity=what["capacity"], sequence=0)
        event.quotas = [SeatQuota(group=group, seats=seats) for group, seats in what.get("quotas", {}).items()]
        # the demo's organizer runs them all, so the door lists show names when signed in as the organizer
        event.staff = [story.staff[Role.organizer]]
        db.session.add(event)
        db.session.flush()
        event_services.publish(event)
        # announced with the process
        event.created_at = event.updated_at = at(story.timeline.start, 10)
        events.append((slot.key, event))
    return events


def _attendance(story: _Story, event: Event) -> None:
    """Sign-ups in the weeks before the event, a few cancellations, and at the door check-ins and walk-ins.

    Open meetings need no sign-up. Only what happened before now is done: an event ahead has no sign-ups
    yet, so the first a visitor makes is the first.
    """
    if event.capacity is None or not story.past(event.starts_at - timedelta(days=28)):
        return
    rng = story.rng
    if event.kind == EventKind.workshop:
        # invited representatives; one more association than it has seats for
        groups = ["young"] * rng.randint(8, 10) + ["association"] * rng.randint(11, 12) + ["business"] * 10
    else:
        groups = [rng.choices(["other", "association", "business"], weights=[8, 1, 1])[0]
                  for _n in range(rng.randint(34, 52))]
    rng.shuffle(groups)
    window = (event.starts_at - timedelta(hours=4)) - (event.starts_at - timedelta(days=28))
    moments = sorted(event.starts_at - timedelta(days=28) + window * (rng.random() ** 0.6) for _g in groups)
    signed = []
    for n, (group, moment) in enumerate(zip(groups, moments, strict=True)):
        if not story.past(moment):
            break
        name, email = people.signer(rng, n)
        needs = [need for need, share in (("food", 0.12), ("access", 0.04), ("interpreter", 0.01))
                 if rng.random() < share]
        registration, _token = event_services.register(
            event, group=group, name=name, email=email, needs=needs, needs_note="", locale="sv",
            submission_key=f"demo-{event.id}-{n}")
        registration.created_at = moment
        signed.append((registration, moment))
    for registration, moment in signed:
        cancelled = moment + (event.starts_at - moment) * rng.random()
        if rng.random() < 0.07 and story.past(cancelled):
            event_services.cancel_registration(registration)
    db.session.flush()
    if not story.past(event.ends_at):
        return
    for registration, _moment in signed:
        db.session.refresh(registration)
        if registration.status == RegistrationStatus.confirmed and rng.random() < 0.88:
            event_services.check_in(registration)
            registration.checked_in_at = event.starts_at - timedelta(minutes=rng.randrange(-5, 25))
    for n in range(rng.randint(1, 4) if event.kind == EventKind.seminar else 0):
        name, _email = people.signer(rng, 100 + n)
        registration, _token = event_services.register(
            event, group="other", name=name, email="", needs=[], needs_note="", locale="sv",
            submission_key=f"demo-{event.id}-door-{n}", walk_in=True)
        registration.created_at = registration.checked_in_at = event.starts_at + timedelta(minutes=rng.randrange(15))
    db.session.flush()


def _notes(story: _Story, key: str, event: Event) -> None:
    """What was said, typed in by the organizer the next working day, as the notes page stores it."""
    if not story.past(event.ends_at + timedelta(days=1)):
        return
    pieces = people.parse(note_texts.NOTES[key])
    day = event.ends_at.astimezone(STOCKHOLM).date() + timedelta(days=1)
    while day.weekday() >= 5 or not calendar.free_day(day):
        day += timedelta(days=1)
    typed = at(day, 9, 30)
    if not story.past(typed + timedelta(minutes=3 * len(pieces))):
        return
    coding_services.add_contributions([{
        "channel": CHANNELS[event.kind], "text": piece.text, "language": event.language,
        "locality_id": story.localities[next(iter(piece.places))] if piece.places else event.locality_id,
        "respondent_group": piece.group, "created_at": typed + timedelta(minutes=3 * n, seconds=n),
        "event_id": event.id, "note_kind": piece.kind or "statement",
        "entered_by_id": story.staff[Role.organizer].id} for n, piece in enumerate(pieces)])
    by_text = {piece.text: piece for piece in pieces}
    for cid, text in db.session.execute(sa.select(Contribution.id, Contribution.text)
                                        .where(Contribution.event_id == event.id)):
        story.noted[cid] = by_text[text]


# -- coding ---------------------------------------------------------------------------------------------------

def _working_moment(day: date, rng: random.Random) -> datetime:
    while day.weekday() >= 5 or not calendar.free_day(day):
        day += timedelta(days=1)
    return at(day, rng.randint(8, 15), rng.randrange(60))


def _code(story: _Story, vision: Vision) -> int:
    """The analyst codes what came in to the building blocks, as the coding workspace does; returns how many.

    What came before the workshops is coded during the current-state analysis, oldest first, about three
    in four (the rest wait in the queue); the workshops' notes in the days after each workshop. Texts
    that speak to no block stay uncoded. Now and then the analyst confirms a suggestion, codes a part of a
    longer answer rather than the whole, and marks a text fit to quote publicly.
    """
    rng, analyst = story.rng, story.staff[Role.analyst]
    nodes = {node.title["sv"]: node.id for node in coding_services.codable_nodes(vision)}
    block_ids = {key: next(i for title, i in nodes.items() if title.startswith(prefix))
                 for key, prefix in answer_texts.BLOCKS.items()}
    suggested: dict[int, set[int]] = {}
    for cid, node_id in db.session.execute(sa.select(Suggestion.contribution_id, Suggestion.node_id)):
        suggested.setdefault(cid, set()).add(node_id)
    contributions = db.session.scalars(sa.select(Contribution).options(selectinload(Contribution.codings))
                                       .order_by(Contribution.id)).all()
    first, last = story.timeline.phase(PhaseKind.analysis)
    before = {c.id: n for n, c in enumerate(c for c in contributions if c.channel != Channel.workshop)}
    quoted: dict[str, int] = {}
    quotes: set[str] = set()
    coded_at: dict[int, datetime] = {}
    for contribution in contributions:
        if contribution.channel == Channel.workshop:
            event = db.session.get(Event, contribution.event_id)
            when = _working_moment(event.ends_at.astimezone(STOCKHOLM).date() + timedelta(days=rng.randint(1, 4)),
                                   rng)
            skip = 0.05
        else:
            share = before[contribution.id] / len(before)
            when = _working_moment(first + timedelta(days=int(share * 0.85 * (last - first).days)), rng)
            skip = 0.25 if contribution.channel in (Channel.questionnaire, Channel.paper) else 0.08
        written, noted = story.written.get(contribution.id), story.noted.get(contribution.id)
        blocks = written.blocks if written else set(noted.blocks) if noted else set()
        if not blocks or rng.random() < skip or not story.past(when):
            continue
        chosen = {block_ids[key] for key in blocks}
        confirmed = chosen & suggested.get(contribution.id, set()) if rng.random() < 0.6 else set()
        note = rng.choice(CODING_NOTES) if rng.random() < 0.05 else ""
        parts = written.parts if written else []
        if len({piece.blocks for piece, _s, _e in parts}) > 1 and rng.random() < 0.35:
            # a longer answer about several things: each block coded on the words that speak to it
            done: set[int] = set()
            for piece, start, end in parts:
                for key in sorted(piece.blocks):
                    node_id = block_ids[key]
                    if node_id not in done:
                        coding_services.code_excerpt(contribution, node_id, start, end, analyst,
                                                     from_suggestion=node_id in confirmed)
                        done.add(node_id)
            contribution.coding_note = note
        else:
            coding_services.set_codes(contribution, chosen, analyst, note, from_suggestion=confirmed)
        coded_at[contribution.id] = when
        quotable = written.quotable if written else noted.quotable
        if quotable and contribution.text not in quotes and all(quoted.get(key, 0) < 4 for key in blocks):
            contribution.publishable = True
            quotes.add(contribution.text)
            for key in blocks:
                quoted[key] = quoted.get(key, 0) + 1
    # coded then, not now
    rows = db.session.execute(sa.select(Coding.id, Coding.contribution_id)
                              .where(Coding.contribution_id.in_(list(coded_at)))).all() if coded_at else []
    if rows:
        db.session.execute(sa.update(Coding), [{"id": i, "created_at": coded_at[cid]} for i, cid in rows])
    db.session.flush()
    return len(coded_at)
