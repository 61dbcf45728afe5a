"""Tables of notifications: one row per user and notice, and each user's preferences."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base
from corridor.ids import uuid7

# e-mail states of a notification: nothing to send, sent soon (a job), waiting for the digest,
# sent, or given up (no SMTP configured, or the user switched e-mail off before it went out).
EMAIL_STATES = ("none", "queued", "digest", "sent", "skipped")


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        Index("ix_notifications_email_state", "email_state"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    # A gettext msgid, formatted with `params` when shown (so each user reads it in their
    # language); never record content beyond what the describer put in the title.
    title: Mapped[str] = mapped_column(String(300))
    params: Mapped[dict[str, Any]]
    link: Mapped[str] = mapped_column(String(500))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    record_id: Mapped[uuid.UUID | None]
    record_type: Mapped[str | None] = mapped_column(String(64))
    record_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    # False: the user switched this kind off in the browser but wants it by e-mail; the row
    # only carries the mail and is never listed, counted or announced.
    web: Mapped[bool] = mapped_column(Boolean, default=True)
    email_state: Mapped[str] = mapped_column(String(16), default="none")
    emailed_at: Mapped[datetime | None]


class NotificationPreference(Base):
    """A user's choice for one kind; kinds without a row use the defaults (service.default_*)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    web: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[str] = mapped_column(String(16))  # off | immediately | digest


class NotificationSettings(Base):
    """Per user: how often the digest goes out, and when the last one did."""

    __tablename__ = "notification_settings"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    digest: Mapped[str] = mapped_column(String(8), default="daily")  # hourly | daily
    last_digest_at: Mapped[datetime | None]
