"""The projection of shared indicator figures for their list."""

from __future__ import annotations

import uuid

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base
from corridor.records.projection import Labelled


class FiguresRow(Labelled, Base):
    __tablename__ = "risk_figures"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    indicator: Mapped[str] = mapped_column(String(60))
    period: Mapped[str] = mapped_column(String(10))
    route: Mapped[str | None] = mapped_column(String(120))
    nationality: Mapped[str | None] = mapped_column(String(8))
    country: Mapped[str | None] = mapped_column(String(8))
    dataset_title: Mapped[str] = mapped_column(String(300))
    first: Mapped[str | None] = mapped_column(String(10))
    last: Mapped[str | None] = mapped_column(String(10))
