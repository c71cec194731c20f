"""The ready-made questionnaire "När är kommunen som bäst?" that staff can start from."""

from __future__ import annotations

from dialogue.questionnaires.models import Question, Questionnaire, QuestionType


def _t(sv: str, da: str, en: str) -> dict:
    return {"sv": sv, "da": da, "en": en}


def at_its_best(municipality: str, slug: str) -> Questionnaire:
    """A questionnaire on the municipality's strengths, in the shape Flen used in 2011."""
    questionnaire = Questionnaire(
        slug=slug,
        title=_t(f"När är {municipality} som bäst?", f"Hvornår er {municipality} bedst?",
                 f"When is {municipality} at its best?"),
        intro=_t(
            "Vi vill veta vad du tycker är kommunens styrkor och hur de kan användas när kommunen "
            "utvecklas. Dina svar blir underlag när visionen skrivs. Det tar ungefär fem minuter.",
            "Vi vil gerne vide, hvad du synes er kommunens styrker, og hvordan de kan bruges, når "
            "kommunen udvikles. Dine svar bliver brugt, når visionen skrives. Det tager cirka fem minutter.",
            "We want to know what you think the municipality's strengths are and how they can be used "
            "as it develops. Your answers will be used when the vision is written. It takes about five minutes.",
        ),
        next_steps=_t(
            "Alla svar läses och sorteras efter tema. De blir underlag till workshopparna där "
            "utmaningar och byggstenar för visionen tas fram.",
            "Alle svar bliver læst og sorteret efter tema. De bruges i de workshops, hvor udfordringer "
            "og byggesten til visionen findes.",
            "Every answer is read and sorted by theme. The answers feed the workshops where the "
            "challenges and building blocks of the vision are named.",
        ),
    )
    questionnaire.questions = [
        Question(position=0, page=1, type=QuestionType.long_text, required=True,
                 text=_t("Vilka är kommunens största styrkor?", "Hvad er kommunens største styrker?",
                         "What are the municipality's greatest strengths?")),
        Question(position=1, page=1, type=QuestionType.long_text,
                 text=_t("När är kommunen som bäst? Berätta om ett tillfälle.",
                         "Hvornår er kommunen bedst? Fortæl om en situation.",
                         "When is the municipality at its best? Tell us about a moment."),
                 help=_t("Det kan vara något du själv varit med om.", "Det kan være noget, du selv har oplevet.",
                         "It can be something you experienced yourself.")),
        Question(position=2, page=2, type=QuestionType.long_text,
                 text=_t("Hur kan styrkorna användas när kommunen utvecklas?",
                         "Hvordan kan styrkerne bruges, når kommunen udvikles?",
                         "How can the strengths be used as the municipality develops?")),
        Question(position=3, page=2, type=QuestionType.long_text,
                 text=_t("Vad behöver förändras?", "Hvad skal ændres?", "What needs to change?")),
        Question(position=4, page=3, type=QuestionType.locality,
                 text=_t("Var bor du?", "Hvor bor du?", "Where do you live?")),
        Question(position=5, page=3, type=QuestionType.age_band,
                 text=_t("Hur gammal är du?", "Hvor gammel er du?", "How old are you?")),
        Question(position=6, page=3, type=QuestionType.group,
                 text=_t("Vem svarar?", "Hvem svarer?", "Who is answering?")),
    ]
    return questionnaire
