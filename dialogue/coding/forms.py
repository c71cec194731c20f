"""The coding queue's filters, read from the address (a GET form: they travel in every link).

Not a WTForm: a value that is not among the choices is simply left out (the queue shows everything
for that filter), and the page says which filter it ignored; nothing here can fail a request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from dialogue.coding.models import CHANNEL_LABELS
from dialogue.coding.sources import Filter, queue_filters
from dialogue.core.respondents import GROUPS
from dialogue.core.services import get_municipality
from dialogue.i18n import LANGUAGE_NAMES, _l

STATES = {"uncoded": _l("Not coded yet"), "coded": _l("Coded"), "all": _l("All")}
#: the queue's orders ("" is the default: oldest first); see dialogue/coding/uncertain.py
ORDERS = {"": _l("As they came in"), "uncertain": _l("Most uncertain first")}

#: the queue's own filters; the sources' filters (questionnaire, question, event, ...) carry their labels
LABELS = {"state": _l("State"), "channel": _l("Channel"), "locality": _l("Locality"), "group": _l("Group"),
          "language": _l("Language"), "vision": _l("Vision"), "order": _l("Order")}


@dataclass
class Choices:
    """What each filter offers; ids are strings, as they come in the address."""

    #: the filters the contributions' sources offer, from their describers
    sources: list[Filter] = field(default_factory=list)
    localities: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def load(cls) -> Choices:
        municipality = get_municipality()
        places = municipality.active_localities if municipality else ()
        return cls(sources=queue_filters(), localities=[(str(p.id), p.name) for p in places])

    def label(self, name: str) -> object:
        return LABELS.get(name) or next(found.label for found in self.sources if found.name == name)


@dataclass
class QueueFilters:
    state: str = "uncoded"
    channel: str = ""
    #: the sources' filters that are set, by name (questionnaire, question, event, ...)
    sources: dict[str, str] = field(default_factory=dict)
    locality: str = ""
    group: str = ""
    language: str = ""
    vision: str = ""
    order: str = ""
    #: names of filters whose value was not among the choices, and so left out
    ignored: list[str] = field(default_factory=list)
    #: the Contribution column each source's filter narrows, in the sources' order
    columns: dict[str, object] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: MultiDict, choices: Choices, vision_ids: list[str]) -> QueueFilters:
        allowed = {
            "state": set(STATES),
            "channel": {str(key) for key in CHANNEL_LABELS},
            **{found.name: found.keys() for found in choices.sources},
            "locality": {key for key, _name in choices.localities},
            "group": set(GROUPS),
            "language": set(LANGUAGE_NAMES),
            "vision": set(vision_ids),
            "order": set(ORDERS) - {""},
        }
        filters = cls(columns={found.name: found.column for found in choices.sources})
        for name, values in allowed.items():
            wanted = args.get(name, "").strip()
            if wanted in values:
                if name in filters.columns:
                    filters.sources[name] = wanted
                else:
                    setattr(filters, name, wanted)
            elif wanted:
                filters.ignored.append(name)
        return filters

    def __getitem__(self, name: str) -> str:
        """A filter's value by name ("" when not set), as the queue's template asks for it."""
        return self.sources.get(name, "") if name in self.columns else getattr(self, name)

    def ids(self, name: str) -> int | None:
        value = self[name]
        return int(value) if value else None

    def as_args(self) -> dict[str, str]:
        """The filters that are set, for links (the queue's default state is left out)."""
        values = {"state": self.state, "channel": self.channel, **self.sources, "locality": self.locality,
                  "group": self.group, "language": self.language, "vision": self.vision, "order": self.order}
        return {name: value for name, value in values.items() if value and not (name == "state" and value == "uncoded")}
