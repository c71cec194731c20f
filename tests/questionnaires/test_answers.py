"""Checking answers of every question type, without a database."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from dialogue.questionnaires.answers import Answers, describe_answer, paginate, read
from dialogue.questionnaires.models import Question, QuestionType


@pytest.fixture
def backend() -> str:
    return "sqlite"  # these checks need no database; one engine is enough

OPTIONS = [{"value": "o1", "label": {"sv": "Skog", "en": "Forest"}},
           {"value": "o2", "label": {"sv": "Sjö", "en": "Lake"}}]


def q(id_, type_, **kwargs) -> Question:
    defaults = {"text": {"en": f"Question {id_}"}, "help": {}, "required": False, "options": [],
                "allow_other": False, "scale_max": 5, "page": 1, "hidden": False}
    defaults.update(kwargs)
    return Question(id=id_, type=QuestionType(type_), **defaults)


@pytest.fixture
def ctx(app):
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        yield


def test_every_type_accepts_a_valid_answer(ctx):
    questions = [q(1, "short_text"), q(2, "long_text"), q(3, "single_choice", options=OPTIONS),
                 q(4, "multiple_choice", options=OPTIONS, allow_other=True), q(5, "scale", scale_max=7),
                 q(6, "locality"), q(7, "age_band"), q(8, "group")]
    form = MultiDict([("q1", "  Kort svar \r\n"), ("q2", "Rad 1\r\nRad 2"), ("q3", "o2"), ("q4", "o1"),
                      ("q4", "other"), ("q4_other", "Åsen"), ("q5", "7"), ("q6", "12"), ("q7", "80-"),
                      ("q8", "business")])
    answers = read(form, questions, {12})
    assert answers.errors == {}
    assert answers.values == {1: "Kort svar", 2: "Rad 1\nRad 2", 3: "o2", 4: ["o1", "other"], 5: 7, 6: "12",
                              7: "80-", 8: "business"}
    assert answers.other == {4: "Åsen"}


@pytest.mark.parametrize(("question", "field", "value", "message"), [
    (q(1, "scale"), "q1", "6", "from 1 to 5"),
    (q(1, "scale", scale_max=7), "q1", "x", "from 1 to 7"),
    (q(1, "scale"), "q1", "²", "from 1 to 5"),  # a digit to str.isdigit, not to int()
    (q(1, "scale"), "q1", "٣", "from 1 to 5"),
    (q(1, "locality"), "q1", "¹²", "Choose one of the options"),
    (q(1, "single_choice", options=OPTIONS), "q1", "o9", "Choose one of the options"),
    (q(1, "multiple_choice", options=OPTIONS), "q1", "other", "Choose among the options"),
    (q(1, "locality"), "q1", "99", "Choose one of the options"),
    (q(1, "age_band"), "q1", "1-2", "Choose one of the options"),
    (q(1, "short_text"), "q1", "x" * 501, "at most 500"),
    (q(1, "long_text"), "q1", "bad \x07 bell", "control characters"),
])
def test_bad_values_get_an_error_and_are_kept(ctx, question, field, value, message):
    answers = read(MultiDict([(field, value)]), [question], {12})
    assert message in answers.errors[1]


def test_other_needs_its_text(ctx):
    question = q(1, "single_choice", options=OPTIONS, allow_other=True)
    answers = read(MultiDict([("q1", "other")]), [question], set())
    assert "other" in answers.errors[1]


def test_required_questions(ctx):
    questions = [q(1, "long_text", required=True), q(2, "scale", required=True), q(3, "short_text")]
    answers = read(MultiDict([("q1", "   ")]), questions, set())
    assert set(answers.errors) == {1, 2}
    assert answers.errors[1] == "Write an answer to this question."
    assert answers.errors[2] == "Choose an answer to this question."


def test_elsewhere_is_a_locality(ctx):
    answers = read(MultiDict([("q1", "elsewhere")]), [q(1, "locality")], {3})
    assert answers.values == {1: "elsewhere"}


def test_pages_skip_hidden_questions_and_renumber():
    questions = [q(1, "short_text", page=3), q(2, "short_text", page=7, hidden=True), q(3, "short_text", page=7),
                 q(4, "short_text", page=3)]
    assert [[x.id for x in page] for page in paginate(questions)] == [[1, 4], [3]]
    assert paginate([]) == [[]]


def test_describe_answer(ctx):
    question = q(1, "multiple_choice", options=OPTIONS, allow_other=True)
    answers = Answers(values={1: ["o2", "other"]}, other={1: "Åsen"})
    assert describe_answer(question, answers, []) == "Lake, Other: Åsen"
    assert describe_answer(q(2, "scale"), Answers(values={2: 4}), []) == "4 / 5"
    assert describe_answer(q(3, "short_text"), Answers(), []) is None
