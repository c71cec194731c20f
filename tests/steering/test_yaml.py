"""Indicators in vision files: read, written back, and wrong mappings refused with nothing imported."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import yaml
from flask_babel import force_locale

from dialogue.extensions import db
from dialogue.steering.models import Direction, Frequency, Indicator
from dialogue.vision import services
from dialogue.vision.models import Vision
from tests.conftest import count

FILE = """slug: test-goals
name: {sv: Mål}
nodes:
  - kind: goal
    title: {sv: Nöjda brukare}
    children:
      - kind: indicator
        title: {sv: Kundnöjdhet, en: Customer satisfaction}
        indicator:
          unit: "%"
          direction: higher
          baseline: {value: 88.5, year: 2014}
          target: {value: 93, year: 2018}
          frequency: half-yearly
          source: Brukarundersökningen
          committee: Socialnämnden
          kolada: U21468
      - kind: indicator
        title: {sv: Placering}
        indicator:
          direction: lower
          target: {value: 10, year: 2018}
          frequency: yearly
"""


def test_round_trip_with_indicators(app):
    with app.app_context():
        vision = services.import_vision(FILE)
        db.session.commit()
        first = db.session.scalar(sa.select(Indicator).where(Indicator.kolada_kpi == "U21468"))
        assert (first.unit, first.direction, first.baseline_value, first.baseline_year) == ("%", Direction.higher,
                                                                                           88.5, 2014)
        assert (first.target_value, first.target_year, first.frequency) == (93, 2018, Frequency.half_yearly)
        assert (first.source, first.committee) == ("Brukarundersökningen", "Socialnämnden")
        exported = services.export_vision(vision)
    assert yaml.safe_load(exported) == yaml.safe_load(FILE)
    # and the exported file imports again to the same
    with app.app_context():
        again = services.import_vision(exported, replace=True)
        db.session.commit()
        assert yaml.safe_load(services.export_vision(again)) == yaml.safe_load(FILE)
    assert count(app, Indicator) == 2


@pytest.mark.parametrize("name", ["flen", "varnamo", "hallsberg", "vetlanda", "hedensted"])
def test_the_five_templates_import_with_their_indicators(app, name):
    text = (services.SEEDS / f"{name}.yaml").read_text(encoding="utf-8")
    with app.app_context():
        vision = services.import_vision(text)
        db.session.commit()
        assert yaml.safe_load(services.export_vision(vision)) == yaml.safe_load(text)
    expected = {"flen": 0, "varnamo": 4, "hallsberg": 4, "vetlanda": 5, "hedensted": 0}[name]
    assert count(app, Indicator) == expected


def test_vetlanda_goals_and_targets(app):
    with app.app_context():
        services.import_vision((services.SEEDS / "vetlanda.yaml").read_text(encoding="utf-8"))
        db.session.commit()
        vision = db.session.scalar(sa.select(Vision).where(Vision.slug == "vetlanda-2015-2018"))
        goals = [n for n in vision.nodes if n.kind == "goal"]
        assert len(goals) == 5
        targets = {}
        for goal in goals:
            (child,) = goal.children
            details = db.session.scalar(sa.select(Indicator).where(Indicator.node_id == child.id))
            targets[goal.title["sv"][:20]] = (details.target_value, details.direction.value, details.target_year)
    assert targets["Kundnöjdheten i hemt"] == (93, "higher", 2018)
    assert targets["Företagarnas nöjdhet"] == (10, "lower", 2018)
    assert targets["Inflyttningen ökar v"] == (1, "higher", 2018)


def _with(mapping: str, kind: str = "indicator") -> str:
    return f"slug: x\nname: {{sv: X}}\nnodes:\n  - kind: {kind}\n    title: {{sv: A}}\n    indicator: {mapping}\n"


@pytest.mark.parametrize(("text", "message"), [
    (_with("{target: {value: 1, year: 2018}}", kind="goal"), "nodes[1].indicator: only nodes of kind indicator"),
    (_with("93"), "nodes[1].indicator: give the details as a mapping"),
    (_with("{direction: up, target: {value: 1, year: 2018}}"), "nodes[1].indicator.direction: use higher or lower"),
    (_with("{direction: higher}"), "nodes[1].indicator.target: give value and year"),
    (_with("{target: {value: many, year: 2018}}"), "nodes[1].indicator.target.value: give a number"),
    (_with("{target: {value: 1, year: soon}}"), "nodes[1].indicator.target.year: give a year"),
    (_with("{target: {value: 1, year: 2018}, frequency: weekly}"), "frequency: use yearly, half-yearly or quarterly"),
    (_with("{target: {value: 1, year: 2018}, colour: red}"), "unknown key(s) colour"),
    (_with("{target: {value: 1, year: 2018}, kolada: 'U 21'}"), "kolada: give a Kolada key figure id"),
    (_with("{target: {value: 1, year: 2018}, baseline: {value: 1}}"), "baseline: give value and year"),
])
def test_wrong_indicator_mappings_import_nothing(app, text, message):
    with app.app_context(), force_locale("en"):  # the file's messages are translated; read in English here
        with pytest.raises(services.VisionFileError) as error:
            services.import_vision(text)
        db.session.rollback()
        assert message in str(error.value)
    assert count(app, Vision) == 0 and count(app, Indicator) == 0


def test_cli_import_reports_indicator_errors(app, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(_with("{direction: sideways, target: {value: 1, year: 2018}}"), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["vision", "import", str(path)])
    assert result.exit_code == 1
    assert "nodes[1].indicator.direction" in result.output and "Nothing was imported" in result.output
