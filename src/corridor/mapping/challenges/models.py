"""The projection of challenges for the map, lists, exports and reports.

The row carries the labels it needs for the visibility check (tlp, purpose, recipients,
author), so the map can be built from this table alone without reading 2,000 envelopes."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base
from corridor.records.projection import Labelled


class ChallengeRow(Labelled, Base):
    __tablename__ = "map_challenges"
    __table_args__ = (Index("ix_map_challenges_theme_severity", "theme", "severity"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    theme: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(16))
    trend: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20))
    countries: Mapped[list[str]]
    regions: Mapped[list[str]]
    routes: Mapped[list[dict[str, Any]]]
    locations: Mapped[list[dict[str, Any]]]
    evidence: Mapped[int] = mapped_column(Integer, default=0)
    owner: Mapped[str | None] = mapped_column(String(200))
    identified: Mapped[date | None] = mapped_column(Date, index=True)
    review_date: Mapped[date | None] = mapped_column(Date)
    # The JSON of `challenge_summary`, written with the row: the map sends 2,000 of them
    # without building or encoding a dict per challenge per request.
    summary: Mapped[str] = mapped_column(Text)
