"""Demo data: Flen's vision process, re-enacted with dates around today.

Flen ran it from March 2011 to March 2012. The demo keeps its shape (a questionnaire, three open
meetings, two trend seminars, a current-state analysis, two workshops, writing, decision) but places
it around today, so that the questionnaire is open and the meetings lie ahead.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from dialogue.coding import suggest
from dialogue.core import services
from dialogue.core.models import Locality, Municipality, Role
from dialogue.events import services as event_services
from dialogue.events.models import Event, EventKind, EventState, SeatQuota
from dialogue.extensions import db
from dialogue.processes.models import Phase, PhaseKind, Process
from dialogue.questionnaires.models import State
from dialogue.questionnaires.starter import at_its_best
from dialogue.vision import services as vision_services

LOCALITIES = ["Flen", "Malmköping", "Hälleforsnäs", "Sparreholm", "Mellösa", "Bettna", "Vadsbro", "Skebokvarn"]

# (kind, start offset, end offset in days from the process start, title, description) per language
PHASES = [
    (PhaseKind.questionnaire, 0, 90,
     {"sv": "Frågeformulär: När är Flens kommun som bäst?",
      "da": "Spørgeskema: Hvornår er Flen kommune bedst?",
      "en": "Questionnaire: When is Flen municipality at its best?"},
     {"sv": "Berätta vilka styrkor kommunen har och hur de kan användas när kommunen utvecklas.",
      "da": "Fortæl hvilke styrker kommunen har, og hvordan de kan bruges, når kommunen udvikles.",
      "en": "Tell us the municipality's strengths and how they can be used as it develops."}),
    (PhaseKind.open_meetings, 30, 150,
     {"sv": "Flens kommuns hjärta: tre öppna möten", "da": "Flen kommunes hjerte: tre åbne møder",
      "en": "The heart of Flen: three open meetings"},
     {"sv": "Möten i tre orter, öppna för alla som vill vara med och forma kommunens framtid.",
      "da": "Møder i tre byer, åbne for alle, der vil være med til at forme kommunens fremtid.",
      "en": "Meetings in three localities, open to everyone who wants to shape the municipality's future."}),
    (PhaseKind.seminars, 90, 180,
     {"sv": "Två öppna omvärldsseminarier", "da": "To åbne seminarer om omverdenen",
      "en": "Two open trend seminars"},
     {"sv": "Vad förändras i omvärlden, och vad betyder det för oss?",
      "da": "Hvad ændrer sig i verden omkring os, og hvad betyder det for os?",
      "en": "What is changing in the world around us, and what does it mean here?"}),
    (PhaseKind.analysis, 120, 210,
     {"sv": "Nulägesanalys", "da": "Analyse af situationen i dag", "en": "Current-state analysis"},
     {"sv": "En beskrivning av kommunen som den är i dag.",
      "da": "En beskrivelse af kommunen, som den er i dag.",
      "en": "A description of the municipality as it is today."}),
    (PhaseKind.workshops, 210, 270,
     {"sv": "Två visionsworkshoppar", "da": "To visionsworkshops", "en": "Two vision workshops"},
     {"sv": "Unga, föreningsliv och näringsliv möter politiker och ledning och pekar ut utmaningar och byggstenar.",
      "da": "Unge, foreninger og erhvervsliv møder politikere og ledelse og peger på udfordringer og byggesten.",
      "en": "Youth, associations and business meet politicians and management to name challenges and "
            "building blocks."}),
    (PhaseKind.drafting, 270, 340,
     {"sv": "Visionen skrivs", "da": "Visionen skrives", "en": "Writing the vision"},
     {"sv": "Kommunstyrelsens arbetsutskott skriver visionen utifrån byggstenarna.",
      "da": "Økonomiudvalget skriver visionen ud fra byggestenene.",
      "en": "The executive board's working committee writes the vision from the building blocks."}),
    (PhaseKind.decision, 340, 365,
     {"sv": "Beslut i kommunfullmäktige", "da": "Beslutning i kommunalbestyrelsen",
      "en": "Decision by the municipal council"},
     {"sv": "Kommunstyrelsen föreslår och kommunfullmäktige beslutar om visionen.",
      "da": "Visionen vedtages.",
      "en": "The executive board proposes the vision and the council adopts it."}),
]

STAFF = [("admin@flen.example", Role.admin), ("organizer@flen.example", Role.organizer),
         ("analyst@flen.example", Role.analyst)]


# Short answers in the residents' own voice, written for the demo; combined at random into ~200 responses.
STRENGTHS = [
    "Naturen och alla sjöar", "Närheten till Stockholm och Eskilstuna med tåg", "Föreningslivet",
    "Att man känner varandra", "Slotten och kulturmiljöerna", "Lugnet", "Billiga bostäder",
    "Skolorna i de små orterna", "Fint friluftsliv året runt", "Engagerade eldsjälar",
]
BEST_MOMENTS = [
    "När hela Malmköping fylls av folk på marknaden.", "Midsommar vid sjön, när alla hjälps åt.",
    "När föreningarna ordnar något tillsammans för barnen.", "En vinterdag på isen med familjen.",
    "När nya grannar blir välkomnade av hela byn.", "Kulturnatten i Flen.",
]
USE = [
    "Marknadsför naturen för besökare och nya invånare.", "Satsa på tåget och bättre busstider.",
    "Ge föreningarna lokaler och stöd.", "Bygg fler bostäder nära stationerna.",
    "Låt orterna behålla sin egen karaktär.", "Gör det lättare att starta företag.",
]
CHANGE = [
    "Bättre kollektivtrafik på kvällar och helger.", "Fler jobb på hemmaplan.", "Mer för unga att göra.",
    "Snabbare bredband på landsbygden.", "Tryggare cykelvägar mellan orterna.", "Att kommunen lyssnar mer.",
]


def _responses(questionnaire, today: date, count: int = 200) -> None:
    """About 200 answers, as Flen received, spread over the weeks the questionnaire has been open."""
    import random

    from dialogue.core.respondents import AGE_BANDS, GROUPS
    from dialogue.questionnaires import services as questionnaire_services
    from dialogue.questionnaires.answers import Answers
    from dialogue.questionnaires.models import Response

    rng = random.Random(2011)
    questions = questionnaire.questions
    place_ids = [loc.id for loc in db.session.scalars(sa.select(Locality))]
    texts = [STRENGTHS, BEST_MOMENTS, USE, CHANGE]
    for n in range(count):
        values: dict = {}
        for question, choices in zip(questions[:4], texts, strict=True):
            if question.required or rng.random() < 0.7:
                values[question.id] = rng.choice(choices)
        values[questions[4].id] = str(rng.choice(place_ids)) if rng.random() < 0.9 else "elsewhere"
        values[questions[5].id] = rng.choice(list(AGE_BANDS))
        values[questions[6].id] = rng.choices(list(GROUPS), weights=[8, 2, 2, 2, 1, 1])[0]
        questionnaire_services.store_response(questionnaire, questions, Answers(values=values),
                                              submission_key=f"demo-{n}", language="sv")
    # spread the demo answers over the past month
    for response in db.session.scalars(sa.select(Response)):
        response.submitted_at = datetime.combine(today - timedelta(days=rng.randrange(30)), time(12),
                                                 tzinfo=UTC) + timedelta(minutes=rng.randrange(600))


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo("Europe/Stockholm"))


def _events(process: Process, start: date) -> None:
    """Three open meetings in different localities, two trend seminars, two workshops with seats per group."""
    localities = {loc.name: loc.id for loc in db.session.scalars(sa.select(Locality))}
    meetings = [("Flen", "Flens bibliotek", "Storgatan 30", 40), ("Malmköping", "Malmahed", "Kungsgatan 2", 50),
                ("Hälleforsnäs", "Folkets hus", "Bruksgatan 4", 60)]
    for n, (place, venue, address, offset) in enumerate(meetings):
        event = Event(
            kind=EventKind.open_meeting, state=EventState.published, process_id=process.id,
            title={"sv": f"Flens kommuns hjärta – öppet möte i {place}",
                   "da": f"Flen kommunes hjerte – åbent møde i {place}",
                   "en": f"The heart of Flen – open meeting in {place}"},
            description={"sv": "Kom och berätta vad som gör kommunen bra och vad som behöver bli bättre. Fika finns.",
                         "da": "Kom og fortæl, hvad der gør kommunen god, og hvad der skal blive bedre. Der er kaffe.",
                         "en": "Come and tell us what makes the municipality good and what must improve. "
                               "Coffee is served."},
            locality_id=localities.get(place), venue=venue, address=address,
            accessibility={"sv": "Entré utan trappsteg och hörslinga.", "da": "Indgang uden trin og teleslynge.",
                           "en": "Step-free entrance and a hearing loop."},
            starts_at=_at(start + timedelta(days=offset + 7 * n), 18, 30),
            ends_at=_at(start + timedelta(days=offset + 7 * n), 20, 30), capacity=None)
        db.session.add(event)
    for n, (sv, da, en) in enumerate([
        ("Omvärldsseminarium: befolkning och bostäder", "Seminar om omverdenen: befolkning og boliger",
         "Trend seminar: population and housing"),
        ("Omvärldsseminarium: arbete och kommunikationer", "Seminar om omverdenen: arbejde og transport",
         "Trend seminar: jobs and transport")]):
        day = start + timedelta(days=100 + 21 * n)
        db.session.add(Event(
            kind=EventKind.seminar, state=EventState.published, process_id=process.id,
            title={"sv": sv, "da": da, "en": en},
            description={"sv": "Föredrag och samtal om förändringar i omvärlden och vad de betyder för kommunen.",
                         "da": "Oplæg og samtale om forandringer i verden omkring os, og hvad de betyder for kommunen.",
                         "en": "Talks and conversation on changes in the world around us and what they mean here."},
            locality_id=localities.get("Flen"), venue="Flens kommunhus, sessionssalen", address="Stationsgatan 1",
            starts_at=_at(day, 18), ends_at=_at(day, 20), capacity=80))
    for n in range(2):
        day = start + timedelta(days=215 + 28 * n)
        workshop = Event(
            kind=EventKind.workshop, state=EventState.published, process_id=process.id,
            title={"sv": f"Visionsworkshop {n + 1}", "da": f"Visionsworkshop {n + 1}",
                   "en": f"Vision workshop {n + 1}"},
            description={"sv": "Unga, föreningsliv och näringsliv möter kommunstyrelsen och ledningen för att peka ut "
                               "utmaningar och byggstenar för visionen.",
                         "da": "Unge, foreninger og erhvervsliv møder politikere og ledelse for at finde "
                               "udfordringer og byggesten til visionen.",
                         "en": "Youth, associations and business meet the executive board and management to name "
                               "the challenges and building blocks of the vision."},
            locality_id=localities.get("Sparreholm"), venue="Sparreholms slott, konferensen", address="Sparreholm",
            starts_at=_at(day, 13), ends_at=_at(day, 17), capacity=30)
        workshop.quotas = [SeatQuota(group=g, seats=10) for g in ("young", "association", "business")]
        db.session.add(workshop)
    db.session.flush()
    for event in db.session.scalars(sa.select(Event)):
        event_services.sync_seats(event)


def load(today: date | None = None, sample_responses: int = 200) -> list[tuple[str, str, str]]:
    """Create the demo municipality, process, events and staff, and *sample_responses* answers.

    Returns (email, role, password) of the demo staff.
    """
    today = today or date.today()
    municipality = Municipality(
        name="Flens kommun", default_locale="sv", timezone="Europe/Stockholm",
        contact_email="kommun@flen.example", contact_phone="0157-43 00 00",
        postal_address="Flens kommun, 642 81 Flen", website="https://www.flen.se",
    )
    db.session.add(municipality)
    services.set_localities(municipality, LOCALITIES)

    start = today - timedelta(days=30)
    process = Process(
        slug="vision-flen",
        title={"sv": "Vision för Flens kommun – Sörmlands hjärta",
               "da": "Vision for Flen kommune – Sörmlands hjerte",
               "en": "A vision for Flen – the heart of Sörmland"},
        summary={
            "sv": "Vi skriver kommunens vision tillsammans med dig som bor och verkar här. Svara på "
                  "frågeformuläret, kom till ett öppet möte i din ort och följ arbetet fram till beslut. "
                  "(Demo: samma upplägg som Flen använde mars 2011 – mars 2012.)",
            "da": "Vi skriver kommunens vision sammen med dig, der bor og arbejder her. Besvar spørgeskemaet, "
                  "kom til et åbent møde i din by, og følg arbejdet frem til beslutningen. "
                  "(Demo: samme forløb som Flen brugte marts 2011 – marts 2012.)",
            "en": "We are writing the municipality's vision together with the people who live and work "
                  "here. Answer the questionnaire, come to an open meeting near you and follow the work "
                  "until the decision. (Demo: the same steps Flen took from March 2011 to March 2012.)",
        },
        starts_on=start, ends_on=start + timedelta(days=365), published=True,
    )
    for position, (kind, begin, end, title, description) in enumerate(PHASES):
        process.phases.append(Phase(kind=kind, title=title, description=description, position=position,
                                    starts_on=start + timedelta(days=begin), ends_on=start + timedelta(days=end)))
    db.session.add(process)
    db.session.flush()

    questionnaire = at_its_best("Flens kommun", "nar-ar-flens-kommun-som-bast")
    questionnaire.process_id = process.id
    questionnaire.state = State.open
    questionnaire.closes_at = datetime.combine(start + timedelta(days=90), time(23, 59), tzinfo=UTC)
    db.session.add(questionnaire)

    db.session.flush()
    if sample_responses:
        _responses(questionnaire, today, sample_responses)
    _events(process, start)
    vision = vision_services.import_vision((vision_services.SEEDS / "flen.yaml").read_text(encoding="utf-8"))
    vision.published = True
    # no codes yet: the keyword lists suggest, which costs milliseconds (the model is never loaded here)
    suggest.update_suggestions(vision)
    from dialogue.reports import services as report_services

    report_services.load_demo()
    from dialogue.steering import demo as steering_demo

    steering_demo.link_process(process.id, "flen-vision-2019")

    accounts = []
    for email, role in STAFF:
        password = secrets.token_urlsafe(12)
        services.create_user(email, password, role)
        accounts.append((email, role.value, password))
    db.session.flush()
    return accounts
