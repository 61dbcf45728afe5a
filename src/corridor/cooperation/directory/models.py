"""Projection of `contact` records for searching the network-wide directory.

Each row carries the labels the visibility check reads (tlp, purpose, RED recipients, author),
so a search is answered from this table alone through `records.policy.can_see`; the signed
envelope keeps the card itself."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base
from corridor.records.projection import Labelled


class ContactRow(Labelled, Base):
    __tablename__ = "directory_contacts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), index=True)
    languages: Mapped[list[str]]
    expertise: Mapped[list[str]]
    # " lang:en lang:ur exp:maritime " — list filters as a LIKE on one column, the same SQL on
    # SQLite and PostgreSQL (JSON containment differs between them).
    tags: Mapped[str] = mapped_column(Text)
    # Case-folded name, unit and role for the text filter (SQLite's LIKE folds ASCII only).
    search: Mapped[str] = mapped_column(Text)
    always: Mapped[bool] = mapped_column(Boolean)
    timezone: Mapped[str | None] = mapped_column(String(64))
    hours: Mapped[list[dict[str, Any]]]
    rota: Mapped[list[dict[str, Any]]]
    active: Mapped[bool] = mapped_column(Boolean, index=True)
