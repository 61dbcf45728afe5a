"""Projection of `alert` records for the live list and map of alerts.

Each row carries the labels the visibility check reads (`records.projection.Labelled`), so the
list of active alerts is built from this table alone through `records.policy.can_see`,
without reading the envelopes (see mapping/models.py for the same pattern)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base
from corridor.records.projection import Labelled


class AlertRow(Labelled, Base):
    __tablename__ = "coop_alerts"
    __table_args__ = (Index("ix_coop_alerts_state_rank", "state", "severity_rank", "sent_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # What the list and the map show.
    type: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(16))
    # 0 = urgent ... 3 = low: the list sorts on it.
    severity_rank: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    countries: Mapped[list[str]]
    area: Mapped[dict[str, Any] | None]
    route_id: Mapped[uuid.UUID | None]
    entities: Mapped[int] = mapped_column(Integer, default=0)
    audience: Mapped[list[str]]
    sent_at: Mapped[datetime]
    valid_until: Mapped[datetime | None] = mapped_column(index=True)
    # active | withdrawn | expired (an active row past valid_until reads as expired until the
    # retention job purges it).
    state: Mapped[str] = mapped_column(String(16), default="active")
    # At a recipient node: who acknowledged it here, and when (the receipt says only the node).
    acknowledged_by: Mapped[str | None] = mapped_column(String(80))
    acknowledged_at: Mapped[datetime | None]
