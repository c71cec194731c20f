"""Where contributions come from, as the features that give them describe it to coding.

Coding knows neither questionnaires nor events (imports point one way), yet its pages show a
contribution's questionnaire, question or event and filter the queue by them. So each feature that
gives contributions registers a describer when its blueprint is registered on the app: which facts it
shows about a contribution's source and which filters it offers. The titles are read from where they
live when a page is shown, so they never go stale in a copy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from dialogue.coding.models import Contribution

KEY = "dialogue.coding.sources"


@dataclass(frozen=True)
class Fact:
    """One line about a contribution's source, e.g. "Question" and the question's text (translatable)."""

    label: object
    value: object
    #: shown in an agreement round too, where the coders see only the least context needed
    in_round: bool = True


@dataclass(frozen=True)
class Filter:
    """A filter of the coding queue: *name* in the address, narrowing *column* of Contribution to an id."""

    name: str
    label: object
    all_label: object
    column: object
    #: (id, translatable title), ids as strings since they come in the address; with *grouped*:
    #: (group title, [(id, text), ...]), shown as option groups with long texts cut
    options: list
    grouped: bool = False

    def keys(self) -> set[str]:
        if self.grouped:
            return {key for _title, items in self.options for key, _text in items}
        return {key for key, _title in self.options}


@dataclass(frozen=True)
class Describer:
    #: the facts about a contribution's source, in the order shown; none when it came from elsewhere
    facts: Callable[[Contribution], list[Fact]]
    #: the queue's filters this source offers, in the order shown
    filters: Callable[[], list[Filter]]


def register(app: Flask, describer: Describer) -> None:
    """Add a source; pages list sources in the order they registered (the blueprints' order)."""
    app.extensions.setdefault(KEY, []).append(describer)


def _describers() -> list[Describer]:
    return current_app.extensions.get(KEY, [])


def facts_of(contribution: Contribution) -> list[Fact]:
    return [fact for describer in _describers() for fact in describer.facts(contribution)]


def queue_filters() -> list[Filter]:
    return [found for describer in _describers() for found in describer.filters()]
