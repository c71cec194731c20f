"""Lists that staff put in order (questions, phases): one way of moving and renumbering them."""

from __future__ import annotations


def renumber(items) -> None:
    """Give *items* the positions 0, 1, 2 ... in the order they are in."""
    for position, item in enumerate(items):
        item.position = position


def move(items, item, offset: int) -> None:
    """Move *item* up (-1) or down (+1) among *items*; at either end it stays where it is."""
    items = list(items)
    index = items.index(item)
    target = index + offset
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
        renumber(items)
