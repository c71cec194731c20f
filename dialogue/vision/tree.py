"""Editing a vision's tree in the browser: add, change, move, reorder, archive and restore nodes.

Functions change the session and flush; the views commit. Positions count from 0 among siblings
(archived siblings keep their place, so restoring a node puts it back where it was).
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from dialogue.extensions import db
from dialogue.vision.models import NodeKind, Vision, VisionNode


class TreeError(ValueError):
    """A change the tree cannot take, such as a node moved under itself."""


def siblings(vision: Vision, parent_id: int | None) -> list[VisionNode]:
    return sorted((n for n in vision.nodes if n.parent_id == parent_id), key=lambda n: (n.position, n.id))


def descendant_ids(node: VisionNode) -> set[int]:
    """The ids of every node below *node* (archived ones too)."""
    below: dict[int | None, list[int]] = {}
    for other in node.vision.nodes:
        below.setdefault(other.parent_id, []).append(other.id)
    found: set[int] = set()
    todo = list(below.get(node.id, []))
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(below.get(current, []))
    return found


def flattened(vision: Vision, include_archived: bool = True) -> list[tuple[int, VisionNode]]:
    """Every node in tree order with its depth (0 for roots), for lists and parent choices."""
    out: list[tuple[int, VisionNode]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for node in siblings(vision, parent_id):
            if node.archived and not include_archived:
                continue
            out.append((depth, node))
            walk(node.id, depth + 1)

    walk(None, 0)
    return out


def blocks_behind(vision: Vision) -> dict[int, list[VisionNode]]:
    """For every node: the building blocks at or below it that are not archived, in tree order."""
    by_id = {node.id: node for node in vision.nodes}
    behind: dict[int, list[VisionNode]] = defaultdict(list)
    ordered = sorted(vision.nodes, key=lambda n: (n.position, n.id))
    for block in ordered:
        if block.kind != NodeKind.building_block or block.archived:
            continue
        current: VisionNode | None = block
        while current is not None:
            behind[current.id].append(block)
            current = by_id.get(current.parent_id) if current.parent_id else None
    return behind


def _renumber(vision: Vision, parent_id: int | None) -> None:
    for position, node in enumerate(siblings(vision, parent_id)):
        node.position = position


def add_node(vision: Vision, parent: VisionNode | None, kind: NodeKind, title: dict, text: dict) -> VisionNode:
    """A new node, last among its siblings."""
    if parent is not None and parent.vision_id != vision.id:
        raise TreeError("the parent belongs to another vision")
    parent_id = parent.id if parent is not None else None
    position = len(siblings(vision, parent_id))
    node = VisionNode(vision=vision, parent=parent, kind=kind, title=title, text=text, position=position)
    db.session.add(node)
    db.session.flush()
    return node


def move_node(node: VisionNode, parent: VisionNode | None) -> bool:
    """Put *node* (with everything below it) under *parent*, last; False when it was there already.

    :raise TreeError: *parent* is the node itself, lies below it, or belongs to another vision
    """
    new_parent_id = parent.id if parent is not None else None
    if new_parent_id == node.parent_id:
        return False
    if parent is not None:
        if parent.vision_id != node.vision_id:
            raise TreeError("the parent belongs to another vision")
        if parent.id == node.id or parent.id in descendant_ids(node):
            raise TreeError("a node cannot go under itself or under a node below it")
    vision, old_parent_id = node.vision, node.parent_id
    node.position = len(siblings(vision, new_parent_id))
    node.parent = parent
    node.parent_id = new_parent_id
    db.session.flush()
    _renumber(vision, old_parent_id)
    db.session.flush()
    return True


def shift(node: VisionNode, step: int) -> bool:
    """Swap *node* with its previous (step -1) or next (+1) sibling that is not archived.

    Returns False at either end (nothing to do).
    """
    vision = node.vision
    _renumber(vision, node.parent_id)
    visible = [n for n in siblings(vision, node.parent_id) if not n.archived or n.id == node.id]
    index = visible.index(node)
    target = index + step
    if not 0 <= target < len(visible):
        return False
    other = visible[target]
    node.position, other.position = other.position, node.position
    db.session.flush()
    return True


def set_archived(node: VisionNode, archived: bool) -> None:
    """Archive or restore a node; its codes stay either way, so restoring loses nothing."""
    node.archived = archived
    db.session.flush()


def create_vision(slug: str, name: dict) -> Vision:
    """An empty vision. :raise TreeError: the slug is taken."""
    if db.session.scalar(sa.select(Vision.id).where(Vision.slug == slug)) is not None:
        raise TreeError("slug taken")
    vision = Vision(slug=slug, name=name)
    db.session.add(vision)
    db.session.flush()
    return vision
