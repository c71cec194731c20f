"""The evaluation set for the suggestions (tests/coding/data/eval_*.yaml) and the figures computed on it.

Each file names a template in dialogue/vision/seeds/ and the kind of node its answers are labelled to; its
blocks are described from the seed as the app would describe them (own title and text in every language,
the nodes around them more lightly). The answers are split in two fixed halves, alternately per first
block in file order: "tune" chooses settings, "report" gives every figure that is reported.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

from dialogue.coding import learn
from dialogue.coding.learn import Block, wilson

DATA = Path(__file__).parent / "data"
SEEDS = Path(__file__).resolve().parents[2] / "dialogue" / "vision" / "seeds"
LANGUAGES = ("sv", "da", "en")


@dataclass
class EvalSet:
    language: str
    template: str
    blocks: list[Block]
    names: list[str]
    #: (text, language, {block index, ...}) in file order
    answers: list[tuple[str, str, set[int]]]
    #: "tune" or "report" per answer
    halves: list[str]
    #: the block each answer is mostly about (listed first)
    first: list[int]

    def half(self, name: str) -> list[int]:
        return [i for i, half in enumerate(self.halves) if half == name]


def _texts(node: dict) -> list[tuple[str, str]]:
    return [(str(text), lang) for part in (node.get("title") or {}, node.get("text") or {})
            for lang, text in part.items()]


def describe(nodes: list[dict], kinds: set[str]) -> list[tuple[dict, list[tuple[str, str]]]]:
    """The seed's nodes of *kinds* in tree order, each with the words around it (ancestors, descendants)."""
    found: list[tuple[dict, list[tuple[str, str]]]] = []

    def below(node: dict) -> list[tuple[str, str]]:
        texts = []
        for child in node.get("children") or []:
            texts += _texts(child) + below(child)
        return texts

    def walk(level: list[dict], above: list[tuple[str, str]]) -> None:
        for node in level:
            if node["kind"] in kinds:
                found.append((node, above + below(node)))
            walk(node.get("children") or [], above + _texts(node))

    walk(nodes, [])
    return found


def load(language: str) -> EvalSet:
    data = yaml.safe_load((DATA / f"eval_{language}.yaml").read_text(encoding="utf-8"))
    seed = yaml.safe_load((SEEDS / f"{data['template']}.yaml").read_text(encoding="utf-8"))
    kinds = set(data.get("kinds") or ["building_block", "challenge"])
    described = describe(seed["nodes"], kinds)
    index_of_title = {}
    blocks = []
    for n, (node, around) in enumerate(described):
        for title in node["title"].values():
            index_of_title[title] = n
        blocks.append(Block(id=n, own=_texts(node), around=around))
    names = [""] * len(blocks)
    key_index = {}
    for key, title in data["blocks"].items():
        key_index[key] = index_of_title[title]
        names[index_of_title[title]] = key
    answers, halves, first, seen = [], [], [], {}
    for answer in data["answers"]:
        labels = [key_index[key] for key in answer["blocks"]]
        answers.append((answer["text"], data["language"], set(labels)))
        count = seen.get(labels[0], 0)
        seen[labels[0]] = count + 1
        halves.append("tune" if count % 2 == 0 else "report")
        first.append(labels[0])
    return EvalSet(language=data["language"], template=data["template"], blocks=blocks, names=names,
                   answers=answers, halves=halves, first=first)


def draw_codes(evalset: EvalSet, rows: list[int], n: int, rng) -> list[int]:
    """*n* answers per block (by first block, fewer where there are fewer), drawn from *rows*."""
    by_block: dict[int, list[int]] = {}
    for i in rows:
        by_block.setdefault(evalset.first[i], []).append(i)
    drawn = []
    for block in sorted(by_block):
        drawn += rng.sample(by_block[block], min(n, len(by_block[block])))
    return drawn


# -- the figures ------------------------------------------------------------------------------------------

@dataclass
class Hits:
    """hit@1 and hit@3 as shares; with draws, the mean over them, else one measurement."""

    at_1: float
    at_3: float
    #: contributions measured (per draw)
    tested: int
    draws: int = 1
    #: the lowest and highest hit@3 over the draws
    spread_at_3: tuple[float, float] | None = None
    #: draws in which the model (not the titles) was shown
    model_draws: int = 0

    def interval(self, share: float) -> tuple[float, float]:
        """The Wilson 95 % interval of a share measured on `tested` contributions."""
        return wilson(round(share * self.tested), self.tested)


def _documents(evalset: EvalSet) -> list[tuple[str, str]]:
    return [(text, language) for text, language, _labels in evalset.answers]


def _shares(tops, evalset: EvalSet, rows: list[int], empty=None) -> tuple[float, float]:
    ranked = [[] if empty is not None and empty[i] else list(tops[i]) for i in rows]
    truths = [evalset.answers[i][2] for i in rows]
    return learn.hits(ranked, truths, 1) / len(rows), learn.hits(ranked, truths, 3) / len(rows)


def keyword_overlap(evalset: EvalSet, rows: list[int]) -> Hits:
    """The keyword lists that suggested before the blocks' own words did (issue #16's starting point)."""
    stemmer = learn.Stemmer(evalset.language)
    keywords = _OldKeywords(evalset.blocks, stemmer)
    tops = {i: keywords.top(stemmer.words(evalset.answers[i][0], evalset.answers[i][1])) for i in rows}
    truths = [evalset.answers[i][2] for i in rows]
    ranked = [tops[i] for i in rows]
    return Hits(learn.hits(ranked, truths, 1) / len(rows), learn.hits(ranked, truths, 3) / len(rows), len(rows))


def zero_shot(evalset: EvalSet, rows: list[int]) -> Hits:
    """The blocks' own words, sharpened by every answer's text (no label is used), measured on *rows*."""
    outcome = learn.suggest(_documents(evalset), evalset.blocks, {}, learn.Stemmer(evalset.language), min_coded=10)
    return Hits(*_shares(outcome.tops, evalset, rows, outcome.empty), len(rows))


def with_codes(evalset: EvalSet, n: int, draws: int = 20, seed: int = 16, min_coded: int = 10) -> Hits:
    """*n* codes per block drawn from the tune half, as an analyst's confirmed codes, and the app's whole way
    of suggesting (cross-validation, the model only when it beats the titles) measured on the report half;
    the mean over *draws* draws."""
    tune, report = evalset.half("tune"), evalset.half("report")
    documents = _documents(evalset)
    stemmer = learn.Stemmer(evalset.language)
    at_1, at_3, models = [], [], 0
    for draw in range(draws):
        coded = draw_codes(evalset, tune, n, random.Random(seed * 1000 + draw))
        outcome = learn.suggest(documents, evalset.blocks, {i: evalset.answers[i][2] for i in coded}, stemmer,
                                min_coded=min_coded)
        first, three = _shares(outcome.tops, evalset, report, outcome.empty)
        at_1.append(first)
        at_3.append(three)
        models += outcome.source == "model"
    return Hits(sum(at_1) / draws, sum(at_3) / draws, len(report), draws, (min(at_3), max(at_3)), models)


@dataclass
class Curve:
    """hit@3 on the report half after each batch of codes, coding the tune half in some order."""

    codes: list[int]
    arrival: list[float]
    uncertain: list[float]

    def codes_to_reach(self, curve: list[float], level: float) -> float | None:
        """The number of codes at which *curve* first reaches *level*, read linearly between batches."""
        points = list(zip(self.codes, curve, strict=True))
        for (before, low), (after, high) in zip([(None, None)] + points[:-1], points, strict=True):
            if high >= level - 1e-9:
                if before is None or high == low:
                    return float(after)
                return before + (after - before) * (level - low) / (high - low)
        return None


def margin(likelihoods) -> float:
    """The first suggestion's likelihood less the second's: the queue's "most uncertain first" key."""
    ranked = sorted(likelihoods, reverse=True)
    return ranked[0] - (ranked[1] if len(ranked) > 1 else 0.0)


def coding_order(evalset: EvalSet, batches: int = 8, draws: int = 20, seed: int = 16, share: float = 0.8) -> Curve:
    """Code answers of the tune half a batch at a time (as many codes as blocks in each batch), the
    suggestions computed again after each batch as an analyst would, in arrival order or most uncertain
    first (the smallest margin between the first two suggestions, as the queue orders them), and measure
    hit@3 on the report half after each batch. Each draw takes a random *share* of the tune half as the
    contributions that came in and a random order of arrival; both orders code the same ones. The curve
    is the mean over the draws."""
    tune, report = evalset.half("tune"), evalset.half("report")
    documents = _documents(evalset)
    stemmer = learn.Stemmer(evalset.language)
    steps = [len(evalset.blocks) * b for b in range(batches + 1)]

    def hit3(coded: list[int]):
        outcome = learn.suggest(documents, evalset.blocks, {i: evalset.answers[i][2] for i in coded}, stemmer,
                                min_coded=10)
        return _shares(outcome.tops, evalset, report, outcome.empty)[1], outcome

    arrival = [0.0] * len(steps)
    uncertain = [0.0] * len(steps)
    for draw in range(draws):
        rng = random.Random(seed * 1000 + draw)
        came = rng.sample(tune, round(share * len(tune)))
        coded: list[int] = []
        for s, codes in enumerate(steps):
            arrival[s] += hit3(came[:codes])[0] / draws
            value, outcome = hit3(coded)
            uncertain[s] += value / draws
            if s + 1 < len(steps):
                left = [i for i in came if i not in set(coded)]
                key = {i: margin(outcome.likelihoods[i]) for i in left}
                coded += sorted(left, key=lambda i: (key[i], i))[:steps[s + 1] - codes]
    return Curve(steps, arrival, uncertain)


class _OldKeywords:
    """The keyword overlap of dialogue before issue #16, kept here to measure against: the stemmed words of
    each block's title and text, a word shared by many blocks weighing less, scored by overlap."""

    PART = 4

    def __init__(self, blocks: list[Block], stemmer: learn.Stemmer) -> None:
        from collections import Counter

        words_of = {block.id: {w for text, lang in block.own for w in stemmer.words(text, lang)} for block in blocks}
        spread = Counter(word for words in words_of.values() for word in words)
        self.weights = {b: {w: 1.0 / spread[w] for w in words} for b, words in words_of.items()}
        self.norms = {b: math.sqrt(len(words)) or 1.0 for b, words in words_of.items()}
        self.keywords = sorted({w for words in words_of.values() for w in words})

    def top(self, stems: list[str]) -> list[int]:
        matched = {k for token in set(stems) for k in self.keywords
                   if k == token or (len(k) >= self.PART and (token.startswith(k) or token.endswith(k)))}
        scores = {b: sum(weights[k] for k in matched if k in weights) / self.norms[b]
                  for b, weights in self.weights.items()}
        return [b for b, score in sorted(scores.items(), key=lambda item: (-item[1], item[0])) if score > 0][:3]
