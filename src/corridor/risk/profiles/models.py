"""The projection of risk profiles for their list."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base
from corridor.records.projection import Labelled


class ProfileRow(Labelled, Base):
    __tablename__ = "risk_profiles"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    route: Mapped[str | None] = mapped_column(String(120))
    nationalities: Mapped[list[str]]
    valid_until: Mapped[date | None] = mapped_column(Date)
    assessment: Mapped[str | None] = mapped_column(String(40))
