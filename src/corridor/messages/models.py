from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base
from corridor.records.projection import Labelled


class Message(Labelled, Base):
    """Projection of message records for listing; the signed record keeps the content."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_thread", "thread_id", "sent_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    thread_id: Mapped[uuid.UUID] = mapped_column(index=True)
    subject: Mapped[str] = mapped_column(String(300))
    # The nodes it was sent to (the labels' named TLP:RED recipients are `recipients`).
    audience: Mapped[list[str]]
    attachments: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime] = mapped_column(index=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
