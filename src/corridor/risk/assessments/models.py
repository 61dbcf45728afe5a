"""The projection of risk assessments for the ranking and the risk matrix."""

from __future__ import annotations

import uuid

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base
from corridor.records.projection import Labelled


class AssessmentRow(Labelled, Base):
    __tablename__ = "risk_assessments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    scope_kind: Mapped[str] = mapped_column(String(20))
    route: Mapped[str | None] = mapped_column(String(120))
    border_section: Mapped[str | None] = mapped_column(String(120))
    nationality: Mapped[str | None] = mapped_column(String(8))
    country: Mapped[str | None] = mapped_column(String(8))
    threat: Mapped[int] = mapped_column(Integer)
    vulnerability: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    likelihood: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(20))
    score: Mapped[float] = mapped_column(Float, index=True)
    level: Mapped[str] = mapped_column(String(16))
    challenges: Mapped[list[str]]
