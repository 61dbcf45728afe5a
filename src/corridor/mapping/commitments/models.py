"""The projections of commitments, endorsements and actions for lists, dashboards and reports.

Each row carries the labels it needs for the visibility check (tlp, purpose, recipients,
author), so the dashboards can be built from these tables alone."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base
from corridor.records.projection import Labelled


class CommitmentRow(Labelled, Base):
    __tablename__ = "map_commitments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    theme: Mapped[str] = mapped_column(String(40), index=True)
    adopted: Mapped[date] = mapped_column(Date)
    ends: Mapped[date | None] = mapped_column(Date)
    countries: Mapped[list[str]]


class EndorsementRow(Labelled, Base):
    """A member's endorsement of a commitment (its own record, signed by the member)."""

    __tablename__ = "map_endorsements"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    commitment_id: Mapped[uuid.UUID] = mapped_column(index=True)
    endorsed_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(2000))


class ActionRow(Labelled, Base):
    __tablename__ = "map_actions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    commitment_id: Mapped[uuid.UUID] = mapped_column(index=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    title: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(200))
    milestones: Mapped[list[dict[str, Any]]]
    indicators: Mapped[list[dict[str, Any]]]
    updates: Mapped[int] = mapped_column(Integer, default=0)
    last_update: Mapped[date | None] = mapped_column(Date)
