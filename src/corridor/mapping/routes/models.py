"""The projection of routes for the map, lists and reports.

The row carries the labels it needs for the visibility check (tlp, purpose, recipients,
author), so the map can be built from the mapping tables alone without reading envelopes."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base
from corridor.records.projection import Labelled


class RouteRow(Labelled, Base):
    __tablename__ = "map_routes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    countries: Mapped[list[str]]
    legs: Mapped[list[dict[str, Any]]]
