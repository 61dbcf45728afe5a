"""Projections of joint case spaces: the space, its posts and its tasks.

Each row carries the labels the visibility check reads (tlp, purpose, recipients, author), so
a space page is built from these tables through `records.policy.can_see` without reading
every envelope (the same shape as the mapping projections)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base
from corridor.records.projection import Labelled


class SpaceLabelled(Labelled):
    created_at: Mapped[datetime]


class SpaceRow(SpaceLabelled, Base):
    """A joint space as this node holds it (owned here, or received from its owner)."""

    __tablename__ = "coop_spaces"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(100))
    case_reference: Mapped[str | None] = mapped_column(String(100))
    # Member node ids, the owner (origin) not included: it is a member by definition.
    members: Mapped[list[str]]
    # Nodes that were members and were removed (and not added back).
    removed: Mapped[list[str]]
    # active | withdrawn (the owner's tombstone arrived)
    state: Mapped[str] = mapped_column(String(16))


class SpacePostRow(SpaceLabelled, Base):
    __tablename__ = "coop_space_posts"
    __table_args__ = (Index("ix_coop_space_posts_space_created", "space_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    space_id: Mapped[uuid.UUID] = mapped_column()
    text: Mapped[str] = mapped_column(Text)
    # name, content_type, size, sha256 of each attachment (the content stays in the record).
    attachments: Mapped[list[dict[str, Any]]]
    # {id, schema, caption} of each linked entity.
    entities: Mapped[list[dict[str, Any]]]
    task_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    completes: Mapped[bool] = mapped_column(Boolean, default=False)


class SpaceTaskRow(SpaceLabelled, Base):
    __tablename__ = "coop_space_tasks"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    space_id: Mapped[uuid.UUID] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(Text)
    assignee_node: Mapped[str] = mapped_column(String(26), index=True)
    assignee_person: Mapped[str | None] = mapped_column(String(200))
    due: Mapped[date] = mapped_column(Date)
    # open | done | cancelled (set by the creating node only)
    status: Mapped[str] = mapped_column(String(16))
