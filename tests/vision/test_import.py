"""Visions come and go as YAML: the five shipped templates, round trips, and clear errors."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import yaml
from flask_babel import force_locale

from dialogue.extensions import db
from dialogue.vision import services
from dialogue.vision.models import NodeKind, Vision, VisionNode
from tests.conftest import count, login

TEMPLATES = ["flen", "varnamo", "hallsberg", "vetlanda", "hedensted"]


@pytest.mark.parametrize("name", TEMPLATES)
def test_each_template_imports_shows_and_round_trips(app, client, name):
    text = (services.SEEDS / f"{name}.yaml").read_text(encoding="utf-8")
    with app.app_context():
        vision = services.import_vision(text)
        db.session.commit()
        slug = vision.slug
        exported = services.export_vision(vision)
    assert yaml.safe_load(exported) == {k: v for k, v in yaml.safe_load(text).items()}
    page = client.get(f"/vision/{slug}?lang=en")
    assert page.status_code == 200
    first_title = yaml.safe_load(text)["nodes"][0]["title"]["en"]
    assert first_title in page.get_data(as_text=True)


def test_template_facts(app):
    with app.app_context():
        for name in TEMPLATES:
            services.import_vision((services.SEEDS / f"{name}.yaml").read_text(encoding="utf-8"))
        db.session.commit()

        def titles(slug, kind):
            vision = db.session.scalar(sa.select(Vision).where(Vision.slug == slug))
            return [n.title.get("da") if slug.startswith("hedensted") else n.title["sv"]
                    for n in vision.nodes if n.kind == kind]

        assert titles("flen-vision-2019", NodeKind.value) == ["Stolthet", "Öppenhet", "Omtanke", "Respekt",
                                                              "Kvalitet", "Ansvar"]
        assert len(titles("flen-vision-2019", NodeKind.building_block)) == 9
        assert titles("varnamo-vision", NodeKind.goal) == ["En stark kommun", "En attraktiv kommun", "En grön kommun",
                                                          "En trygg kommun"]
        assert len(titles("hallsberg-styrsystem", NodeKind.aim)) == 4
        assert len(titles("vetlanda-2015-2018", NodeKind.goal)) == 5
        assert any("93 procent" in t for t in titles("vetlanda-2015-2018", NodeKind.goal))
        assert titles("hedensted-vision", NodeKind.aim) == ["Vækst og udvikling i balance", "Forskellige sammen",
                                                           "Smidigt samarbejde"]


@pytest.mark.parametrize(("text", "message"), [
    ("slug: x\nnodes: [", "not valid YAML"),
    ("- just a list", "a mapping with slug"),
    ("slug: x\nname: {sv: X}\nnodes:\n  - kind: dream\n    title: {sv: A}", "unknown kind 'dream'"),
    ("slug: x\nname: {sv: X}\nnodes:\n  - kind: vision\n    title: {sv: ''}", "nodes[1].title: a title is required"),
    ("slug: x\nname: {sv: X}\nnodes:\n  - kind: value\n    title: {de: Mut}", "unknown language(s) de"),
    ("slug: x\nname: {sv: X}\nadopted_on: soon\nnodes: []", "adopted_on"),
    # the slug is the vision's address, as the form's short name: PostgreSQL refused the NUL and the length
    ('slug: "a\\0b"\nname: {sv: X}\nnodes: []', "slug: use lower-case"),
    (f"slug: {'a' * 81}\nname: {{sv: X}}\nnodes: []", "slug: use lower-case"),
    ("slug: Vision 2030/Flen\nname: {sv: X}\nnodes: []", "slug: use lower-case"),
    # PyYAML ran out of stack (a RecursionError)
    ("slug: x\nname: {sv: X}\nnodes: " + "[" * 5000 + "]" * 5000, "nested too deeply"),
])
def test_wrong_files_say_what_is_wrong_and_import_nothing(app, text, message):
    runner_input = text
    with app.app_context(), force_locale("en"):  # the file's messages are translated; read in English here
        with pytest.raises(services.VisionFileError, match=message.replace("(", r"\(").replace(")", r"\)")
                           .replace("[", r"\[").replace("]", r"\]")):
            services.import_vision(runner_input)
        db.session.rollback()
    assert count(app, Vision) == 0


def test_cli_import_is_all_or_nothing_and_exports(app, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("slug: half\nname: {sv: Halv}\nnodes:\n  - kind: vision\n    title: {sv: Ok}\n"
                      "    children:\n      - kind: nonsense\n        title: {sv: Fel}\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["vision", "import", str(broken)])
    assert result.exit_code == 1
    assert "nodes[1].children[1]" in result.output and "Nothing was imported" in result.output
    assert count(app, Vision) == 0 and count(app, VisionNode) == 0

    assert runner.invoke(args=["vision", "import", "flen"]).exit_code == 0
    again = runner.invoke(args=["vision", "import", "flen"])
    assert again.exit_code == 1 and "--replace" in again.output
    assert runner.invoke(args=["vision", "import", "flen", "--replace"]).exit_code == 0
    out = tmp_path / "flen.yaml"
    assert runner.invoke(args=["vision", "export", "flen-vision-2019", "-o", str(out)]).exit_code == 0
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["slug"] == "flen-vision-2019"
    assert "flen" in runner.invoke(args=["vision", "templates"]).output.split()


def test_staff_see_the_tree_and_download_it(app, client, make_user, municipality):
    login(client, make_user("analyst"))
    page = client.get("/staff/vision/?lang=en").get_data(as_text=True)
    assert "Sörmlands hjärta" in page or "heart of Sörmland" in page
    with app.app_context():
        vision_id = db.session.scalar(sa.select(Vision.id))
    response = client.get(f"/staff/vision/{vision_id}.yaml")
    assert response.mimetype == "application/yaml"
    assert yaml.safe_load(response.get_data(as_text=True))["slug"] == "flen-vision-2019"


def test_unknown_vision_is_not_found(client):
    assert client.get("/vision/nowhere").status_code == 404
