"""Population figures that participation is compared with."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.models import Locality
from dialogue.extensions import db


class PopulationFigure(db.Model):
    """How many people of one age band live in one locality (with the countryside around it).

    Every figure belongs to a locality: the municipality's total is their sum, so the shares by
    locality and by age band both come from the same table and always add up.
    """

    __table_args__ = (sa.UniqueConstraint("locality_id", "age_band"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    locality_id: Mapped[int] = mapped_column(sa.ForeignKey("locality.id", ondelete="CASCADE"))
    #: a key of dialogue.core.respondents.AGE_BANDS
    age_band: Mapped[str] = mapped_column(sa.String(10))
    count: Mapped[int]

    locality: Mapped[Locality] = relationship()
