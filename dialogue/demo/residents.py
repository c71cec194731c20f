"""The demo's residents: who answers, in which voice and style, and what they write.

A resident is drawn first (locality, age, group, and from those a voice, a way of writing and how much
they have to say); then each answer is put together from the hand-written pieces in
`dialogue.demo.answers` that such a person would write. Longer pieces are dealt from a shuffled deck,
so none comes back before the others have been used; short things ("naturen", "lugnet") come back as
often as residents name them. Everything is drawn from a seeded random generator: the same demo every
time.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from dialogue.demo import answers

#: voices a piece may be kept for; a resident has one at most
VOICES = {"ung", "foralder", "aldre", "foretag", "forening", "pendlare", "inflyttad", "besok", "anstalld"}
KINDS = {"statement", "idea", "challenge", "building_block"}
GROUPS = {"resident", "young", "association", "business", "employee", "visitor"}

# where the answers come from, against about 45 % of the people living in Flen itself: as in many
# dialogues, the villages answer more than their size and the central town less (None: elsewhere)
LOCALITY_WEIGHTS = {"Flen": 28, "Malmköping": 21, "Hälleforsnäs": 13, "Sparreholm": 9, "Mellösa": 7,
                    "Bettna": 7, "Vadsbro": 4, "Skebokvarn": 3, None: 8}
GROUP_WEIGHTS = {"resident": 72, "young": 10, "association": 7, "business": 6, "employee": 5}
ELSEWHERE_GROUPS = {"visitor": 50, "employee": 25, "business": 15, "association": 10}
RESIDENT_AGES = {"20-29": 12, "30-44": 24, "45-64": 34, "65-79": 23, "80-": 7}


@dataclass(frozen=True)
class Piece:
    """A piece of an answer or a note, as written in the pools."""

    text: str
    blocks: frozenset[str]
    voices: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    quotable: bool = False
    #: written casually: only a casual writer writes it
    casual: bool = False
    #: notes only: statement, idea, challenge or building_block; and who said it
    kind: str = ""
    group: str = ""


def parse(pool: str) -> list[Piece]:
    """The pieces of a pool, one a line: ``blocks %voice @Place ~ * | text``."""
    pieces = []
    for line in pool.strip().splitlines():
        meta, _bar, text = line.partition(" | ")
        tokens = meta.split()
        blocks = {t for t in tokens if t in answers.BLOCKS}
        voices = {t[1:] for t in tokens if t.startswith("%") and t[1:] in VOICES}
        groups = [t[1:] for t in tokens if t.startswith("%") and t[1:] in GROUPS]
        kinds = [t for t in tokens if t in KINDS]
        known = blocks | {f"%{v}" for v in voices} | {f"%{g}" for g in groups} | set(kinds) | {"*", "~"}
        unknown = [t for t in tokens if t not in known and not t.startswith("@")]
        if unknown or not text.strip():
            raise ValueError(f"demo text: cannot read {line!r} ({unknown})")
        pieces.append(Piece(text.strip(), frozenset(blocks), frozenset(voices),
                            frozenset(t[1:] for t in tokens if t.startswith("@")), "*" in tokens, "~" in tokens,
                            kinds[0] if kinds else "", groups[0] if groups else ""))
    return pieces


POOLS = {language: [parse(pool) for pool in pools] for language, pools in answers.POOLS.items()}
THINGS, CHANGE_THINGS = (parse(pool) for pool in answers.THINGS)


@dataclass
class Resident:
    language: str
    #: None: lives elsewhere
    locality: str | None
    age_band: str
    group: str
    voice: str | None
    #: tidy, casual, bullets or excited
    style: str
    #: short, medium or long
    length: str
    paper: bool = False


@dataclass
class Written:
    """An answer: its text, and the pieces it was made of with where each stands in the text."""

    text: str
    parts: list[tuple[Piece, int, int]] = field(default_factory=list)

    @property
    def blocks(self) -> set[str]:
        return {block for piece, _start, _end in self.parts for block in piece.blocks}

    @property
    def quotable(self) -> bool:
        """Made of one piece an analyst would quote, written as it was (no casual spelling)."""
        return len(self.parts) == 1 and self.parts[0][0].quotable and self.parts[0][0].text == self.text


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def draw_resident(rng: random.Random, language: str = "sv") -> Resident:
    """One resident: where they live, how old, in which role they answer, and how they write."""
    locality = _weighted(rng, LOCALITY_WEIGHTS)
    if language != "sv":
        # Danes and others from abroad who bought a house in the countryside, or come in the summer
        locality = rng.choice(["Sparreholm", "Vadsbro", "Skebokvarn", "Mellösa", "Flen", None])
    group = _weighted(rng, ELSEWHERE_GROUPS if locality is None else GROUP_WEIGHTS)
    if group == "young":
        age, voice = _weighted(rng, {"0-15": 35, "16-19": 55, "20-29": 10}), "ung"
    elif group == "resident":
        age = _weighted(rng, RESIDENT_AGES)
        voice = _weighted(rng, {
            "20-29": {"pendlare": 30, "inflyttad": 20, None: 50},
            "30-44": {"foralder": 45, "pendlare": 20, "inflyttad": 15, None: 20},
            "45-64": {"foralder": 15, "pendlare": 25, "inflyttad": 10, None: 50},
        }.get(age, {"aldre": 75, None: 25}))
    else:
        age = _weighted(rng, {"20-29": 10, "30-44": 30, "45-64": 40, "65-79": 20 if group != "employee" else 0})
        voice = {"association": "forening", "business": "foretag", "employee": "anstalld", "visitor": "besok"}[group]
    if language != "sv" and voice not in {"besok", "inflyttad", None}:
        voice = "inflyttad"
    older = age in {"65-79", "80-"}
    style = _weighted(rng, {"tidy": 55, "casual": 25, "bullets": 10, "excited": 10} if voice != "ung" and not older
                      else {"tidy": 25, "casual": 65, "excited": 10} if voice == "ung"
                      else {"tidy": 85, "bullets": 10, "excited": 5})
    if language != "sv":
        style = "tidy"
    length = _weighted(rng, {"short": 60, "medium": 30, "long": 10} if voice == "ung"
                       else {"short": 20, "medium": 50, "long": 30} if older
                       else {"short": 35, "medium": 45, "long": 20})
    if language != "sv":
        length = rng.choice(["short", "medium", "medium"])
    paper = language == "sv" and rng.random() < (0.4 if older else 0.04)
    if paper:
        style, length = ("tidy" if style == "casual" else style), ("medium" if length == "short" else length)
    return Resident(language, locality, age, group, voice, style, length, paper)


class Deck:
    """The pieces of a pool, dealt without coming back until every fitting piece has been dealt."""

    def __init__(self, pieces: list[Piece], rng: random.Random) -> None:
        self.pieces, self.rng = pieces, rng
        self.left: list[Piece] = []
        self.dealt: dict[str, int] = {}

    def _fits(self, piece: Piece, resident: Resident, used: set[str]) -> bool:
        if piece.text in used or ("{ort}" in piece.text and resident.locality is None):
            return False
        if piece.casual and resident.style != "casual":
            return False
        return ((not piece.voices or resident.voice in piece.voices)
                and (not piece.places or resident.locality in piece.places))

    def deal(self, resident: Resident, used: set[str]) -> Piece | None:
        for refill in (False, True):
            if refill or not self.left:
                self.left = self.rng.sample(self.pieces, len(self.pieces))
            fitting = [p for p in self.left if self._fits(p, resident, used)]
            if fitting:
                # the pieces dealt least often first; among them the resident's own voice or place, mostly
                least = min(self.dealt.get(p.text, 0) for p in fitting)
                fitting = [p for p in fitting if self.dealt.get(p.text, 0) == least]
                own = [p for p in fitting if p.voices or p.places]
                chosen = own[0] if own and self.rng.random() < 0.6 else fitting[0]
                self.left.remove(chosen)
                self.dealt[chosen.text] = least + 1
                return chosen
        return None


def _things(rng: random.Random, pool: list[Piece], n: int) -> tuple[str, list[Piece]]:
    """A list of things: "naturen, lugnet och föreningslivet"."""
    chosen = rng.sample(pool, n)
    words = [p.text for p in chosen]
    text = words[0] if n == 1 else ", ".join(words[:-1]) + " och " + words[-1]
    return text, chosen


def _casual(text: str, rng: random.Random) -> str:
    text = re.sub(r"\bmycket\b", "mkt", text)
    if rng.random() < 0.5:
        text = re.sub(r"\boch\b", "o", text)
    return text.rstrip(".")


class Writer:
    """Writes the answers of resident after resident, each question from its own decks."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.decks = {language: [Deck(pool, rng) for pool in pools] for language, pools in POOLS.items()}

    def answers(self, resident: Resident) -> list[Written | None]:
        """The answers to the four free-text questions; None for a question left empty."""
        rng, short, long = self.rng, resident.length == "short", resident.length == "long"
        wanted = [1.0, 0.25 if short else 0.9 if long else 0.55, 0.2 if short else 0.85 if long else 0.5,
                  0.5 if short else 0.95 if long else 0.75]
        used: set[str] = set()
        written: list[Written | None] = []
        for question, chance in enumerate(wanted):
            if rng.random() >= chance:
                written.append(None)
                continue
            written.append(self._answer(resident, question, used))
        if written[0] is None:  # the first question is required
            written[0] = self._answer(resident, 0, used)
        return written

    def _answer(self, resident: Resident, question: int, used: set[str]) -> Written:
        rng = self.rng
        deck = self.decks[resident.language][question]
        things = THINGS if question == 0 else CHANGE_THINGS
        listed = resident.language == "sv" and question in (0, 3)
        if listed and resident.length == "short" and rng.random() < 0.7:
            text, pieces = _things(rng, things, rng.choice([1, 1, 2, 2, 3]))
            return self._write(resident, [(text[0].upper() + text[1:] + ".", pieces, False)])
        count = 1
        if resident.length == "long":
            count = rng.choice([2, 2, 3]) if question in (0, 3) else rng.choice([1, 2])
        parts = []
        for _n in range(count):
            piece = deck.deal(resident, used)
            if piece is None:
                break
            used.add(piece.text)
            parts.append((piece.text.replace("{ort}", resident.locality or ""), [piece], False))
        if listed and resident.length == "medium" and rng.random() < 0.3:
            text, pieces = _things(rng, things, rng.choice([1, 2]))
            if resident.style == "bullets":
                parts.append((text[0].upper() + text[1:] + ".", pieces, False))
            else:
                parts.append((("Och " if question == 0 else "Också ") + text + ".", pieces, True))
        return self._write(resident, parts)

    def _write(self, resident: Resident, parts: list[tuple[str, list[Piece], bool]]) -> Written:
        """Join the parts in the resident's style, keeping where each piece's words stand.

        A *tail* part ("Och lugnet.") follows the part before it as a casual writer would: after a comma.
        """
        rng, style = self.rng, resident.style
        bullets = style == "bullets" and len(parts) > 1
        written = Written("")
        for n, (text, pieces, tail) in enumerate(parts):
            if style == "casual":
                text = _casual(text, rng)
                text = text[0].lower() + text[1:] if n == 0 or tail else text
            elif n < len(parts) - 1 and not text.endswith((".", "!", "?")):
                text += "."
            if style == "excited" and n == len(parts) - 1:
                text = text.rstrip(".") + "!"
            if n:
                if bullets:
                    written.text += "\n"
                elif style == "casual":
                    joiner = ", " if tail else rng.choice([", ", "\n", ". "])
                    if joiner == ", ":
                        text = text[0].lower() + text[1:]
                    written.text += joiner
                else:
                    written.text += " "
            if bullets:
                written.text += "- "
            start = len(written.text)
            written.text += text
            for piece in pieces:
                written.parts.append((piece, start, len(written.text)))
        return written


def every_text() -> list[str]:
    """Every piece the demo's answers and notes are written from (for keeping other texts apart)."""
    from dialogue.demo import notes

    pools = [pool for pools in POOLS.values() for pool in pools] + [THINGS, CHANGE_THINGS]
    pools += [parse(text) for text in notes.NOTES.values()]
    return [piece.text for pool in pools for piece in pool]


# -- people signing up for events (their names are deleted after the event, as for real sign-ups) ---------

FIRST_NAMES = ["Anna", "Maria", "Karin", "Eva", "Lena", "Kerstin", "Ingrid", "Sara", "Emma", "Elin", "Johanna",
               "Linnea", "Maja", "Ebba", "Alva", "Amira", "Fatima", "Lars", "Anders", "Per", "Johan", "Erik",
               "Karl", "Mikael", "Stefan", "Björn", "Gunnar", "Nils", "Oskar", "Viktor", "Elias", "Hugo",
               "Liam", "Omar", "Ahmed", "Jonas", "Mats", "Ulf", "Sven", "Birgitta"]
LAST_NAMES = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
              "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg", "Lindqvist", "Berg", "Bergström",
              "Holm", "Sandberg", "Forsberg", "Åberg", "Lund", "Ek", "Hedlund", "Wikström", "Sjöberg",
              "Mohammed", "Ali", "Hassan", "Jansen", "Nielsen"]


def signer(rng: random.Random, n: int) -> tuple[str, str]:
    """A made-up name and e-mail address for a sign-up."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    plain = (f"{first}.{last}".lower().replace("å", "a").replace("ä", "a").replace("ö", "o"))
    return f"{first} {last}", f"{plain}{n}@example.se"
