"""What features show on a process's page under "Take part now", without processes importing them.

Questionnaires and events point at processes, never the other way round: each registers a part when
its blueprint is registered on the app, a function giving what it offers in a process now and the
template that shows it. Parts show in the order they registered (the blueprints' order).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from dialogue.processes.models import Process

KEY = "dialogue.processes.parts"
#: the same for the process's staff page: everything that belongs to it, drafts too
STAFF_KEY = "dialogue.processes.staff_parts"


@dataclass(frozen=True)
class Part:
    #: the process -> what to show now (nothing: the part is left out)
    items: Callable[[Process], list]
    #: the template that shows them, as `items`
    template: str


def register(app: Flask, part: Part, *, staff: bool = False) -> None:
    app.extensions.setdefault(STAFF_KEY if staff else KEY, []).append(part)


def take_part(process: Process, *, staff: bool = False) -> list[tuple[str, list]]:
    """(template, items) of every part that has something to show in *process* now (on its staff page
    with *staff*)."""
    shown = []
    for part in current_app.extensions.get(STAFF_KEY if staff else KEY, []):
        items = part.items(process)
        if items:
            shown.append((part.template, items))
    return shown
