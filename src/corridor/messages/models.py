from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base


class Message(Base):
    """Projection of message records for listing; the signed record keeps the content."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_thread", "thread_id", "sent_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    thread_id: Mapped[uuid.UUID] = mapped_column(index=True)
    origin: Mapped[str] = mapped_column(String(26), index=True)
    author: Mapped[str] = mapped_column(String(80))
    subject: Mapped[str] = mapped_column(String(300))
    recipients: Mapped[list[str]]
    tlp: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(32))
    attachments: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime] = mapped_column(index=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
