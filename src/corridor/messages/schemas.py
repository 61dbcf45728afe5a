"""The messages API's input and answers."""

from __future__ import annotations

import uuid

from pydantic import AliasChoices, Field

from corridor.records.attachments import MAX_ATTACHMENTS, AttachmentIn, AttachmentRead
from corridor.records.labels import LabelsIn
from corridor.records.schemas import SentRead, WithdrawIn, origin_field
from corridor.schemas import ReadModel


class MessageCreate(LabelsIn):
    to: list[str] = Field(min_length=1, max_length=200, description="node ids and/or group ids")
    subject: str = Field(min_length=1, max_length=300)
    # `text` as everywhere in the API; `body`, its first name here, is still accepted.
    text: str = Field(
        min_length=1,
        max_length=100_000,
        validation_alias=AliasChoices("text", "body"),
        description="the message (`body`, its former name, is still accepted: deprecated)",
    )
    in_reply_to: uuid.UUID | None = None
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)


class RevokeIn(WithdrawIn):
    pass


class MessageSummary(ReadModel):
    id: str
    thread: str = Field(description="id of the thread's first message")
    from_: str = origin_field("the sending node")
    author: str
    to: list[str] = Field(description="the nodes it was sent to")
    subject: str
    tlp: str
    purpose: str
    attachments: int = Field(description="how many files it carries")
    sent_at: str
    state: str = Field(description="of the record: active, revoked or expired")


class MessageList(ReadModel):
    items: list[MessageSummary]


class MessageRead(SentRead):
    """A message; a withdrawn one keeps its envelope, without subject, text or files."""

    from_: str = origin_field("the sending node")
    subject: str | None
    text: str | None
    body: str | None = Field(
        description="deprecated: the same as `text`", json_schema_extra={"deprecated": True}
    )
    thread: str = Field(description="id of the thread's first message")
    in_reply_to: str | None
    attachments: list[AttachmentRead]
    receipts: dict[str, dict[str, str]] = Field(
        description="node id -> {delivered | read | acknowledged: when}"
    )
