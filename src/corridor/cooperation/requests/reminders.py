"""Reminders and escalation of requests for assistance, run periodically by the worker.

At a requested node, before the deadline of a request it has not answered: a reminder to its
users when 75 % of the time has passed, and another one hour before. At the requesting node,
once a requested node is overdue: the author of the request is told. Each is sent once (the
`rfa_reminders` table), so the job may run as often as it likes, on several workers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.cooperation.notifications import service as notifications
from corridor.cooperation.notifications.registry import Notice
from corridor.cooperation.requests.models import RecipientRow, ReminderSent, RequestRow
from corridor.i18n import N_
from corridor.jobs.queue import handler
from corridor.node.service import Node
from corridor.records.models import StoredRecord

EARLY_SHARE = 0.75
LAST_HOUR = timedelta(hours=1)
JOB = "requests.reminders"


def _unanswered() -> Any:
    # Still owed: no answer yet (a partial answer counts as one) and not declined.
    return and_(
        RecipientRow.first_answer_at.is_(None),
        or_(RecipientRow.last_kind.is_(None), RecipientRow.last_kind != "decline"),
    )


def due_reminders(sent_at: datetime, deadline: datetime, now: datetime) -> list[str]:
    """Which reminders are due now for a request (latest last); none once it is overdue."""
    sent_at, deadline = clock.as_utc(sent_at), clock.as_utc(deadline)
    if now >= deadline:
        return []
    out = []
    if now >= sent_at + (deadline - sent_at) * EARLY_SHARE:
        out.append("early")
    if now >= deadline - LAST_HOUR:
        out.append("last-hour")
    return out


def run(session: Session, node_id: str) -> int:
    """Send what is due; returns how many reminders and escalations were sent."""
    now = clock.now()
    sent = 0
    done = {
        (r.request_id, r.node_id, r.kind)
        for r in session.scalars(
            select(ReminderSent)
            .join(RequestRow, RequestRow.id == ReminderSent.request_id)
            .where(ReminderSent.node_id == node_id, RequestRow.deadline > now)
        )
    }

    # Requested here: remind this node's users.
    asked = session.execute(
        select(RequestRow)
        .join(
            RecipientRow,
            and_(RecipientRow.request_id == RequestRow.id, RecipientRow.node_id == node_id),
        )
        .where(
            RequestRow.origin != node_id,
            RequestRow.withdrawn_at.is_(None),
            RequestRow.deadline > now,
            _unanswered(),
        )
    ).scalars()
    for row in asked:
        due = due_reminders(row.sent_at, row.deadline, now)
        fresh = [k for k in due if (row.id, node_id, k) not in done]
        if not fresh:
            continue
        # Only the latest reminder is worth a notice when several fell due together.
        kind = fresh[-1]
        title = (
            N_("One hour left to answer: {subject}")
            if kind == "last-hour"
            else N_("Deadline approaching: {subject}")
        )
        urgent = row.urgency == "urgent" or kind == "last-hour"
        sent += _tell(session, node_id, row, "request.reminder", title, urgent)
        for k in due:
            if (row.id, node_id, k) not in done:
                session.add(ReminderSent(request_id=row.id, node_id=node_id, kind=k, sent_at=now))
                done.add((row.id, node_id, k))

    # Requested by us and overdue at a partner: tell the author.
    late = session.execute(
        select(RequestRow, RecipientRow.node_id)
        .join(RecipientRow, RecipientRow.request_id == RequestRow.id)
        .outerjoin(
            ReminderSent,
            and_(
                ReminderSent.request_id == RequestRow.id,
                ReminderSent.node_id == RecipientRow.node_id,
                ReminderSent.kind == "overdue",
            ),
        )
        .where(
            RequestRow.origin == node_id,
            RequestRow.withdrawn_at.is_(None),
            RequestRow.deadline <= now,
            ReminderSent.request_id.is_(None),
            _unanswered(),
        )
    ).all()
    for row, partner in late:
        title = N_("No answer by the deadline: {subject}")
        urgent = row.urgency == "urgent"
        sent += _tell(session, node_id, row, "request.overdue", title, urgent, [row.author])
        session.add(ReminderSent(request_id=row.id, node_id=partner, kind="overdue", sent_at=now))
    return sent


def _tell(
    session: Session,
    node_id: str,
    row: RequestRow,
    kind: str,
    title: str,
    urgent: bool,
    handles: list[str] | None = None,
) -> int:
    """Notify of a request still on record (those who may see it, among `handles` if given);
    1 if it was, 0 if the request is gone."""
    stored = session.get(StoredRecord, row.id)
    if stored is None or stored.state != "active":
        return 0
    link = f"/requests/{row.id}"
    notice = Notice(kind, title, link, urgent=urgent, params={"subject": row.subject})
    notifications.notify(
        session, node_id=node_id, notice=notice, envelope=stored.envelope, handles=handles
    )
    return 1


@handler(JOB, every=timedelta(minutes=5), at_start=True)
def reminders_job(node: Node, payload: dict[str, Any]) -> None:
    with node.db.transaction() as session:
        run(session, node.id)
