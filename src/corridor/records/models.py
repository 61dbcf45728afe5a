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
