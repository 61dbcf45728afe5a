"""The `message` record type: schema and projection."""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from typing import Any

from pydantic import Field, field_validator, model_validator
from sqlalchemy.orm import Session

from corridor import clock
from corridor.federation.receipts import WANTS_RECEIPTS
from corridor.messages.models import Message
from corridor.records.flow import Flow
from corridor.records.registry import RecordType, register
from corridor.schemas import StrictModel

MESSAGE_TYPE = "message"
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS_TOTAL = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10


class Attachment(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    content_type: str = Field(default="application/octet-stream", max_length=100)
    size: int = Field(ge=0, le=MAX_ATTACHMENT_BYTES)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    data: str = Field(description="base64 of the content")

    @field_validator("name")
    @classmethod
    def _plain_name(cls, v: str) -> str:
        if "/" in v or "\\" in v or v.startswith(".") or any(ord(c) < 32 for c in v):
            raise ValueError("attachment names are plain file names")
        return v

    @model_validator(mode="after")
    def _content_matches(self) -> Attachment:
        try:
            raw = base64.b64decode(self.data, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"attachment {self.name!r} is not valid base64") from None
        if len(raw) != self.size:
            raise ValueError(f"attachment {self.name!r}: size does not match its content")
        if hashlib.sha256(raw).hexdigest() != self.sha256:
            raise ValueError(f"attachment {self.name!r}: sha256 does not match its content")
        return self


class MessageBody(StrictModel):
    subject: str = Field(min_length=1, max_length=300)
    text: str = Field(min_length=1, max_length=100_000)
    thread: uuid.UUID | None = Field(default=None, description="first message of the thread")
    in_reply_to: uuid.UUID | None = None
    attachments: list[Attachment] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)

    @model_validator(mode="after")
    def _total(self) -> MessageBody:
        if sum(a.size for a in self.attachments) > MAX_ATTACHMENTS_TOTAL:
            raise ValueError(f"attachments are limited to {MAX_ATTACHMENTS_TOTAL} bytes in all")
        return self


def _project(session: Session, envelope: dict[str, Any]) -> None:
    body = envelope["body"]
    rid = uuid.UUID(envelope["id"])
    # A first version has no projection yet: no lookup needed.
    existing = None if envelope["version"] == 1 else session.get(Message, rid)
    row = existing or Message(id=rid)
    row.thread_id = uuid.UUID(body["thread"]) if body.get("thread") else rid
    row.origin = envelope["origin"]
    row.author = envelope["author"]
    row.subject = body["subject"]
    row.recipients = list(envelope["audience"]["nodes"])
    row.tlp = envelope["labels"]["tlp"]
    row.purpose = envelope["labels"].get("purpose", "cooperation")
    row.attachments = len(body.get("attachments", []))
    if row.sent_at is None:
        row.sent_at = clock.parse(envelope["ts"])
    row.revoked = False
    session.add(row)


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
