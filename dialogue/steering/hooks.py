"""What steering adds to the features below it, registered when its blueprint is registered on an app."""

from __future__ import annotations

from flask.blueprints import BlueprintSetupState

from dialogue.steering import yaml_io
from dialogue.vision import extras
from dialogue.vision.models import Vision


def _written(vision: Vision) -> dict[int, dict]:
    return {node_id: yaml_io.write(indicator) for node_id, indicator in yaml_io.by_node(vision).items()}


def register(state: BlueprintSetupState) -> None:
    # a vision file carries each indicator's details under the node's "indicator:" key; the vision
    # reads and writes its files but knows no steering, so steering hands it this key
    extras.add_file_field(state.app, extras.FileField(key="indicator", read=yaml_io.read, written=_written))
