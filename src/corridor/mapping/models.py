"""Projections of mapping records for the map, lists and dashboards.

Each row carries the labels it needs for the visibility check (tlp, purpose, recipients,
author), so the map can be built from these tables alone without reading 2,000 envelopes."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base
from corridor.records.projection import Labelled


class RouteRow(Labelled, Base):
    __tablename__ = "map_routes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    countries: Mapped[list[str]]
    legs: Mapped[list[dict[str, Any]]]


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
