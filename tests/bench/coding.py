"""The coding workspace with 100,000 contributions: page times and the time to compute every suggestion.

Targets (issue #5): the coding queue page and a building block page each answer in under 100 ms
(median, server side), and suggestions for all 100,000 contributions are computed in under 60 s,
writing them included.

Steps: a fresh SQLite file (migrated, demo loaded) gets 100,000 contributions in Swedish, English and
Danish from every channel, with words that belong to Flen's building blocks among everyday words, and
an analyst's confirmed codes on about a tenth of them. The app runs in this process (production
settings) and the Flask test client, signed in as the analyst, asks each page REQUESTS times after a
warm-up: no network, so the times are the server's own. Then the suggestions are computed once.

Run alone with ``python -m tests.bench.run coding``; BENCH_CONTRIBUTIONS changes the number.
"""

from __future__ import annotations

import os
import random
import secrets
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.bench.harness import BenchError, log, write_results

NAME = "coding"
NEEDS_WRK = False
REQUESTS = 60
WARMUP = 5
TARGET_MS = 100.0
TARGET_SUGGEST_S = 60.0
PASSWORD = "bench-analyst-password-1"

# Words per building block of Flen's vision (in tree order), per language; residents' everyday words
# around them. Invented for the benchmark: what matters is a realistic vocabulary and length.
THEMES = {
    "sv": [
        "blankett bygglov etjänst handläggning öppettider telefontid krångel svar tillstånd service",
        "stolthet naturen orterna särprägel hembygden kulturarvet bruksorten slotten identitet bygdegården",
        "bostäder hyresrätter lägenheter tåget pendling bussen kollektivtrafiken stationen bredband vägarna",
        "företag näringslivet entreprenörer jobb arbetsplatser industrin handeln upphandling lokaler affärer",
        "skolorna lärarna eleverna betygen undervisningen klassrummen gymnasiet rektorn förskolan läxhjälp",
        "samverkan regionen grannkommunerna utveckling eskilstuna katrineholm projekt samarbete omvärlden",
        "sjöarna landskapet hållbart miljön fisket vattnet klimatet solceller återvinning skogen badplatsen",
        "turisterna besökare gästfritt vandrarhem campingen evenemang marknaden sevärdheter restauranger",
        "grannarna gemenskapen föreningarna omtanke öppenhet ensamhet träffpunkter volontärer eldsjälar",
    ],
    "en": [
        "forms permits eservices handling opening hours phone red tape answers licences service",
        "pride nature villages character heritage mill town castles identity community hall",
        "housing rentals flats train commuting bus public transport station broadband roads",
        "businesses enterprise entrepreneurs jobs workplaces industry shops procurement premises",
        "schools teachers pupils grades teaching classrooms upper secondary headteacher preschool homework",
        "cooperation region neighbouring municipalities development projects partnership world",
        "lakes landscape sustainable environment fishing water climate solar recycling forest beach",
        "tourists visitors hospitable hostel camping events market sights restaurants",
        "neighbours community associations care openness loneliness meeting places volunteers",
    ],
    "da": [
        "blanketter byggetilladelse selvbetjening sagsbehandling åbningstider telefontid bureaukrati svar",
        "stolthed naturen byerne særpræg hjemstavn kulturarv slottene identitet forsamlingshus",
        "boliger lejeboliger lejligheder toget pendling bussen kollektiv trafik stationen bredbånd veje",
        "virksomheder erhvervslivet iværksættere job arbejdspladser industrien handlen lokaler",
        "skolerne lærerne eleverne karakterer undervisningen klasselokaler gymnasiet skolelederen",
        "samarbejde regionen nabokommunerne udvikling projekter partnerskab omverdenen",
        "søerne landskabet bæredygtigt miljøet fiskeri vandet klimaet solceller genbrug skoven",
        "turister besøgende gæstfrit vandrerhjem camping arrangementer markedet seværdigheder",
        "naboerne fællesskabet foreningerne omsorg åbenhed ensomhed mødesteder frivillige ildsjæle",
    ],
}
FILLER = {
    "sv": "jag tycker att vi i kommunen borde satsa mer på det som gör livet bra här och tänka på framtiden "
          "för barnen och de äldre det är viktigt att alla får vara med när något nytt ska göras",
    "en": "i think we in the municipality should invest more in what makes life good here and think of the "
          "future for children and older people it matters that everyone takes part when something new is done",
    "da": "jeg synes at vi i kommunen burde satse mere på det der gør livet godt her og tænke på fremtiden "
          "for børnene og de ældre det er vigtigt at alle er med når noget nyt skal gøres",
}
CHANNELS = [("questionnaire", 60), ("paper", 10), ("open_meeting", 15), ("workshop", 10), ("seminar", 5)]
GROUPS = ["resident", "young", "association", "business", "visitor", ""]


def _text(rng: random.Random, language: str, block: int) -> str:
    theme, filler = THEMES[language][block].split(), FILLER[language].split()
    words = rng.sample(filler, rng.randint(6, 18)) + rng.sample(theme, rng.randint(1, 4))
    if rng.random() < 0.2:  # people wander off the subject
        words.append(rng.choice(THEMES[language][rng.randrange(9)].split()))
    rng.shuffle(words)
    return " ".join(words).capitalize() + "."


def build(app, count: int) -> dict:
    """Migrate, load the demo and add *count* contributions with codes on about a tenth; returns ids used."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from dialogue import demo
    from dialogue.coding.models import Coding, Contribution
    from dialogue.coding.services import codable_nodes
    from dialogue.core import services
    from dialogue.core.models import Locality
    from dialogue.events.models import Event, EventKind
    from dialogue.extensions import db
    from dialogue.questionnaires.models import Question, QuestionType
    from dialogue.vision.models import Vision

    rng = random.Random(100_000)
    with app.app_context():
        upgrade()
        demo.load(sample_responses=0)
        analyst = services.create_user("analyst@bench.example", PASSWORD, "analyst")
        db.session.commit()
        vision = db.session.scalar(sa.select(Vision))
        blocks = [node.id for node in codable_nodes(vision)][:9]
        questions = db.session.execute(sa.select(Question.id, Question.questionnaire_id).where(
            Question.type.in_([QuestionType.long_text, QuestionType.short_text]))).all()
        events = {kind: [e.id for e in db.session.scalars(sa.select(Event).where(Event.kind == kind))]
                  for kind in EventKind}
        places = list(db.session.scalars(sa.select(Locality.id)))
        start = datetime.now(UTC) - timedelta(days=60)
        channel_names, weights = zip(*CHANNELS, strict=True)
        rows, truth = [], []
        for n in range(count):
            language = rng.choices(["sv", "en", "da"], weights=[80, 10, 10])[0]
            block = rng.randrange(9)
            channel = rng.choices(channel_names, weights=weights)[0]
            row = {"channel": channel, "text": _text(rng, language, block), "language": language,
                   "locality_id": rng.choice(places) if rng.random() < 0.85 else None,
                   "respondent_group": rng.choice(GROUPS), "created_at": start + timedelta(seconds=50 * n),
                   "hidden": rng.random() < 0.005, "coding_note": "", "note_kind": "", "publishable": False,
                   "answer_id": None, "questionnaire_id": None, "question_id": None, "event_id": None}
            if channel in ("questionnaire", "paper"):
                row["question_id"], row["questionnaire_id"] = rng.choice(questions)
            else:
                row["event_id"] = rng.choice(events[EventKind(channel)])
            rows.append(row)
            truth.append(block)
        began = time.perf_counter()
        table = Contribution.__table__
        connection = db.session.connection()
        for first in range(0, count, 10_000):
            connection.execute(table.insert(), rows[first:first + 10_000])
        ids = list(db.session.scalars(sa.select(Contribution.id).order_by(Contribution.id)))
        codes = []
        for cid, block in zip(ids, truth, strict=True):
            if rng.random() < 0.10:
                codes.append({"contribution_id": cid, "node_id": blocks[block], "coder_id": analyst.id,
                              "created_at": start, "from_suggestion": False})
                if rng.random() < 0.2:
                    codes.append({"contribution_id": cid, "node_id": blocks[(block + 1) % 9], "coder_id": analyst.id,
                                  "created_at": start, "from_suggestion": False})
        connection.execute(Coding.__table__.insert(), codes)
        db.session.commit()
        log(f"inserted {count} contributions and {len(codes)} codes in {time.perf_counter() - began:.1f} s")
        return {"vision_id": vision.id, "block_id": blocks[4], "locality_id": places[0],
                "contribution_id": ids[count // 2], "codes": len(codes)}


def _login(client) -> None:
    import re

    page = client.get("/staff/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    reply = client.post("/staff/login", data={"csrf_token": token, "email": "analyst@bench.example",
                                              "password": PASSWORD})
    if reply.status_code != 302:
        raise BenchError(f"could not sign in as the analyst (status {reply.status_code})")


def measure(client, url: str) -> dict:
    for _ in range(WARMUP):
        client.get(url)
    times = []
    for _ in range(REQUESTS):
        began = time.perf_counter()
        reply = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        if reply.status_code != 200:
            raise BenchError(f"GET {url} answered {reply.status_code}")
    times.sort()
    return {"median_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(0.95 * len(times)) - 1], 1),
            "requests": REQUESTS}


def run(args) -> int:
    from dialogue import create_app

    count = int(os.environ.get("BENCH_CONTRIBUTIONS", "100000"))
    with tempfile.TemporaryDirectory(prefix="dialogue-bench-coding-") as tmp:
        database = Path(tmp) / "coding.sqlite3"
        app = create_app({"DIALOGUE_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SESSION_COOKIE_SECURE": False,
                          "RATELIMIT_ENABLED": False, "INSTANCE_PATH": tmp})
        facts = build(app, count)
        client = app.test_client()
        _login(client)
        pages = {
            "queue, first page": "/staff/coding/",
            "queue, filtered": f"/staff/coding/?channel=questionnaire&language=sv&locality={facts['locality_id']}",
            "queue, coded": "/staff/coding/?state=coded",
            "workspace, one contribution": f"/staff/coding/{facts['contribution_id']}",
        }
        has_block_page = any(rule.rule == "/staff/coding/blocks/<int:node_id>" for rule in app.url_map.iter_rules())
        if has_block_page:
            pages["building block page"] = f"/staff/coding/blocks/{facts['block_id']}"
        data: dict = {"contributions": count, "codes": facts["codes"], "pages": {}}
        lines = []
        for label, url in pages.items():
            figures = measure(client, url)
            data["pages"][label] = {"url": url, **figures}
            verdict = "OK" if figures["median_ms"] < TARGET_MS else "MISSED"
            lines.append(f"coding {label}: median {figures['median_ms']} ms, p95 {figures['p95_ms']} ms "
                         f"over {REQUESTS} requests with {count} contributions (target median < {TARGET_MS:.0f} ms: "
                         f"{verdict})")
        if not has_block_page:
            lines.append("coding building block page: MISSING (no route /staff/coding/blocks/<node_id> yet)")
        with app.app_context():
            import sqlalchemy as sa

            from dialogue.coding import suggest
            from dialogue.extensions import db
            from dialogue.vision.models import Vision

            vision = db.session.get(Vision, facts["vision_id"])
            began = time.perf_counter()
            result = suggest.update_suggestions(vision)
            db.session.commit()
            seconds = time.perf_counter() - began
            stored = db.session.scalar(sa.text("SELECT count(*) FROM suggestion"))
            data["suggest"] = {"seconds": round(seconds, 1), "source": result.source, "codes": result.codes,
                               "held_out": result.held_out, "precision_at_3": result.precision_at_3,
                               "keyword_precision_at_3": result.keyword_precision_at_3, "stored": stored}
            db.session.remove()
            db.engine.dispose()
        verdict = "OK" if seconds < TARGET_SUGGEST_S else "MISSED"
        lines.append(f"coding suggestions for all {count} contributions: {seconds:.1f} s, {stored} stored, source "
                     f"{result.source} on {result.codes} codes, precision at 3 {result.precision_at_3:.3f} "
                     f"(keywords {result.keyword_precision_at_3:.3f}) on {result.held_out} held out "
                     f"(target < {TARGET_SUGGEST_S:.0f} s: {verdict})")
    for line in lines:
        print(line, flush=True)
    write_results(NAME, lines, data)
    return 0
