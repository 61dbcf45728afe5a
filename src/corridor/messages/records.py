"""The `message` record type: schema and projection."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field, model_validator
from sqlalchemy.orm import Session

from corridor.federation.receipts import WANTS_RECEIPTS
from corridor.messages.models import Message
from corridor.records.attachments import (
    MAX_ATTACHMENTS,
    MAX_ATTACHMENTS_TOTAL,
    Attachment,
    check_total,
)
from corridor.records.flow import Flow
from corridor.records.projection import labelled_row
from corridor.records.registry import RecordType, register
from corridor.schemas import StrictModel

MESSAGE_TYPE = "message"


class MessageBody(StrictModel):
    subject: str = Field(min_length=1, max_length=300)
    text: str = Field(min_length=1, max_length=100_000)
    thread: uuid.UUID | None = Field(default=None, description="first message of the thread")
    in_reply_to: uuid.UUID | None = None
    attachments: list[Attachment] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)

    @model_validator(mode="after")
    def _total(self) -> MessageBody:
        check_total(self.attachments, MAX_ATTACHMENTS_TOTAL)
        return self


def _project(session: Session, envelope: dict[str, Any]) -> None:
    body = envelope["body"]
    row = labelled_row(session, Message, envelope)
    row.thread_id = uuid.UUID(body["thread"]) if body.get("thread") else row.id
    row.subject = body["subject"]
    row.audience = list(envelope["audience"]["nodes"])
    row.attachments = len(body.get("attachments", []))
    if row.sent_at is None:
        row.sent_at = row.updated_at
    row.revoked = False


def _purge(session: Session, envelope: dict[str, Any]) -> None:
    row = session.get(Message, uuid.UUID(envelope["id"]))
    if row is not None:
        row.subject = "(withdrawn)"
        row.attachments = 0
        row.revoked = True


register(
    RecordType(
        name=MESSAGE_TYPE,
        body=MessageBody,
        # A reply draws on the message it answers. Its author, or an administrator (a
        # colleague who left), withdraws it.
        flow=Flow(embeds=("reply",), editors=("node.manage",)),
        project=_project,
        purge=_purge,
        sensitive=True,
        title="Message",
    )
)
WANTS_RECEIPTS.add(MESSAGE_TYPE)
