"""Reading and checking a resident's answers.

The response form is built from the questions at request time. It is not a WTForms form: answering is
the hot path, and a plain pass over the posted fields is several times cheaper while giving the same
checks and messages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from dialogue.core.respondents import AGE_BANDS, GROUPS
from dialogue.i18n import _, tr
from dialogue.questionnaires.models import ELSEWHERE, Question, QuestionType

SHORT_TEXT_MAX = 500
LONG_TEXT_MAX = 10_000
OTHER = "other"
# C0/C1 control characters other than tab and newlines, and the Unicode non-characters
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


@dataclass
class Answers:
    """What a resident typed, question by question, and what is wrong with it."""

    values: dict[int, object] = field(default_factory=dict)
    other: dict[int, str] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)

    def value(self, question: Question):
        return self.values.get(question.id)

    def chosen(self, question: Question) -> list[str]:
        return as_list(self.values.get(question.id))


def field_name(question: Question) -> str:
    return f"q{question.id}"


def clean_text(raw: str) -> str:
    return unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _text(raw: str, limit: int) -> tuple[str, str | None]:
    text = clean_text(raw)
    if _CONTROL.search(text):
        return text, _("Remove the invisible control characters from the text.")
    if len(text) > limit:
        return text, _("Shorten the text to at most %(limit)s characters (now %(count)s).",
                       limit=f"{limit:,}".replace(",", "\u00a0"), count=len(text))
    return text, None


def read(form: MultiDict, questions: list[Question], locality_ids: set[int]) -> Answers:
    """Read every question's field from *form*; check each one that has a value."""
    answers = Answers()
    for question in questions:
        name = field_name(question)
        kind = question.type
        error = None
        value: object = None
        if kind.is_text:
            value, error = _text(form.get(name, ""), SHORT_TEXT_MAX if kind == QuestionType.short_text
                                 else LONG_TEXT_MAX)
            value = value or None
        elif kind == QuestionType.multiple_choice:
            chosen = [v for v in dict.fromkeys(form.getlist(name)) if v]
            allowed = _option_values(question)
            if any(v not in allowed for v in chosen):
                error = _("Choose among the options shown.")
            value = chosen or None
        elif kind == QuestionType.scale:
            raw = form.get(name, "").strip()
            if raw:
                if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= question.scale_max:
                    value = int(raw)
                else:
                    error = _("Choose a number from 1 to %(max)s.", max=question.scale_max)
                    value = raw
        else:
            raw = form.get(name, "").strip()
            if raw:
                value = raw
                if raw not in _allowed(question, locality_ids):
                    error = _("Choose one of the options shown.")
        if question.allow_other and OTHER in as_list(value):
            other, other_error = _text(form.get(f"{name}_other", ""), SHORT_TEXT_MAX)
            answers.other[question.id] = other
            if other_error:
                error = error or other_error
            elif not other:
                error = error or _("Write what you mean by “other”, or untick it.")
        if error is None and value is None and question.required:
            error = (_("Write an answer to this question.") if kind.is_text
                     else _("Choose an answer to this question."))
        if value is not None:
            answers.values[question.id] = value
        if error:
            answers.errors[question.id] = error
    return answers


def as_list(value) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _option_values(question: Question) -> set[str]:
    values = {str(o["value"]) for o in question.options}
    if question.allow_other:
        values.add(OTHER)
    return values


def _allowed(question: Question, locality_ids: set[int]) -> set[str]:
    kind = question.type
    if kind == QuestionType.single_choice:
        return _option_values(question)
    if kind == QuestionType.locality:
        return {str(i) for i in locality_ids} | {ELSEWHERE}
    if kind == QuestionType.age_band:
        return set(AGE_BANDS)
    if kind == QuestionType.group:
        return set(GROUPS)
    return set()


def paginate(questions: list[Question]) -> list[list[Question]]:
    """The visible questions in pages, in order; staff number pages freely, residents see 1..n."""
    pages: dict[int, list[Question]] = {}
    for question in questions:
        if not question.hidden:
            pages.setdefault(question.page, []).append(question)
    return [pages[number] for number in sorted(pages)] or [[]]


def choices_for(question: Question, localities) -> list[tuple[str, str]]:
    """(value, label) of each choice, labels in the reader's language; "Other" is added by the template."""
    kind = question.type
    if kind == QuestionType.locality:
        return [(str(loc.id), loc.name) for loc in localities] + [(ELSEWHERE, _("Elsewhere"))]
    if kind == QuestionType.age_band:
        return [(value, str(label)) for value, label in AGE_BANDS.items()]
    if kind == QuestionType.group:
        return [(value, str(label)) for value, label in GROUPS.items()]
    return [(str(o["value"]), tr(o["label"])) for o in question.options]


def describe_answer(question: Question, answers: Answers, localities) -> str | None:
    """The answer as words, for the resident's own overview; None when unanswered."""
    chosen = answers.chosen(question)
    if not chosen:
        return None
    if question.type.is_text:
        return str(answers.value(question))
    if question.type == QuestionType.scale:
        return f"{chosen[0]} / {question.scale_max}"
    labels = dict(choices_for(question, localities))
    words = [labels.get(value, value) for value in chosen if value != OTHER]
    if OTHER in chosen:
        words.append(_("Other: %(text)s", text=answers.other.get(question.id, "")))
    return ", ".join(words)
