"""Requests for assistance: send, withdraw, drafts, states per requested node, lists and a
request with its replies. Replies are written by `replies`, the overview by partner by
`overview`."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.config import Deadlines
from corridor.cooperation.requests.models import (
    RecipientRow,
    ReplyRow,
    RequestDraft,
    RequestRow,
)
from corridor.cooperation.requests.schemas import (
    REPLY_TYPE,
    RFA_TYPE,
    URGENCIES,
    DraftIn,
)
from corridor.entities import service as entity_service
from corridor.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TooLarge
from corridor.federation import receipts
from corridor.federation.peers import require_approved
from corridor.federation.receipts import Receipt
from corridor.ids import uuid7
from corridor.keys import NodeKeys
from corridor.records import groups
from corridor.records import service as records
from corridor.records.attachments import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    MAX_ATTACHMENTS_TOTAL,
    NewAttachment,
    fields,
    mib,
)
from corridor.records.labels import Audience, Labels, addressed
from corridor.records.models import StoredRecord
from corridor.records.policy import can_see
from corridor.records.projection import readable
from corridor.security.principal import Principal

# Per requested node, in the order a request moves forward.
STATES: tuple[str, ...] = (
    "draft",
    "sent",
    "delivered",
    "accepted",
    "partially_answered",
    "answered",
    "declined",
    "withdrawn",
    "overdue",
)
OPEN_STATES = frozenset({"sent", "delivered", "accepted", "partially_answered", "overdue"})
_PROGRESS = ("sent", "delivered", "accepted")


def attachment_bodies(files: Iterable[NewAttachment]) -> list[dict[str, Any]]:
    """Attachments as record fields, with the limits checked before anything is built."""
    files = list(files)
    if len(files) > MAX_ATTACHMENTS:
        raise TooLarge(f"at most {MAX_ATTACHMENTS} attachments")
    total = 0
    for f in files:
        if len(f.content) > MAX_ATTACHMENT_BYTES:
            raise TooLarge(f"attachment {f.name!r} is larger than {mib(MAX_ATTACHMENT_BYTES)} MiB")
        total += len(f.content)
    if total > MAX_ATTACHMENTS_TOTAL:
        raise TooLarge(f"attachments are limited to {mib(MAX_ATTACHMENTS_TOTAL)} MiB in all")
    return fields(files)


def _approved_audience(session: Session, node_id: str, to: list[str]) -> Audience:
    audience = addressed(to, whom="partner node")
    expanded = groups.expand(session, audience, origin=node_id)
    if not expanded.nodes:
        raise InvalidInput("to: a request goes to at least one partner node")
    require_approved(session, expanded.nodes)
    return Audience(nodes=expanded.nodes)


def default_deadline(deadlines: Deadlines, urgency: str) -> datetime:
    return clock.now() + timedelta(hours=deadlines.hours(urgency))


def send(
    session: Session,
    keys: NodeKeys,
    deadlines: Deadlines,
    *,
    actor: Principal,
    to: list[str],
    subject: str,
    urgency: str,
    text: str,
    labels: Labels,
    deadline: datetime | None = None,
    legal_basis: str = "",
    questions: list[str] | None = None,
    entities: list[dict[str, Any]] | None = None,
    attachments: list[NewAttachment] | None = None,
) -> dict[str, Any]:
    actor.require("records.write")
    if urgency not in URGENCIES:
        raise InvalidInput(f"urgency is one of {', '.join(URGENCIES)}")
    if deadline is not None and deadline <= clock.now():
        raise InvalidInput("the deadline is in the past")
    audience = _approved_audience(session, keys.node_id, to)
    links, sources = entity_service.link_refs(
        session,
        actor=actor,
        node_id=keys.node_id,
        refs=[dict(e) for e in entities or []],
        labels=labels,
        audience=audience.nodes,
    )
    body = {
        "subject": subject,
        "legal_basis": legal_basis,
        "urgency": urgency,
        "deadline": clock.iso(deadline or default_deadline(deadlines, urgency)),
        "questions": list(questions or []),
        "text": text,
        "entities": links,
        "attachments": attachment_bodies(attachments or []),
    }
    return records.create(
        session,
        keys,
        actor=actor,
        type=RFA_TYPE,
        body=body,
        labels=labels,
        audience=audience,
        sources=sources,
    )


def get_request(
    session: Session, keys: NodeKeys, *, actor: Principal, request_id: uuid.UUID
) -> dict[str, Any]:
    return records.get_of_type(
        session, keys.node_id, actor=actor, record_id=request_id, type=RFA_TYPE, what="request"
    )


def read(
    session: Session, keys: NodeKeys, *, actor: Principal, request_id: uuid.UUID
) -> dict[str, Any]:
    """The request (audited read); the first read at a requested node sends a read receipt."""
    envelope = get_request(session, keys, actor=actor, request_id=request_id)
    return receipts.opened(session, keys, envelope)


def withdraw(
    session: Session, keys: NodeKeys, *, actor: Principal, request_id: uuid.UUID, reason: str
) -> dict[str, Any]:
    """A new version carrying the reason: the request stays on record everywhere, and requested
    nodes can no longer reply."""
    actor.require("records.write")
    envelope = get_request(session, keys, actor=actor, request_id=request_id)
    if envelope["origin"] != keys.node_id:
        raise PermissionDenied("only the requesting node withdraws a request")
    # Who may (its author or an administrator) is the records core's rule, checked there.
    body = envelope.get("body")
    if body is None or body.get("withdrawn"):
        raise Conflict("the request is already withdrawn")
    reason = reason.strip()
    if not reason or len(reason) > 500:
        raise InvalidInput("a withdrawal needs a reason (1-500 characters)")
    new_body = {**body, "withdrawn": {"reason": reason, "at": clock.iso(clock.now())}}
    return records.update(session, keys, actor=actor, record_id=request_id, body=new_body)


# ---- states ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecipientView:
    node: str
    state: str
    delivered_at: datetime | None = None
    read_at: datetime | None = None
    accepted_at: datetime | None = None
    first_answer_at: datetime | None = None
    answered_at: datetime | None = None
    declined_at: datetime | None = None
    decline_reason: str | None = None


@dataclass(frozen=True)
class Listed:
    request: Any  # a RequestRow, or a row of its columns
    state: str
    recipients: list[RecipientView] = field(default_factory=list)


def recipient_state(
    *, withdrawn: bool, deadline: datetime, rec: Any, delivered: bool, now: datetime
) -> str:
    if withdrawn:
        return "withdrawn"
    if rec is not None and rec.last_kind == "decline":
        return "declined"
    if rec is not None and rec.answered_at is not None:
        return "answered"
    if rec is not None and rec.first_answer_at is not None:
        return "partially_answered"
    if now > clock.as_utc(deadline):
        return "overdue"
    if rec is not None and rec.accepted_at is not None:
        return "accepted"
    return "delivered" if delivered else "sent"


def overall_state(states: list[str]) -> str:
    """One state for a request from those of its requested nodes: all answered (or declined)
    is answered; any overdue shows; otherwise the least advanced."""
    s = set(states)
    if not s:
        return "sent"
    if "withdrawn" in s:
        return "withdrawn"
    if s == {"declined"}:
        return "declined"
    if s <= {"answered", "declined"}:
        return "answered"
    if "overdue" in s:
        return "overdue"
    if s & {"answered", "partially_answered"}:
        return "partially_answered"
    return min((x for x in s if x in _PROGRESS), key=_PROGRESS.index, default="sent")


def with_states(
    session: Session, node_id: str, rows: list[Any], now: datetime, *, read: bool = True
) -> list[Listed]:
    """`rows`: RequestRow objects or selected rows of its columns (same attributes)."""
    if not rows:
        return []
    ids = [r.id for r in rows]
    recs: dict[tuple[uuid.UUID, str], Any] = {}
    seen: dict[tuple[uuid.UUID, str], dict[str, datetime]] = {}
    own_ids = {r.id for r in rows if r.origin == node_id}
    # Chunks keep the IN lists within every driver's parameter limits.
    for chunk in _chunks(ids, 500):
        # Plain rows, not ORM objects: the overview reads a thousand requests or more.
        for standing in session.execute(
            select(*RecipientRow.__table__.c).where(RecipientRow.request_id.in_(chunk))
        ):
            recs[(standing.request_id, standing.node_id)] = standing
        sent = [i for i in chunk if i in own_ids]
        if sent:
            for rc in session.execute(
                select(Receipt.record_id, Receipt.node_id, Receipt.status, Receipt.at).where(
                    Receipt.record_id.in_(sent),
                    Receipt.status.in_(("delivered", "read") if read else ("delivered",)),
                )
            ):
                seen.setdefault((rc.record_id, rc.node_id), {})[rc.status] = rc.at
    out = []
    for row in rows:
        withdrawn = row.withdrawn_at is not None
        # A requested node knows only where it stands itself.
        targets = row.audience if row.origin == node_id else [node_id]
        recipients = []
        for n in targets:
            rec = recs.get((row.id, n))
            st = seen.get((row.id, n), {})
            delivered = row.origin != node_id or "delivered" in st
            recipients.append(
                RecipientView(
                    node=n,
                    state=recipient_state(
                        withdrawn=withdrawn,
                        deadline=row.deadline,
                        rec=rec,
                        delivered=delivered,
                        now=now,
                    ),
                    delivered_at=st.get("delivered"),
                    read_at=st.get("read"),
                    accepted_at=rec.accepted_at if rec else None,
                    first_answer_at=rec.first_answer_at if rec else None,
                    answered_at=rec.answered_at if rec else None,
                    declined_at=rec.declined_at if rec else None,
                    decline_reason=rec.decline_reason if rec else None,
                )
            )
        out.append(Listed(row, overall_state([v.state for v in recipients]), recipients))
    return out


def _chunks(items: list[uuid.UUID], n: int) -> Iterable[list[uuid.UUID]]:
    for start in range(0, len(items), n):
        yield items[start : start + n]


def visible_rows(
    session: Session, node_id: str, *, actor: Principal, box: str, partner: str | None = None
) -> list[Any]:
    actor.require("records.read")
    q = select(*RequestRow.__table__.c).where(RequestRow.purpose.in_(sorted(actor.purposes)))
    if box == "sent":
        q = q.where(RequestRow.origin == node_id)
    elif box == "received":
        q = q.where(RequestRow.origin != node_id)
    elif box != "all":
        raise InvalidInput("box is sent, received, drafts or all")
    if partner and box == "received":
        q = q.where(RequestRow.origin == partner)
    rows = readable(session, actor, session.execute(q.order_by(RequestRow.sent_at.desc())), node_id)
    if partner and box != "received":
        rows = [r for r in rows if r.origin == partner or partner in r.audience]
    return rows


def list_requests(
    session: Session,
    node_id: str,
    *,
    actor: Principal,
    box: str = "received",
    state: str | None = None,
    partner: str | None = None,
    limit: int = 100,
) -> list[Listed]:
    if state is not None and state not in STATES:
        raise InvalidInput(f"state is one of {', '.join(STATES)}")
    if box == "drafts" or state == "draft":
        return []  # drafts are listed by list_drafts: they are not records
    rows = visible_rows(session, node_id, actor=actor, box=box, partner=partner)
    items = with_states(session, node_id, rows, clock.now())
    if state is not None:
        items = [i for i in items if i.state == state]
    return items[:limit]


@dataclass(frozen=True)
class Detail:
    envelope: dict[str, Any]
    listed: Listed
    replies: list[dict[str, Any]]


def detail(session: Session, keys: NodeKeys, *, actor: Principal, request_id: uuid.UUID) -> Detail:
    envelope = read(session, keys, actor=actor, request_id=request_id)
    row = session.get(RequestRow, request_id)
    if row is None:  # projection always written with the record; a missing one is a fault
        raise NotFound(f"no request {request_id}")
    listed = with_states(session, keys.node_id, [row], clock.now())[0]
    reply_ids = list(
        session.scalars(
            select(ReplyRow.id)
            .where(ReplyRow.request_id == request_id)
            .order_by(ReplyRow.sent_at, ReplyRow.id)
        )
    )
    replies = []
    stored = {
        r.id: r for r in session.scalars(select(StoredRecord).where(StoredRecord.id.in_(reply_ids)))
    }
    for rid in reply_ids:
        rec = stored.get(rid)
        if rec is not None and can_see(actor, rec.envelope, keys.node_id):
            replies.append(rec.envelope)
    records.audit_listing(session, actor=actor, type=REPLY_TYPE, ids=[e["id"] for e in replies])
    return Detail(envelope, listed, replies)


# ---- drafts ---------------------------------------------------------------------------------


def save_draft(
    session: Session, *, actor: Principal, draft: DraftIn, draft_id: uuid.UUID | None = None
) -> RequestDraft:
    """Drafts stay on this node with their author; nothing is signed or sent."""
    actor.require("records.write")
    now = clock.now()
    row = get_draft(session, actor=actor, draft_id=draft_id) if draft_id else None
    if row is None:
        row = RequestDraft(id=uuid7(), author=actor.handle, created_at=now)
        session.add(row)
    row.subject = draft.subject or ""
    row.payload = draft.model_dump(mode="json", by_alias=True)
    row.updated_at = now
    return row


def get_draft(session: Session, *, actor: Principal, draft_id: uuid.UUID) -> RequestDraft:
    row = session.get(RequestDraft, draft_id)
    if row is None or row.author != actor.handle:
        raise NotFound(f"no draft {draft_id}")
    return row


def list_drafts(session: Session, *, actor: Principal) -> list[RequestDraft]:
    actor.require("records.read")
    return list(
        session.scalars(
            select(RequestDraft)
            .where(RequestDraft.author == actor.handle)
            .order_by(RequestDraft.updated_at.desc())
        )
    )


def delete_draft(session: Session, *, actor: Principal, draft_id: uuid.UUID) -> None:
    actor.require("records.write")
    session.delete(get_draft(session, actor=actor, draft_id=draft_id))


_DRAFTED = {"to", "subject", "urgency", "text", "deadline", "legal_basis", "questions"}


def send_draft(
    session: Session,
    keys: NodeKeys,
    deadlines: Deadlines,
    *,
    actor: Principal,
    draft_id: uuid.UUID,
) -> dict[str, Any]:
    """Send a draft as it is (checked now like any request) and remove it."""
    row = get_draft(session, actor=actor, draft_id=draft_id)
    d = DraftIn.model_validate(row.payload)
    if not d.subject or not d.text:
        raise InvalidInput("a request needs a subject and a text before it is sent")
    try:
        labels = Labels(tlp=d.tlp, handling=d.handling, purpose=d.purpose)
    except ValueError as exc:
        raise InvalidInput(f"the draft's labels are not valid: {exc}") from None
    # The draft's fields are the request's, as they are (its entities as the wire has them).
    request = d.model_dump(include=_DRAFTED)
    entities = [e.model_dump(mode="json", by_alias=True) for e in d.entities]
    envelope = send(
        session, keys, deadlines, actor=actor, labels=labels, entities=entities, **request
    )
    session.delete(row)
    return envelope
