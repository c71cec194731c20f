"""The evaluation set for the suggestions, and the figures the bench computes on it."""

from __future__ import annotations

import random

import pytest

from dialogue.demo import residents
from tests.coding import evaluation


@pytest.mark.parametrize(("language", "least", "blocks"), [("sv", 100, 9), ("da", 40, 3), ("en", 40, 4)])
def test_the_evaluation_set_is_labelled_split_and_apart_from_the_demo(language, least, blocks):
    evalset = evaluation.load(language)
    assert len(evalset.answers) >= least and len(evalset.blocks) == blocks
    texts = [text for text, _language, _labels in evalset.answers]
    assert len(set(texts)) == len(texts)
    demo_texts = set(residents.every_text())
    assert not demo_texts & set(texts)
    assert all(labels and labels <= set(range(blocks)) for _text, _language, labels in evalset.answers)
    # the halves alternate per first block, so each block is split evenly
    for block in range(blocks):
        halves = [half for half, first in zip(evalset.halves, evalset.first, strict=True) if first == block]
        assert abs(halves.count("tune") - halves.count("report")) <= 1
    lengths = sorted(len(text.split()) for text in texts)
    assert lengths[0] <= 10 and lengths[-1] >= 20  # short and long, as residents write
    if language == "sv":
        assert lengths[0] <= 3 and lengths[-1] >= 80


def test_codes_are_drawn_per_block_from_the_rows_given():
    evalset = evaluation.load("sv")
    tune = evaluation.EvalSet.half(evalset, "tune")
    drawn = evaluation.draw_codes(evalset, tune, 4, random.Random(1))
    assert set(drawn) <= set(tune) and len(drawn) == len(set(drawn)) == 4 * 9
    assert sorted(evalset.first[i] for i in drawn) == sorted(list(range(9)) * 4)


def test_codes_to_reach_a_level_read_between_batches():
    curve = evaluation.Curve(codes=[0, 9, 18, 27], arrival=[0.5, 0.6, 0.7, 0.8], uncertain=[0.5, 0.7, 0.75, 0.9])
    assert curve.codes_to_reach(curve.uncertain, 0.8) == pytest.approx(18 + 9 * (0.05 / 0.15))
    assert curve.codes_to_reach(curve.uncertain, 0.5) == 0
    assert curve.codes_to_reach(curve.arrival, 0.95) is None


def test_the_old_keyword_overlap_and_the_blocks_own_words_on_a_few_answers_counted_by_hand():
    evalset = evaluation.load("sv")
    # three answers about schools whose words stand in the block's title, and one that shares none
    evalset.answers = [("Skolorna i byarna behöver fler lärare.", "sv", {4}),
                       ("Skolor med hög kvalitet, tack!", "sv", {4}),
                       ("Skolan är bra.", "sv", {4}),
                       ("Fler lärare och mindre klasser.", "sv", {4})]
    evalset.halves = ["report"] * 4
    evalset.first = [4] * 4
    before = evaluation.keyword_overlap(evalset, [0, 1, 2, 3])
    # the old lists know "skol" (from "Skolor"): the first three; "lärare" means nothing to them
    assert (before.at_1, before.at_3, before.tested) == (0.75, 0.75, 4)
    zero = evaluation.zero_shot(evalset, [0, 1, 2])
    assert zero.at_1 == 1.0 and zero.at_3 == 1.0
