"""Import and export of visions as YAML. Imports are all or nothing: a wrong file changes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa
import yaml

from dialogue.core.forms import SLUG
from dialogue.extensions import db
from dialogue.i18n import _l
from dialogue.vision import extras
from dialogue.vision.models import NodeKind, Vision, VisionNode

SEEDS = Path(__file__).parent / "seeds"
LANGS = ("sv", "da", "en")


class VisionFileError(ValueError):
    """What is wrong with a vision file, and where."""


class VisionExistsError(VisionFileError):
    """A vision with the file's slug exists and *replace* was not asked for. The message speaks to the command
    line (``--replace``); the staff page says it in its own words, about its own tick box."""

    def __init__(self, slug: str):
        super().__init__(f"a vision with the slug {slug!r} exists already; import with --replace")
        self.slug = slug


def _text(value, where: str, required: bool) -> dict:
    if value is None and not required:
        return {}
    if isinstance(value, str):
        value = {"sv": value}
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise VisionFileError(_l("%(where)s: give the text as a mapping of languages, e.g. {sv: ..., en: ...}",
                                  where=where))
    unknown = set(value) - set(LANGS)
    if unknown:
        raise VisionFileError(_l("%(where)s: unknown language(s) %(languages)s; use sv, da or en", where=where,
                                  languages=", ".join(sorted(unknown))))
    if required and not any(v.strip() for v in value.values()):
        raise VisionFileError(_l("%(where)s: a title is required", where=where))
    return {k: v.strip() for k, v in value.items() if v.strip()}


def _nodes(items, vision: Vision, parent: VisionNode | None, where: str) -> None:
    if items is None:
        return
    if not isinstance(items, list):
        raise VisionFileError(_l("%(where)s: 'nodes' and 'children' must be lists", where=where))
    for position, item in enumerate(items):
        here = f"{where}[{position + 1}]"
        if not isinstance(item, dict):
            raise VisionFileError(_l("%(where)s: each node is a mapping with kind and title", where=here))
        try:
            kind = NodeKind(item.get("kind"))
        except ValueError:
            raise VisionFileError(_l("%(where)s: unknown kind %(kind)s; use one of %(kinds)s", where=here,
                                     kind=repr(item.get("kind")), kinds=", ".join(k.value for k in NodeKind))) from None
        node = VisionNode(vision=vision, parent=parent, kind=kind, position=position,
                          title=_text(item.get("title"), f"{here}.title", required=True),
                          text=_text(item.get("text"), f"{here}.text", required=False))
        db.session.add(node)
        for field in extras.file_fields():
            if field.key in item:
                db.session.add(field.read(item[field.key], node, here))
        _nodes(item.get("children"), vision, node, f"{here}.children")


def parse(text: str) -> dict:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise VisionFileError(_l("not valid YAML: %(error)s", error=str(error))) from None
    except RecursionError:  # PyYAML reads nested lists and mappings by recursion: [[[[...]]]] ran out of stack
        raise VisionFileError(_l("not valid YAML: nested too deeply")) from None
    if not isinstance(data, dict) or "slug" not in data or "nodes" not in data:
        raise VisionFileError(_l("a vision file is a mapping with slug, name and nodes"))
    return data


def import_vision(text: str, replace: bool = False) -> Vision:
    """Create the vision described by *text*; with *replace*, an existing one with its slug goes first."""
    data = parse(text)
    slug = str(data["slug"]).strip()
    # the same rule as the vision form's short name: it becomes the vision's address
    if not SLUG.match(slug) or len(slug) > Vision.__table__.c.slug.type.length:
        raise VisionFileError(_l("slug: use lower-case letters a-z, digits and single hyphens, at most 80 characters, "
                                 "e.g. vision-2030"))
    existing = db.session.scalar(sa.select(Vision).where(Vision.slug == slug))
    if existing is not None:
        if not replace:
            raise VisionExistsError(slug)
        db.session.delete(existing)
        db.session.flush()
    adopted = data.get("adopted_on")
    if adopted is not None and not isinstance(adopted, date):
        raise VisionFileError(_l("adopted_on: give a date such as 2012-03-29"))
    vision = Vision(slug=slug, name=_text(data.get("name"), "name", required=True), adopted_on=adopted)
    db.session.add(vision)
    _nodes(data["nodes"], vision, None, "nodes")
    db.session.flush()
    return vision


def export_vision(vision: Vision) -> str:
    written = {field.key: field.written(vision) for field in extras.file_fields()}

    def node(n: VisionNode) -> dict:
        out = {"kind": n.kind.value, "title": n.title}
        if n.text:
            out["text"] = n.text
        for key, by_node in written.items():
            if n.id in by_node:
                out[key] = by_node[n.id]
        if n.active_children:
            out["children"] = [node(c) for c in n.active_children]
        return out

    data = {"slug": vision.slug, "name": vision.name}
    if vision.adopted_on:
        data["adopted_on"] = vision.adopted_on
    data["nodes"] = [node(n) for n in vision.roots]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def seed_files() -> list[Path]:
    return sorted(SEEDS.glob("*.yaml"))
