"""The transactional outbox: every version this node signs is queued, per recipient peer, in
the same transaction; the third-party rule holds by construction (only own records enter)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.errors import InvalidInput
from corridor.federation.models import OutboxItem, Peer
from corridor.jobs import queue
from corridor.records import service as records

PUSH_ATTEMPTS = 1_000_000  # delivery never gives up; backoff is capped


def recipients(session: Session, envelope: dict[str, Any]) -> list[str]:
    """The nodes a record is addressed to, this node excluded."""
    audience = envelope.get("audience") or {}
    nodes = set(audience.get("nodes", []))
    nodes.discard(envelope["origin"])
    return sorted(nodes)


def _next_position(session: Session, recipient: str) -> int:
    row = records.locked_counter(session, f"outbox:{recipient}")
    row.value += 1
    return row.value


def queue_version(session: Session, envelope: dict[str, Any]) -> None:
    targets = recipients(session, envelope)
    if not targets:
        return
    known: set[str] = session.info.setdefault("known_peers", set())
    missing = [t for t in targets if t not in known]
    if missing:
        known.update(session.scalars(select(Peer.node_id).where(Peer.node_id.in_(missing))))
    unknown = [t for t in targets if t not in known]
    if unknown:
        raise InvalidInput(f"unknown recipient node(s): {', '.join(unknown)}; peer with them first")
    now = clock.now()
    for target in targets:
        session.add(
            OutboxItem(
                recipient=target,
                position=_next_position(session, target),
                record_id=uuid.UUID(envelope["id"]),
                version=envelope["version"],
                state="pending",
                created_at=now,
            )
        )
        queue.enqueue(
            session,
            "federation.push",
            {"peer": target},
            dedupe_key=f"push:{target}",
            max_attempts=PUSH_ATTEMPTS,
        )


records.OWN_VERSION_HOOKS.append(queue_version)
