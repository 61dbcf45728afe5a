from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from corridor.db import Base


class StoredRecord(Base):
    """The latest valid version of every record this node holds (own or received)."""

    __tablename__ = "records"
    __table_args__ = (
        Index("ix_records_origin_seq", "origin", "seq"),
        Index("ix_records_type_state", "type", "state"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(BigInteger)
    tlp: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(32))
    # active | revoked | expired; revoked and expired keep only a tombstone envelope
    state: Mapped[str] = mapped_column(String(16), default="active")
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    review_at: Mapped[datetime | None]
    envelope: Mapped[dict[str, Any]]
    stored_at: Mapped[datetime]

    # Write-only (history is read by query); declared so that a new version row is always
    # inserted after its record without an extra flush.
    versions: WriteOnlyMapped[RecordVersion] = relationship(passive_deletes=True)


class RecordVersion(Base):
    """History of versions; bodies are purged here too when the record is tombstoned."""

    __tablename__ = "record_versions"

    record_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    envelope: Mapped[dict[str, Any]]
    stored_at: Mapped[datetime]


class RecordSource(Base):
    """What a derived record draws on (`records.flow`): one row per source, with the labels the
    source carried when the record was made, so a later version is checked again and a
    source's revocation or expiry reaches every record derived from it."""

    __tablename__ = "record_sources"
    __table_args__ = (Index("ix_record_sources_source", "source_record"),)

    record_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    )
    ref: Mapped[str] = mapped_column(String(200), primary_key=True)
    # The record carrying the source (None for local content such as a case's entity).
    source_record: Mapped[uuid.UUID | None]
    # A local compartment the source belongs to, e.g. "case:<uuid>".
    compartment: Mapped[str | None] = mapped_column(String(80))
    labels: Mapped[dict[str, Any]]
    # Set when the source was revoked or expired: the derived record is hidden until revoked.
    gone_at: Mapped[datetime | None]
