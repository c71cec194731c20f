"""Demo data for steering: Flen's process leads to its vision, and Vetlanda's template with made-up figures.

THE MEASUREMENTS BELOW ARE MADE UP for the demo. They are plausible in size, not Vetlanda's real
results; they are chosen so that the five goals show every status: met, on track, off track, no data.
"""

from __future__ import annotations

import sqlalchemy as sa

from dialogue.extensions import db
from dialogue.steering import services
from dialogue.steering.models import FollowUp, Indicator
from dialogue.vision import services as vision_services
from dialogue.vision.models import Vision, VisionNode

MADE_UP = "Demo: påhittat värde"  # a comment as Vetlanda's staff would write it

# indicator (by the start of its Swedish title) -> [(period, value)]
VETLANDA_FIGURES = {
    # more people moving in than the year before (difference in persons): met
    "Fler inflyttade": [("2015", 42), ("2016", -15), ("2017", 27)],
    # eligible for vocational programmes: nothing measured yet, no data
    # customer satisfaction in home care, every half year: on track towards 93 % in 2018
    "Kundnöjdhet": [("2015H2", 89), ("2016H1", 89.5), ("2016H2", 90.5), ("2017H1", 91), ("2017H2", 92)],
    # businesses' satisfaction, rank in the country (lower is better): off track for the ten best
    "Företagarnas": [("2015", 131), ("2016", 118), ("2017", 112)],
    # share of comparable municipalities with lower staff engagement: on track towards 75 %
    "Andel jämförbara": [("2015", 52), ("2016", 61), ("2017", 68)],
}


def link_process(process_id: int, slug: str) -> FollowUp:
    """Record which vision a process led to (the follow-up page and the feedback mail point there)."""
    vision_id = db.session.scalar(sa.select(Vision.id).where(Vision.slug == slug))
    follow_up = FollowUp(process_id=process_id, vision_id=vision_id, message={
        "sv": "Kommunfullmäktige har antagit visionen. Den bygger på byggstenarna som kom fram i enkäten, "
              "på de öppna mötena och i workshopparna.",
        "da": "Visionen er vedtaget. Den bygger på de byggesten, der kom frem i spørgeskemaet, på de åbne "
              "møder og i workshoppene.",
        "en": "The council has adopted the vision. It is built on the building blocks that came out of the "
              "questionnaire, the open meetings and the workshops."})
    db.session.add(follow_up)
    db.session.flush()
    return follow_up


def load_vetlanda() -> Vision:
    """Vetlanda's template with its five goals, and made-up measurements for four of them."""
    vision = db.session.scalar(sa.select(Vision).where(Vision.slug == "vetlanda-2015-2018"))
    if vision is None:
        vision = vision_services.import_vision((vision_services.SEEDS / "vetlanda.yaml").read_text(encoding="utf-8"))
    indicators = db.session.scalars(sa.select(Indicator).join(VisionNode, VisionNode.id == Indicator.node_id)
                                    .where(VisionNode.vision_id == vision.id)).all()
    for indicator in indicators:
        for start, figures in VETLANDA_FIGURES.items():
            if indicator.node.title["sv"].startswith(start):
                for period, value in figures:
                    services.set_measurement(indicator, period, value, source=indicator.source, comment=MADE_UP)
    db.session.flush()
    return vision
