"""What coding adds to the features below it, registered when its blueprint is registered on an app."""

from __future__ import annotations

from flask.blueprints import BlueprintSetupState

from dialogue.coding.models import CHANNEL_LABELS
from dialogue.coding.trace import counts_behind
from dialogue.vision import extras


def register(state: BlueprintSetupState) -> None:
    # the vision's pages show how many contributions stand behind each node; the vision cannot ask
    # coding itself (it knows no coding), so coding tells it how to count
    extras.set_behind(state.app, extras.Behind(counts=counts_behind, channels=CHANNEL_LABELS))
