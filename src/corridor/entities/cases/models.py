"""Tables of case work: the notes, files and tasks of a case."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base
from corridor.ids import uuid7


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
