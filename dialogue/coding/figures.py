"""How good the suggestions are, ready for the page: counts and shares formatted by Babel in the
reader's language, from the measure a `SuggestionRun` keeps (see `dialogue.coding.learn.suggest`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import format_number, format_percent

from dialogue.i18n import LANGUAGE_NAMES

#: a language's own figures are shown when this many of its contributions were measured
MIN_LANGUAGE = 20


@dataclass
class Figure:
    """Hits of one group of coded contributions (all of them, or one language's)."""

    evaluated: int
    hits_at_1: int
    hits_at_3: int
    interval_at_1: tuple[float, float]
    interval_at_3: tuple[float, float]

    @classmethod
    def of(cls, data: dict | None) -> Figure | None:
        if not data or not data.get("evaluated"):
            return None
        return cls(data["evaluated"], data["hits_at_1"], data["hits_at_3"], tuple(data["interval_at_1"]),
                   tuple(data["interval_at_3"]))

    @property
    def share_at_1(self) -> float:
        return self.hits_at_1 / self.evaluated

    @property
    def share_at_3(self) -> float:
        return self.hits_at_3 / self.evaluated

    def words(self) -> dict[str, str]:
        """The numbers, formatted, for a sentence's placeholders."""
        return {"hits": format_number(self.hits_at_3), "total": format_number(self.evaluated),
                "share": format_percent(self.share_at_3), "low": format_percent(self.interval_at_3[0]),
                "high": format_percent(self.interval_at_3[1]), "first": format_number(self.hits_at_1),
                "first_share": format_percent(self.share_at_1), "first_low": format_percent(self.interval_at_1[0]),
                "first_high": format_percent(self.interval_at_1[1])}


@dataclass
class Figures:
    source: str
    #: the suggestions shown, measured on coded contributions they did not learn from (None: nothing coded)
    shown: Figure | None
    #: the other source on the same contributions (see `Outcome.other`)
    other: Figure | None
    #: folds of the cross-validation (0 when the blocks' own words are measured on every coded contribution)
    folds: int
    #: (language name, figure) for each language with enough measured contributions, when there are two or more
    languages: list[tuple[str, Figure]] = field(default_factory=list)
    #: an older run, measured the old way: the page asks for an update instead of showing its figure
    outdated: bool = False

    @staticmethod
    def percent(value: float) -> str:
        """A share (a suggestion's likelihood) as the reader's language writes a percentage."""
        return format_percent(value)

    @classmethod
    def of(cls, run) -> Figures:
        measure = run.measure or {}
        shown = Figure.of(measure.get("shown"))
        languages = []
        if shown is not None:
            for code, data in (measure["shown"].get("languages") or {}).items():
                figure = Figure.of(data)
                if figure is not None and figure.evaluated >= MIN_LANGUAGE:
                    languages.append((LANGUAGE_NAMES.get(code, code), figure))
        return cls(source=run.source, shown=shown, other=Figure.of(measure.get("other")),
                   folds=int(measure.get("folds") or 0), languages=languages if len(languages) > 1 else [],
                   outdated=run.source not in ("model", "titles") or (run.source == "model" and shown is None))
