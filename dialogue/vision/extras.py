"""What features above the vision add to its pages and files, without the vision importing them.

Imports point one way: coding and steering know the vision, never the other way round. So coding
tells the vision how many contributions stand behind each node, and steering how a node's indicator
is read from and written to a vision file. Each registers here when its blueprint is registered on
the app, so every app (and every test's app) holds its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import Flask, current_app

from dialogue.vision.models import Vision, VisionNode

KEY = "dialogue.vision.extras"


@dataclass(frozen=True)
class Behind:
    """What stands behind each node of a vision, shown in the trees on the vision's pages."""

    #: for every node id: {"total": n, channel: n, ...}
    counts: Callable[[Vision], dict[int, dict[str, int]]]
    #: each channel and its label, in the order the trees list them
    channels: Mapping


@dataclass(frozen=True)
class FileField:
    """A key of a node in a vision file that another feature reads and writes (steering: "indicator")."""

    key: str
    #: (the key's value, the new node, where in the file) -> a row to add; raises VisionFileError
    read: Callable[[object, VisionNode, str], object]
    #: the vision -> {node id: the key's value for that node}, for the nodes that have one
    written: Callable[[Vision], dict[int, object]]


def _extras(app: Flask) -> dict:
    return app.extensions.setdefault(KEY, {"behind": None, "file_fields": []})


def set_behind(app: Flask, behind: Behind) -> None:
    _extras(app)["behind"] = behind


def add_file_field(app: Flask, field: FileField) -> None:
    _extras(app)["file_fields"].append(field)


def counts(vision: Vision) -> dict[int, dict[str, int]] | None:
    """The contributions behind each node of *vision*; None when no feature counts them (none shown)."""
    behind = _extras(current_app)["behind"]
    return behind.counts(vision) if behind else None


def channels() -> Mapping:
    behind = _extras(current_app)["behind"]
    return behind.channels if behind else {}


def file_fields() -> list[FileField]:
    return list(_extras(current_app)["file_fields"])
