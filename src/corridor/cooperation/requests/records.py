"""The `rfa` (request for assistance) and `rfa.reply` record types: projections, the receiving
check on replies, how they are announced, and the reminders job (imported for its handler)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.cooperation.notifications.registry import Notice
from corridor.cooperation.notifications.registry import register as register_notice
from corridor.cooperation.requests.models import RecipientRow, ReplyRow, RequestRow
from corridor.cooperation.requests.schemas import REPLY_TYPE, RFA_TYPE, ReplyBody, RequestBody
from corridor.errors import Conflict, InvalidInput, PermissionDenied
from corridor.federation.receipts import WANTS_RECEIPTS
from corridor.i18n import N_
from corridor.records.flow import Flow
from corridor.records.projection import labelled_row
from corridor.records.registry import RecordType, register


def _project_request(session: Session, envelope: dict[str, Any]) -> None:
    body = envelope["body"]
    row = labelled_row(session, RequestRow, envelope)
    new = row.sent_at is None
    if new:
        row.sent_at = row.updated_at
    row.subject = body["subject"]
    row.urgency = body.get("urgency", "normal")
    row.deadline = clock.parse(body["deadline"])
    row.audience = list(envelope["audience"]["nodes"])
    row.questions = len(body.get("questions", []))
    withdrawn = body.get("withdrawn")
    row.withdrawn_at = clock.parse(withdrawn["at"]) if withdrawn else None
    row.withdrawn_reason = withdrawn["reason"] if withdrawn else None
    have: set[str] = set()
    if not new:
        have.update(
            session.scalars(select(RecipientRow.node_id).where(RecipientRow.request_id == row.id))
        )
    for node in row.audience:
        if node not in have:
            session.add(RecipientRow(request_id=row.id, node_id=node, partial=False))


def _purge_request(session: Session, envelope: dict[str, Any]) -> None:
    # Revoked or expired: the request stays listed as withdrawn, without its content.
    row = session.get(RequestRow, uuid.UUID(envelope["id"]))
    if row is not None:
        row.subject = "(withdrawn)"
        row.withdrawn_at = row.withdrawn_at or clock.now()
        row.withdrawn_reason = (envelope.get("tombstone") or {}).get("reason", "expired")[:500]
        row.version = envelope["version"]


def recompute(session: Session, request_id: uuid.UUID, node_id: str) -> None:
    """Derive one requested node's standing on a request from the replies it sent."""
    session.flush()
    replies = session.scalars(
        select(ReplyRow)
        .where(ReplyRow.request_id == request_id, ReplyRow.origin == node_id)
        .order_by(ReplyRow.sent_at, ReplyRow.id)
    ).all()
    rec = session.get(RecipientRow, (request_id, node_id))
    if rec is None:
        rec = RecipientRow(request_id=request_id, node_id=node_id)
        session.add(rec)
    rec.last_kind = replies[-1].kind if replies else None
    rec.accepted_at = next((r.sent_at for r in replies if r.kind == "accept"), None)
    answers = [r for r in replies if r.kind == "answer"]
    rec.first_answer_at = answers[0].sent_at if answers else None
    rec.answered_at = next((r.sent_at for r in answers if not r.partial), None)
    rec.partial = bool(answers) and rec.answered_at is None
    last = replies[-1] if replies else None
    rec.declined_at = last.sent_at if last is not None and last.kind == "decline" else None
    rec.decline_reason = last.reason if last is not None and last.kind == "decline" else None


def _project_reply(session: Session, envelope: dict[str, Any]) -> None:
    body = envelope["body"]
    row = labelled_row(session, ReplyRow, envelope)
    row.request_id = uuid.UUID(body["request"])
    row.kind = body["kind"]
    row.reason = body.get("reason")
    row.partial = bool(body.get("partial", False))
    if row.sent_at is None:
        row.sent_at = row.updated_at
    recompute(session, row.request_id, row.origin)


def _purge_reply(session: Session, envelope: dict[str, Any]) -> None:
    row = session.get(ReplyRow, uuid.UUID(envelope["id"]))
    if row is not None:
        request_id, origin = row.request_id, row.origin
        session.delete(row)
        recompute(session, request_id, origin)


def check_reply(session: Session, envelope: dict[str, Any]) -> None:
    """At the requester, before anything is stored: a reply must come from a node the request
    was addressed to, concern a request of the node it is addressed to, and the request must
    not be withdrawn."""
    body = envelope["body"]
    replier = envelope["origin"]
    request = session.get(RequestRow, uuid.UUID(body["request"]))
    if request is None or request.origin not in envelope["audience"]["nodes"]:
        raise PermissionDenied(f"reply to request {body['request']}, which this node did not send")
    if replier not in request.audience:
        raise PermissionDenied(f"node {replier} was not asked by request {body['request']}")
    if request.withdrawn_at is not None:
        raise Conflict(f"request {body['request']} was withdrawn: replies are refused")
    bad = [a["question"] for a in body.get("answers", []) if a["question"] >= request.questions]
    if bad:
        raise InvalidInput(f"request {body['request']} has no question {bad[0] + 1}")


def _describe(envelope: dict[str, Any]) -> Notice | None:
    # Titles are msgids, translated for each reader; the subject is the record's title.
    body = envelope["body"]
    if envelope["type"] == RFA_TYPE:
        link = f"/requests/{envelope['id']}"
        params = {"subject": body["subject"]}
        if body.get("withdrawn"):
            return Notice("request", N_("Request withdrawn: {subject}"), link, params=params)
        if envelope["version"] > 1:
            return None
        urgent = body.get("urgency") == "urgent"
        return Notice(
            "request.urgent" if urgent else "request",
            N_("Request for assistance: {subject}"),
            link,
            urgent=urgent,
            params=params,
        )
    titles = {
        "accept": N_("A partner accepted your request for assistance"),
        "decline": N_("A partner declined your request for assistance"),
        "answer": N_("A partner answered your request for assistance"),
    }
    title = titles[body["kind"]]
    if body["kind"] == "answer" and body.get("partial"):
        title = N_("A partner partially answered your request for assistance")
    return Notice("request.reply", title, f"/requests/{body['request']}")


register(
    RecordType(
        name=RFA_TYPE,
        body=RequestBody,
        # Links entities the node holds (by reference, with a caption): flow sources.
        flow=Flow(embeds=("link",), editors=("node.manage",)),
        project=_project_request,
        purge=_purge_request,
        sensitive=True,
        title="Request for assistance",
    )
)
register(
    RecordType(
        name=REPLY_TYPE,
        body=ReplyBody,
        # Answers the request: at least its labels, back to the requester only.
        flow=Flow(embeds=("reply",), editors=("node.manage",)),
        project=_project_reply,
        purge=_purge_reply,
        check=check_reply,
        sensitive=True,
        title="Reply to a request for assistance",
    )
)
WANTS_RECEIPTS.update({RFA_TYPE, REPLY_TYPE})
for _type in (RFA_TYPE, REPLY_TYPE):
    register_notice(
        _type,
        _describe,
        kinds={
            "request": N_("Requests for assistance"),
            "request.urgent": N_("Urgent requests for assistance"),
            "request.reply": N_("Replies to our requests for assistance"),
            "request.reminder": N_("Deadlines of requests we were asked"),
            "request.overdue": N_("Overdue answers to our requests"),
        },
    )

# The reminders job registers its handler on import.
from corridor.cooperation.requests import reminders  # noqa: E402, F401
