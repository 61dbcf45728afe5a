"""Tables of hit/no-hit: the holder's key, entries, segments and the hits on its data; the
querier's copy of each partner's published index."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base
from corridor.ids import uuid7


class MatchingKey(Base):
    """The holder's OPRF key. The newest unretired one evaluates; never leaves the node."""

    __tablename__ = "matching_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    secret: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]


class MatchingHandle(Base):
    """The referral handle of one of our entities in the index: all a hit names of it."""

    __tablename__ = "matching_handles"

    entity_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    handle: Mapped[str] = mapped_column(String(24), unique=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]


class IndexedCase(Base):
    """How far a case opted in to matching is indexed: entities written up to `through`."""

    __tablename__ = "matching_cases"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    through: Mapped[datetime | None]


class MatchingSegment(Base):
    """A part of our published index (one `matching.index` record, its id): the entries of some
    entities of one case."""

    __tablename__ = "matching_segments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    entries: Mapped[int] = mapped_column(Integer, default=0)
    # The `matching.index` record that publishes it (None until first signed), and the peers
    # and labels it was last signed for (a change of either signs it again).
    record_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    audience: Mapped[list[str]] = mapped_column(default=list)
    labels: Mapped[str] = mapped_column(String(40), default="")
    # Changed since its record was last signed (entities added, changed or gone).
    dirty: Mapped[bool] = mapped_column(default=True)
    published_at: Mapped[datetime | None]


class OwnEntry(Base):
    """One entry of our index: an entity's selector or name key under our key."""

    __tablename__ = "matching_own"
    __table_args__ = (Index("ix_matching_own_entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    segment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("matching_segments.id", ondelete="CASCADE"), index=True
    )
    entity_id: Mapped[str] = mapped_column(String(128))
    type: Mapped[str] = mapped_column(String(16))
    tag: Mapped[bytes] = mapped_column(LargeBinary)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class PartnerEntry(Base):
    """One entry of a partner's published index as received: an opaque tag and a sealed
    handle. Useless without the partner's evaluation of a value we ask about."""

    __tablename__ = "matching_index"
    __table_args__ = (Index("ix_matching_index_tag", "tag"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    holder: Mapped[str] = mapped_column(String(26))
    segment_id: Mapped[uuid.UUID] = mapped_column(index=True)
    tag: Mapped[bytes] = mapped_column(LargeBinary)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class HitOnOurs(Base):
    """A partner's hit on our data, as its node told us: who asked, when, which handle."""

    __tablename__ = "matching_hits"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # the match-hit record's id
    handle: Mapped[str] = mapped_column(String(24), index=True)
    entity_id: Mapped[str | None] = mapped_column(String(128))
    type: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(8))
    node: Mapped[str] = mapped_column(String(26))
    author: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime]


class EvaluationUse(Base):
    """Evaluations a peer asked of us per day and per minute (quota and rate limit)."""

    __tablename__ = "matching_usage"

    peer: Mapped[str] = mapped_column(String(26), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)  # 2026-12-07 / …T14:05
    used: Mapped[int] = mapped_column(Integer, default=0)


class CheckRun(Base):
    """A check of many selectors (a list, a whole case, or a case's new entities), run as a job
    so the person sees its progress; the selectors and hits stay on this node."""

    __tablename__ = "matching_runs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    author: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # list | case | new
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    queries: Mapped[list[dict[str, Any]]]
    # One entry per query: its hits ([] none); shorter than queries while running.
    results: Mapped[list[Any]] = mapped_column(JSON)
    peers: Mapped[dict[str, Any]]
    total: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(8))  # queued | running | done | failed
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class CaseWatch(Base):
    """A case whose new entities are checked across the network as they arrive (opt-in by an
    owner, who the checks run as)."""

    __tablename__ = "matching_watches"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    author: Mapped[str] = mapped_column(String(40))
    # Entities written after this were not checked yet.
    since: Mapped[datetime]
