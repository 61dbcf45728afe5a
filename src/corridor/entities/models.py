"""Tables of the entity core: cases and their members (the unit of ownership and access),
entities, their statements (provenance) and the search index. Entities are FollowTheMoney
entities; every property value is a statement that knows its source, time and labels, and the
entity row keeps the current merged view for fast reads. The tables of the sub-features (case
work, imports, resolution, charts) are in their own `models.py`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import text

from corridor.db import Base
from corridor.ids import uuid7


class Case(Base):
    """An investigation: groups entities, notes, files and tasks; access by membership."""

    __tablename__ = "cases"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    # The agency's own file number, e.g. "FIA-AHTC-2026-014"; unique on the node.
    reference: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    tlp: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(32))
    handling: Mapped[str] = mapped_column(String(4))
    # Its entities' selectors and names enter the node's hit/no-hit index (module matching).
    matching: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CaseMember(Base):
    """A user or a whole unit with access to a case. `owner` may manage members and labels."""

    __tablename__ = "case_members"
    __table_args__ = (UniqueConstraint("case_id", "kind", "handle"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # user | unit
    handle: Mapped[str] = mapped_column(String(40), index=True)
    role: Mapped[str] = mapped_column(String(8), default="member")  # owner | member | reader
    added_at: Mapped[datetime]


class Entity(Base):
    """The current view of an entity, merged from its live statements."""

    __tablename__ = "entities"
    __table_args__ = (
        Index("ix_entities_case_schema", "case_id", "schema"),
        # Partial: most entities are our own and unmerged, so these stay small and cheap.
        Index(
            "ix_entities_record_id",
            "record_id",
            sqlite_where=text("record_id IS NOT NULL"),
            postgresql_where=text("record_id IS NOT NULL"),
        ),
        Index(
            "ix_entities_merged_into",
            "merged_into",
            sqlite_where=text("merged_into IS NOT NULL"),
            postgresql_where=text("merged_into IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    schema: Mapped[str] = mapped_column(String(64))
    caption: Mapped[str] = mapped_column(String(500))
    # Own entities belong to a case; entities received from partners have none.
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    # None for this node's own entities; the partner's node id for received ones.
    origin: Mapped[str | None] = mapped_column(String(26))
    # The record that carried a received entity (labels and audience live there).
    record_id: Mapped[uuid.UUID | None]
    tlp: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(32))
    properties: Mapped[dict[str, Any]]
    # Set when the entity was merged into another (whose view then includes its statements).
    merged_into: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Statement(Base):
    """One property value of one entity from one source. The id is a hash of (entity, property,
    value, source), so stating the same thing twice is one statement (re-imports change nothing).
    """

    __tablename__ = "statements"
    # Keyed by entity first. On SQLite the rows are stored in the order they were written (a
    # rowid table, as everywhere else) and only the key's index is in entity order. Kept in key
    # order instead (WITHOUT ROWID, before migration 0013), each batch of an import rewrote
    # pages all over the table, the more so the larger the store.

    entity_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    prop: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)
    # What the source wrote, when cleaning changed it (e.g. a phone in national notation).
    original: Mapped[str | None] = mapped_column(Text)
    # user | import | partner | merge
    source_kind: Mapped[str] = mapped_column(String(8))
    # user handle, import id, or partner node id
    source: Mapped[str] = mapped_column(String(64))
    source_label: Mapped[str] = mapped_column(String(300), default="")
    tlp: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    retracted_at: Mapped[datetime | None]


class EntityIndex(Base):
    """What search looks at, one row per searchable entity. On SQLite an FTS5 table mirrors it
    (external content, kept in step by triggers); on PostgreSQL it carries full-text and trigram
    indexes. Both are created by the migration, not by the model."""

    __tablename__ = "entity_index"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(String(128), unique=True)
    schema: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    origin: Mapped[str | None] = mapped_column(String(26))
    purpose: Mapped[str] = mapped_column(String(32))
    countries: Mapped[str] = mapped_column(String(200), default="")
    # Earliest and latest date of the entity (birth, event, call…), ISO text for range filters.
    first_date: Mapped[str | None] = mapped_column(String(10))
    last_date: Mapped[str | None] = mapped_column(String(10))
    # Space-separated search terms: name keys (script-independent) and selector terms.
    keys: Mapped[str] = mapped_column(Text)
    # Latin-script tokens of all names, for prefix search and highlighting.
    names: Mapped[str] = mapped_column(Text)
