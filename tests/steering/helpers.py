"""Visions with indicators for the steering tests."""

from __future__ import annotations

import sqlalchemy as sa

from dialogue.extensions import db
from dialogue.steering.models import Indicator
from dialogue.vision.models import VisionNode


def vetlanda(app, measurements: bool = True) -> dict[str, int]:
    """Vetlanda's template (with the demo's made-up figures); returns indicator node ids by short name."""
    from dialogue.steering import demo

    with app.app_context():
        if measurements:
            vision = demo.load_vetlanda()
        else:
            from dialogue.vision import services

            vision = services.import_vision((services.SEEDS / "vetlanda.yaml").read_text(encoding="utf-8"))
        db.session.commit()
        names = {"Fler inflyttade": "migration", "Elever": "school", "Kundnöjdhet": "home_care",
                 "Företagarnas": "business", "Andel jämförbara": "engagement"}
        ids = {}
        for node in db.session.scalars(sa.select(VisionNode).where(VisionNode.vision_id == vision.id,
                                                                   VisionNode.kind == "indicator")):
            ids[next(v for k, v in names.items() if node.title["sv"].startswith(k))] = node.id
        return ids


def indicator(app, node_id: int) -> Indicator:
    with app.app_context():
        found = db.session.scalar(sa.select(Indicator).where(Indicator.node_id == node_id))
        db.session.expunge(found)
        return found


def measured(app, node_id: int) -> dict[str, tuple]:
    """{period: (value, women, men, source, comment)} of an indicator."""
    with app.app_context():
        found = db.session.scalar(sa.select(Indicator).where(Indicator.node_id == node_id))
        return {m.period: (m.value, m.value_women, m.value_men, m.source, m.comment) for m in found.measurements}
