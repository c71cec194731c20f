"""What steering adds to the features below it, registered when its blueprint is registered on an app."""

from __future__ import annotations

from flask.blueprints import BlueprintSetupState

from dialogue.processes import parts
from dialogue.processes.models import Process
from dialogue.steering import feedback, yaml_io
from dialogue.steering.models import FollowUp
from dialogue.vision import extras
from dialogue.vision.models import Vision


def _written(vision: Vision) -> dict[int, dict]:
    return {node_id: yaml_io.write(indicator) for node_id, indicator in yaml_io.by_node(vision).items()}


def results(process: Process) -> list[FollowUp | Process]:
    """The process's follow-up (or the process, when none is set yet): whether its results are out."""
    return [feedback.follow_up_for(process) or process]


def register(state: BlueprintSetupState) -> None:
    # a vision file carries each indicator's details under the node's "indicator:" key; the vision
    # reads and writes its files but knows no steering, so steering hands it this key
    extras.add_file_field(state.app, extras.FileField(key="indicator", read=yaml_io.read, written=_written))
    # a process's staff page says whether its results are published; processes know no steering
    parts.register(state.app, parts.Part(items=results, template="steering/manage/_process_part.html"), staff=True)
