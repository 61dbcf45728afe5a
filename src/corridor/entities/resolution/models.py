"""The review queue of entity resolution: pairs proposed by duplicate detection."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base


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
