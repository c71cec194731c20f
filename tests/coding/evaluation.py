"""The evaluation set for the suggestions (tests/coding/data/eval_*.yaml) and the figures computed on it.

Each file names a template in dialogue/vision/seeds/ and the kind of node its answers are labelled to; its
blocks are described from the seed as the app would describe them (own title and text in every language,
the nodes around them more lightly). The answers are split in two fixed halves, alternately per first
block in file order: "tune" chooses settings, "report" gives every figure that is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from dialogue.coding.learn import Block

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
