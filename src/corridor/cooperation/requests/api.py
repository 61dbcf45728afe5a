"""REST API /api/v1/requests: requests for assistance, replies, drafts and the overview."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from corridor import clock
from corridor.cooperation.requests import overview as stats
from corridor.cooperation.requests import replies
from corridor.cooperation.requests import service as rfa
from corridor.cooperation.requests.models import RequestDraft
from corridor.cooperation.requests.schemas import (
    AcceptIn,
    AnswerIn,
    DeclineIn,
    DraftIn,
    DraftRead,
    RequestCreate,
    RequestList,
    RequestRead,
    RequestsOverviewRead,
)
from corridor.cooperation.schemas import when
from corridor.records import attachments
from corridor.records.attachments import MAX_ATTACHMENT_BYTES, AttachmentIn, NewAttachment
from corridor.records.labels import LabelsIn
from corridor.records.schemas import WithdrawIn, addressed_view
from corridor.web.endpoints import Api, ApiCall, only_set
from corridor.web.params import AttachmentIndex

router = APIRouter(prefix="/api/v1/requests", tags=["requests"])
# A draft shows the fields written so far.
_DRAFT = only_set(DraftRead)


def decode_attachments(items: list[AttachmentIn]) -> list[NewAttachment]:
    # Oversized files are refused before their base64 is decoded.
    return attachments.decode(items, max_bytes=MAX_ATTACHMENT_BYTES)


def recipient_json(v: rfa.RecipientView) -> dict[str, Any]:
    return {
        "node": v.node,
        "state": v.state,
        "delivered_at": when(v.delivered_at),
        "read_at": when(v.read_at),
        "accepted_at": when(v.accepted_at),
        "first_answer_at": when(v.first_answer_at),
        "answered_at": when(v.answered_at),
        "declined_at": when(v.declined_at),
        "decline_reason": v.decline_reason,
    }


def summary(item: rfa.Listed) -> dict[str, Any]:
    r = item.request
    return {
        "id": str(r.id),
        "from": r.origin,
        "author": r.author,
        "to": r.audience,
        "subject": r.subject,
        "urgency": r.urgency,
        "deadline": when(r.deadline),
        "sent_at": when(r.sent_at),
        "tlp": r.tlp,
        "purpose": r.purpose,
        "state": item.state,
        "recipients": [recipient_json(v) for v in item.recipients],
    }


def reply_json(env: dict[str, Any]) -> dict[str, Any]:
    body = env.get("body") or {}
    return {
        "id": env["id"],
        "from": env["origin"],
        "author": env["author"],
        "sent_at": env["ts"],
        "labels": env["labels"],
        "kind": body.get("kind"),
        "reason": body.get("reason"),
        "text": body.get("text"),
        "answers": body.get("answers", []),
        "partial": body.get("partial", False),
        "attachments": attachments.listed(body),
    }


def detail_json(d: rfa.Detail) -> dict[str, Any]:
    env = d.envelope
    body = env.get("body") or {}
    withdrawn = body.get("withdrawn") or (
        {"reason": env["tombstone"]["reason"], "at": env["ts"]} if env.get("tombstone") else None
    )
    return {
        **addressed_view(env),
        "sent_at": clock.iso(d.listed.request.sent_at),
        "labels": env["labels"],
        "subject": body.get("subject", d.listed.request.subject),
        "legal_basis": body.get("legal_basis"),
        "urgency": body.get("urgency", d.listed.request.urgency),
        "deadline": body.get("deadline") or when(d.listed.request.deadline),
        "questions": body.get("questions", []),
        "text": body.get("text"),
        "body": body.get("text"),  # deprecated: the same as text
        "entities": body.get("entities", []),
        "attachments": attachments.listed(body),
        "withdrawn": withdrawn,
        "state": d.listed.state,
        "recipients": [recipient_json(v) for v in d.listed.recipients],
        "replies": [reply_json(e) for e in d.replies],
    }


def _detail(api: ApiCall, request_id: uuid.UUID) -> dict[str, Any]:
    """The request as it stands (an audited read, in a transaction of its own: after a change,
    once that change is committed)."""
    with api.transaction() as session:
        return detail_json(api.run(session, rfa.detail, request_id=request_id))


@router.post("", status_code=201, response_model=RequestRead)
def create_request(api: Api, payload: RequestCreate) -> dict[str, Any]:
    files = decode_attachments(payload.attachments)
    labels = payload.labels()
    with api.transaction() as session:
        env = api.run(
            session,
            rfa.send,
            api.node.config.deadlines,
            to=payload.to,
            subject=payload.subject,
            urgency=payload.urgency,
            text=payload.text,
            labels=labels,
            deadline=payload.deadline,
            legal_basis=payload.legal_basis,
            questions=payload.questions,
            entities=[e.model_dump(mode="json", by_alias=True) for e in payload.entities],
            attachments=files,
        )
    return _detail(api, uuid.UUID(env["id"]))


@router.get("", **only_set(RequestList))
def list_requests(
    api: Api,
    box: Annotated[str, Query(pattern="^(sent|received|drafts|all)$")] = "received",
    state: Annotated[str | None, Query(max_length=20)] = None,
    partner: Annotated[str | None, Query(pattern="^[a-z2-7]{26}$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    with api.reading() as session:
        if box == "drafts" or state == "draft":
            drafts = rfa.list_drafts(session, actor=api.actor)[:limit]
            return {"items": [draft_json(d) for d in drafts]}
        items = rfa.list_requests(
            session,
            api.node.id,
            actor=api.actor,
            box=box,
            state=state,
            partner=partner,
            limit=limit,
        )
        return {"items": [summary(i) for i in items]}


@router.get("/overview", response_model=RequestsOverviewRead)
def overview(api: Api) -> dict[str, Any]:
    with api.reading() as session:
        return stats.overview(session, api.node.id, actor=api.actor)


def draft_json(d: RequestDraft) -> dict[str, Any]:
    return {
        "id": str(d.id),
        "state": "draft",
        "subject": d.subject,
        "created_at": when(d.created_at),
        "updated_at": when(d.updated_at),
        **{k: v for k, v in d.payload.items() if k != "subject"},
        "body": d.payload.get("text", ""),  # deprecated: the same as text
    }


@router.post("/drafts", status_code=201, **_DRAFT)
def save_draft(api: Api, payload: DraftIn) -> dict[str, Any]:
    with api.transaction() as session:
        return draft_json(rfa.save_draft(session, actor=api.actor, draft=payload))


@router.put("/drafts/{draft_id}", **_DRAFT)
def update_draft(api: Api, draft_id: uuid.UUID, payload: DraftIn) -> dict[str, Any]:
    with api.transaction() as session:
        return draft_json(
            rfa.save_draft(session, actor=api.actor, draft=payload, draft_id=draft_id)
        )


@router.delete("/drafts/{draft_id}", status_code=204, response_class=Response)
def delete_draft(api: Api, draft_id: uuid.UUID) -> Response:
    return api.delete(rfa.delete_draft, draft_id=draft_id)


@router.post("/drafts/{draft_id}/send", status_code=201, response_model=RequestRead)
def send_draft(api: Api, draft_id: uuid.UUID) -> dict[str, Any]:
    with api.transaction() as session:
        env = api.run(session, rfa.send_draft, api.node.config.deadlines, draft_id=draft_id)
    return _detail(api, uuid.UUID(env["id"]))


@router.get("/{request_id}", response_model=RequestRead)
def get_request(api: Api, request_id: uuid.UUID) -> dict[str, Any]:
    return _detail(api, request_id)


def _reply(api: ApiCall, request_id: uuid.UUID, kind: str, payload: Any) -> dict[str, Any]:
    files = decode_attachments(payload.attachments)
    given = payload.model_fields_set & set(LabelsIn.model_fields)
    with api.transaction() as session:
        api.run(
            session,
            replies.reply,
            request_id=request_id,
            kind=kind,
            # Label fields left out: the request's own (raised by tlp / handling if given).
            labels=payload.labels() if given - {"tlp", "handling"} else None,
            tlp=payload.tlp if "tlp" in given else None,
            handling=payload.handling if "handling" in given else None,
            text=payload.text,
            reason=getattr(payload, "reason", None),
            answers=[a.model_dump(mode="json") for a in getattr(payload, "answers", [])],
            partial=getattr(payload, "partial", False),
            attachments=files,
        )
    return _detail(api, request_id)


@router.post("/{request_id}/reply", status_code=201, response_model=RequestRead)
def answer(api: Api, request_id: uuid.UUID, payload: AnswerIn) -> Any:
    return _reply(api, request_id, "answer", payload)


@router.post("/{request_id}/accept", status_code=201, response_model=RequestRead)
def accept(api: Api, request_id: uuid.UUID, payload: AcceptIn) -> Any:
    return _reply(api, request_id, "accept", payload)


@router.post("/{request_id}/decline", status_code=201, response_model=RequestRead)
def decline(api: Api, request_id: uuid.UUID, payload: DeclineIn) -> Any:
    return _reply(api, request_id, "decline", payload)


@router.post("/{request_id}/withdraw", response_model=RequestRead)
def withdraw(api: Api, request_id: uuid.UUID, payload: WithdrawIn) -> dict[str, Any]:
    with api.transaction() as session:
        api.run(session, rfa.withdraw, request_id=request_id, reason=payload.reason)
    return _detail(api, request_id)


@router.get("/{request_id}/attachments/{index}", response_class=Response)
def request_attachment(api: Api, request_id: uuid.UUID, index: AttachmentIndex) -> Response:
    return api.attachment(rfa.read, index, request_id=request_id)


@router.get("/{request_id}/replies/{reply_id}/attachments/{index}", response_class=Response)
def reply_attachment(
    api: Api,
    request_id: uuid.UUID,
    reply_id: uuid.UUID,
    index: AttachmentIndex,
) -> Response:
    return api.attachment(replies.reply_envelope, index, request_id=request_id, reply_id=reply_id)
