"""The transactional outbox: every version this node signs is queued, per recipient peer, in
the same transaction; the third-party rule holds by construction (only own records enter)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock, counters
from corridor.db import RowInserter
from corridor.errors import InvalidInput
from corridor.federation.models import OutboxItem, Peer
from corridor.ids import uuid7
from corridor.jobs import queue
from corridor.records import service as records

PUSH_ATTEMPTS = 1_000_000  # delivery never gives up; backoff is capped
_ANSWER = "federation.answer"


@dataclass
class Answer:
    """Versions signed while this node takes in a peer's push and addressed to that peer (the
    "delivered" receipt, above all) travel back in the answer to the push instead of a push
    of their own: half the requests of a fan-out, and the sender learns at once. Their outbox
    items are marked delivered; if the answer is lost, the peer's next pull (after a gap, or
    the periodic sync) serves them again, since a feed serves every position after the
    caller's own."""

    peer: str
    items: list[dict[str, Any]] = field(default_factory=list)


def answer_in(session: Session, peer: str) -> Answer:
    """Collect, for the rest of this transaction, what is signed for `peer`."""
    answer = Answer(peer)
    session.info[_ANSWER] = answer
    return answer


def recipients(session: Session, envelope: dict[str, Any]) -> list[str]:
    """The nodes a record is addressed to, this node excluded."""
    audience = envelope.get("audience") or {}
    nodes = set(audience.get("nodes", []))
    nodes.discard(envelope["origin"])
    return sorted(nodes)


_INSERT = RowInserter(
    OutboxItem.__table__,
    ("id", "recipient", "position", "record_id", "version", "state", "created_at", "delivered_at"),
)


def queue_versions(session: Session, envelopes: list[dict[str, Any]]) -> None:
    """Queue each version for each of its recipients, in signing order: one position per
    recipient and version (one counter statement per recipient), one insert for all rows,
    one push job per recipient."""
    by_target: dict[str, list[dict[str, Any]]] = {}
    for envelope in envelopes:
        for target in recipients(session, envelope):
            by_target.setdefault(target, []).append(envelope)
    if not by_target:
        return
    known: set[str] = session.info.setdefault("known_peers", set())
    missing = [t for t in by_target if t not in known]
    if missing:
        known.update(session.scalars(select(Peer.node_id).where(Peer.node_id.in_(missing))))
    unknown = sorted(t for t in by_target if t not in known)
    if unknown:
        raise InvalidInput(f"unknown recipient node(s): {', '.join(unknown)}; peer with them first")
    now = clock.now()
    answer: Answer | None = session.info.get(_ANSWER)
    rows: list[tuple[Any, ...]] = []
    pushes: dict[str, dict[str, Any]] = {}
    for target in sorted(by_target):
        queued = by_target[target]
        first = counters.bump_counter(session, f"outbox:{target}", len(queued)) - len(queued) + 1
        inline = answer if answer is not None and answer.peer == target else None
        for position, envelope in enumerate(queued, start=first):
            rid, version = uuid.UUID(envelope["id"]), envelope["version"]
            if inline is not None:
                rows.append((uuid7(), target, position, rid, version, "delivered", now, now))
                inline.items.append({"position": position, "record": envelope})
            else:
                rows.append((uuid7(), target, position, rid, version, "pending", now, None))
        if inline is None:
            pushes[f"push:{target}"] = {"peer": target}
    _INSERT(session, rows)
    queue.enqueue_each(session, "federation.push", pushes, max_attempts=PUSH_ATTEMPTS)


records.OWN_BATCH_HOOKS.append(queue_versions)
