"""Create the benchmark's questionnaire; run with the benchmark's environment:

    python -m tests.bench.fixture OUT.json

Creates (and commits) the open, ten-question, one-page questionnaire ``bench`` in the database that
``DATABASE_URL`` names (migrated, demo loaded), and writes what a client needs to answer it, plus the
settings the app's connections actually run with (SQLite's journal and synchronous, PostgreSQL's
durability settings), to OUT.json.
"""

from __future__ import annotations

import json
import sys

import sqlalchemy as sa

SLUG = "bench"


def _t(sv: str, en: str) -> dict:
    return {"sv": sv, "da": en, "en": en}


def _options(*labels: tuple[str, str]) -> list[dict]:
    return [{"value": f"o{i}", "label": _t(sv, en)} for i, (sv, en) in enumerate(labels, 1)]


def build():
    from dialogue.questionnaires.models import Question, Questionnaire, State
    from dialogue.questionnaires.models import QuestionType as T

    questions = [
        Question(type=T.long_text, required=True,
                 text=_t("Vilka är kommunens största styrkor?", "What are the municipality's greatest strengths?")),
        Question(type=T.long_text, required=True,
                 text=_t("Vad behöver förändras?", "What needs to change?"),
                 help=_t("Skriv så mycket du vill.", "Write as much as you like.")),
        Question(type=T.single_choice, required=True,
                 text=_t("Hur tar du dig oftast till centrum?", "How do you usually get to the centre?"),
                 options=_options(("Till fots", "On foot"), ("Cykel", "Bicycle"), ("Buss eller tåg", "Bus or train"),
                                  ("Bil", "Car"))),
        Question(type=T.long_text,
                 text=_t("När är kommunen som bäst?", "When is the municipality at its best?")),
        Question(type=T.multiple_choice, allow_other=True,
                 text=_t("Vad vill du se mer av?", "What would you like to see more of?"),
                 options=_options(("Kultur", "Culture"), ("Idrott", "Sport"), ("Natur", "Nature"),
                                  ("Företag", "Business"), ("Bostäder", "Housing"))),
        Question(type=T.scale, required=True, scale_max=5,
                 text=_t("Hur trivs du i kommunen?", "How much do you enjoy living here?"),
                 scale_min_label=_t("Inte alls", "Not at all"), scale_max_label=_t("Mycket", "Very much")),
        Question(type=T.single_choice,
                 text=_t("Hur ofta deltar du i föreningslivet?", "How often do you take part in associations?"),
                 options=_options(("Varje vecka", "Every week"), ("Varje månad", "Every month"),
                                  ("Ibland", "Now and then"), ("Aldrig", "Never"))),
        Question(type=T.long_text,
                 text=_t("Vad ska kommunen vara känd för år 2030?",
                         "What should the municipality be known for in 2030?")),
        Question(type=T.short_text,
                 text=_t("Din favoritplats i kommunen", "Your favourite place in the municipality")),
        Question(type=T.locality, required=True, text=_t("Var bor du?", "Where do you live?")),
    ]
    for position, question in enumerate(questions):
        question.position, question.page = position, 1  # all on one page: one POST submits it
    return Questionnaire(slug=SLUG, title=_t("Benchmark: kommunens framtid", "Benchmark: the municipality's future"),
                         intro=_t("Tio frågor på en sida.", "Ten questions on one page."),
                         next_steps=_t("Svaren läses av kommunen.", "The municipality reads the answers."),
                         state=State.open, questions=questions)


def main(out: str) -> None:
    from dialogue.core.services import get_municipality_or_none
    from dialogue.extensions import db
    from wsgi import app

    with app.app_context():
        municipality = get_municipality_or_none()
        if municipality is None:
            raise SystemExit("no municipality: load the demo first (flask --app wsgi demo load)")
        questionnaire = build()
        db.session.add(questionnaire)
        db.session.commit()
        data = {
            "slug": SLUG,
            "questionnaire_id": questionnaire.id,
            "questions": [{"id": q.id, "type": q.type.value, "required": q.required, "allow_other": q.allow_other,
                           "options": [o["value"] for o in q.options], "scale_max": q.scale_max}
                          for q in questionnaire.questions],
            "locality_ids": [loc.id for loc in municipality.active_localities],
        }
        count = db.session.scalar(sa.text("SELECT count(*) FROM question WHERE questionnaire_id = :id"),
                                  {"id": questionnaire.id})
        if count != 10:
            raise SystemExit(f"expected 10 questions, stored {count}")
        # Outside a request every transaction begins IMMEDIATE: end this one before opening another.
        db.session.close()
        # What the app's own connections run with (dialogue/core/database.py sets SQLite's on connect).
        with db.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                data["settings"] = {
                    "journal_mode": connection.exec_driver_sql("PRAGMA journal_mode").scalar(),
                    "synchronous": {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(
                        connection.exec_driver_sql("PRAGMA synchronous").scalar(), "?"),
                }
            else:
                data["settings"] = {name: connection.exec_driver_sql(f"SHOW {name}").scalar()
                                    for name in ("server_version", "fsync", "synchronous_commit",
                                                 "full_page_writes", "max_connections")}
        db.engine.dispose()
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(data, handle)


if __name__ == "__main__":
    main(sys.argv[1])
