"""Tables of requests for assistance: projections of `rfa` and `rfa.reply` records, the state
of each request at each requested node, local drafts and the reminders already sent.

Projection rows carry the labels the visibility check reads (`records.projection.Labelled`), so
lists and the overview are built from these tables without reading
envelopes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base
from corridor.records.projection import Labelled


class RequestRow(Labelled, Base):
    """One request for assistance (own or received), latest version."""

    __tablename__ = "rfa_requests"
    __table_args__ = (Index("ix_rfa_requests_origin_sent", "origin", "sent_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(300))
    urgency: Mapped[str] = mapped_column(String(16))
    deadline: Mapped[datetime] = mapped_column(index=True)
    sent_at: Mapped[datetime]
    audience: Mapped[list[str]]  # the requested nodes
    questions: Mapped[int] = mapped_column(Integer, default=0)
    # Withdrawn by the requester (a version with a reason) or revoked/expired (body purged).
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(String(500))


class ReplyRow(Labelled, Base):
    """One reply (accept, decline or answer) of a requested node to a request."""

    __tablename__ = "rfa_replies"
    __table_args__ = (Index("ix_rfa_replies_request", "request_id", "sent_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    request_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(2000))  # of a decline
    partial: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_at: Mapped[datetime]


class RecipientRow(Base):
    """Where one requested node stands on one request, derived from its replies (kept in step
    by the reply projection); delivery comes from receipts and overdue from the clock."""

    __tablename__ = "rfa_recipients"

    request_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    node_id: Mapped[str] = mapped_column(String(26), primary_key=True, index=True)
    last_kind: Mapped[str | None] = mapped_column(String(16))
    partial: Mapped[bool] = mapped_column(Boolean, default=False)
    accepted_at: Mapped[datetime | None]
    first_answer_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]  # first complete answer
    declined_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(String(2000))


class RequestDraft(Base):
    """A request saved but not sent: local to this node and its author, never a record."""

    __tablename__ = "rfa_drafts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    author: Mapped[str] = mapped_column(String(80), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ReminderSent(Base):
    """A reminder or escalation already sent, so the periodic job never sends it twice."""

    __tablename__ = "rfa_reminders"

    request_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    node_id: Mapped[str] = mapped_column(String(26), primary_key=True)  # the node it concerns
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # early | last-hour | overdue
    sent_at: Mapped[datetime]
