"""Tables of the entities module: cases, entities, their statements (provenance) and the search
index. Entities are FollowTheMoney entities; every property value is a statement that knows its
source, time and labels, and the entity row keeps the current merged view for fast reads."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
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


class ImportRun(Base):
    """One import of a file into a case: progress and the per-row error report."""

    __tablename__ = "entity_imports"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(8))
    mapping: Mapped[dict[str, Any] | None]
    state: Mapped[str] = mapped_column(String(16), default="queued")
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    rows_failed: Mapped[int] = mapped_column(Integer, default=0)
    entities: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class SavedMapping(Base):
    """A column-to-property mapping saved by name for reuse."""

    __tablename__ = "entity_mappings"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    mapping: Mapped[dict[str, Any]]
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]


class MatchCandidate(Base):
    """A pair that duplicate detection proposed, with the comparison's score and reasons, and
    the reviewer's decision (same / different / unsure). `a_id` < `b_id`."""

    __tablename__ = "match_candidates"
    __table_args__ = (
        UniqueConstraint("a_id", "b_id"),
        Index("ix_match_candidates_case_status", "case_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    a_id: Mapped[str] = mapped_column(String(128))
    b_id: Mapped[str] = mapped_column(String(128), index=True)
    # The case the detection ran over (None: the whole store).
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class CaseNote(Base):
    __tablename__ = "case_notes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    tlp: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]


class CaseFile(Base):
    """A file of a case, kept in the store (size-limited) under its SHA-256."""

    __tablename__ = "case_files"
    __table_args__ = (UniqueConstraint("case_id", "sha256"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    tlp: Mapped[str] = mapped_column(String(16))
    uploaded_by: Mapped[str] = mapped_column(String(40))
    uploaded_at: Mapped[datetime]


class CaseTask(Base):
    __tablename__ = "case_tasks"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    details: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str | None] = mapped_column(String(40))
    due: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | done | cancelled
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class CaseChart(Base):
    """A saved link chart of a case: which entities, where they sit, which are pinned."""

    __tablename__ = "case_charts"
    __table_args__ = (UniqueConstraint("case_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    layout: Mapped[dict[str, Any]]
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
