"""Sending, listing, reading and withdrawing secure messages."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.errors import InvalidInput, PermissionDenied
from corridor.federation import receipts
from corridor.keys import NodeKeys
from corridor.messages.models import Message
from corridor.messages.records import MESSAGE_TYPE
from corridor.records import flow
from corridor.records import service as records
from corridor.records.attachments import NewAttachment, fields
from corridor.records.labels import Labels, addressed
from corridor.records.models import StoredRecord
from corridor.records.policy import can_see
from corridor.security.principal import Principal


def send(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    to: list[str],
    subject: str,
    text: str,
    labels: Labels,
    in_reply_to: uuid.UUID | None = None,
    attachments: list[NewAttachment] | None = None,
) -> dict[str, Any]:
    actor.require("records.write")
    thread = None
    sources: list[flow.Source] = []
    if in_reply_to is not None:
        parent = records.get_visible(session, keys.node_id, actor=actor, record_id=in_reply_to)
        if parent["type"] != MESSAGE_TYPE or parent.get("body") is None:
            raise InvalidInput("you can reply only to a message that is still there")
        thread = parent["body"].get("thread") or parent["id"]
        if not to:
            to = [parent["origin"]] if parent["origin"] != keys.node_id else []
        # A reply answers within the message's labels and audience (records.flow).
        sources.append(
            dataclasses.replace(
                flow.of_record(parent, path="reply"), name=parent["body"].get("subject", "")
            )
        )
    audience = addressed(to)
    body: dict[str, Any] = {
        "subject": subject,
        "text": text,
        "attachments": fields(attachments or []),
    }
    if thread:
        body["thread"] = str(thread)
        body["in_reply_to"] = str(in_reply_to)
    return records.create(
        session,
        keys,
        actor=actor,
        type=MESSAGE_TYPE,
        body=body,
        labels=labels,
        audience=audience,
        sources=sources,
    )


@dataclass(frozen=True)
class Listed:
    message: Message
    labels: dict[str, Any]
    state: str


def list_messages(
    session: Session,
    node_id: str,
    *,
    actor: Principal,
    box: str = "inbox",
    limit: int = 50,
    before: datetime | None = None,
    thread: uuid.UUID | None = None,
) -> list[Listed]:
    actor.require("records.read")
    q = (
        select(Message, StoredRecord)
        .join(StoredRecord, StoredRecord.id == Message.id)
        .where(StoredRecord.purpose.in_(sorted(actor.purposes)))
    )
    if box == "inbox":
        q = q.where(Message.origin != node_id)
    elif box == "sent":
        q = q.where(Message.origin == node_id)
    elif box != "all":
        raise InvalidInput("box is inbox, sent or all")
    if thread is not None:
        q = q.where(Message.thread_id == thread)
    if before is not None:
        q = q.where(Message.sent_at < before)
    order = Message.sent_at.asc() if thread is not None else Message.sent_at.desc()
    out: list[Listed] = []
    for msg, rec in session.execute(q.order_by(order).limit(limit * 2)):
        if can_see(actor, rec.envelope, node_id):
            out.append(Listed(msg, rec.envelope["labels"], rec.state))
        if len(out) == limit:
            break
    # A reply whose message was withdrawn is hidden at once (records.flow), before its revocation.
    hidden = flow.hidden(session, actor, [item.message.id for item in out])
    return [item for item in out if item.message.id not in hidden]


def _message(
    session: Session, keys: NodeKeys, actor: Principal, message_id: uuid.UUID
) -> dict[str, Any]:
    return records.get_of_type(
        session, keys.node_id, actor=actor, record_id=message_id, type=MESSAGE_TYPE
    )


def read(
    session: Session, keys: NodeKeys, *, actor: Principal, message_id: uuid.UUID
) -> dict[str, Any]:
    """The message (audited read); the first read at this node sends a read receipt."""
    return receipts.opened(session, keys, _message(session, keys, actor, message_id))


def withdraw(
    session: Session, keys: NodeKeys, *, actor: Principal, message_id: uuid.UUID, reason: str
) -> dict[str, Any]:
    envelope = _message(session, keys, actor, message_id)
    if envelope["author"] != actor.handle and not actor.has("node.manage"):
        raise PermissionDenied("only the author (or an administrator) withdraws a message")
    return records.revoke(session, keys, actor=actor, record_id=message_id, reason=reason)
