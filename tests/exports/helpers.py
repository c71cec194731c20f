"""A small dataset for export tests, made directly with the models: every awkward character on purpose."""

from __future__ import annotations

import io
import re
import time
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree

import sqlalchemy as sa

from dialogue.coding.models import Channel, Coding, Contribution
from dialogue.core.models import Locality
from dialogue.events.models import Registration, RegistrationContact, RegistrationStatus
from dialogue.extensions import db
from dialogue.questionnaires.models import (
    Answer,
    FeedbackContact,
    Question,
    Questionnaire,
    QuestionType,
    Response,
    ResponseChannel,
)
from dialogue.vision.models import NodeKind, Vision, VisionNode

SLUG = "export-test"
NORDIC = "Åsa i Hälleforsnäs: äppel, ö, æble, ø, Ærø"
EMOJI = "Vi 💚 Flen 🚆"
RTL = "مرحبا بكم في فلين"
TRICKY = 'Rad ett\nrad två, med "citat"; och semikolon'
FEEDBACK_EMAIL = "feedback-person@example.se"
SIGNUP_NAME, SIGNUP_EMAIL = "Örjan Æbelø", "orjan@example.dk"


@dataclass
class Built:
    questionnaire_id: int
    question_ids: list[int]
    response_ids: list[int]
    locality_ids: dict[str, int]
    node_ids: list[int]
    vision_id: int
    contribution_ids: list[int]


def _t(sv: str, en: str | None = None) -> dict:
    return {"sv": sv, "da": en or sv, "en": en or sv}


def build(app) -> Built:
    """Three responses to a five-question questionnaire, their contributions, one coded."""
    with app.app_context():
        localities = {loc.name: loc.id for loc in db.session.scalars(sa.select(Locality))}
        questions = [
            Question(position=0, type=QuestionType.long_text, text=_t("Vad är bäst i Flen?", "What is best?")),
            Question(position=1, type=QuestionType.single_choice, allow_other=True, text=_t("Hur reser du?"),
                     options=[{"value": "o1", "label": _t("Till fots", "On foot")},
                              {"value": "o2", "label": _t("Tåg & buss", "Train")}]),
            Question(position=2, type=QuestionType.multiple_choice, text=_t("Vad vill du ha mer av?"),
                     options=[{"value": "a", "label": _t("Kultur")}, {"value": "b", "label": _t("Natur, sjöar")},
                              {"value": "c", "label": _t("=Idrott")}]),
            Question(position=3, type=QuestionType.scale, text=_t("Hur trivs du?")),
            Question(position=4, type=QuestionType.locality, text=_t("Var bor du?")),
        ]
        questionnaire = Questionnaire(slug=SLUG, title=_t("Exportenkät", "Export survey"), questions=questions)
        db.session.add(questionnaire)
        db.session.flush()
        flen, malmkoping = localities["Flen"], localities["Malmköping"]
        rows = [
            # (submitted, channel, locality, group, answers by position)
            (datetime(2026, 3, 1, 9, 30, tzinfo=UTC), ResponseChannel.web, flen, "resident",
             [NORDIC, ("o2", ""), ["a", "b"], 5, flen]),
            (datetime(2026, 3, 15, 23, 30, tzinfo=UTC), ResponseChannel.paper, malmkoping, "young",
             [TRICKY, ("o1", "Cykel, ibland"), ["c"], -2, "elsewhere"]),
            (datetime(2026, 4, 2, 12, 0, tzinfo=UTC), ResponseChannel.web, None, "",
             [EMOJI + " " + RTL, ("other", "Sparkcykel"), [], None, None]),
        ]
        responses = []
        for number, (at, channel, locality, group, answers) in enumerate(rows):
            response = Response(questionnaire_id=questionnaire.id, submission_key=f"export-{number}",
                                submitted_at=at, channel=channel, language="sv", locality_id=locality,
                                respondent_group=group)
            for question, value in zip(questions, answers, strict=True):
                if value is None:
                    continue
                other = ""
                if isinstance(value, tuple):
                    value, other = value
                response.answers.append(Answer(question_id=question.id, value=value, other_text=other))
            db.session.add(response)
            responses.append(response)
        db.session.flush()
        # a feedback address: kept apart, never in any export
        db.session.add(FeedbackContact(questionnaire_id=questionnaire.id, response_id=responses[0].id,
                                       email=FEEDBACK_EMAIL, locale="sv"))

        vision = Vision(slug="export-vision", name=_t("Exportvision"))
        db.session.add(vision)
        db.session.flush()
        root = VisionNode(vision_id=vision.id, kind=NodeKind.vision, title=_t("Flen växer"), position=0)
        db.session.add(root)
        db.session.flush()
        blocks = [VisionNode(vision_id=vision.id, parent_id=root.id, kind=NodeKind.building_block,
                             title=_t(title), position=n) for n, title in enumerate(["Bo och leva", "-Natur"])]
        db.session.add_all(blocks)
        db.session.flush()

        contributions = []
        for response, (at, channel, locality, group, answers) in zip(responses, rows, strict=True):
            answer = next(a for a in response.answers if a.question_id == questions[0].id)
            contributions.append(Contribution(
                channel=Channel.paper if channel == ResponseChannel.paper else Channel.questionnaire,
                text=answers[0], language="sv", locality_id=locality, respondent_group=group, created_at=at,
                answer_id=answer.id, questionnaire_id=questionnaire.id, question_id=questions[0].id))
        contributions.append(Contribution(channel=Channel.workshop, text="@kommunen: fler bänkar", language="sv",
                                          created_at=datetime(2026, 3, 20, 18, 0, tzinfo=UTC), note_kind="idea"))
        db.session.add_all(contributions)
        db.session.flush()
        db.session.add(Coding(contribution_id=contributions[0].id, node_id=blocks[0].id))
        db.session.add(Coding(contribution_id=contributions[0].id, node_id=blocks[1].id))
        db.session.add(Coding(contribution_id=contributions[3].id, node_id=blocks[1].id,
                              removed_at=datetime(2026, 3, 21, tzinfo=UTC)))
        db.session.commit()
        return Built(questionnaire.id, [q.id for q in questions], [r.id for r in responses],
                     localities, [b.id for b in blocks], vision.id, [c.id for c in contributions])


def add_signups(app, event_id: int) -> None:
    with app.app_context():
        registration = Registration(event_id=event_id, status=RegistrationStatus.confirmed, group="young",
                                    pool="all", submission_key="export-signup",
                                    created_at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
        registration.contact = RegistrationContact(name=SIGNUP_NAME, email=SIGNUP_EMAIL)
        db.session.add(registration)
        db.session.commit()


def _unescape(text: str) -> str:
    """OOXML writes control characters as _xHHHH_."""
    return re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def read_xlsx(data: bytes) -> list[list]:
    """The first sheet's cells (strings and numbers) without a spreadsheet library."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        shared = []
        if "xl/sharedStrings.xml" in archive.namelist():
            root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")) for si in root.findall("m:si", ns)]
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    table = []
    for row in sheet.iter(f"{{{ns['m']}}}row"):
        cells: dict[int, object] = {}
        for cell in row.findall("m:c", ns):
            letters = re.match(r"[A-Z]+", cell.get("r")).group()
            column = 0
            for letter in letters:
                column = column * 26 + ord(letter) - 64
            kind = cell.get("t")
            if kind == "inlineStr":
                value = _unescape("".join(t.text or "" for t in cell.iter(f"{{{ns['m']}}}t")))
            elif kind == "s":
                value = _unescape(shared[int(cell.find("m:v", ns).text)])
            else:
                text = cell.find("m:v", ns).text
                value = float(text) if "." in text else int(text)
            cells[column - 1] = value
        table.append([cells.get(i, "") for i in range(max(cells) + 1)] if cells else [])
    return table


def wait_for_job(app, location: str, seconds: float = 60) -> int:
    """The id of the export job at *location* (its page), once its thread has finished it, or failed it."""
    from dialogue.exports import jobs
    from dialogue.exports.models import ExportJob, JobStatus

    job_id = int(location.rstrip("/").rsplit("/", 1)[1])
    deadline = time.monotonic() + seconds
    with app.app_context():
        while time.monotonic() < deadline:
            status = db.session.scalar(sa.select(ExportJob.status).where(ExportJob.id == job_id))
            db.session.rollback()
            if status in (JobStatus.done, JobStatus.failed) and job_id not in jobs._building:
                return job_id  # and its thread has let go of its connections
            time.sleep(0.02)
    raise AssertionError(f"export job {job_id} did not finish in {seconds} s")
