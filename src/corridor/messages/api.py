"""REST API /api/v1/messages."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from corridor import clock
from corridor.federation import receipts
from corridor.federation.schemas import receipts_view
from corridor.messages import service as messages
from corridor.messages.schemas import MessageCreate, MessageList, MessageRead, RevokeIn
from corridor.records import attachments
from corridor.records.schemas import sent_view
from corridor.web.endpoints import Api
from corridor.web.params import AttachmentIndex

router = APIRouter(prefix="/api/v1/messages", tags=["messages"])


def summary(item: messages.Listed) -> dict[str, Any]:
    m = item.message
    return {
        "id": str(m.id),
        "thread": str(m.thread_id),
        "from": m.origin,
        "author": m.author,
        "to": m.audience,
        "subject": m.subject,
        "tlp": m.tlp,
        "purpose": m.purpose,
        "attachments": m.attachments,
        "sent_at": clock.iso(m.sent_at),
        "state": item.state,
    }


def detail(envelope: dict[str, Any], receipt_map: dict[str, dict[str, datetime]]) -> dict[str, Any]:
    body = envelope.get("body") or {}
    return {
        **sent_view(envelope, envelope["ts"]),
        "state": "withdrawn" if envelope.get("tombstone") or envelope.get("purged") else "active",
        "subject": body.get("subject"),
        "text": body.get("text"),
        "body": body.get("text"),  # deprecated: the same as text
        "thread": body.get("thread") or envelope["id"],
        "in_reply_to": body.get("in_reply_to"),
        "attachments": attachments.listed(body),
        "receipts": receipts_view(receipt_map),
    }


@router.post("", status_code=201, response_model=MessageRead)
def create_message(api: Api, payload: MessageCreate) -> dict[str, Any]:
    files = attachments.decode(payload.attachments)
    labels = payload.labels()
    with api.transaction() as session:
        env = api.run(
            session,
            messages.send,
            to=payload.to,
            subject=payload.subject,
            text=payload.text,
            labels=labels,
            in_reply_to=payload.in_reply_to,
            attachments=files,
        )
        return detail(env, {})


@router.get("", response_model=MessageList)
def list_messages(
    api: Api,
    box: Annotated[str, Query(pattern="^(inbox|sent|all)$")] = "inbox",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    thread: uuid.UUID | None = None,
) -> dict[str, Any]:
    with api.transaction() as session:
        items = messages.list_messages(
            session, api.node.id, actor=api.actor, box=box, limit=limit, thread=thread
        )
        return {"items": [summary(i) for i in items]}


@router.get("/{message_id}", response_model=MessageRead)
def get_message(api: Api, message_id: uuid.UUID) -> dict[str, Any]:
    with api.transaction() as session:
        env = api.run(session, messages.read, message_id=message_id)
        return detail(env, receipts.statuses(session, message_id))


@router.get("/{message_id}/attachments/{index}", response_class=Response)
def get_attachment(api: Api, message_id: uuid.UUID, index: AttachmentIndex) -> Response:
    return api.attachment(messages.read, index, message_id=message_id)


@router.post("/{message_id}/revoke", response_model=MessageRead)
def revoke_message(api: Api, message_id: uuid.UUID, payload: RevokeIn) -> dict[str, Any]:
    with api.transaction() as session:
        env = api.run(session, messages.withdraw, message_id=message_id, reason=payload.reason)
        return detail(env, receipts.statuses(session, message_id))
