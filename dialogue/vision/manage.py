"""Staff pages for visions: the trees with what stands behind each node; admins edit them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, flash, redirect, render_template, request, url_for
from wtforms import SelectChoice

from dialogue.core.ids import parse_id
from dialogue.core.models import Role
from dialogue.core.services import audit
from dialogue.extensions import db
from dialogue.i18n import _, tr
from dialogue.security import staff_required
from dialogue.vision import extras, services, tree
from dialogue.vision.blueprint import bp
from dialogue.vision.forms import LANGS, ImportForm, NodeForm, VisionForm
from dialogue.vision.models import NodeKind, Vision, VisionNode


@bp.route("/staff/vision/")
@staff_required(Role.analyst, Role.organizer)
def manage_list():
    """The visions, each as a tree with the contributions behind its nodes."""
    visions = db.session.scalars(sa.select(Vision).order_by(Vision.created_at, Vision.id)).all()
    return render_template("vision/manage/list.html", visions=visions,
                           counts={v.id: extras.counts(v) for v in visions},
                           blocks={v.id: tree.blocks_behind(v) for v in visions}, channels=extras.channels())


@bp.route("/staff/vision/<int:vision_id>.yaml")
@staff_required(Role.analyst, Role.organizer)
def manage_export(vision_id: int):
    """The vision as YAML, the format `flask vision import` reads."""
    vision = db.get_or_404(Vision, vision_id)
    response = Response(services.export_vision(vision), mimetype="application/yaml")
    response.headers["Content-Disposition"] = f'attachment; filename="{vision.slug}.yaml"'
    return response


@bp.route("/staff/vision/<int:vision_id>")
@staff_required(Role.admin)
def manage_tree(vision_id: int):
    """The whole tree, archived nodes too, with buttons to add, change, reorder and archive."""
    vision = db.get_or_404(Vision, vision_id)
    return render_template("vision/manage/tree.html", vision=vision, roots=tree.siblings(vision, None),
                           counts=extras.counts(vision) or {})


def _parent_choices(vision: Vision, node: VisionNode | None) -> list[SelectChoice]:
    """The top of the tree and every node, except *node* and its branch (it cannot go there)."""
    barred = set() if node is None else {node.id} | tree.descendant_ids(node)
    choices = [SelectChoice("", _("Top of the tree"))]
    for depth, other in tree.flattened(vision):
        if other.id not in barred:
            label = "– " * depth + f"{other.kind.label}: {tr(other.title)}"
            if other.archived:
                label += " (" + _("archived") + ")"
            choices.append(SelectChoice(str(other.id), label))
    return choices


def _parent(form: NodeForm, vision: Vision) -> tuple[bool, VisionNode | None]:
    """The parent chosen in *form*; (False, None) with an error on the field when it is not a node here."""
    if not form.parent.data:
        return True, None
    parent_id = parse_id(form.parent.data)
    parent = db.session.get(VisionNode, parent_id) if parent_id else None
    if parent is None or parent.vision_id != vision.id:
        form.parent.errors = [*form.parent.errors, _("Choose a node of this vision.")]
        return False, None
    return True, parent


@bp.route("/staff/vision/<int:vision_id>/nodes/new", methods=["GET", "POST"])
@staff_required(Role.admin)
def manage_add_node(vision_id: int):
    """Add a node; `?parent=ID` preselects where it goes."""
    vision = db.get_or_404(Vision, vision_id)
    form = NodeForm()
    form.parent.choices = _parent_choices(vision, None)
    if request.method == "GET":
        form.parent.data = request.args.get("parent", "")
        form.kind.data = NodeKind.building_block.value
    if form.validate_on_submit():
        found, parent = _parent(form, vision)
        if found:
            node = tree.add_node(vision, parent, NodeKind(form.kind.data), form.translations("title"),
                                 form.translations("text"))
            audit("vision.node.create", node, vision_id=vision.id, parent_id=node.parent_id, kind=node.kind.value)
            db.session.commit()
            flash(_("The node is added."), "success")
            return redirect(url_for("vision.manage_tree", vision_id=vision.id, _anchor=f"node-{node.id}"))
    return render_template("vision/manage/node.html", form=form, vision=vision, node=None), (
        422 if form.errors else 200)


@bp.route("/staff/vision/nodes/<int:node_id>", methods=["GET", "POST"])
@staff_required(Role.admin)
def manage_edit_node(node_id: int):
    """Change a node's kind, title and text, or move it (with its branch) under another node."""
    node = db.get_or_404(VisionNode, node_id)
    vision = node.vision
    form = NodeForm()
    form.parent.choices = _parent_choices(vision, node)
    if request.method == "GET":
        form.kind.data, form.parent.data = node.kind.value, str(node.parent_id or "")
        for lang in LANGS:
            getattr(form, f"title_{lang}").data = node.title.get(lang, "")
            getattr(form, f"text_{lang}").data = node.text.get(lang, "")
    if form.validate_on_submit():
        found, parent = _parent(form, vision)
        if found:
            try:
                moved = tree.move_node(node, parent)
            except tree.TreeError:
                db.session.rollback()
                form.parent.errors = [*form.parent.errors,
                                      _("A node cannot go under itself or under a node below it.")]
            else:
                node.kind = NodeKind(form.kind.data)
                node.title, node.text = form.translations("title"), form.translations("text")
                audit("vision.node.update", node, vision_id=vision.id, moved_to=node.parent_id if moved else "")
                db.session.commit()
                flash(_("The node is saved."), "success")
                return redirect(url_for("vision.manage_tree", vision_id=vision.id, _anchor=f"node-{node.id}"))
    return render_template("vision/manage/node.html", form=form, vision=vision, node=node), (
        422 if form.errors else 200)


@bp.route("/staff/vision/nodes/<int:node_id>/order", methods=["POST"])
@staff_required(Role.admin)
def manage_order_node(node_id: int):
    """Move a node one place up or down among its siblings (buttons: no dragging needed)."""
    node = db.get_or_404(VisionNode, node_id)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None:
        flash(_("Choose up or down."), "error")
    elif tree.shift(node, step):
        audit("vision.node.reorder", node, vision_id=node.vision_id, direction=request.form["direction"])
        db.session.commit()
        flash(_("“%(title)s” moved up.", title=tr(node.title)) if step < 0
              else _("“%(title)s” moved down.", title=tr(node.title)), "success")
    else:
        db.session.rollback()
        flash(_("“%(title)s” is already at the end.", title=tr(node.title)), "error")
    return redirect(url_for("vision.manage_tree", vision_id=node.vision_id, _anchor=f"node-{node.id}"))


@bp.route("/staff/vision/nodes/<int:node_id>/archive", methods=["POST"])
@staff_required(Role.admin)
def manage_archive_node(node_id: int):
    """Archive a node (it leaves the public tree, its codes stay) or restore it."""
    node = db.get_or_404(VisionNode, node_id)
    archived = request.form.get("archived") != "0"
    tree.set_archived(node, archived)
    audit("vision.node.archive" if archived else "vision.node.restore", node, vision_id=node.vision_id)
    db.session.commit()
    flash(_("“%(title)s” is archived.", title=tr(node.title)) if archived
          else _("“%(title)s” is restored.", title=tr(node.title)), "success")
    return redirect(url_for("vision.manage_tree", vision_id=node.vision_id, _anchor=f"node-{node.id}"))


@bp.route("/staff/vision/new", methods=["GET", "POST"])
@staff_required(Role.admin)
def manage_new():
    """An empty vision to build in the browser."""
    form = VisionForm()
    if form.validate_on_submit():
        name = {lang: getattr(form, f"name_{lang}").data.strip() for lang in LANGS
                if (getattr(form, f"name_{lang}").data or "").strip()}
        try:
            vision = tree.create_vision(form.slug.data, name)
        except tree.TreeError:
            db.session.rollback()
            form.slug.errors = [*form.slug.errors, _("A vision with this short name exists already.")]
        else:
            audit("vision.create", vision, slug=vision.slug)
            db.session.commit()
            flash(_("The vision is created. Add its nodes."), "success")
            return redirect(url_for("vision.manage_tree", vision_id=vision.id))
    return render_template("vision/manage/new.html", form=form), (422 if form.errors else 200)


@bp.route("/staff/vision/<int:vision_id>/edit", methods=["GET", "POST"])
@staff_required(Role.admin)
def manage_edit(vision_id: int):
    """The vision's name and address: an imported template becomes the municipality's own."""
    vision = db.get_or_404(Vision, vision_id)
    form = VisionForm(data={"slug": vision.slug, **{f"name_{lang}": vision.name.get(lang, "") for lang in LANGS}})
    if form.validate_on_submit():
        slug = form.slug.data.strip()
        if db.session.scalar(sa.select(Vision.id).where(Vision.slug == slug, Vision.id != vision.id)):
            form.slug.errors = [*form.slug.errors, _("A vision with this short name exists already.")]
            form._errors = None
        else:
            vision.slug = slug
            vision.name = {lang: getattr(form, f"name_{lang}").data.strip() for lang in LANGS
                           if (getattr(form, f"name_{lang}").data or "").strip()}
            audit("vision.update", vision, slug=vision.slug)
            db.session.commit()
            flash(_("The vision's name and address are saved."), "success")
            return redirect(url_for("vision.manage_tree", vision_id=vision.id))
    return render_template("vision/manage/new.html", form=form, vision=vision), (422 if form.errors else 200)


@bp.route("/staff/vision/import", methods=["GET", "POST"])
@staff_required(Role.admin)
def manage_import():
    """Import a YAML file or a shipped template: all or nothing, with the file's own clear errors."""
    form = ImportForm()
    templates = {path.stem: path for path in services.seed_files()}
    form.template.choices = [SelectChoice("", _("None"))] + [SelectChoice(k, k) for k in templates]
    if form.validate_on_submit():
        if form.file.data:
            raw = form.file.data.read()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = None
                form.file.errors = [*form.file.errors, _("The file is not UTF-8 text.")]
        elif form.template.data in templates:
            text = templates[form.template.data].read_text(encoding="utf-8")
        else:
            text = None
            form.template.errors = [*form.template.errors, _("Choose a file or a template.")]
        if text is not None:
            try:
                vision = services.import_vision(text, replace=form.replace.data)
            except services.VisionExistsError as error:
                db.session.rollback()
                field = form.file if form.file.data else form.template
                field.errors = [*field.errors, _(
                    "Nothing was imported: a vision with the short name %(slug)s exists already. To import over "
                    "it, tick “%(replace)s”.", slug=error.slug, replace=form.replace.label.text)]
            except services.VisionFileError as error:
                db.session.rollback()
                field = form.file if form.file.data else form.template
                # the file's own message says where the problem is (e.g. nodes[2].title), in the reader's language
                field.errors = [*field.errors, _("Nothing was imported: %(error)s", error=str(error))]
            else:
                audit("vision.import", vision, slug=vision.slug, replace=bool(form.replace.data))
                db.session.commit()
                flash(_("The vision is imported."), "success")
                return redirect(url_for("vision.manage_tree", vision_id=vision.id))
    return render_template("vision/manage/import.html", form=form), (422 if form.errors else 200)


@bp.route("/staff/vision/<int:vision_id>/<any(publish, unpublish):action>", methods=["POST"])
@staff_required(Role.admin)
def manage_publish(vision_id: int, action: str):
    """List the vision for residents at /vision/, or take it off the list."""
    vision = db.get_or_404(Vision, vision_id)
    vision.published = action == "publish"
    audit(f"vision.{action}", vision)
    db.session.commit()
    flash(_("The vision is listed for residents.") if vision.published
          else _("The vision is no longer listed for residents."), "success")
    return redirect(url_for("vision.manage_tree", vision_id=vision.id))
