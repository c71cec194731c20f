"""Forms for editing visions in the browser."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from dialogue.core.forms import no_control_characters, single_line, slug_format
from dialogue.i18n import _l
from dialogue.vision.models import NODE_LABELS, NodeKind

LANGS = ("sv", "da", "en")


def _title(label):
    return StringField(label, validators=[Length(max=300), single_line, no_control_characters])


def _text(label):
    return TextAreaField(label, validators=[Length(max=5000), no_control_characters])


class NodeForm(FlaskForm):
    """A node: its kind, where it sits, and its title and text in three languages."""

    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, NODE_LABELS[k]) for k in NodeKind])
    #: "" for the top of the tree; choices are set by the view (the tree, minus the node and its branch)
    parent = SelectField(_l("Place under"), coerce=str, validate_choice=False)
    title_sv = _title(_l("Title (Swedish)"))
    title_da = _title(_l("Title (Danish)"))
    title_en = _title(_l("Title (English)"))
    text_sv = _text(_l("Text (Swedish)"))
    text_da = _text(_l("Text (Danish)"))
    text_en = _text(_l("Text (English)"))

    def validate_title_sv(self, field):
        if not any((getattr(self, f"title_{lang}").data or "").strip() for lang in LANGS):
            raise ValidationError(_l("Give a title in at least one language."))

    def translations(self, name: str) -> dict:
        values = {lang: (getattr(self, f"{name}_{lang}").data or "").strip() for lang in LANGS}
        return {lang: value for lang, value in values.items() if value}


class VisionForm(FlaskForm):
    slug = StringField(_l("Short name"), validators=[DataRequired(), Length(max=80), single_line, slug_format],
                       description=_l("Lower-case letters, digits and hyphens; the vision is at /vision/<short name>."))
    name_sv = StringField(_l("Name (Swedish)"), validators=[Length(max=200), single_line, no_control_characters])
    name_da = StringField(_l("Name (Danish)"), validators=[Length(max=200), single_line, no_control_characters])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=200), single_line, no_control_characters])

    def validate_name_sv(self, field):
        if not any((getattr(self, f"name_{lang}").data or "").strip() for lang in LANGS):
            raise ValidationError(_l("Give a name in at least one language."))


class ImportForm(FlaskForm):
    file = FileField(_l("Vision file (YAML)"),
                     description=_l("A file as exported from dialogue or one of the shipped templates."))
    template = SelectField(_l("Or a shipped template"), coerce=str, validate_choice=False)
    replace = BooleanField(_l("Replace a vision with the same short name (its codes are lost)"))

    def validate_template(self, field):
        if not field.data and not self.file.data:
            raise ValidationError(_l("Choose a file or a template."))
