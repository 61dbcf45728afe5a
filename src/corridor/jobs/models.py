from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base
from corridor.ids import uuid7


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_claim", "state", "run_after"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    kind: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]]
    # queued -> running -> done | queued (retry) | dead (attempts exhausted)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=10)
    run_after: Mapped[datetime]
    locked_by: Mapped[str | None] = mapped_column(String(80))
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # At most one *queued* job per key (e.g. "push:<peer>"); kept for the job's life so that
    # a queued retry can still be found and woken.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
