from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base
from corridor.ids import uuid7


class Peer(Base):
    """A node this node has imported the card of; traffic flows only while approved."""

    __tablename__ = "peers"

    node_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    org: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    url: Mapped[str] = mapped_column(String(500))
    signing_key: Mapped[str] = mapped_column(String(64))
    exchange_key: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    # Earlier signing keys (after rotations), to verify records signed before a rotation.
    past_keys: Mapped[list[str]]
    card: Mapped[dict[str, Any]]
    card_version: Mapped[int] = mapped_column(Integer)
    valid_until: Mapped[datetime]
    # pending (imported, not yet approved) | approved | suspended
    state: Mapped[str] = mapped_column(String(16))
    added_at: Mapped[datetime]
    approved_at: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(80))
    last_contact_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    # Highest position of this peer's stream to us received without a gap (push or pull).
    received_position: Mapped[int] = mapped_column(BigInteger, default=0)


class OutboxItem(Base):
    """One record version to deliver to one peer, at a position of that peer's stream.

    Written in the transaction that creates the version, so nothing committed is ever lost;
    pushed by the worker, and served again to the peer's pull (feed) until it has it."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("recipient", "position"),
        Index("ix_outbox_pending", "recipient", "state", "position"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    recipient: Mapped[str] = mapped_column(String(26))
    position: Mapped[int] = mapped_column(BigInteger)
    record_id: Mapped[uuid.UUID] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(Integer)
    # pending -> delivered | rejected (the peer refused it; see error)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


class SeenNonce(Base):
    """The `nonce` of a signed federation request this node accepted, kept until the request's
    signature can no longer verify (its `created` + the transport's window). The key refuses
    a second use: the insert that fails is the replay, whichever web process sees it."""

    __tablename__ = "federation_nonces"

    origin: Mapped[str] = mapped_column(String(26), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
