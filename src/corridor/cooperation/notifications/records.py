"""Wiring of notifications into the core: the received-record hook, receipts about what this
node's users sent, the describer of secure messages, and the e-mail jobs."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.cooperation.notifications import mailer, registry, service
from corridor.cooperation.notifications.registry import Notice
from corridor.federation.models import Peer
from corridor.federation.receipts import RECEIPT_TYPE
from corridor.i18n import N_
from corridor.jobs import queue
from corridor.keys import own_node_id
from corridor.records import registry as record_types
from corridor.records import service as records
from corridor.records.models import StoredRecord

if TYPE_CHECKING:
    from corridor.node.service import Node

log = logging.getLogger(__name__)

DIGEST_JOB = "notifications.digest"
# How often the digest job looks for users whose hourly or daily digest is due.
DIGEST_EVERY = timedelta(minutes=10)

RECEIPT_TITLES = {
    "acknowledged": N_("{node} acknowledged your {what}"),
    "read": N_("{node} read your {what}"),
}


def describe_message(envelope: dict[str, Any]) -> Notice | None:
    # The subject is content: the notice only says that a message arrived.
    return Notice(kind="message", title=N_("New message"), link=f"/messages/{envelope['id']}")


registry.register("message", describe_message, kinds={"message": N_("Secure messages")})
registry.register_kinds(
    {
        "receipt.acknowledged": N_("Acknowledgements of what you sent"),
        "receipt.read": N_("Read receipts of what you sent"),
    }
)


def _peer_name(session: Session, node_id: str) -> str:
    cache: dict[str, str] = session.info.setdefault("notify_peer_names", {})
    if node_id not in cache:
        peer = session.get(Peer, node_id)
        cache[node_id] = f"{peer.name} ({peer.country})" if peer else node_id
    return cache[node_id]


def _on_receipt(session: Session, envelope: dict[str, Any], own: str) -> None:
    """Tell the author of an announced record that a partner acknowledged (or read) it."""
    body = envelope["body"]
    status = body["status"]
    title = RECEIPT_TITLES.get(status)
    if title is None:
        return
    ids = [uuid.UUID(i["record_id"]) for i in body["items"]]
    rows = session.scalars(
        select(StoredRecord).where(StoredRecord.id.in_(ids), StoredRecord.origin == own)
    )
    for row in rows:
        if not registry.announced(row.type) or row.envelope.get("body") is None:
            continue
        original = registry.notice_for(row.envelope)
        what = record_types.get(row.type).title.lower()
        service.notify(
            session,
            node_id=own,
            notice=Notice(
                kind=f"receipt.{status}",
                title=title,
                link=original.link if original else "/notifications",
                params={"node": _peer_name(session, envelope["origin"]), "what": what},
            ),
            # The author is told only while they may still see their record.
            envelope=row.envelope,
            handles=[row.author],
        )


def on_received(session: Session, envelope: dict[str, Any]) -> None:
    own = own_node_id(session)
    if own is None or envelope.get("origin") == own or envelope.get("body") is None:
        return
    if envelope["type"] == RECEIPT_TYPE:
        _on_receipt(session, envelope, own)
        return
    notice = registry.notice_for(envelope)
    if notice is not None:
        service.notify(session, node_id=own, notice=notice, envelope=envelope)


def on_gone(session: Session, envelope: dict[str, Any]) -> None:
    """Withdrawn or expired: no residue of it in anyone's notifications."""
    service.forget_record(session, uuid.UUID(envelope["id"]))


records.RECEIVED_HOOKS.append(on_received)
records.GONE_HOOKS.append(on_gone)


# --- e-mail jobs -------------------------------------------------------------------------------


@queue.handler(service.EMAIL_JOB, backoff_cap=300.0)
def send_queued(node: Node, payload: dict[str, Any]) -> None:
    """Urgent notices: one mail each, now. A failure leaves the unsent ones queued and the job
    is retried (what went out before the failure is not sent twice)."""
    ids = [uuid.UUID(i) for i in payload.get("ids", [])]
    smtp = node.config.smtp
    with node.db.transaction() as session:
        if smtp is None:
            service.mark_emailed(session, ids, state="skipped")
            return
        items = service.queued_mail(session, ids)
    sent: list[uuid.UUID] = []
    try:
        if items:
            with mailer.Connection(smtp) as conn:
                for item in items:
                    conn.send(mailer.single(node.config, smtp, item))
                    sent.append(item.id)
    finally:
        if sent:
            with node.db.transaction() as session:
                service.mark_emailed(session, sent)


@queue.handler(DIGEST_JOB, every=DIGEST_EVERY, backoff_cap=600.0)
def send_digests(node: Node, payload: dict[str, Any]) -> None:
    """Each user whose digest is due gets one mail listing their waiting notices. A failure for
    one user does not stop the others; the job then fails and is retried, nothing is lost."""
    smtp = node.config.smtp
    with node.db.transaction() as session:
        if smtp is None:
            service.skip_all_mail(session)
            return
        due = service.due_digests(session)
    if not due:
        return
    failures: list[str] = []
    with mailer.Connection(smtp) as conn:
        for user_id, items in due.items():
            try:
                conn.send(mailer.digest(node.config, smtp, items))
            except mailer.MailError as exc:
                failures.append(str(exc))
                continue
            with node.db.transaction() as session:
                service.mark_emailed(session, [i.id for i in items], digest_for=user_id)
    if failures:
        raise mailer.MailError(f"{len(failures)} digest(s) not sent; first: {failures[0]}")
