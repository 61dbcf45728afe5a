from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base


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
    # Delivery bookkeeping (transport): how far we have pulled from / received of this peer.
    pull_cursor: Mapped[int] = mapped_column(BigInteger, default=0)
